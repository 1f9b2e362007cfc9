//! Sending a registered letter: in-system to offices of this deployment (straight into their
//! inbox), and by e-mail through the outbox (queued in the same transaction, sent by the worker).

use chrono::Utc;

use super::{Actor, Result, ServiceError, Services, single};
use crate::domain::history::{self, LetterHistory};
use crate::domain::letter::{FieldErrors, Secrecy};
use crate::domain::office::{OfficeKind, parse_email};
use crate::domain::register::Register;
use crate::message::compose;
use crate::store::deliveries::{self, Delivery, EmailRecipient, InSystemRecipient};
use crate::store::inbox::{EntrySource, MailRecord, NewInboxEntry, Recorded};
use crate::store::journey::WorkGroup;
use crate::store::letters::{Letter, NewAttachment};
use crate::store::mailboxes::Security;
use crate::store::offices::Office;
use crate::store::school_groups::SchoolGroup;
use crate::store::smtp::SmtpAccount;
use crate::store::{arrivals, audit};

/// The SMTP form of the admin page, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SmtpInput {
    pub host: String,
    pub port: String,
    pub security: String,
    pub ca_file: String,
    pub username: String,
    pub password: crate::security::Secret,
    pub from: String,
}

/// One recipient as the form or the API names it: an office of this deployment, an e-mail
/// address, or (a district) a saved school group or all its schools.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RecipientInput {
    pub office: Option<String>,
    pub email: Option<String>,
    pub school_group: Option<i64>,
    pub all_schools: Option<bool>,
    /// A work group (กลุ่มงาน) of another office, e.g. the district's.
    pub work_group: Option<String>,
}

fn invalid(field: &str, message: &str) -> ServiceError {
    let mut e = FieldErrors::default();
    e.add(field, message);
    ServiceError::Invalid(e)
}

impl Services {
    /// The offices a letter can be sent to: the office above first (a school's district, whose
    /// central saraban receives all its letters), then every other office of the deployment.
    pub async fn send_targets(&self, actor: &Actor) -> Result<Vec<Office>> {
        let mut offices: Vec<Office> = self
            .store
            .list_offices()
            .await?
            .into_iter()
            .filter(|o| o.id != actor.office.id)
            .collect();
        let parent = actor.office.parent_id.clone();
        offices.sort_by_key(|o| (Some(&o.id) != parent.as_ref(), o.kind.code(), o.id.clone()));
        Ok(offices)
    }

