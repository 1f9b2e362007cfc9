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
use chrono::Utc;
use futures_util::StreamExt;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use super::ingest::{self, IngestError, Origin, Outcome};
use crate::service::Services;
use crate::store::StoreError;
use crate::store::inbox::ReceiptKey;
use crate::store::mailboxes::{Mailbox, Security};
use crate::store::offices::Office;

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

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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
    if mailbox.security == Security::None && !is_loopback(&mailbox.host) {
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
    let session = within(limit, "LOGIN", async {
        client
            .login(&mailbox.username, &mailbox.password)
            .await
            .map_err(|(e, _)| ImapError::Login(e.to_string()))
    })
    .await?;
    Ok(session)
}

/// What `saraban mailbox test` and the test button say.
pub async fn test_connection(mailbox: &Mailbox, limit: Duration) -> Result<String, ImapError> {
    let mut session = connect(mailbox, limit).await?;
    let mut lines = Vec::new();
    for folder in &mailbox.folders {
        let selected = within(limit, "EXAMINE", session.examine(folder)).await?;
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

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassStats {
    pub fetched: usize,
    pub letters: usize,
    pub duplicates: usize,
    pub notices: usize,
    pub quarantined: usize,
    pub bytes: u64,
}

/// Settings a pass needs besides the mailbox.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    pub command: Duration,
    pub max_message_bytes: u64,
}

/// The lease a background pass holds; a long pass renews it as it goes.
#[derive(Debug, Clone)]
pub struct Lease {
    pub holder: String,
    pub ttl: chrono::Duration,
}

/// One pass over one folder: everything above the committed UID, each committed before it is
/// flagged. Returns what it did.
pub async fn pass_folder(
    services: &Services,
    office: &Office,
    mailbox: &Mailbox,
    session: &mut ImapSession,
    folder: &str,
    limits: FetchLimits,
    lease: Option<&Lease>,
) -> Result<PassStats, ImapError> {
    let limit = limits.command;
    let mut renewed = std::time::Instant::now();
    let selected = within(limit, "SELECT", session.select(folder)).await?;
    let uidvalidity = i64::from(selected.uid_validity.unwrap_or(0));
    let last = services
        .store
        .folder_position(mailbox.id, folder, uidvalidity)
        .await?;
    // The server answers "n:*" with the highest UID even when it is below n: filter ourselves.
    let found = within(
        limit,
        "UID SEARCH",
        session.uid_search(format!("UID {}:*", last + 1)),
    )
    .await?;
    let mut uids: Vec<u32> = found.into_iter().filter(|u| i64::from(*u) > last).collect();
    uids.sort_unstable();
    let mut stats = PassStats::default();
    for chunk in uids.chunks(200) {
        let set = chunk
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        // Sizes and arrival times first: a message over the limit is never downloaded.
        let mut meta = std::collections::HashMap::new();
        {
            let mut stream = within(
                limit,
                "UID FETCH",
                session.uid_fetch(&set, "(UID RFC822.SIZE INTERNALDATE)"),
            )
            .await?;
            while let Some(item) = within(limit, "UID FETCH", async {
                stream.next().await.transpose()
            })
            .await?
            {
                if let Some(uid) = item.uid {
                    meta.insert(
                        uid,
                        (
                            item.size.unwrap_or(0),
                            item.internal_date().map(|d| d.with_timezone(&Utc)),
                        ),
                    );
                }
            }
        }
        for uid in chunk {
            let (size, arrived) = meta.get(uid).copied().unwrap_or((0, None));
            let key = ReceiptKey {
                mailbox_id: mailbox.id,
                folder: folder.to_string(),
                uidvalidity,
                uid: i64::from(*uid),
            };
            let outcome = if services.store.receipt_exists(&key).await? {
                // Committed before a crash or a lost connection: only the flag is missing.
                Outcome::AlreadyTaken
            } else if u64::from(size) > limits.max_message_bytes {
                ingest::refuse_oversized(
                    services,
                    office,
                    key.clone(),
                    u64::from(size),
                    limits.max_message_bytes,
                )
                .await?
            } else {
                let body = fetch_body(session, *uid, limit).await?;
                let Some(body) = body else {
                    // Expunged meanwhile: nothing to take.
                    continue;
                };
                stats.fetched += 1;
                stats.bytes += body.len() as u64;
                ingest::ingest(
                    services,
                    office,
                    &Origin::Mailbox(key.clone()),
                    body.into(),
                    arrived,
                )
                .await?
            };
            match &outcome {
                Outcome::Letter { .. } => stats.letters += 1,
                Outcome::Duplicate { .. } => stats.duplicates += 1,
                Outcome::AutoReply { .. } | Outcome::DeliveryReport { .. } => stats.notices += 1,
                Outcome::Quarantined { .. } => stats.quarantined += 1,
                Outcome::AlreadyTaken => {}
            }
            // Committed: now tell the server. An oversized message stays unflagged in place.
            let oversized = matches!(&outcome, Outcome::Quarantined { .. })
                && u64::from(size) > limits.max_message_bytes;
            if !oversized {
                mark_done(session, mailbox, *uid, limit).await?;
            }
            services
                .store
                .advance_folder(mailbox.id, folder, uidvalidity, i64::from(*uid))
                .await?;
            if let Some(l) = lease {
                if renewed.elapsed().as_secs_f64() * 3.0 > l.ttl.num_seconds() as f64 {
                    if !services
                        .store
                        .acquire_lease(mailbox.id, &l.holder, l.ttl)
                        .await?
                    {
                        return Err(ImapError::Protocol("lease taken by another process".into()));
                    }
                    renewed = std::time::Instant::now();
                }
            }
        }
    }
    Ok(stats)
}

async fn fetch_body(
    session: &mut ImapSession,
    uid: u32,
    limit: Duration,
) -> Result<Option<Vec<u8>>, ImapError> {
    let mut stream = within(
        limit,
        "UID FETCH BODY",
        session.uid_fetch(uid.to_string(), "(UID BODY.PEEK[])"),
    )
    .await?;
    let mut body = None;
    while let Some(item) = within(limit, "UID FETCH BODY", async {
        stream.next().await.transpose()
    })
    .await?
    {
        if item.uid == Some(uid) {
            if let Some(b) = item.body() {
                body = Some(b.to_vec());
            }
        }
    }
    Ok(body)
}

async fn mark_done(
    session: &mut ImapSession,
    mailbox: &Mailbox,
    uid: u32,
    limit: Duration,
) -> Result<(), ImapError> {
    match &mailbox.move_to {
        Some(target) => {
            within(limit, "UID MOVE", session.uid_mv(uid.to_string(), target)).await?;
        }
        None => {
            let mut stream = within(
                limit,
                "UID STORE",
                session.uid_store(uid.to_string(), format!("+FLAGS.SILENT ({INGESTED_FLAG})")),
            )
            .await?;
            while within(limit, "UID STORE", async {
                stream.next().await.transpose()
            })
            .await?
            .is_some()
            {}
        }
    }
    Ok(())
}

/// One pass over every folder of a mailbox (connect, fetch, log out); records liveness.
pub async fn poll_once(
    services: &Services,
    mailbox: &Mailbox,
    limits: FetchLimits,
) -> Result<PassStats, ImapError> {
    let office = services.store.find_office(&mailbox.office_id).await?;
    let result = async {
        let mut session = connect(mailbox, limits.command).await?;
        let mut total = PassStats::default();
        for folder in &mailbox.folders {
            let s = pass_folder(
                services,
                &office,
                mailbox,
                &mut session,
                folder,
                limits,
                None,
            )
            .await?;
            total.fetched += s.fetched;
            total.letters += s.letters;
            total.duplicates += s.duplicates;
            total.notices += s.notices;
            total.quarantined += s.quarantined;
            total.bytes += s.bytes;
        }
        let _ = within(limits.command, "LOGOUT", session.logout()).await;
        Ok::<_, ImapError>(total)
    }
    .await;
    let error = result.as_ref().err().map(|e| e.to_string());
    for folder in &mailbox.folders {
        services
            .store
            .folder_result(mailbox.id, folder, error.as_deref())
            .await?;
    }
    result
}
