//! The ingestion pipeline: raw message in, exactly one outcome out — an inbox entry (or the entry
//! it duplicates), a recorded notice (auto-reply, delivery report), or quarantine with the raw
//! bytes and a reason. The raw message is always kept, by its sha256, as the evidence of arrival.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::domain::attachment::{AttachmentPolicy, display_name};
use crate::domain::exchange::LetterFacts;
use crate::domain::inbox::NoticeKind;
use crate::domain::letter::Secrecy;
use crate::domain::{forwarded, mail_facts};
use crate::files::FileError;
use crate::message::parse::{self, MailKind, ParsedMail};
use crate::security::sha256_hex;
use crate::service::Services;
use crate::store::StoreError;
use crate::store::inbox::{
    EntrySource, MailRecord, NewInboxEntry, NewNotice, NewQuarantine, ReceiptKey, Recorded,
    RefusedFile,
};
use crate::store::letters::NewAttachment;
use crate::store::offices::Office;

/// Where a message came from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A mailbox folder position; taking the same position twice does nothing.
    Mailbox(ReceiptKey),
    /// A file given to `saraban ingest` or dropped in a folder.
    File(String),
}

impl Origin {
    fn label(&self) -> String {
        match self {
            Origin::Mailbox(k) => format!("mailbox {} {} uid {}", k.mailbox_id, k.folder, k.uid),
            Origin::File(name) => format!("file {name}"),
        }
    }

    fn receipt(&self) -> Option<&ReceiptKey> {
        match self {
            Origin::Mailbox(k) => Some(k),
            Origin::File(_) => None,
        }
    }

    fn mailbox_id(&self) -> Option<i64> {
        self.receipt().map(|k| k.mailbox_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Letter { entry_id: i64 },
    Duplicate { entry_id: i64 },
    AutoReply { notice_id: i64 },
    DeliveryReport { notice_id: i64 },
    Acceptance { notice_id: i64 },
    Quarantined { id: i64, reason: String },
    AlreadyTaken,
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Letter { .. } => "letter",
            Outcome::Duplicate { .. } => "duplicate",
            Outcome::AutoReply { .. } => "auto-reply",
            Outcome::DeliveryReport { .. } => "delivery-report",
            Outcome::Acceptance { .. } => "acceptance",
            Outcome::Quarantined { .. } => "quarantined",
            Outcome::AlreadyTaken => "already-taken",
        }
    }
}

#[derive(Debug, Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Files(#[from] FileError),
}

/// What a parsed message becomes, before anything is written.
enum Decision {
    Entry(NewInboxEntry),
    Notice(NewNotice),
    Quarantine(String),
}

/// Takes one message into an office.
pub async fn ingest(
    services: &Services,
    office: &Office,
    origin: &Origin,
    raw: Bytes,
    arrived_at: Option<DateTime<Utc>>,
) -> Result<Outcome, IngestError> {
    if let Some(key) = origin.receipt()
        && services.store.receipt_exists(key).await?
    {
        return Ok(Outcome::AlreadyTaken);
    }
    let prepared = prepare(services, office, origin, raw, arrived_at).await?;
    let outcome = record(services, origin, prepared).await?;
    on_arrival(services, office, std::slice::from_ref(&outcome)).await;
    Ok(outcome)
}

/// What follows new letters' arrival. With sender checks on, the checks' thread is woken: it
/// checks them and then registers on arrival what passes (see
/// `crate::sender_auth::spawn_checks`). Without, they are registered on arrival here when the
/// office asks for it; registering on arrival is a convenience: when the facts are incomplete
/// the entry simply waits for the clerk.
async fn on_arrival(services: &Services, office: &Office, outcomes: &[Outcome]) {
    if let Some(auth) = &services.sender_auth {
        auth.wake.notify_one();
        return;
    }
    if !office.auto_register {
        return;
    }
    for outcome in outcomes {
        if let Outcome::Letter { entry_id } = outcome
            && let Err(e) = services.auto_register(office, *entry_id).await
        {
            tracing::info!(entry_id, error = %e, "left in the inbox for the clerk");
        }
    }
}

impl Services {
    /// Takes one message into an office: [`ingest`] as a method, for the drivers and the CLI.
    pub async fn ingest(
        &self,
        office: &Office,
        origin: &Origin,
        raw: Bytes,
        arrived_at: Option<DateTime<Utc>>,
    ) -> Result<Outcome, IngestError> {
        ingest(self, office, origin, raw, arrived_at).await
    }
}

/// A message read and judged, with nothing written but its raw bytes and files.
pub struct Prepared {
    record: MailRecord,
}

impl Prepared {
    /// The reason, when the message would go to quarantine.
    pub fn quarantine_reason(&self) -> Option<&str> {
        match &self.record {
            MailRecord::Quarantine(q) => Some(&q.reason),
            _ => None,
        }
    }
}