    pub async fn send_letter(
        &self,
        actor: &Actor,
        letter_id: i64,
        recipients: &[RecipientInput],
        key: &str,
    ) -> Result<Vec<Delivery>> {
        if !actor.user.role.can_register(Register::Outbound) {
            return Err(ServiceError::Forbidden("เฉพาะเจ้าหน้าที่ธุรการส่งหนังสือได้".into()));
        }
        let letter = self.letter(actor, letter_id).await?;
        if letter.register == Register::Inbound {
            return Err(ServiceError::Conflict(
                "หนังสือรับส่งต่อออกไม่ได้ ให้ลงทะเบียนส่งก่อน".into(),
            ));
        }
        if letter.is_cancelled() {
            return Err(ServiceError::Conflict("รายการนี้ถูกยกเลิกแล้ว ส่งไม่ได้".into()));
        }
        let key = key.trim();
        if key.is_empty() || key.len() > 100 {
            return Err(invalid(
                "idempotency_key",
                "ต้องมี idempotency_key (ไม่เกิน 100 ตัวอักษร)",
            ));
        }
        if recipients.is_empty() {
            return Err(invalid("recipients", "กรุณาเลือกผู้รับอย่างน้อยหนึ่งราย"));
        }
        let mut offices: Vec<InSystemRecipient> = Vec::new();
        let mut emails: Vec<EmailRecipient> = Vec::new();
        let from = self.sending_address(&actor.office).await?;
        let recipients = self.expand_groups(actor, recipients).await?;
        for r in &recipients {
            if let Some(gid) = &r.work_group {
                // A work group of another office: the letter reaches that office's inbox, and
                // registering it gives it to the group.
                let group = self
                    .store
                    .find_work_group(gid.trim())
                    .await
                    .map_err(|_| invalid("recipients", &format!("ไม่พบกลุ่มงาน {gid}")))?;
                if group.office_id == actor.office.id {
                    return Err(invalid(
                        "recipients",
                        "กลุ่มงานในหน่วยงานเดียวกันใช้การส่งต่อ (ส่งต่อ) ไม่ใช่การส่งหนังสือ",
                    ));
                }
                let office = self.store.find_office(&group.office_id).await?;
                if !offices.iter().any(|o| {
                    o.office.id == office.id && o.group.as_ref().map(|g| &g.0) == Some(&group.id)
                }) {
                    offices.push(InSystemRecipient {
                        office,
                        group: Some((group.id, group.name)),
                    });
                }
                continue;
            }
            match (&r.office, &r.email) {
                (Some(id), None) => {
                    let office = self
                        .store
                        .find_office(id.trim())
                        .await
                        .map_err(|_| invalid("recipients", &format!("ไม่พบหน่วยงานรหัส {id}")))?;
                    if office.id == actor.office.id {
                        return Err(invalid("recipients", "ส่งถึงหน่วยงานตนเองไม่ได้"));
                    }
                    if !offices
                        .iter()
                        .any(|o| o.office.id == office.id && o.group.is_none())
                    {
                        offices.push(InSystemRecipient {
                            office,
                            group: None,
                        });
                    }
                }
                (None, Some(_)) if letter.secrecy == Secrecy::TopSecret => {
                    // ระเบียบงานสารบรรณ: ลับที่สุด never travels by e-mail.
                    return Err(invalid("recipients", "หนังสือชั้นลับที่สุดห้ามส่งทางอีเมล"));
                }
                (None, Some(address)) => {
                    let address = parse_email(address).map_err(|_| {
                        invalid("recipients", &format!("ที่อยู่อีเมล {} ไม่ถูกต้อง", address.trim()))
                    })?;
                    if !emails
                        .iter()
                        .any(|e| e.address.eq_ignore_ascii_case(&address))
                    {
                        emails.push(EmailRecipient {
                            message_id: compose::new_message_id(&from),
                            address,
                        });
                    }
                }
                _ => {
                    return Err(invalid(
                        "recipients",
                        "ผู้รับแต่ละรายต้องเป็น {office} หรือ {email} อย่างใดอย่างหนึ่ง",
                    ));
                }
            }
        }
        let deliveries = self
            .record_sending(
                &letter,
                &actor.office,
                &offices,
                &emails,
                key,
                actor.user.id,
            )
            .await?;
        if deliveries
            .iter()
            .any(|d| d.channel == crate::domain::exchange::DeliveryChannel::Email)
        {
            self.outbox_wake.notify_one();
        }
        Ok(deliveries)
    }

    /// Sends a letter as one unit of work: each office of this deployment gets the letter in its
    /// inbox at once (its facts and files exactly), each e-mail address gets a row in the outbox
    /// for the worker, a delivery row records every recipient, and the history says to whom. The
    /// same idempotency key again returns what the first request did, sending nothing more.
    async fn record_sending(
        &self,
        letter: &Letter,
        sender: &Office,
        recipients: &[InSystemRecipient],
        emails: &[EmailRecipient],
        key: &str,
        by: i64,
    ) -> Result<Vec<Delivery>> {
        let now = Utc::now();
        let mut tx = self.store.begin_write().await?;
        if deliveries::open_send_request(&mut tx, letter.id, key, now).await? {
            for r in recipients {
                let entry = in_system_entry(letter, sender, r, now);
                let entry_id =
                    match arrivals::record_in(&mut tx, &MailRecord::Entry(entry), None).await? {
                        Recorded::Entry { id, .. } => id,
                        _ => {
                            return Err(ServiceError::Internal(
                                "in-system delivery wrote no entry".into(),
                            ));
                        }
                    };
                deliveries::insert_in_system(
                    &mut tx,
                    letter.id,
                    &sender.id,
                    key,
                    &r.office.id,
                    entry_id,
                    now,
                )
                .await?;
            }
            for email in emails {
                deliveries::queue_letter_email(&mut tx, letter.id, &sender.id, key, email, now)
                    .await?;
            }
            let sent = LetterHistory::Sent(history::Sent {
                offices: recipients
                    .iter()
                    .map(|r| history::SentToOffice {
                        id: r.office.id.clone(),
                        name: recipient_name(r),
                    })
                    .collect(),
                emails: emails
                    .iter()
                    .map(|e| history::SentToEmail {
                        address: e.address.clone(),
                        message_id: e.message_id.clone(),
                    })
                    .collect(),
            });
            audit::insert_event(&mut tx, letter.id, &sent, Some(by), now).await?;
        }
        crate::store::commit(tx).await?;
        Ok(self.store.deliveries_of_request(letter.id, key).await?)
    }

