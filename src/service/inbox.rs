//! The inbox use cases: read it, register an entry in one click, and handle quarantine.

use chrono::Utc;

use super::{Actor, Result, ServiceError, Services};
use crate::domain::inbox::QuarantineStatus;
use crate::domain::letter::{self, LetterDefaults, LetterInput};
use crate::domain::register::Register;
use crate::domain::thai_date;
use crate::service::ingest::{self, Origin, Outcome};
use crate::store::inbox::{InboxEntry, InboxFilter, QuarantineItem};
use crate::store::letters::{Attachment, Letter, NewAttachment, NewLetter};
use crate::store::offices::Office;

impl Services {
    fn require_inbox(&self, actor: &Actor) -> Result<()> {
        if actor.user.role.can_read_inbox() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "หนังสือรับของสารบรรณเปิดได้เฉพาะเจ้าหน้าที่ธุรการและผู้บริหาร".into(),
            ))
        }
    }

    pub async fn inbox(
        &self,
        actor: &Actor,
        filter: InboxFilter,
        q: &str,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<InboxEntry>, i64)> {
        self.require_inbox(actor)?;
        crate::domain::register::check_search(q)
            .map_err(|e| ServiceError::Invalid(super::single("q", e.to_string())))?;
        Ok(self
            .store
            .list_inbox(&actor.office.id, filter, q, page, per_page)
            .await?)
    }

    /// Entries waiting to be registered and messages waiting in quarantine.
    pub async fn inbox_counts(&self, actor: &Actor) -> Result<(i64, i64)> {
        Ok(self.store.inbox_counts(&actor.office.id).await?)
    }

    /// Auto-replies, acceptance notices and delivery reports that came to the office.
    pub async fn notices(&self, actor: &Actor) -> Result<Vec<crate::store::inbox::Notice>> {
        Ok(self.store.list_notices(&actor.office.id).await?)
    }

    pub async fn inbox_entry(&self, actor: &Actor, id: i64) -> Result<InboxEntry> {
        self.require_inbox(actor)?;
        Ok(self.store.find_entry(&actor.office.id, id).await?)
    }

    /// The registration form as the entry fills it: the clerk checks and corrects it.
    pub fn prefill(entry: &InboxEntry, office: &Office) -> LetterInput {
        LetterInput {
            doc_no: entry.doc_no.clone(),
            doc_date: entry
                .doc_date
                .map(thai_date::format_short)
                .unwrap_or_default(),
            from: entry.sender.clone(),
            to: office.name.clone(),
            subject: entry.subject.clone(),
            action: String::new(),
            remark: String::new(),
            speed: entry.speed.code().into(),
            secrecy: entry.secrecy.code().into(),
            letter_type: entry.letter_type.clone(),
            allow_duplicate: false,
            doc_date_pick: String::new(),
        }
    }

    /// ลงทะเบียนรับ: the entry becomes the next inbound number, with its files and the date and
    /// time it arrived; registering the same entry twice is refused.
    pub async fn register_entry(
        &self,
        actor: &Actor,
        id: i64,
        input: Option<&LetterInput>,
    ) -> Result<Letter> {
        if !actor.user.role.can_register(Register::Inbound) {
            return Err(ServiceError::Forbidden(
                "เฉพาะเจ้าหน้าที่ธุรการลงทะเบียนรับได้".into(),
            ));
        }
        let entry = self.store.find_entry(&actor.office.id, id).await?;
        if entry.letter_id.is_some() {
            return Err(ServiceError::Conflict("หนังสือฉบับนี้ลงทะเบียนรับไปแล้ว".into()));
        }
        let input = input
            .cloned()
            .unwrap_or_else(|| Services::prefill(&entry, &actor.office));
        self.register_entry_as(&actor.office, actor.user.id, &entry, &input)
            .await
    }

    async fn register_entry_as(
        &self,
        office: &Office,
        user_id: i64,
        entry: &InboxEntry,
        input: &LetterInput,
    ) -> Result<Letter> {
        let defaults = LetterDefaults {
            office_name: &office.name,
            today: thai_date::to_bangkok(Utc::now()).date(),
        };
        let fields =
            letter::validate(Register::Inbound, input, &defaults).map_err(ServiceError::Invalid)?;
        let attachments = entry.attachments.iter().map(NewAttachment::from).collect();
        let new = NewLetter {
            office,
            register: Register::Inbound,
            fields: &fields,
            registered_by: user_id,
            registered_at: Utc::now(),
            received_at: Some(entry.received_at),
            attachments,
            inbox_entry_id: Some(entry.id),
            allow_duplicate: input.allow_duplicate,
        };
        let letter = self.record_registration(&new).await?;
        // Sent in-system to one of our work groups: registering it gives it to that group.
        if let Some(group) = entry.for_group.as_deref()
            && let Ok(g) = self.store.find_work_group(group).await
            && g.office_id == office.id
        {
            let note = format!("ส่งถึงกลุ่มโดยตรงจาก {}", entry.sender);
            self.step(&super::journey::Give {
                letter_id: letter.id,
                office_id: &office.id,
                by: user_id,
                kind: crate::domain::journey::AssignmentKind::Forward,
                targets: &[crate::store::journey::Target::Group {
                    id: g.id,
                    name: g.name,
                }],
                note: &note,
                due_date: None,
                endorsement: None,
            })
            .await?;
            return Ok(self.store.find_letter(&office.id, letter.id).await?);
        }
        Ok(letter)
    }

    /// Registers a new entry on arrival, as the office's first clerk, when the office asks for it.
    pub async fn auto_register(&self, office: &Office, entry_id: i64) -> Result<Letter> {
        // A mail whose sender may be forged (or is not yet checked for DNS trouble) waits for
        // the clerk's own decision; one not checked yet waits for its check.
        match self.store.sender_check(entry_id).await? {
            Some(check) if check.judgement.hold => {
                return Err(ServiceError::Conflict(format!(
                    "รอเจ้าหน้าที่ตัดสินใจ: {}",
                    check.judgement.label()
                )));
            }
            None if self.sender_auth.is_some() => {
                return Err(ServiceError::Conflict("รอตรวจสอบผู้ส่ง".into()));
            }
            _ => {}
        }
        // An entry a clerk registered or set aside meanwhile stays as it is.
        let entry = self.store.find_entry(&office.id, entry_id).await?;
        if entry.letter_id.is_some() || entry.dismissed_at.is_some() {
            return Err(ServiceError::Conflict("เจ้าหน้าที่ดำเนินการกับหนังสือนี้แล้ว".into()));
        }
        let users = self.store.list_users(&office.id).await?;
        let clerk = users
            .iter()
            .filter(|u| u.active)
            .find(|u| u.role == crate::domain::user::Role::Clerk)
            .or_else(|| {
                users
                    .iter()
                    .find(|u| u.active && u.role == crate::domain::user::Role::Admin)
            })
            .ok_or_else(|| ServiceError::Conflict("ไม่มีเจ้าหน้าที่ธุรการสำหรับลงทะเบียนอัตโนมัติ".into()))?;
        let input = Services::prefill(&entry, office);
        self.register_entry_as(office, clerk.id, &entry, &input)
            .await
    }

    /// The n-th file of an inbox entry (1-based) and its bytes.
    pub async fn inbox_file(
        &self,
        actor: &Actor,
        id: i64,
        n: i64,
    ) -> Result<(Attachment, crate::files::FileContent)> {
        let entry = self.inbox_entry(actor, id).await?;
        self.nth_file(entry.attachments, n).await
    }

    pub async fn quarantine(
        &self,
        actor: &Actor,
        include_resolved: bool,
    ) -> Result<Vec<QuarantineItem>> {
        self.require_inbox(actor)?;
        Ok(self
            .store
            .list_quarantine(&actor.office.id, include_resolved)
            .await?)
    }

    pub async fn quarantine_item(&self, actor: &Actor, id: i64) -> Result<QuarantineItem> {
        self.require_inbox(actor)?;
        Ok(self.store.find_quarantine(&actor.office.id, id).await?)
    }

    /// Reads a quarantined message again (after an upgrade or a change of the allowed files).
    /// Still unreadable: it stays, with the new reason, and the answer says why.
    pub async fn retry_quarantine(&self, actor: &Actor, id: i64) -> Result<Outcome> {
        let item = self.quarantine_item(actor, id).await?;
        if item.status != QuarantineStatus::Open {
            return Err(ServiceError::Conflict("รายการนี้จัดการไปแล้ว".into()));
        }
        let Some(sha) = item.raw_sha256.clone() else {
            return Err(ServiceError::Conflict(format!(
                "{} — ต้องดึงจากกล่องอีเมลด้วยตนเอง",
                item.reason
            )));
        };
        let raw = self.files.get(&sha).await?;
        let origin = Origin::File(format!("quarantine {id}"));
        let prepared = ingest::prepare(self, &actor.office, &origin, raw, Some(item.created_at))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        if let Some(reason) = prepared.quarantine_reason() {
            let reason = reason.to_string();
            self.store
                .resolve_quarantine(id, QuarantineStatus::Open, None, Some(&reason))
                .await?;
            return Err(ServiceError::Conflict(format!("ยังอ่านไม่ได้: {reason}")));
        }
        let outcome = ingest::record(self, &origin, prepared)
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let entry_id = match outcome {
            Outcome::Letter { entry_id } | Outcome::Duplicate { entry_id } => Some(entry_id),
            _ => None,
        };
        self.store
            .resolve_quarantine(id, QuarantineStatus::Released, entry_id, None)
            .await?;
        Ok(outcome)
    }

    /// Setting mail aside (and back) is the saraban officers' work, like registering it.
    fn require_inbox_clerk(&self, actor: &Actor) -> Result<()> {
        if actor.user.role.can_register(Register::Inbound) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "เฉพาะเจ้าหน้าที่ธุรการจัดการหนังสือรับได้".into(),
            ))
        }
    }

    /// Sets a mail that is not a letter aside, with the clerk's reason: it leaves the waiting
    /// count, stays findable under "ไม่ใช่หนังสือราชการ", and its raw bytes stay.
    pub async fn dismiss_entry(&self, actor: &Actor, id: i64, reason: &str) -> Result<InboxEntry> {
        self.require_inbox_clerk(actor)?;
        let reason = crate::domain::inbox::dismiss_reason(reason)
            .map_err(|e| ServiceError::Invalid(super::single("reason", e)))?;
        let entry = self.store.find_entry(&actor.office.id, id).await?;
        if entry.letter_id.is_some() {
            return Err(ServiceError::Conflict(
                "หนังสือฉบับนี้ลงทะเบียนรับแล้ว จึงไม่ตัดออกจากรายการ".into(),
            ));
        }
        if !self
            .store
            .dismiss_entry(
                &actor.office.id,
                id,
                actor.user.id,
                &reason,
                chrono::Utc::now(),
            )
            .await?
        {
            return Err(ServiceError::Conflict("รายการนี้ถูกตัดออกไปแล้ว".into()));
        }
        Ok(self.store.find_entry(&actor.office.id, id).await?)
    }

    /// Puts a dismissed mail back on the waiting list.
    pub async fn restore_entry(&self, actor: &Actor, id: i64) -> Result<InboxEntry> {
        self.require_inbox_clerk(actor)?;
        let entry = self.store.find_entry(&actor.office.id, id).await?;
        if entry.dismissed_at.is_none() || !self.store.restore_entry(&actor.office.id, id).await? {
            return Err(ServiceError::Conflict(
                "รายการนี้ไม่ได้ถูกตัดออกจากรายการรอลงทะเบียน".into(),
            ));
        }
        Ok(self.store.find_entry(&actor.office.id, id).await?)
    }

    pub async fn dismiss_quarantine(&self, actor: &Actor, id: i64) -> Result<()> {
        let item = self.quarantine_item(actor, id).await?;
        if !actor.user.role.can_register(Register::Inbound) {
            return Err(ServiceError::Forbidden(
                "เฉพาะเจ้าหน้าที่ธุรการจัดการรายการกักไว้ได้".into(),
            ));
        }
        self.store
            .resolve_quarantine(item.id, QuarantineStatus::Dismissed, None, None)
            .await?;
        Ok(())
    }

    /// The raw message (.eml) behind an entry or a quarantine item.
    pub async fn raw_message(&self, sha256: Option<&str>) -> Result<bytes::Bytes> {
        let sha = sha256.ok_or(ServiceError::NotFound)?;
        self.read_named_file(sha, "inbox_entries").await
    }

    /// A raw e-mail for download: a large one as a checked stream (see
    /// [`Services::open_named_file`]).
    pub async fn raw_download(&self, sha256: Option<&str>) -> Result<crate::files::FileContent> {
        let sha = sha256.ok_or(ServiceError::NotFound)?;
        self.open_named_file(sha, "inbox_entries").await
    }
}
