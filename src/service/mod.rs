//! Use cases shared by the web pages, the JSON API and the CLI: each checks who may do it,
//! validates with the domain rules, and calls the store. Nothing here knows about HTTP.

use bytes::Bytes;
use chrono::Utc;
use thiserror::Error;

use crate::config::Config;
use crate::domain::attachment::AttachmentPolicy;
use crate::domain::letter::FieldErrors;
use crate::domain::numbering::NumberingError;
use crate::domain::thai_date;
use crate::domain::user::{self};
use crate::files::{FileError, FileStore};
use crate::store::offices::Office;
use crate::store::settings::SettingsError;
use crate::store::users::User;
use crate::store::{Conflict, Store, StoreError};

pub mod closing;
pub mod disposals;
pub mod dkim;
pub mod filing;
pub mod handovers;
pub mod inbox;
pub mod ingest;
pub mod journey;
pub mod letters;
pub mod mailboxes;
pub mod officers;
pub mod operator;
pub mod ops;
pub mod records;
pub mod registration;
pub mod search;
pub mod sender_checks;
pub mod sending;
pub mod session;
pub mod settings;
pub mod stamps;
pub mod storage;

pub use officers::{NewUserInput, OfficerEdit, create_office, create_user, hash_password};
pub use settings::OfficeSettingsInput;

/// Why a use case did not happen. The web edge turns each into a status and a Thai message.
#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("{0}")]
    Forbidden(String),
    #[error("ไม่พบรายการที่ต้องการ")]
    NotFound,
    #[error("ข้อมูลไม่ถูกต้อง: {}", .0.summary())]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error("{}", crate::domain::duplicate::message(.0))]
    PossibleDuplicate(Vec<crate::domain::duplicate::Duplicate>),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unsupported(String),
    /// What was asked for existed and was lawfully destroyed.
    #[error("{0}")]
    Gone(String),
    /// An import refused whole: every bad row with its reasons.
    #[error("นำเข้าไม่ได้ มีแถวที่ไม่ถูกต้อง {} แถว ระบบจึงไม่นำเข้าแถวใดเลย\n{}", .0.len(), crate::domain::import::report(.0))]
    ImportRefused(Vec<crate::domain::import::RowProblem>),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Files(#[from] FileError),
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Conflict(c) => ServiceError::Conflict(conflict_message(&c)),
            other => ServiceError::Store(other),
        }
    }
}

/// What a clerk reads when the database refused a write.
pub(crate) fn conflict_message(c: &Conflict) -> String {
    match c {
        Conflict::OfficeIdTaken(id) => format!("มีหน่วยงานรหัส {id} อยู่แล้ว"),
        Conflict::UsernameTaken(name) => format!("มีผู้ใช้ชื่อ {name} อยู่แล้ว"),
        Conflict::LetterChanged => "รายการนี้ถูกยกเลิกหรือเปลี่ยนไปแล้ว".into(),
        Conflict::LetterCancelled => "รายการนี้ถูกยกเลิกไปแล้ว".into(),
        Conflict::NotRetryable => "ส่งซ้ำได้เฉพาะอีเมลที่ส่งไม่สำเร็จหรือล่าช้า".into(),
        Conflict::LeaseLost => "รายการนี้กำลังถูกส่งโดยเครื่องอื่น".into(),
    }
}

impl From<SettingsError> for ServiceError {
    fn from(e: SettingsError) -> Self {
        match e {
            SettingsError::Rule(
                rule @ (NumberingError::AlreadyIssued | NumberingError::CircularSeriesInUse(_)),
            ) => ServiceError::Conflict(rule.to_string()),
            SettingsError::Rule(rule) => {
                ServiceError::Invalid(single("start_number", rule.to_string()))
            }
            SettingsError::Store(s) => s.into(),
        }
    }
}

impl ServiceError {
    /// Per-field messages when the input was at fault.
    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            ServiceError::Invalid(f) => Some(f),
            _ => None,
        }
    }
}

pub(crate) fn single(field: &str, message: impl Into<String>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    errors
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// The logged-in user and their office.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub office: Office,
}