    /// A school group or "all schools" becomes the offices it stands for.
    async fn expand_groups(
        &self,
        actor: &Actor,
        recipients: &[RecipientInput],
    ) -> Result<Vec<RecipientInput>> {
        let mut out = Vec::with_capacity(recipients.len());
        let office = |id: String| RecipientInput {
            office: Some(id),
            ..Default::default()
        };
        for r in recipients {
            let group = r.school_group.is_some() || r.all_schools == Some(true);
            if group && actor.office.kind != OfficeKind::District {
                return Err(invalid(
                    "recipients",
                    "ส่งถึงกลุ่มโรงเรียนได้เฉพาะสำนักงานเขตพื้นที่การศึกษา",
                ));
            }
            if let Some(id) = r.school_group {
                let g = self
                    .store
                    .school_group(&actor.office.id, id)
                    .await
                    .map_err(|_| invalid("recipients", &format!("ไม่พบกลุ่มโรงเรียนหมายเลข {id}")))?;
                out.extend(g.members.into_iter().map(office));
            } else if r.all_schools == Some(true) {
                let schools: Vec<String> = self
                    .store
                    .list_offices()
                    .await?
                    .into_iter()
                    .filter(|o| o.parent_id.as_deref() == Some(actor.office.id.as_str()))
                    .map(|o| o.id)
                    .collect();
                if schools.is_empty() {
                    return Err(invalid("recipients", "ยังไม่มีโรงเรียนในสังกัด"));
                }
                out.extend(schools.into_iter().map(office));
            } else {
                out.push(r.clone());
            }
        }
        Ok(out)
    }

    /// Saves a group of this district's schools to send to at once.
    pub async fn create_school_group(
        &self,
        office_id: &str,
        name: &str,
        members: &[String],
    ) -> Result<SchoolGroup> {
        let office = self.store.find_office(office_id).await?;
        let mut e = FieldErrors::default();
        if office.kind != OfficeKind::District {
            e.add("office", "กลุ่มโรงเรียนสร้างได้เฉพาะสำนักงานเขตพื้นที่การศึกษา");
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            e.add("name", "กรุณาระบุชื่อกลุ่ม (ไม่เกิน 200 ตัวอักษร)");
        }
        if members.is_empty() {
            e.add("members", "กรุณาระบุโรงเรียนอย่างน้อยหนึ่งแห่ง");
        }
        for m in members {
            match self.store.find_office(m).await {
                Ok(o) if o.parent_id.as_deref() == Some(office.id.as_str()) => {}
                _ => e.add("members", format!("{m} ไม่ใช่โรงเรียนในสังกัด {}", office.id)),
            }
        }
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        self.store
            .create_school_group(&office.id, name, members)
            .await
            .map_err(|err| {
                if err.is_unique_violation() {
                    invalid("name", "มีกลุ่มชื่อนี้แล้ว")
                } else {
                    err.into()
                }
            })
    }

