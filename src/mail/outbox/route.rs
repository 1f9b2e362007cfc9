//! Where an office's mail goes: its own SMTP account, else the deployment's `[smtp]`, else
//! `.eml` files in the outbox folder; sending one message there and reading the answer.

use crate::config::SmtpConfig;
use crate::domain::exchange::Attempt;
use crate::message::compose::{self, FactsPart, OutgoingMail};
use crate::security::Secret;
use crate::store::mailboxes::Security;
use crate::store::offices::Office;
use crate::store::smtp::SmtpAccount;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

use super::OutboxError;

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// The embedded default: each message becomes an .eml file in a folder.
    File(AsyncFileTransport<Tokio1Executor>),
}

/// How one office's mail leaves: its From address and the transport.
pub struct Route {
    pub from_addr: String,
    pub description: String,
    transport: Transport,
}

#[allow(clippy::too_many_arguments)]
fn smtp_transport(
    host: &str,
    port: u16,
    security: Security,
    ca_file: Option<&str>,
    username: Option<&str>,
    password: Option<&str>,
    timeout: Duration,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, OutboxError> {
    let tls_parameters = || -> Result<TlsParameters, OutboxError> {
        let mut builder = TlsParameters::builder(host.to_string());
        if let Some(path) = ca_file.filter(|p| !p.trim().is_empty()) {
            let pem = std::fs::read(path)
                .map_err(|e| OutboxError::Config(format!("อ่านไฟล์ CA {path} ไม่ได้: {e}")))?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| OutboxError::Config(format!("ไฟล์ CA {path}: {e}")))?;
            builder = builder.add_root_certificate(cert);
        }
        builder
            .build_rustls()
            .map_err(|e| OutboxError::Config(e.to_string()))
    };
    let tls = match security {
        Security::None if !crate::security::is_loopback_host(host) => {
            return Err(OutboxError::Config(
                "ส่งแบบไม่เข้ารหัสได้เฉพาะเครื่องเดียวกัน (127.0.0.1) เท่านั้น".into(),
            ));
        }
        Security::None => Tls::None,
        Security::StartTls => Tls::Required(tls_parameters()?),
        Security::Tls => Tls::Wrapper(tls_parameters()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some(user) = username.filter(|u| !u.is_empty()) {
        builder = builder.credentials(Credentials::new(
            user.to_string(),
            password.unwrap_or("").to_string(),
        ));
    }
    Ok(builder.build())
}

/// The route of an office: its own SMTP account, else the deployment's `[smtp]` server, else
/// .eml files in `[smtp] outbox_dir`.
pub fn route_for(
    office: &Office,
    account: Option<&SmtpAccount>,
    config: &SmtpConfig,
) -> Result<Route, OutboxError> {
    let timeout = Duration::from_secs(config.timeout_secs.max(1));
    if let Some(a) = account {
        return Ok(Route {
            from_addr: a.from_addr.clone(),
            description: format!("smtp {}:{} ({})", a.host, a.port, a.security.code()),
            transport: Transport::Smtp(smtp_transport(
                &a.host,
                a.port,
                a.security,
                a.ca_file.as_deref(),
                a.username.as_deref(),
                a.password.as_ref().map(Secret::expose),
                timeout,
            )?),
        });
    }
    let from_addr = office
        .email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| config.from.clone());
    if !config.host.trim().is_empty() {
        let security = Security::parse(&config.security).ok_or_else(|| {
            OutboxError::Config(format!(
                "[smtp] security = {:?} (none|starttls|tls)",
                config.security
            ))
        })?;
        return Ok(Route {
            from_addr,
            description: format!("smtp {}:{} ({})", config.host, config.port, security.code()),
            transport: Transport::Smtp(smtp_transport(
                &config.host,
                config.port,
                security,
                Some(config.ca_file.as_str()),
                Some(config.username.as_str()),
                Some(config.password.expose()),
                timeout,
            )?),
        });
    }
    std::fs::create_dir_all(&config.outbox_dir).map_err(|e| {
        OutboxError::Config(format!(
            "สร้างโฟลเดอร์ {} ไม่ได้: {e}",
            config.outbox_dir.display()
        ))
    })?;
    Ok(Route {
        from_addr,
        description: format!("files in {}", config.outbox_dir.display()),
        transport: Transport::File(AsyncFileTransport::<Tokio1Executor>::new(
            &config.outbox_dir,
        )),
    })
}

impl Route {
    /// Sends bytes as they are; the answer says whether trying again may help.
    pub async fn send(&self, to: &str, raw: &[u8]) -> Attempt {
        let envelope = match (
            self.from_addr.parse::<Address>(),
            to.trim().parse::<Address>(),
        ) {
            (Ok(from), Ok(to)) => match Envelope::new(Some(from), vec![to]) {
                Ok(e) => e,
                Err(e) => return Attempt::Permanent(e.to_string()),
            },
            (Err(_), _) => {
                return Attempt::Permanent(format!("ที่อยู่ผู้ส่ง {} ไม่ถูกต้อง", self.from_addr));
            }
            (_, Err(_)) => return Attempt::Permanent(format!("ที่อยู่ผู้รับ {to} ไม่ถูกต้อง")),
        };
        match &self.transport {
            Transport::Smtp(t) => match t.send_raw(&envelope, raw).await {
                Ok(_) => Attempt::Sent,
                Err(e) if e.is_permanent() => Attempt::Permanent(smtp_reason(&e)),
                Err(e) if e.is_transient() => Attempt::Deferred(smtp_reason(&e)),
                Err(e) => Attempt::Transient(smtp_reason(&e)),
            },
            Transport::File(t) => match t.send_raw(&envelope, raw).await {
                Ok(_) => Attempt::SavedToFile,
                Err(e) => Attempt::Transient(format!("เขียนไฟล์อีเมลไม่ได้: {e}")),
            },
        }
    }
}

/// The server's words when it answered, else what went wrong on the way.
fn smtp_reason(e: &lettre::transport::smtp::Error) -> String {
    let text = e.to_string();
    match e.status() {
        Some(code) if !text.contains(&code.to_string()) => format!("{code} {text}"),
        _ => text,
    }
}

/// Sends one test message through an office's route (`saraban smtp test`).
pub async fn send_test(
    office: &Office,
    account: Option<&SmtpAccount>,
    config: &SmtpConfig,
    to: &str,
    dkim_keys: &[crate::store::dkim_keys::DkimKey],
) -> Result<String, String> {
    let route = route_for(office, account, config).map_err(|e| e.to_string())?;
    let message_id = compose::new_message_id(&route.from_addr);
    let raw = compose::build(OutgoingMail {
        from_addr: &route.from_addr,
        from_name: &office.name,
        to_addr: to,
        message_id: &message_id,
        subject: format!("ทดสอบการส่งอีเมลจากระบบสารบรรณ {}", office.name),
        body: format!(
            "อีเมลทดสอบจากระบบสารบรรณอิเล็กทรอนิกส์ของ{}\nส่งผ่าน {}\n",
            office.name, route.description
        ),
        facts: FactsPart {
            media_type: "application/json",
            file_name: "test.json",
            json: b"{\"test\": true}".to_vec(),
        },
        files: Vec::new(),
        kind: "test",
        auto_submitted: true,
        in_reply_to: None,
    })
    .map_err(|e| e.to_string())?;
    // Signed as the outbox signs, so the test shows what receivers will check.
    let raw = match dkim_keys
        .iter()
        .find(|k| crate::service::dkim::aligned(k, &route.from_addr))
    {
        Some(key) => crate::sender_auth::signing::sign(key, &raw).map_err(|e| e.to_string())?,
        None => raw,
    };
    match route.send(to, &raw).await {
        Attempt::Sent | Attempt::SavedToFile => Ok(format!("{} ({message_id})", route.description)),
        Attempt::Transient(e) | Attempt::Deferred(e) | Attempt::Permanent(e) => Err(e),
    }
}
