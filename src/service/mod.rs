//! Use cases shared by the web pages, the JSON API and the CLI: each checks who may do it,
//! validates with the domain rules, and calls the store. Nothing here knows about HTTP.

use bytes::Bytes;
use chrono::Utc;
use thiserror::Error;

use crate::config::Config;
use crate::domain::attachment::{AttachmentPolicy, FileRefusal, display_name};
use crate::domain::letter::{self, FieldErrors, LetterDefaults, LetterInput};
use crate::domain::numbering::{self, NumberingError};
use crate::domain::office::{self, OfficeKind};
use crate::domain::register::{CircularNumbering, Register, Series};
use crate::domain::user::{self, Role};
use crate::domain::{doc_no, thai_date};
use crate::files::{FileError, FileStore};
use crate::security;
use crate::store::letters::{
    Attachment, Letter, LetterEvent, LetterQuery, NewAttachment, NewLetter,
};
use crate::store::offices::{NewOffice, Office, OfficeSettings};
use crate::store::settings::{SeriesState, SettingsError};
use crate::store::users::{NewUser, User};
use crate::store::{Conflict, Store, StoreError};

pub mod inbox;
pub mod ingest;
pub mod journey;
pub mod mailboxes;
pub mod operator;
pub mod registration;
pub mod sending;
pub mod session;

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
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unsupported(String),
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
fn conflict_message(c: &Conflict) -> String {
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
            SettingsError::Rule(NumberingError::AlreadyIssued) => {
                ServiceError::Conflict(NumberingError::AlreadyIssued.to_string())
            }
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

fn single(field: &str, message: impl Into<String>) -> FieldErrors {
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

/// The year the registers open on for this office: its chosen year, else the calendar's.
pub fn current_year(office: &Office) -> i32 {
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
    /// From of offices with neither an SMTP account nor an e-mail address (`[smtp] from`).
    pub default_from: String,
    /// `[server] public_url`, for links in notification e-mails.
    pub public_url: String,
}

impl Services {
    pub fn new(store: Store, files: FileStore, config: &Config) -> Services {
        Services {
            store,
            files,
            attachments: config.attachment_policy(),
            edit_policy: config.edit_policy(),
            outbox_wake: Default::default(),
            default_from: config.smtp.from.clone(),
            public_url: config.server.public_url.trim_end_matches('/').to_string(),
        }
    }

    /// The store itself, for the adapters that keep their own bookkeeping beside the use cases:
    /// the mail drivers (leases, receipts, the outbox's claims) and the demo. `web/` never calls
    /// it; `web::tests::pages_and_api_go_through_services` fails if it does.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    // ---- letters -------------------------------------------------------------------------

    /// Registers a letter with its files: validates, checks each file by content, stores the
    /// files, then writes the entry and its number in one transaction.
    pub async fn register_letter(
        &self,
        actor: &Actor,
        register: Register,
        input: &LetterInput,
        files: Vec<UploadedFile>,
    ) -> Result<Letter> {
        if !actor.user.role.can_register(register) {
            return Err(ServiceError::Forbidden(format!(
                "{} ลงทะเบียนหนังสือไม่ได้ (เฉพาะเจ้าหน้าที่ธุรการและผู้ดูแลระบบ)",
                actor.user.role.label()
            )));
        }
        let today = thai_date::to_bangkok(Utc::now()).date();
        let defaults = LetterDefaults {
            office_name: &actor.office.name,
            today,
        };
        let fields = letter::validate(register, input, &defaults).map_err(ServiceError::Invalid)?;
        let attachments = self.store_files(files).await?;
        let new = NewLetter {
            office: &actor.office,
            register,
            fields: &fields,
            registered_by: actor.user.id,
            registered_at: Utc::now(),
            received_at: None,
            attachments,
            inbox_entry_id: None,
        };
        self.record_registration(&new).await
    }

    async fn store_files(&self, files: Vec<UploadedFile>) -> Result<Vec<NewAttachment>> {
        if files.len() > self.attachments.max_files {
            return Err(ServiceError::Invalid(single(
                "files",
                FileRefusal::TooMany {
                    max: self.attachments.max_files,
                }
                .to_string(),
            )));
        }
        let mut checked = Vec::with_capacity(files.len());
        for file in &files {
            let name = display_name(&file.name);
            let kind = self
                .attachments
                .check(&name, &file.data, file.data.len() as u64)
                .map_err(|refusal| match refusal {
                    FileRefusal::TooLarge { .. } => ServiceError::TooLarge(refusal.to_string()),
                    FileRefusal::NotAllowed { .. } | FileRefusal::Mismatch { .. } => {
                        ServiceError::Unsupported(refusal.to_string())
                    }
                    other => ServiceError::Invalid(single("files", other.to_string())),
                })?;
            checked.push((name, kind));
        }
        let mut out = Vec::with_capacity(files.len());
        for (file, (name, kind)) in files.into_iter().zip(checked) {
            let size = file.data.len() as i64;
            let sha256 = self.files.put(file.data).await?;
            out.push(NewAttachment {
                name,
                description: file
                    .description
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                kind,
                size,
                sha256,
            });
        }
        Ok(out)
    }

    /// A letter of the actor's office; a secret one only for those who may see it (to anyone
    /// else it does not exist).
    pub async fn letter(&self, actor: &Actor, id: i64) -> Result<Letter> {
        let letter = self.store.find_letter(&actor.office.id, id).await?;
        if letter.secrecy.is_secret()
            && !crate::domain::journey::distributes_everything(actor.user.role)
        {
            let groups = self.store.groups_of(actor.user.id).await?;
            if !self
                .store
                .given_to(letter.id, actor.user.id, &groups)
                .await?
            {
                return Err(ServiceError::NotFound);
            }
        }
        Ok(letter)
    }

    /// Whom secret letters are hidden from: everyone but the saraban officers and executives
    /// sees only the secret letters given to them.
    pub fn secrecy_restriction(actor: &Actor) -> Option<i64> {
        (!crate::domain::journey::distributes_everything(actor.user.role)).then_some(actor.user.id)
    }

    pub async fn letter_history(&self, actor: &Actor, id: i64) -> Result<Vec<LetterEvent>> {
        let letter = self.letter(actor, id).await?;
        Ok(self.store.letter_events(letter.id).await?)
    }

    /// The history of a letter already read through [`Services::letter`] (or a list the actor
    /// was given), so the letter page does not read it twice.
    pub async fn events_of(&self, letter: &Letter) -> Result<Vec<LetterEvent>> {
        Ok(self.store.letter_events(letter.id).await?)
    }

    /// Fills in the files of letters read through [`Services::list_letters`].
    pub async fn attach_files(&self, letters: &mut [Letter]) -> Result<()> {
        Ok(self.store.attachments_for(letters).await?)
    }

    pub async fn list_letters(
        &self,
        actor: &Actor,
        mut query: LetterQuery,
    ) -> Result<(Vec<Letter>, i64)> {
        // A user only ever sees their own office's registers.
        query.office_id = actor.office.id.clone();
        query.restricted_to_user = Services::secrecy_restriction(actor);
        Ok(self.store.list_letters(&query).await?)
    }

    /// Whether `actor` may edit `letter` now, and if not, why (in Thai).
    pub fn edit_refusal(&self, actor: &Actor, letter: &Letter) -> Option<String> {
        self.edit_policy
            .check(
                actor.user.role,
                letter.is_cancelled(),
                letter.registered_at,
                Utc::now(),
            )
            .err()
            .map(|e| e.to_string())
    }

    pub async fn edit_letter(&self, actor: &Actor, id: i64, input: &LetterInput) -> Result<Letter> {
        let before = self.letter(actor, id).await?;
        if let Some(why) = self.edit_refusal(actor, &before) {
            return Err(ServiceError::Forbidden(why));
        }
        let defaults = LetterDefaults {
            office_name: &actor.office.name,
            today: before.doc_date,
        };
        let mut input = input.clone();
        if before.register.generates_doc_no() {
            // A generated number belongs to the register, not to the form.
            input.doc_no.clear();
        }
        if input.doc_date.trim().is_empty() {
            input.doc_date = before.doc_date.format("%Y-%m-%d").to_string();
        }
        let fields =
            letter::validate(before.register, &input, &defaults).map_err(ServiceError::Invalid)?;
        Ok(self
            .store
            .update_letter(&before, &fields, actor.user.id)
            .await?)
    }

    pub async fn cancel_letter(&self, actor: &Actor, id: i64, reason: &str) -> Result<Letter> {
        if !actor.user.role.can_cancel() {
            return Err(ServiceError::Forbidden(format!(
                "{} ยกเลิกรายการในทะเบียนไม่ได้",
                actor.user.role.label()
            )));
        }
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(ServiceError::Invalid(single(
                "reason",
                "กรุณากรอกเหตุผลที่ยกเลิก (ไม่เกิน 500 ตัวอักษร)",
            )));
        }
        Ok(self
            .store
            .cancel_letter(&actor.office.id, id, actor.user.id, &reason)
            .await?)
    }

    /// The n-th file of a letter (1-based) and its bytes.
    pub async fn attachment(&self, actor: &Actor, id: i64, n: i64) -> Result<(Attachment, Bytes)> {
        let letter = self.letter(actor, id).await?;
        let attachment = letter
            .attachments
            .into_iter()
            .find(|a| a.position == n)
            .ok_or(ServiceError::NotFound)?;
        let data = self.files.get(&attachment.sha256).await?;
        Ok((attachment, data))
    }

    pub async fn dashboard(
        &self,
        actor: &Actor,
        year_be: i32,
    ) -> Result<Vec<(Register, i64, i64)>> {
        Ok(self
            .store
            .count_letters(
                &actor.office.id,
                year_be,
                Services::secrecy_restriction(actor),
            )
            .await?)
    }

    // ---- settings ------------------------------------------------------------------------

    fn require_settings(&self, actor: &Actor) -> Result<()> {
        if actor.user.role.can_manage_settings() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "เฉพาะผู้อำนวยการ รองผู้อำนวยการ เจ้าหน้าที่ธุรการ และผู้ดูแลระบบ ตั้งค่าทะเบียนได้".into(),
            ))
        }
    }

    pub async fn update_office(
        &self,
        actor: &Actor,
        input: &OfficeSettingsInput,
    ) -> Result<Office> {
        self.require_settings(actor)?;
        let mut errors = FieldErrors::default();
        let name = office::parse_office_name(&input.name)
            .map_err(|e| errors.add("name", e.to_string()))
            .ok();
        let prefix = doc_no::parse_prefix(&input.prefix)
            .map_err(|e| errors.add("prefix", format!("{e} (ตัวอย่าง ศธ 04183)")))
            .ok();
        let email = match input.email.trim() {
            "" => None,
            raw => office::parse_email(raw)
                .map_err(|e| errors.add("email", e.to_string()))
                .ok(),
        };
        let circular = CircularNumbering::parse(input.circular_numbering.trim());
        if circular.is_none() {
            errors.add("circular_numbering", "กรุณาเลือกวิธีออกเลขหนังสือเวียน");
        }
        match (name, prefix, circular) {
            (Some(name), Some(prefix), Some(circular)) if errors.is_empty() => {
                let settings = OfficeSettings {
                    name: &name,
                    prefix: &prefix,
                    email: email.as_deref(),
                    circular_numbering: circular,
                };
                Ok(self
                    .store
                    .update_office_settings(&actor.office.id, &settings)
                    .await?)
            }
            _ => Err(ServiceError::Invalid(errors)),
        }
    }

    /// Whether letters arriving by e-mail are registered at once.
    pub async fn set_auto_register(&self, actor: &Actor, on: bool) -> Result<()> {
        self.require_settings(actor)?;
        Ok(self.store.set_auto_register(&actor.office.id, on).await?)
    }

    pub async fn years(&self, actor: &Actor) -> Result<Vec<i32>> {
        let mut years = self.store.list_years(&actor.office.id).await?;
        let now = thai_date::be_year_of(Utc::now());
        if !years.contains(&now) {
            years.push(now);
        }
        years.sort_unstable_by(|a, b| b.cmp(a));
        Ok(years)
    }

    pub async fn add_year(&self, actor: &Actor, year: &str) -> Result<i32> {
        self.require_settings(actor)?;
        let year = numbering::parse_year_be(year)
            .map_err(|e| ServiceError::Invalid(single("year_be", e.to_string())))?;
        self.store.add_year(&actor.office.id, year).await?;
        Ok(year)
    }

    /// Chooses the year the registers open on; an empty value follows the calendar.
    pub async fn set_active_year(&self, actor: &Actor, year: &str) -> Result<Option<i32>> {
        self.require_settings(actor)?;
        let year = match year.trim() {
            "" | "auto" => None,
            y => Some(
                numbering::parse_year_be(y)
                    .map_err(|e| ServiceError::Invalid(single("year_be", e.to_string())))?,
            ),
        };
        self.store.set_active_year(&actor.office.id, year).await?;
        Ok(year)
    }

    pub async fn series_states(&self, actor: &Actor, year_be: i32) -> Result<Vec<SeriesState>> {
        Ok(self.store.series_states(&actor.office.id, year_be).await?)
    }

    pub async fn set_start_number(
        &self,
        actor: &Actor,
        series: Series,
        year_be: i32,
        start: &str,
    ) -> Result<()> {
        self.require_settings(actor)?;
        let start = numbering::parse_start(start)
            .map_err(|e| ServiceError::Invalid(single("start_number", e.to_string())))?;
        self.store
            .set_start_number(&actor.office.id, series, year_be, start)
            .await?;
        Ok(())
    }

    // ---- officers ------------------------------------------------------------------------

    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>> {
        if !actor.user.role.can_manage_users() {
            return Err(ServiceError::Forbidden("ท่านไม่มีสิทธิ์จัดการเจ้าหน้าที่".into()));
        }
        Ok(self.store.list_users(&actor.office.id).await?)
    }

    /// Adds an officer to the actor's own office.
    pub async fn add_user(&self, actor: &Actor, input: &NewUserInput) -> Result<User> {
        let role = Role::parse(&input.role);
        match role {
            Some(role) if actor.user.role.can_grant(role) => {}
            Some(role) => {
                return Err(ServiceError::Forbidden(format!(
                    "ท่านไม่มีสิทธิ์เพิ่มผู้ใช้บทบาท {}",
                    role.label()
                )));
            }
            None => {}
        }
        create_user(&self.store, &actor.office.id, input).await
    }

    pub async fn set_user_active(&self, actor: &Actor, user_id: i64, active: bool) -> Result<User> {
        let target = self.own_user(actor, user_id).await?;
        if target.id == actor.user.id && !active {
            return Err(ServiceError::Conflict("ปิดบัญชีของตนเองไม่ได้".into()));
        }
        self.store.set_user_active(target.id, active).await?;
        Ok(self.store.find_user(target.id).await?)
    }

    pub async fn reset_password(&self, actor: &Actor, user_id: i64, password: &str) -> Result<()> {
        let target = self.own_user(actor, user_id).await?;
        user::check_password(password)
            .map_err(|e| ServiceError::Invalid(single("password", e.to_string())))?;
        let hash = hash_password(password).await?;
        self.store.set_password_hash(target.id, &hash).await?;
        Ok(())
    }

    /// A user of the actor's office whose role the actor could have granted.
    pub async fn own_user(&self, actor: &Actor, user_id: i64) -> Result<User> {
        let target = self.store.find_user(user_id).await?;
        if target.office_id != actor.office.id {
            return Err(ServiceError::NotFound);
        }
        if !actor.user.role.can_grant(target.role) {
            return Err(ServiceError::Forbidden("ท่านไม่มีสิทธิ์จัดการผู้ใช้นี้".into()));
        }
        Ok(target)
    }
}