/// A file as it arrived from a form or an API call.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub name: String,
    pub description: String,
    pub data: Bytes,
}

/// The year the registers open on: the year a letter registered now is numbered in (Bangkok
/// calendar). The office's chosen year does not move it: opening next year early to set its
/// starting numbers must not hide the letters registered today.
pub fn current_year(_office: &Office) -> i32 {
    thai_date::be_year_of(Utc::now())
}

/// The year the settings screen opens on: the year the office chose to prepare (its starting
/// numbers), else the calendar's.
pub fn settings_year(office: &Office) -> i32 {
    office
        .active_year_be
        .unwrap_or_else(|| thai_date::be_year_of(Utc::now()))
}

/// Everything the use cases need.
#[derive(Clone)]
pub struct Services {
    /// Private: pages and the API reach the database only through the use cases below.
    store: Store,
    pub files: FileStore,
    pub attachments: AttachmentPolicy,
    pub edit_policy: user::EditPolicy,
    /// Wakes the outbox worker when a letter is queued for e-mail.
    pub outbox_wake: std::sync::Arc<tokio::sync::Notify>,
    /// Wakes the file-text reader when files were added.
    pub text_wake: std::sync::Arc<tokio::sync::Notify>,
    /// From of offices with neither an SMTP account nor an e-mail address (`[smtp] from`).
    pub default_from: String,
    /// `[server] public_url`, for links in notification e-mails.
    pub public_url: String,
    /// `[security] idle_minutes`: a session unused this long ends.
    pub session_idle: chrono::Duration,
    /// `[records]`: the survey's and the archives' windows.
    pub records: crate::config::RecordsConfig,
    /// Checks who sent each mail taken in (`[sender_auth]`); `None`: not checked.
    pub sender_auth: Option<sender_checks::SenderAuth>,
    /// The certificates S/MIME signatures are judged against (`sender_auth.smime_roots`);
    /// empty: signatures are shown, not judged.
    pub smime_roots: std::sync::Arc<Vec<cms::cert::x509::Certificate>>,
}

impl Services {
    pub fn new(store: Store, files: FileStore, config: &Config) -> Services {
        Services {
            store,
            files,
            attachments: config.attachment_policy(),
            edit_policy: config.edit_policy(),
            outbox_wake: Default::default(),
            text_wake: Default::default(),
            default_from: config.smtp.from.clone(),
            public_url: config.server.public_url.trim_end_matches('/').to_string(),
            session_idle: chrono::Duration::minutes(config.security.idle_minutes.max(1)),
            records: config.records.clone(),
            sender_auth: None,
            smime_roots: Default::default(),
        }
    }

    /// An S/MIME signature judged against the trusted roots, as of `at` (the page shows it as of
    /// now: a claimed signing time proves nothing, and a certificate since expired is shown so).
    pub fn judge_smime(
        &self,
        signature: &crate::message::smime::SmimeSignature,
        at: chrono::DateTime<chrono::Utc>,
    ) -> crate::message::smime_verify::SmimeVerdict {
        crate::message::smime_verify::verify(signature, &self.smime_roots, at)
    }

    /// The file at position `n` (1-based) of a letter's or an inbox entry's files, opened for
    /// reading (checked against its sha256 as it is read; large files as a stream).
    pub(crate) async fn nth_file(
        &self,
        files: Vec<crate::store::letters::Attachment>,
        n: i64,
    ) -> Result<(crate::store::letters::Attachment, crate::files::FileContent)> {
        let attachment = files
            .into_iter()
            .find(|a| a.position == n)
            .ok_or(ServiceError::NotFound)?;
        let content = self
            .open_named_file(&attachment.sha256, "attachments")
            .await?;
        Ok((attachment, content))
    }

    /// The store itself, for the adapters that keep their own bookkeeping beside the use cases:
    /// the mail drivers (leases, receipts, the outbox's claims) and the demo. `web/` never calls
    /// it; `tests/it/architecture.rs` fails if it does.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }
}
