//! Configuration: built-in defaults, then a TOML file, then `SARABAN__SECTION__KEY` variables.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub storage: StorageConfig,
    pub letters: LettersConfig,
    pub security: SecurityConfig,
    pub mail: MailConfig,
    pub smtp: SmtpConfig,
    pub records: RecordsConfig,
    pub text: TextConfig,
    pub sender_auth: SenderAuthConfig,
}

/// Checking who sent a mail (DKIM, SPF, DMARC, ARC): the DNS it asks and what it trusts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SenderAuthConfig {
    /// Check every mail taken in.
    pub verify: bool,
    /// Name servers as `ip:port`; empty: the machine's own (/etc/resolv.conf).
    pub name_servers: Vec<String>,
    /// Seconds per DNS question before it counts as unanswered.
    pub dns_timeout_secs: u64,
    /// Tries per DNS question.
    pub dns_attempts: usize,
    /// `Authentication-Results` headers from these receiving servers (their authserv-id) are
    /// believed instead of checking again here.
    pub trusted_authserv_ids: Vec<String>,
    /// SPF is checked for the connecting IP recorded by the first `Received` header added by
    /// one of these hosts; empty: the topmost `Received` header (the office's own mail server).
    pub trusted_receivers: Vec<String>,
    /// A check left open by DNS trouble is made again after this many minutes.
    pub recheck_minutes: i64,
    /// Seconds a batch of new mail waits for its checks; mail not checked by then is "pending"
    /// (held) and checked again later, so slow DNS never stalls the taking in of mail.
    pub batch_budget_secs: u64,
    /// A PEM file of the certification authorities' root certificates the office trusts for
    /// S/MIME; empty (the default): signatures are shown with their signer, not judged.
    pub smime_roots: std::path::PathBuf,
}

impl Default for SenderAuthConfig {
    fn default() -> Self {
        SenderAuthConfig {
            verify: true,
            name_servers: Vec::new(),
            dns_timeout_secs: 5,
            dns_attempts: 2,
            trusted_authserv_ids: Vec::new(),
            trusted_receivers: Vec::new(),
            recheck_minutes: 30,
            batch_budget_secs: 5,
            smime_roots: std::path::PathBuf::new(),
        }
    }
}

/// The words inside files: which tools read them and how much of the machine OCR may use.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct TextConfig {
    /// Read the words of files while `serve` runs (the extraction queue).
    pub extract: bool,
    /// Read scans (image-only PDFs, JPEG/PNG/TIFF) with Tesseract.
    pub ocr: bool,
    /// Tesseract's models (Debian tesseract-ocr-tha, tesseract-ocr-eng).
    pub ocr_languages: String,
    /// Resolution a PDF page is rendered at for OCR.
    pub ocr_dpi: u32,
    /// Pages read by OCR at once in one process (each uses one core).
    pub ocr_pages_at_once: usize,
    /// Pages of one scanned PDF read by OCR; later pages are left unread.
    pub ocr_max_pages: u32,
    /// Characters of a file's text kept (the first 20 000 go into its letters' search index).
    pub max_chars: usize,
    /// How long a worker holds a file it reads before another may take it.
    pub lease_secs: u64,
    /// Tries before a file is marked failed (shown to the admin, who may try again).
    pub max_attempts: i64,
    /// How often the queue is looked at when nothing woke it.
    pub poll_secs: u64,
    /// Limit for any one tool run.
    pub tool_timeout_secs: u64,
    pub pdftotext: String,
    pub pdftoppm: String,
    pub tesseract: String,
    pub catdoc: String,
}

impl Default for TextConfig {
    fn default() -> Self {
        TextConfig {
            extract: true,
            ocr: true,
            ocr_languages: "tha+eng".into(),
            ocr_dpi: 300,
            ocr_pages_at_once: 1,
            ocr_max_pages: 20,
            max_chars: 200_000,
            lease_secs: 600,
            max_attempts: 3,
            poll_secs: 10,
            tool_timeout_secs: 300,
            pdftotext: "pdftotext".into(),
            pdftoppm: "pdftoppm".into(),
            tesseract: "tesseract".into(),
            catdoc: "catdoc".into(),
        }
    }
}

/// The record's life: the regulation's windows we could not confirm, as settings with the
/// documented defaults (see `records.md` and docs/configuration.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RecordsConfig {
    /// Days after a calendar year ends in which the survey of letters to destroy is due
    /// (ข้อ 66: 60).
    pub survey_window_days: i64,
    /// Days after a destruction list was sent to the National Archives after which, with no
    /// answer, destruction may go ahead (not confirmed: 60).
    pub archives_answer_days: i64,
    /// The roles a destruction committee's chair and members may hold. The regulation's rank rule
    /// (2560: ระดับปฏิบัติการ / ชำนาญงาน and up) is about civil-service ranks saraban does not
    /// hold, so this narrows by role instead; default: every role.
    pub committee_roles: Vec<String>,
}