    /// A school group of the actor's district (the setup page and the API).
    pub async fn add_school_group(
        &self,
        actor: &Actor,
        name: &str,
        members: &[String],
    ) -> Result<SchoolGroup> {
        self.require_group_setup(actor)?;
        self.create_school_group(&actor.office.id, name, members)
            .await
    }

    pub async fn remove_school_group(&self, actor: &Actor, id: i64) -> Result<()> {
        self.require_group_setup(actor)?;
        match self.store.delete_school_group(&actor.office.id, id).await? {
            true => Ok(()),
            false => Err(ServiceError::NotFound),
        }
    }

    /// The schools of the actor's district (to pick a group's members).
    pub async fn own_schools(&self, actor: &Actor) -> Result<Vec<Office>> {
        Ok(self
            .send_targets(actor)
            .await?
            .into_iter()
            .filter(|o| o.parent_id.as_deref() == Some(actor.office.id.as_str()))
            .collect())
    }

    pub async fn school_groups(&self, actor: &Actor) -> Result<Vec<SchoolGroup>> {
        Ok(self.store.school_groups(&actor.office.id).await?)
    }

    /// The From address of an office's letters: its SMTP account, its e-mail, else `[smtp] from`.
    pub async fn sending_address(&self, office: &Office) -> Result<String> {
        Ok(match self.store.smtp_account(&office.id).await? {
            Some(a) => a.from_addr,
            None => office
                .email
                .clone()
                .filter(|e| !e.trim().is_empty())
                .unwrap_or_else(|| self.default_from.clone()),
        })
    }

    /// The clerk's "ส่งอีกครั้ง" on a failed or delayed e-mail.
    pub async fn retry_delivery(&self, actor: &Actor, id: i64) -> Result<Delivery> {
        if !actor.user.role.can_register(Register::Outbound) {
            return Err(ServiceError::Forbidden("เฉพาะเจ้าหน้าที่ธุรการส่งหนังสือได้".into()));
        }
        let d = self.store.retry_delivery(&actor.office.id, id).await?;
        self.outbox_wake.notify_one();
        Ok(d)
    }

    /// The admin's SMTP form: an empty password keeps the one stored for the same user name.
    pub async fn set_office_smtp(&self, actor: &Actor, input: &SmtpInput) -> Result<()> {
        self.require_admin(actor)?;
        let mut e = FieldErrors::default();
        let port = input.port.trim().parse::<u16>().unwrap_or(0);
        let security = Security::parse(&input.security);
        if security.is_none() {
            e.add("security", "เลือกการเข้ารหัส");
        }
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        let username = Some(input.username.trim().to_string()).filter(|u| !u.is_empty());
        let host = input.host.trim().to_string();
        // An empty password keeps the stored one only for the same user on the same server: a
        // stored password is never sent to a host chosen later.
        let password = if input.password.is_empty() {
            let stored = self.store.smtp_account(&actor.office.id).await?;
            match stored {
                Some(a)
                    if a.username == username
                        && a.host.eq_ignore_ascii_case(&host)
                        && a.port == port =>
                {
                    a.password
                }
                Some(a) if username.is_some() && a.password.is_some() => {
                    return Err(ServiceError::Invalid(single(
                        "password",
                        "เปลี่ยนเครื่องแม่ข่าย พอร์ต หรือชื่อผู้ใช้แล้ว กรุณากรอกรหัสผ่านอีกครั้ง",
                    )));
                }
                _ => None,
            }
        } else {
            Some(input.password.clone())
        };
        self.set_smtp_account(SmtpAccount {
            office_id: actor.office.id.clone(),
            host,
            port,
            security: security.unwrap_or(Security::StartTls),
            ca_file: Some(input.ca_file.trim().to_string()).filter(|c| !c.is_empty()),
            username,
            password,
            from_addr: input.from.trim().to_string(),
        })
        .await
    }