pub async fn prepare(
    services: &Services,
    office: &Office,
    origin: &Origin,
    raw: Bytes,
    arrived_at: Option<DateTime<Utc>>,
) -> Result<Prepared, IngestError> {
    let judged = judge(&services.attachments, office, origin, raw, arrived_at);
    queue_files(services, judged).await
}

/// A message judged, its files not yet handed to the file store.
pub struct Judged {
    record: MailRecord,
    /// The raw message and the accepted files, with their sha256.
    files: Vec<(String, Bytes)>,
}

/// Everything about a message that needs only the CPU: parsing, judging the files, reading the
/// letter's facts. Pure, so a batch can be judged on threads of its own.
pub fn judge(
    policy: &AttachmentPolicy,
    office: &Office,
    origin: &Origin,
    raw: Bytes,
    arrived_at: Option<DateTime<Utc>>,
) -> Judged {
    let raw_size = raw.len() as i64;
    let raw_sha = sha256_hex(&raw);
    let parsed = parse::parse(&raw);
    let subject_hint = parsed
        .as_ref()
        .map(|m| m.subject.clone())
        .unwrap_or_default();
    let mut files = vec![(raw_sha.clone(), raw)];
    let decision = match parsed {
        Err(e) => Decision::Quarantine(e.to_string()),
        Ok(mail) => decide(
            policy, office, origin, mail, &raw_sha, raw_size, arrived_at, &mut files,
        ),
    };
    let record = match decision {
        Decision::Entry(e) => MailRecord::Entry(e),
        Decision::Notice(n) => MailRecord::Notice(n),
        Decision::Quarantine(reason) => MailRecord::Quarantine(NewQuarantine {
            office_id: office.id.clone(),
            mailbox_id: origin.mailbox_id(),
            origin: origin.label(),
            raw_sha256: Some(raw_sha.clone()),
            raw_size,
            subject: subject_hint.chars().take(300).collect(),
            reason,
        }),
    };
    Judged { record, files }
}

/// Hands a judged message's files to the file store (durable at the batch's flush).
pub async fn queue_files(services: &Services, judged: Judged) -> Result<Prepared, IngestError> {
    for (sha256, data) in judged.files {
        services.files.put_deferred_hashed(sha256, data).await?;
    }
    Ok(Prepared {
        record: judged.record,
    })
}

/// Writes a prepared message (with its mailbox receipt, in one transaction).
pub async fn record(
    services: &Services,
    origin: &Origin,
    prepared: Prepared,
) -> Result<Outcome, IngestError> {
    let record = prepared.record;
    let (kind, reason) = record_kind(&record);
    // The files must be on disk before the rows that name them.
    services.files.flush().await?;
    let recorded = services
        .store
        .record_mail(&record, origin.receipt())
        .await?;
    Ok(outcome_of(recorded, kind, reason))
}

/// The notice kind (when a notice) and the quarantine reason (when quarantined) of a record.
fn record_kind(record: &MailRecord) -> (Option<NoticeKind>, String) {
    match record {
        MailRecord::Notice(n) => (Some(n.kind), String::new()),
        MailRecord::Quarantine(q) => (None, q.reason.clone()),
        MailRecord::Entry(_) => (None, String::new()),
    }
}

fn outcome_of(recorded: Recorded, notice_kind: Option<NoticeKind>, reason: String) -> Outcome {
    match recorded {
        Recorded::Entry {
            id,
            duplicate: false,
        } => Outcome::Letter { entry_id: id },
        Recorded::Entry {
            id,
            duplicate: true,
        } => Outcome::Duplicate { entry_id: id },
        Recorded::Notice { id } => match notice_kind {
            Some(NoticeKind::AutoReply) => Outcome::AutoReply { notice_id: id },
            Some(NoticeKind::Acceptance) => Outcome::Acceptance { notice_id: id },
            Some(NoticeKind::DeliveryReport) | None => Outcome::DeliveryReport { notice_id: id },
        },
        Recorded::Quarantine { id } => Outcome::Quarantined { id, reason },
        Recorded::AlreadyTaken => Outcome::AlreadyTaken,
    }
}