impl Default for RecordsConfig {
    fn default() -> Self {
        RecordsConfig {
            survey_window_days: 60,
            archives_answer_days: 60,
            committee_roles: ["admin", "director", "deputy", "clerk", "staff"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// Mail out: the deployment's default SMTP server (an office's own account, set with
/// `saraban smtp set`, comes first) and how the outbox retries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SmtpConfig {
    /// Run the outbox worker while `serve` runs.
    pub send: bool,
    /// Empty: no SMTP server; letters are written as .eml files into `outbox_dir`.
    pub host: String,
    pub port: u16,
    /// none (loopback only), starttls or tls.
    pub security: String,
    /// A PEM file of the CA that signed the server's certificate, when it is not a public one.
    pub ca_file: String,
    pub username: String,
    pub password: crate::security::Secret,
    /// From of offices that have neither an SMTP account nor an e-mail address.
    pub from: String,
    pub outbox_dir: PathBuf,
    /// Limit for the whole SMTP conversation of one message.
    pub timeout_secs: u64,
    pub first_retry_secs: u64,
    pub max_retry_secs: u64,
    /// A letter still not accepted this long after it was queued is failed (dead letter).
    pub give_up_hours: u64,
    /// From this many failed attempts on, the clerk sees "delayed".
    pub delayed_after: i64,
    /// How long a worker holds a claimed e-mail before another may take it over.
    pub lease_secs: u64,
    /// How often the worker looks for due e-mails queued by other processes or retries.
    pub poll_secs: u64,
    /// Messages sent at the same time.
    pub concurrency: usize,
    /// Milliseconds between two messages to the same receiving domain (0: no pacing), so a
    /// send to hundreds of schools at one provider does not arrive as a burst. Per process.
    pub per_domain_interval_ms: u64,
    /// The hour (Bangkok time, 0–23) from which each day's digests go to the people who asked
    /// for one.
    pub digest_hour: u32,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            send: true,
            host: String::new(),
            port: 587,
            security: "starttls".into(),
            ca_file: String::new(),
            username: String::new(),
            password: Default::default(),
            from: "saraban@localhost".into(),
            outbox_dir: PathBuf::from("./data/outbox"),
            timeout_secs: 60,
            first_retry_secs: 60,
            max_retry_secs: 3600,
            give_up_hours: 72,
            delayed_after: 3,
            lease_secs: 300,
            poll_secs: 5,
            concurrency: 4,
            per_domain_interval_ms: 0,
            digest_hour: 7,
        }
    }
}

impl SmtpConfig {
    pub fn retry_policy(&self) -> crate::domain::exchange::RetryPolicy {
        crate::domain::exchange::RetryPolicy {
            first_delay: chrono::Duration::seconds(self.first_retry_secs.max(1) as i64),
            max_delay: chrono::Duration::seconds(self.max_retry_secs.max(1) as i64),
            give_up_after: chrono::Duration::hours(self.give_up_hours.max(1) as i64),
            delayed_after: self.delayed_after.max(1),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct MailConfig {
    /// Fetch the mailboxes while `serve` runs.
    pub fetch: bool,
    /// Messages larger than this are not fetched; the clerk sees them in quarantine.
    pub max_message_mb: u64,
    /// Limit for any one IMAP command (connect, login, select, fetch).
    pub command_timeout_secs: u64,
    /// How often `serve` looks for mailboxes added or removed, and for files in the drop folder.
    pub scan_secs: u64,
    /// The drop folder: `.eml` files put in `DROP_DIR/<office id>/` are taken into that office's
    /// inbox and moved to `DROP_DIR/<office id>/done/`. Empty to switch it off.
    pub drop_dir: std::path::PathBuf,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            fetch: true,
            max_message_mb: 50,
            command_timeout_secs: 60,
            scan_secs: 5,
            drop_dir: std::path::PathBuf::from("./data/dropbox"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: String,
    /// Set when the service is reached over HTTPS, so cookies carry the Secure flag.
    pub secure_cookies: bool,
    /// The address clerks open, e.g. `https://saraban.example.go.th`; notification e-mails link
    /// to the letter when it is set.
    pub public_url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` (created when missing) or `postgres://USER:PASS@HOST/DB`.
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct StorageConfig {
    /// Directory for attachments, stored by sha256 (with `backend = "s3"`: only the staging
    /// folder for files written piece by piece).
    pub root: PathBuf,
    /// "fs" (files under `root`) or "s3" (an S3-compatible object store, `[storage.s3]`).
    pub backend: String,
    pub s3: S3Config,
}

/// An S3-compatible object store: SeaweedFS, MinIO, Garage or a commercial S3.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct S3Config {
    /// e.g. `http://127.0.0.1:8333` or `https://s3.example.go.th`.
    pub endpoint: String,
    /// Created when missing.
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: crate::security::Secret,
    /// Path-style URLs (`endpoint/bucket/key`), as SeaweedFS, MinIO and Garage expect.
    pub path_style: bool,
}

impl Default for S3Config {
    fn default() -> Self {
        S3Config {
            endpoint: String::new(),
            bucket: "saraban".into(),
            region: "us-east-1".into(),
            access_key_id: String::new(),
            secret_access_key: Default::default(),
            path_style: true,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct LettersConfig {
    pub max_attachments: usize,
    pub max_attachment_mb: u64,
    /// Hours after registration during which a clerk may still edit an entry.
    pub clerk_edit_hours: i64,
    pub page_size: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SecurityConfig {
    pub session_hours: i64,
    /// Failed logins per user name before it is locked for `lockout_minutes`.
    pub max_failed_logins: u32,
    pub lockout_minutes: i64,
    /// A session unused for this long ends (beside the absolute `session_hours`).
    pub idle_minutes: i64,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` give the client's address:
    /// addresses or networks (`10.0.0.0/8`). Empty: the connecting address is the client's.
    pub trusted_proxies: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".into(),
            secure_cookies: false,
            public_url: String::new(),
        }
    }
}
impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://./data/saraban.db".into(),
            max_connections: 8,
        }
    }
}
impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            backend: "fs".into(),
            s3: S3Config::default(),
            root: PathBuf::from("./data/files"),
        }
    }
}
impl Default for LettersConfig {
    fn default() -> Self {
        LettersConfig {
            max_attachments: 5,
            max_attachment_mb: 20,
            clerk_edit_hours: 24,
            page_size: 20,
        }
    }
}
impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            session_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
            idle_minutes: 60,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Config {
    /// Defaults, then `file` (or `config/saraban.toml` when it exists), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(ConfigError::Missing(path.to_path_buf()));
                }
                figment = figment.merge(Toml::file(path));
            }
            None => {
                let default_path = Path::new("config/saraban.toml");
                if default_path.exists() {
                    figment = figment.merge(Toml::file(default_path));
                }
            }
        }
        figment = figment.merge(Env::prefixed("SARABAN__").split("__"));
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let url = &self.database.url;
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"))
        {
            return Err(ConfigError::Invalid(format!(
                "database.url must start with sqlite:// or postgres://, got {url:?}"
            )));
        }
        if self.letters.max_attachments == 0 || self.letters.max_attachment_mb == 0 {
            return Err(ConfigError::Invalid(
                "letters.max_attachments and letters.max_attachment_mb must be at least 1".into(),
            ));
        }
        if let Err(e) =
            crate::security::client_ip::TrustedProxies::parse(&self.security.trusted_proxies)
        {
            return Err(ConfigError::Invalid(format!(
                "security.trusted_proxies: {e}"
            )));
        }
        if self.security.idle_minutes < 1 {
            return Err(ConfigError::Invalid(
                "security.idle_minutes must be at least 1".into(),
            ));
        }
        if !(1..=200).contains(&self.letters.page_size) {
            return Err(ConfigError::Invalid(
                "letters.page_size must be 1..200".into(),
            ));
        }
        Ok(())
    }

    pub fn attachment_policy(&self) -> crate::domain::attachment::AttachmentPolicy {
        crate::domain::attachment::AttachmentPolicy {
            max_files: self.letters.max_attachments,
            max_bytes: self.letters.max_attachment_mb * 1024 * 1024,
        }
    }

    pub fn edit_policy(&self) -> crate::domain::user::EditPolicy {
        crate::domain::user::EditPolicy {
            clerk_window: chrono::Duration::hours(self.letters.clerk_edit_hours),
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    Missing(PathBuf),
    #[error("configuration is not valid: {0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_is_valid_and_matches_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/saraban.example.toml");
        let from_file: Config = Figment::from(Toml::file(&path)).extract().unwrap();
        assert_eq!(from_file, Config::default());
    }

    #[test]
    fn a_missing_file_and_a_bad_url_are_reported() {
        assert!(matches!(
            Config::load(Some(Path::new("/nonexistent.toml"))),
            Err(ConfigError::Missing(_))
        ));
        let mut c = Config::default();
        c.database.url = "mysql://x".into();
        assert!(matches!(c.check(), Err(ConfigError::Invalid(_))));
    }
}