/// The office settings form.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct OfficeSettingsInput {
    pub name: String,
    pub prefix: String,
    pub email: String,
    pub circular_numbering: String,
}

/// The add-officer form (and `saraban user add`).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct NewUserInput {
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub password: security::Secret,
}

pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || security::hash_password(&password))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Creates a user after checking every field (used by the settings screen and the CLI).
pub async fn create_user(store: &Store, office_id: &str, input: &NewUserInput) -> Result<User> {
    let mut errors = FieldErrors::default();
    let username = user::parse_username(&input.username)
        .map_err(|e| errors.add("username", e.to_string()))
        .ok();
    let role = Role::parse(&input.role);
    if role.is_none() {
        errors.add("role", "กรุณาเลือกบทบาท");
    }
    if let Err(e) = user::check_password(input.password.expose()) {
        errors.add("password", e.to_string());
    }
    let full_name = input
        .full_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if full_name.chars().count() > 200 {
        errors.add("full_name", "ชื่อยาวเกินไป");
    }
    let (Some(username), Some(role)) = (username, role) else {
        return Err(ServiceError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let hash = hash_password(input.password.expose()).await?;
    let user = store
        .insert_user(&NewUser {
            office_id,
            username: &username,
            full_name: &full_name,
            role,
            password_hash: &hash,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(c) => {
                ServiceError::Invalid(single("username", conflict_message(&c)))
            }
            other => other.into(),
        })?;
    Ok(user)
}

/// Creates an office after checking every field (used by the CLI and the demo).
pub async fn create_office(
    store: &Store,
    id: &str,
    name: &str,
    prefix: &str,
    kind: &str,
    parent: Option<&str>,
    email: Option<&str>,
) -> Result<Office> {
    let mut errors = FieldErrors::default();
    let id = office::parse_office_id(id)
        .map_err(|e| errors.add("id", e.to_string()))
        .ok();
    let name = office::parse_office_name(name)
        .map_err(|e| errors.add("name", e.to_string()))
        .ok();
    let prefix = doc_no::parse_prefix(prefix)
        .map_err(|e| errors.add("prefix", e.to_string()))
        .ok();
    let kind = OfficeKind::parse(kind);
    if kind.is_none() {
        errors.add("kind", "ประเภทหน่วยงานต้องเป็น district, school หรือ unit");
    }
    let email = email
        .map(|e| office::parse_email(e).map_err(|err| errors.add("email", err.to_string())))
        .transpose()
        .ok()
        .flatten();
    let parent = parent.map(|p| p.trim().to_ascii_lowercase());
    match (id, name, prefix, kind) {
        (Some(id), Some(name), Some(prefix), Some(kind)) if errors.is_empty() => {
            let office = store
                .insert_office(&NewOffice {
                    id: &id,
                    name: &name,
                    kind,
                    parent_id: parent.as_deref(),
                    prefix: &prefix,
                    email: email.as_deref(),
                })
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => {
                        ServiceError::Invalid(single("parent", "ไม่พบหน่วยงานต้นสังกัด"))
                    }
                    other => other.into(),
                })?;
            Ok(office)
        }
        _ => Err(ServiceError::Invalid(errors)),
    }
}
