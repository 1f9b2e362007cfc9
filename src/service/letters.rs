//! The letters in the registers: registering with files, reading, listing, editing, cancelling,
//! and the dashboard's counts. Who may do each is checked here.

use chrono::Utc;

use crate::domain::attachment::{FileRefusal, display_name};
use crate::domain::letter::{self, LetterDefaults, LetterInput};
use crate::domain::register::Register;
use crate::domain::thai_date;
use crate::store::letters::{
    Attachment, Letter, LetterEvent, LetterQuery, NewAttachment, NewLetter,
};

use super::{Actor, Result, ServiceError, Services, UploadedFile, single};
use crate::domain::history::{self, LetterHistory};
use crate::store::held_files::HeldFile;
use crate::store::{audit, registration};

/// How long the files of a form that came back with an error stay held.
pub const HELD_FILES_FOR: chrono::Duration = chrono::Duration::hours(2);

fn too_many_files(max: usize) -> ServiceError {
    ServiceError::Invalid(single("files", FileRefusal::TooMany { max }.to_string()))
}

impl Services {
    /// Registers a letter with its files: validates, checks each file by content, stores the
    /// files, then writes the entry and its number in one transaction.
    /// `held` are tokens of files held from an earlier try of the same form (see
    /// [`Services::hold_files`]); they come first, in their order, then the new files.
    pub async fn register_letter(
        &self,
        actor: &Actor,
        register: Register,
        input: &LetterInput,
        files: Vec<UploadedFile>,
        held: &[String],
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
        let held_files = self.held_files(actor, held).await?;
        if held_files.len() + files.len() > self.attachments.max_files {
            return Err(too_many_files(self.attachments.max_files));
        }
        let mut attachments: Vec<NewAttachment> =
            held_files.iter().map(|h| h.file.clone()).collect();
        attachments.extend(self.store_files(files).await?);
        let new = NewLetter {
            office: &actor.office,
            register,
            fields: &fields,
            registered_by: actor.user.id,
            registered_at: Utc::now(),
            received_at: None,
            attachments,
            inbox_entry_id: None,
            allow_duplicate: input.allow_duplicate,
        };
        let letter = self.record_registration(&new).await?;
        let tokens: Vec<String> = held_files.into_iter().map(|h| h.token).collect();
        self.store.release_held_files(&tokens).await?;
        Ok(letter)
    }

    /// Keeps the files of a form that came back with an error, so the clerk does not pick them
    /// again: each is checked and stored as at registration and listed under a token the form
    /// sends back. A file that is refused is named in the errors and not held. Held files last
    /// [`HELD_FILES_FOR`].
    pub async fn hold_files(
        &self,
        actor: &Actor,
        files: Vec<UploadedFile>,
        already: &[String],
    ) -> Result<(Vec<HeldFile>, Vec<String>)> {
        let mut held = self.held_files(actor, already).await?;
        let mut refused = Vec::new();
        let mut accepted = Vec::new();
        for file in files {
            let name = file.name.clone();
            match self.store_files(vec![file]).await {
                Ok(mut one) => accepted.append(&mut one),
                Err(
                    e @ (ServiceError::TooLarge(_)
                    | ServiceError::Unsupported(_)
                    | ServiceError::Invalid(_)),
                ) => {
                    refused.push(format!("{}: {e}", display_name(&name)));
                }
                Err(e) => return Err(e),
            }
        }
        let room = self.attachments.max_files.saturating_sub(held.len());
        accepted.truncate(room);
        let now = Utc::now();
        let mut new = self
            .store
            .hold_files(
                &actor.office.id,
                actor.user.id,
                &accepted,
                now,
                now - HELD_FILES_FOR,
            )
            .await?;
        held.append(&mut new);
        Ok((held, refused))
    }