/// Records that a mailbox message was too large to fetch: it stays in the mailbox, and the clerk
/// sees it in quarantine with the reason.
pub async fn refuse_oversized(
    services: &Services,
    office: &Office,
    key: ReceiptKey,
    size: u64,
    limit: u64,
) -> Result<Outcome, IngestError> {
    let reason = format!(
        "อีเมลใหญ่ {:.1} MB เกินขนาดที่รับได้ {:.0} MB จึงไม่ได้ดึงมา (ยังอยู่ในกล่องอีเมล)",
        size as f64 / 1048576.0,
        limit as f64 / 1048576.0
    );
    let origin = Origin::Mailbox(key);
    let record = MailRecord::Quarantine(NewQuarantine {
        office_id: office.id.clone(),
        mailbox_id: origin.mailbox_id(),
        origin: origin.label(),
        raw_sha256: None,
        raw_size: size as i64,
        subject: String::new(),
        reason: reason.clone(),
    });
    Ok(
        match services
            .store
            .record_mail(&record, origin.receipt())
            .await?
        {
            Recorded::Quarantine { id } => Outcome::Quarantined { id, reason },
            _ => Outcome::AlreadyTaken,
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn decide(
    policy: &AttachmentPolicy,
    office: &Office,
    origin: &Origin,
    mail: ParsedMail,
    raw_sha: &str,
    raw_size: i64,
    arrived_at: Option<DateTime<Utc>>,
    files: &mut Vec<(String, Bytes)>,
) -> Decision {
    let received_at = arrived_at.or(mail.date).unwrap_or_else(Utc::now);
    match mail.kind {
        MailKind::AutoReply(reason) => {
            return Decision::Notice(NewNotice {
                office_id: office.id.clone(),
                kind: NoticeKind::AutoReply,
                message_id: mail.message_id.clone(),
                original_message_id: None,
                action: String::new(),
                status: String::new(),
                recipient: String::new(),
                diagnostic: reason,
                subject: mail.subject.chars().take(300).collect(),
                raw_sha256: Some(raw_sha.to_string()),
                received_at,
                acceptance: None,
            });
        }
        MailKind::Acceptance(n) => {
            return Decision::Notice(NewNotice {
                office_id: office.id.clone(),
                kind: NoticeKind::Acceptance,
                message_id: mail.message_id.clone(),
                original_message_id: mail_facts::normalise_message_id(&n.letter_message_id),
                action: "accepted".into(),
                status: format!("{}/{}", n.accept_id, n.accept_year),
                recipient: n.receiver_party.name.chars().take(300).collect(),
                diagnostic: String::new(),
                subject: mail.subject.chars().take(300).collect(),
                raw_sha256: Some(raw_sha.to_string()),
                received_at,
                acceptance: Some((n.accept_id, n.accept_year, n.accept_time)),
            });
        }
        MailKind::DeliveryReport(r) => {
            return Decision::Notice(NewNotice {
                office_id: office.id.clone(),
                kind: NoticeKind::DeliveryReport,
                message_id: mail.message_id.clone(),
                original_message_id: r.original_message_id,
                action: r.action,
                status: r.status,
                recipient: r.recipient,
                diagnostic: r.diagnostic,
                subject: mail.subject.chars().take(300).collect(),
                raw_sha256: Some(raw_sha.to_string()),
                received_at,
                acceptance: None,
            });
        }
        MailKind::Letter => {}
    }

    // Files: the register's allowed types, judged by content; the rest stay in the raw message.
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for file in &mail.files {
        let name = display_name(&file.name);
        match policy.check(&name, &file.data, file.data.len() as u64) {
            Ok(_) if accepted.len() >= policy.max_files => refused.push(RefusedFile {
                name,
                reason: format!("เกิน {} ไฟล์ต่อหนังสือ", policy.max_files),
            }),
            Ok(kind) => accepted.push((name, kind, file)),
            Err(why) => refused.push(RefusedFile {
                name,
                reason: why.to_string(),
            }),
        }
    }
    if !mail.files.is_empty() && accepted.is_empty() {
        let names: Vec<String> = refused.iter().map(|r| r.reason.clone()).collect();
        return Decision::Quarantine(format!("ไฟล์แนบทุกไฟล์ไม่ได้รับอนุญาต: {}", names.join("; ")));
    }
    // A sending saraban's machine-readable facts fill the entry exactly; other mail is read
    // from its subject and body.
    let sent_facts = mail
        .saraban_facts
        .as_deref()
        .and_then(LetterFacts::from_json);
    let mut attachments = Vec::with_capacity(accepted.len());
    for (name, kind, file) in accepted {
        // Stored with the raw message: the batch flushes once before it commits.
        let sha256 = sha256_hex(&file.data);
        files.push((sha256.clone(), file.data.clone()));
        let description = sent_facts
            .as_ref()
            .and_then(|f| f.description_of(&name, &sha256))
            .unwrap_or("")
            .to_string();
        attachments.push(NewAttachment {
            name,
            description,
            kind,
            size: file.data.len() as i64,
            sha256,
        });
    }

    let mut facts = mail_facts::extract(&mail.subject, &mail.text);
    // Forwarded inline: the letter is the original's (its ที่, ลงวันที่, เรื่อง and จาก), with
    // what it lacks taken from the forwarder's subject.
    let forwarded = (sent_facts.is_none() && !mail_facts::is_reply(&mail.subject))
        .then(|| forwarded::original(&mail.text))
        .flatten();
    if let Some(f) = &forwarded {
        let outer = facts;
        facts = mail_facts::extract(&f.subject, &f.body);
        facts.doc_no = facts.doc_no.or(outer.doc_no);
        facts.doc_date = facts.doc_date.or(outer.doc_date);
        if !facts.speed.is_urgent() {
            facts.speed = outer.speed;
        }
    }
    let mut secrecy = Secrecy::Normal;
    let mut letter_type = String::new();
    let mut notify_to = None;
    let mut sender_name = None;
    if let Some(f) = &sent_facts {
        facts.subject = f.subject.clone();
        facts.doc_no = Some(f.id.clone());
        facts.doc_date = Some(f.correspondence_date);
        facts.speed = f.speed();
        secrecy = f.secrecy();
        letter_type = f
            .letter_type()
            .map(|t| t.code().to_string())
            .unwrap_or_default();
        sender_name = Some(f.sender_party.name.clone());
        // The acceptance notice goes back the way the letter came.
        notify_to = Some(if mail.from_addr.is_empty() {
            f.sender_party.email.clone()
        } else {
            mail.from_addr.clone()
        })
        .filter(|a| a.contains('@'));
    }
    // The same letter twice (two mailboxes, a re-send, a UIDVALIDITY reset) has the same
    // Message-ID and the same content; a reused Message-ID with other content is another letter.
    let content = format!(
        "{}\n{}\n{}",
        mail.subject,
        mail.text.trim(),
        attachments
            .iter()
            .map(|a| a.sha256.as_str())
            .collect::<Vec<_>>()
            .join(",")
    );
    let dedupe_key = sha256_hex(
        format!(
            "{}\n{}",
            mail.message_id.as_deref().unwrap_or(""),
            sha256_hex(content.as_bytes())
        )
        .as_bytes(),
    );
    let sender_name = sender_name.or_else(|| {
        forwarded.as_ref().map(|f| {
            if f.from_name.trim().is_empty() {
                f.from_addr.clone()
            } else {
                f.from_name.clone()
            }
        })
    });
    let sender = match sender_name {
        Some(name) if !name.trim().is_empty() => name.trim().to_string(),
        _ if mail.from_name.trim().is_empty() => mail.from_addr.clone(),
        _ => mail.from_name.trim().to_string(),
    };
    Decision::Entry(NewInboxEntry {
        office_id: office.id.clone(),
        source: EntrySource::Email,
        mailbox_id: origin.mailbox_id(),
        message_id: mail.message_id.clone(),
        dedupe_key,
        raw_sha256: Some(raw_sha.to_string()),
        raw_size,
        subject: if facts.subject.is_empty() {
            "(ไม่มีเรื่อง)".into()
        } else {
            facts.subject.chars().take(1000).collect()
        },
        doc_no: facts.doc_no.unwrap_or_default(),
        doc_date: facts.doc_date,
        sender: sender.chars().take(300).collect(),
        sender_email: mail.from_addr.clone(),
        recipient: office.name.clone(),
        body_text: mail.text.chars().take(100_000).collect(),
        received_at,
        speed: facts.speed,
        secrecy,
        letter_type,
        notify_to,
        for_group: None,
        refused,
        attachments,
    })
}

/// Records a batch of prepared messages: one flush of the files, one transaction, then what
/// follows the new letters' arrival (sender checks, registration on arrival). The outcomes come in the batch's order.
pub async fn record_batch(
    services: &Services,
    office: &Office,
    batch: Vec<(Origin, Prepared)>,
) -> Result<Vec<Outcome>, IngestError> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    services.files.flush().await?;
    record_flushed_batch(services, office, batch, Vec::new()).await
}

/// [`record_batch`] for a batch whose files a flush that began after they were prepared has
/// already made durable: `blobs` are the index rows that flush left to commit (see
/// [`crate::files::FileStore::flush_unindexed`]), committed here with the batch.
pub async fn record_flushed_batch(
    services: &Services,
    office: &Office,
    batch: Vec<(Origin, Prepared)>,
    blobs: Vec<crate::files::PackedBlob>,
) -> Result<Vec<Outcome>, IngestError> {
    let mut kinds = Vec::with_capacity(batch.len());
    let mut items = Vec::with_capacity(batch.len());
    for (origin, prepared) in batch {
        kinds.push(record_kind(&prepared.record));
        items.push((prepared.record, origin.receipt().cloned()));
    }
    let recorded = services.store.record_mail_batch(&items, &blobs).await?;
    services.files.indexed(&blobs);
    let outcomes: Vec<Outcome> = recorded
        .into_iter()
        .zip(kinds)
        .map(|(r, (kind, reason))| outcome_of(r, kind, reason))
        .collect();
    on_arrival(services, office, &outcomes).await;
    Ok(outcomes)
}