    /// Sets an office's SMTP account (CLI `saraban smtp set`).
    pub async fn set_smtp_account(&self, account: SmtpAccount) -> Result<()> {
        self.store.find_office(&account.office_id).await?;
        let mut e = FieldErrors::default();
        if account.host.trim().is_empty() {
            e.add("host", "กรุณาระบุเครื่องแม่ข่าย SMTP");
        }
        if account.port == 0 {
            e.add("port", "พอร์ตไม่ถูกต้อง");
        }
        if account.security == Security::None && !crate::security::is_loopback_host(&account.host) {
            e.add(
                "security",
                "ส่งแบบไม่เข้ารหัส (none) ได้เฉพาะเครื่องเดียวกัน (127.0.0.1) เท่านั้น",
            );
        }
        if parse_email(&account.from_addr).is_err() {
            e.add("from", "ที่อยู่อีเมลผู้ส่งไม่ถูกต้อง");
        }
        if let Some(ca) = &account.ca_file
            && !std::path::Path::new(ca).is_file()
        {
            e.add("ca_file", format!("ไม่พบไฟล์ {ca}"));
        }
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        Ok(self.store.set_smtp_account(&account).await?)
    }

    /// The deliveries of a letter already read through [`Services::letter`].
    pub async fn deliveries_of(&self, letter: &Letter) -> Result<Vec<Delivery>> {
        Ok(self.store.deliveries(letter.id).await?)
    }

    /// One delivery of the actor's office.
    pub async fn delivery(&self, actor: &Actor, id: i64) -> Result<Delivery> {
        Ok(self.store.find_delivery(&actor.office.id, id).await?)
    }

    /// The work groups of the office above the actor's (a school sends straight to them).
    pub async fn parent_work_groups(&self, actor: &Actor) -> Result<Vec<WorkGroup>> {
        match &actor.office.parent_id {
            Some(parent) => Ok(self.store.work_groups(parent).await?),
            None => Ok(Vec::new()),
        }
    }

    /// The office's own SMTP account (admins only; its password never leaves the service but
    /// to the outbox).
    pub async fn office_smtp(&self, actor: &Actor) -> Result<Option<SmtpAccount>> {
        self.require_admin(actor)?;
        Ok(self.store.smtp_account(&actor.office.id).await?)
    }

    pub async fn deliveries(&self, actor: &Actor, letter_id: i64) -> Result<Vec<Delivery>> {
        let letter = self.letter(actor, letter_id).await?;
        self.deliveries_of(&letter).await
    }
}

/// An in-system recipient as the sender's history and the recipient's inbox name it: the office,
/// or the work group and its office.
fn recipient_name(r: &InSystemRecipient) -> String {
    match &r.group {
        None => r.office.name.clone(),
        Some((_, group)) => format!("{group} {}", r.office.name),
    }
}

/// The inbox entry a letter sent in-system becomes at the receiving office: its facts and files
/// exactly, already read (no raw e-mail), addressed to a work group when one was chosen.
fn in_system_entry(
    letter: &Letter,
    sender: &Office,
    r: &InSystemRecipient,
    now: chrono::DateTime<Utc>,
) -> NewInboxEntry {
    NewInboxEntry {
        office_id: r.office.id.clone(),
        source: EntrySource::InSystem,
        mailbox_id: None,
        message_id: None,
        // One letter reaches one office (or one of its groups) once, however often it is sent.
        dedupe_key: match &r.group {
            None => format!("in-system:{}", letter.id),
            Some((g, _)) => format!("in-system:{}:{g}", letter.id),
        },
        raw_sha256: None,
        raw_size: 0,
        subject: letter.subject.clone(),
        doc_no: letter.doc_no.clone(),
        doc_date: Some(letter.doc_date),
        sender: sender.name.clone(),
        sender_email: sender.email.clone().unwrap_or_default(),
        recipient: recipient_name(r),
        body_text: String::new(),
        received_at: now,
        speed: letter.speed,
        secrecy: letter.secrecy,
        letter_type: letter.letter_type.code().to_string(),
        notify_to: None,
        for_group: r.group.as_ref().map(|(g, _)| g.clone()),
        refused: Vec::new(),
        attachments: letter.attachments.iter().map(NewAttachment::from).collect(),
    }
}
