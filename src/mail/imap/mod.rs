//! Fetching saraban mailboxes over IMAP (async-imap over tokio, TLS by rustls).
//!
//! Exactly once: per folder the UIDVALIDITY and the highest committed UID are kept; each message
//! is fetched with `BODY.PEEK[]` (never marked read), committed in one transaction with a receipt
//! for its (mailbox, folder, UIDVALIDITY, UID), and only then flagged `$SarabanIngested` (or moved).
//! A crash between commit and flag is harmless: the receipt makes the next pass only flag it.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::{Client, Session};
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::service::ingest::IngestError;
use crate::store::StoreError;
use crate::store::mailboxes::{Mailbox, Security};

pub const INGESTED_FLAG: &str = "$SarabanIngested";

#[derive(Debug, Error)]
pub enum ImapError {
    #[error("เชื่อมต่อ {0} ไม่ได้: {1}")]
    Connect(String, String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("เข้าสู่ระบบกล่องอีเมลไม่ได้: {0}")]
    Login(String),
    #[error("IMAP: {0}")]
    Protocol(String),
    #[error("คำสั่ง IMAP {0} ไม่ตอบภายในเวลาที่กำหนด")]
    Timeout(&'static str),
    #[error("ไม่อนุญาตการเชื่อมต่อแบบไม่เข้ารหัสไปยัง {0} (ใช้ได้เฉพาะ 127.0.0.1/localhost)")]
    PlainNotLoopback(String),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<async_imap::error::Error> for ImapError {
    fn from(e: async_imap::error::Error) -> Self {
        ImapError::Protocol(e.to_string())
    }
}

/// A plain or TLS connection, one type for async-imap.
#[derive(Debug)]
pub enum MailStream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for MailStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for MailStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_flush(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

pub type ImapSession = Session<MailStream>;

/// A folder name as IMAP wants it: Thai names (งานสารบรรณ) in modified UTF-7 (RFC 3501 5.1.3).
pub fn wire_folder(name: &str) -> String {
    utf7_imap::encode_utf7_imap(name.to_string())
}

/// Runs one IMAP step with the configured limit.
pub async fn within<T, E: Into<ImapError>>(
    limit: Duration,
    what: &'static str,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, ImapError> {
    match tokio::time::timeout(limit, fut).await {
        Ok(r) => r.map_err(Into::into),
        Err(_) => Err(ImapError::Timeout(what)),
    }
}

fn tls_connector(ca_file: Option<&str>) -> Result<TlsConnector, ImapError> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            use rustls_pki_types::CertificateDer;
            use rustls_pki_types::pem::PemObject;
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| ImapError::Tls(format!("{path}: {e}")))?;
            for cert in certs {
                let cert = cert.map_err(|e| ImapError::Tls(format!("{path}: {e}")))?;
                roots.add(cert).map_err(|e| ImapError::Tls(e.to_string()))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

async fn wrap_tls(
    tcp: TcpStream,
    host: &str,
    ca_file: Option<&str>,
) -> Result<MailStream, ImapError> {
    let name = rustls_pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| ImapError::Tls(e.to_string()))?;
    let tls = tls_connector(ca_file)?
        .connect(name, tcp)
        .await
        .map_err(|e| ImapError::Tls(e.to_string()))?;
    Ok(MailStream::Tls(Box::new(tls)))
}

/// Connects and logs in.
pub async fn connect(mailbox: &Mailbox, limit: Duration) -> Result<ImapSession, ImapError> {
    let addr = format!("{}:{}", mailbox.host, mailbox.port);
    if mailbox.security == Security::None && !crate::security::is_loopback_host(&mailbox.host) {
        return Err(ImapError::PlainNotLoopback(mailbox.host.clone()));
    }
    let tcp = within(limit, "connect", async {
        TcpStream::connect(&addr)
            .await
            .map_err(|e| ImapError::Connect(addr.clone(), e.to_string()))
    })
    .await?;
    let _ = tcp.set_nodelay(true);
    let ca = mailbox.ca_file.as_deref();
    let stream = match mailbox.security {
        Security::Tls => within(limit, "TLS", wrap_tls(tcp, &mailbox.host, ca)).await?,
        _ => MailStream::Plain(tcp),
    };
    let mut client = Client::new(stream);
    // The server speaks first; read its greeting before any command.
    within(limit, "greeting", async {
        client
            .read_response()
            .await
            .map_err(|e| ImapError::Protocol(e.to_string()))?
            .ok_or_else(|| ImapError::Protocol("no greeting".into()))
    })
    .await?;
    if mailbox.security == Security::StartTls {
        within(
            limit,
            "STARTTLS",
            client.run_command_and_check_ok("STARTTLS", None),
        )
        .await?;
        let MailStream::Plain(tcp) = client.into_inner() else {
            return Err(ImapError::Tls("STARTTLS on a TLS stream".into()));
        };
        client = Client::new(within(limit, "TLS", wrap_tls(tcp, &mailbox.host, ca)).await?);
    }
    // LOGIN cannot carry non-ASCII (a Thai password); AUTHENTICATE PLAIN sends UTF-8.
    let plain = !mailbox.username.is_ascii() || !mailbox.password.expose().is_ascii();
    let session = within(limit, "LOGIN", async {
        let result = if plain {
            let auth = PlainAuth {
                username: mailbox.username.clone(),
                password: mailbox.password.clone(),
            };
            client.authenticate("PLAIN", auth).await
        } else {
            client
                .login(&mailbox.username, mailbox.password.expose())
                .await
        };
        result.map_err(|(e, _)| ImapError::Login(e.to_string()))
    })
    .await?;
    Ok(session)
}

/// SASL PLAIN (RFC 4616): authorization id empty, then user name and password, NUL-separated.
struct PlainAuth {
    username: String,
    password: crate::security::Secret,
}

impl async_imap::Authenticator for PlainAuth {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        format!("\0{}\0{}", self.username, self.password.expose()).into_bytes()
    }
}

/// What `saraban mailbox test` and the test button say.
pub async fn test_connection(mailbox: &Mailbox, limit: Duration) -> Result<String, ImapError> {
    let mut session = connect(mailbox, limit).await?;
    let mut lines = Vec::new();
    for folder in &mailbox.folders {
        let selected = within(limit, "EXAMINE", session.examine(wire_folder(folder))).await?;
        lines.push(format!("{folder}: {} ฉบับ", selected.exists));
    }
    let caps = within(limit, "CAPABILITY", session.capabilities()).await?;
    let idle = if caps.has_str("IDLE") {
        "รองรับ IDLE"
    } else {
        "ไม่รองรับ IDLE (ตรวจเป็นระยะ)"
    };
    let _ = within(limit, "LOGOUT", session.logout()).await;
    Ok(format!("เชื่อมต่อสำเร็จ · {} · {idle}", lines.join(", ")))
}

mod commands;
mod pass;

pub use pass::{FetchLimits, Lease, PassStats, pass_folder, poll_once};

#[cfg(test)]
mod tests {
    #[test]
    fn thai_folder_names_go_out_in_modified_utf7() {
        assert_eq!(super::wire_folder("INBOX"), "INBOX");
        let wire = super::wire_folder("งานสารบรรณ");
        assert!(wire.starts_with('&') && wire.is_ascii(), "{wire}");
        assert_eq!(utf7_imap::decode_utf7_imap(wire), "งานสารบรรณ");
    }
}