    async fn held_files(&self, actor: &Actor, tokens: &[String]) -> Result<Vec<HeldFile>> {
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .held_files(
                &actor.office.id,
                actor.user.id,
                tokens,
                Utc::now() - HELD_FILES_FOR,
            )
            .await?)
    }

    /// Adds a file to a registered letter (a forgotten attachment need not cost a cancelled
    /// number), or puts it in place of file `replaces`: the old one leaves the list but stays in
    /// the history and the file store. Allowed while the letter may be edited (a clerk within the
    /// edit window, an administrator always), up to the file limit.
    pub async fn add_letter_file(
        &self,
        actor: &Actor,
        id: i64,
        file: UploadedFile,
        replaces: Option<i64>,
    ) -> Result<Letter> {
        let letter = self.letter(actor, id).await?;
        if !actor.user.role.can_register(letter.register) {
            return Err(ServiceError::Forbidden(
                "เฉพาะเจ้าหน้าที่ธุรการและผู้ดูแลระบบแนบไฟล์ได้".into(),
            ));
        }
        if let Some(why) = self.edit_refusal(actor, &letter) {
            return Err(ServiceError::Forbidden(why));
        }
        let old = match replaces {
            Some(n) => Some(
                letter
                    .attachments
                    .iter()
                    .find(|a| a.position == n)
                    .cloned()
                    .ok_or(ServiceError::NotFound)?,
            ),
            None => None,
        };
        if old.is_none() && letter.attachments.len() >= self.attachments.max_files {
            return Err(too_many_files(self.attachments.max_files));
        }
        if file.data.is_empty() {
            return Err(ServiceError::Invalid(single("file", "กรุณาเลือกไฟล์")));
        }
        let stored = self
            .store_files(vec![file])
            .await?
            .pop()
            .ok_or_else(|| ServiceError::Invalid(single("file", "กรุณาเลือกไฟล์")))?;
        let now = Utc::now();
        let mut tx = self.store().begin_write().await?;
        if let Some(old) = &old
            && !registration::remove_attachment(&mut tx, letter.id, old.position, now).await?
        {
            return Err(ServiceError::Conflict(
                "ไฟล์นี้ถูกแทนที่ไปแล้ว กรุณาเปิดหน้าใหม่".into(),
            ));
        }
        let position = registration::add_attachment(&mut tx, letter.id, &stored, now).await?;
        // The new file's name is searchable from the same commit on.
        crate::store::search_columns::refresh_search_columns(&mut tx, &[letter.id]).await?;
        let event = LetterHistory::FileAdded(history::FileAdded {
            position,
            file: history::FileRef {
                name: stored.name.clone(),
                sha256: stored.sha256.clone(),
            },
            description: stored.description.clone(),
            replaces: old.map(|o| history::FileRef {
                name: o.name,
                sha256: o.sha256,
            }),
        });
        audit::insert_event(&mut tx, letter.id, &event, Some(actor.user.id), now).await?;
        crate::store::commit(tx).await?;
        self.text_wake.notify_one();
        self.letter(actor, id).await
    }

    /// Suggestions for the letter form: past senders of inbound letters, past recipients of
    /// the others.
    pub async fn correspondents(&self, actor: &Actor, register: Register) -> Result<Vec<String>> {
        Ok(self
            .store
            .past_correspondents(&actor.office.id, register == Register::Inbound, 200)
            .await?)
    }

    /// A register as its form for the year (oldest first), optionally only the entries
    /// registered `from`..=`to` (dates in Bangkok) and matching a search, exactly as the register
    /// page would list them for this actor (secret letters included only where they may be seen).
    pub async fn register_sheet(
        &self,
        actor: &Actor,
        register: Register,
        year_be: i32,
        range: (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
        search: (Option<String>, crate::domain::register::SearchField),
        layout: crate::domain::forms::SheetLayout,
    ) -> Result<crate::domain::forms::RegisterSheet> {
        use crate::domain::forms::{SheetRow, register_sheet};
        let (from, to) = range;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(ServiceError::Invalid(single("from", "วันเริ่มต้องไม่หลังวันสิ้นสุด")));
        }
        let letters = self
            .all_letters(
                actor,
                LetterQuery {
                    register: Some(register),
                    year_be: Some(year_be),
                    q: search.0,
                    field: search.1,
                    ..Default::default()
                },
            )
            .await?;
        let mut rows = Vec::new();
        for l in letters {
            let day = thai_date::to_bangkok(l.registered_at).date();
            if from.is_some_and(|f| day < f) || to.is_some_and(|t| day > t) {
                continue;
            }
            rows.push(SheetRow {
                number: l.number,
                doc_no: l.doc_no,
                doc_date: l.doc_date,
                from: l.sender,
                to: l.recipient,
                subject: l.subject,
                action: l.action,
                remark: l.remark,
                received: thai_date::to_bangkok(l.received_at.unwrap_or(l.registered_at)),
                cancelled: l.cancelled_at.map(|_| l.cancel_reason.unwrap_or_default()),
                registered: thai_date::to_bangkok(l.registered_at),
                speed: l.speed,
                secrecy: l.secrecy,
                letter_type: l.letter_type,
                retention: l.retention,
                keep_until: match &l.destroyed {
                    Some((_, note)) => note.clone(),
                    None => l.keep_until.label(),
                },
            });
        }
        // Lists run newest first; the form runs from the first number.
        rows.reverse();
        Ok(register_sheet(
            register,
            &actor.office.name,
            year_be,
            &rows,
            layout,
        ))
    }

    /// The year's counts: per register per month, per sender, per work group given (the
    /// monthly summary export). Secrecy rules apply as in the registers.
    pub async fn year_summary(
        &self,
        actor: &Actor,
        year_be: i32,
    ) -> Result<crate::domain::forms::YearSummary> {
        use crate::domain::forms::{Counted, year_summary};
        use chrono::Datelike;
        let mut entries = Vec::new();
        for register in Register::ALL {
            let query = LetterQuery {
                register: Some(register),
                year_be: Some(year_be),
                ..Default::default()
            };
            entries.extend(
                self.all_letters(actor, query)
                    .await?
                    .into_iter()
                    .map(|l| Counted {
                        register,
                        month: thai_date::to_bangkok(l.registered_at).month(),
                        sender: l.sender,
                        cancelled: l.cancelled_at.is_some(),
                    }),
            );
        }
        let groups = self
            .store
            .letters_given_per_group(&actor.office.id, year_be)
            .await?;
        Ok(year_summary(&actor.office.name, year_be, &entries, groups))
    }

    async fn store_files(&self, files: Vec<UploadedFile>) -> Result<Vec<NewAttachment>> {
        if files.len() > self.attachments.max_files {
            return Err(too_many_files(self.attachments.max_files));
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
        self.events_of(&letter).await
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
    ) -> Result<(Vec<Letter>, crate::domain::search::Total)> {
        if let Some(text) = &query.q {
            crate::domain::register::check_search(text)
                .map_err(|e| ServiceError::Invalid(single("q", e.to_string())))?;
            // Words too short for the index (1–2 characters) are read row by row: bounded by the
            // chosen year, this year when none was chosen.
            if query.year_be.is_none()
                && query.field != crate::domain::register::SearchField::Number
                && crate::domain::search::SearchWords::parse(text).needs_year()
            {
                query.year_be = Some(thai_date::be_year_of(Utc::now()));
            }
        }
        // A user only ever sees their own office's registers.
        query.office_id = actor.office.id.clone();
        query.restricted_to_user = Services::secrecy_restriction(actor);
        Ok(self.store.list_letters(&query).await?)
    }

    /// Every letter `query` finds (its `page` and `per_page` are ignored), newest first, read a
    /// page at a time: for the printed register and the exports.
    pub async fn all_letters(&self, actor: &Actor, mut query: LetterQuery) -> Result<Vec<Letter>> {
        const PAGE: i64 = 200;
        query.per_page = PAGE;
        let mut all = Vec::new();
        for page in 1.. {
            query.page = page;
            let (letters, _) = self.list_letters(actor, query.clone()).await?;
            let seen = letters.len() as i64;
            all.extend(letters);
            if seen < PAGE {
                break;
            }
        }
        Ok(all)
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
    pub async fn attachment(
        &self,
        actor: &Actor,
        id: i64,
        n: i64,
    ) -> Result<(Attachment, crate::files::FileContent)> {
        let letter = self.letter(actor, id).await?;
        refuse_destroyed(&letter)?;
        self.nth_file(letter.attachments, n).await
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
}

/// A destroyed letter's files are gone for good: asking for one answers 410, in Thai.
pub fn refuse_destroyed(letter: &Letter) -> Result<()> {
    match &letter.destroyed {
        Some((_, note)) => Err(ServiceError::Gone(format!(
            "ไฟล์ของหนังสือฉบับนี้ถูกทำลายแล้วตามระเบียบ ({note}) ทะเบียนยังคงรายการไว้"
        ))),
        None => Ok(()),
    }
}
