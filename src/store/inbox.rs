//! The office inbox (หนังสือรับ), quarantine, notices, and what was taken from each mailbox.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{
    AnyQuery, DbKind, Result, Store, StoreError, Tx, coded, date_from_db, date_to_db, insert_rows,
    like_contains, placeholders, time_from_db, time_to_db,
};
use crate::domain::exchange::{self, DeliveryChannel, DeliveryKind, DeliveryStatus};
pub use crate::domain::inbox::EntrySource;
use crate::domain::inbox::{DsnAction, NoticeKind, QuarantineStatus, ReceiptOutcome};
use crate::domain::letter::{Secrecy, Speed};
use crate::files::PackedBlob;
use crate::store::blobs::insert_blobs;
use crate::store::letters::{Attachment, NewAttachment, attachment_from_row};

pub struct NewInboxEntry {
    pub office_id: String,
    pub source: EntrySource,
    pub mailbox_id: Option<i64>,
    pub message_id: Option<String>,
    pub dedupe_key: String,
    pub raw_sha256: Option<String>,
    pub raw_size: i64,
    pub subject: String,
    pub doc_no: String,
    pub doc_date: Option<NaiveDate>,
    pub sender: String,
    pub sender_email: String,
    pub recipient: String,
    pub body_text: String,
    pub received_at: DateTime<Utc>,
    pub speed: Speed,
    pub secrecy: Secrecy,
    /// The letter type code when the sender said it (saraban facts or in-system).
    pub letter_type: String,
    /// Where to send the acceptance notice when the letter is registered: the address of a
    /// saraban that sent machine-readable facts.
    pub notify_to: Option<String>,
    /// Sent in-system to this work group of the receiving office.
    pub for_group: Option<String>,
    /// `[{"name": …, "reason": …}]`
    pub refused: Vec<RefusedFile>,
    pub attachments: Vec<NewAttachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefusedFile {
    pub name: String,
    pub reason: String,
}

pub struct NewQuarantine {
    pub office_id: String,
    pub mailbox_id: Option<i64>,
    pub origin: String,
    pub raw_sha256: Option<String>,
    pub raw_size: i64,
    pub subject: String,
    pub reason: String,
}

pub struct NewNotice {
    pub office_id: String,
    pub kind: NoticeKind,
    pub message_id: Option<String>,
    pub original_message_id: Option<String>,
    pub action: String,
    pub status: String,
    pub recipient: String,
    pub diagnostic: String,
    pub subject: String,
    pub raw_sha256: Option<String>,
    pub received_at: DateTime<Utc>,
    /// For an acceptance notice: the receiver's register number, year and time.
    pub acceptance: Option<(i64, i32, DateTime<Utc>)>,
}

/// What to write for one arrived message.
pub enum MailRecord {
    Entry(NewInboxEntry),
    Quarantine(NewQuarantine),
    Notice(NewNotice),
}

/// The mailbox folder position a message was taken from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptKey {
    pub mailbox_id: i64,
    pub folder: String,
    pub uidvalidity: i64,
    pub uid: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Entry {
        id: i64,
        duplicate: bool,
    },
    Quarantine {
        id: i64,
    },
    Notice {
        id: i64,
    },
    /// This mailbox position was taken before; nothing was written.
    AlreadyTaken,
}

impl Recorded {
    /// The row written (entry, quarantine or notice).
    pub fn id(&self) -> Option<i64> {
        match self {
            Recorded::Entry { id, .. } | Recorded::Quarantine { id } | Recorded::Notice { id } => {
                Some(*id)
            }
            Recorded::AlreadyTaken => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct InboxEntry {
    pub id: i64,
    pub office_id: String,
    pub source: EntrySource,
    pub message_id: Option<String>,
    pub raw_sha256: Option<String>,
    pub raw_size: i64,
    pub subject: String,
    pub doc_no: String,
    pub doc_date: Option<NaiveDate>,
    pub sender: String,
    pub sender_email: String,
    pub recipient: String,
    pub body_text: String,
    pub speed: Speed,
    pub secrecy: Secrecy,
    pub letter_type: String,
    pub notify_to: Option<String>,
    pub for_group: Option<String>,
    pub received_at: DateTime<Utc>,
    pub refused: Vec<RefusedFile>,
    pub letter_id: Option<i64>,
    pub letter_number: Option<i64>,
    pub attachment_count: i64,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone)]
pub struct QuarantineItem {
    pub id: i64,
    pub office_id: String,
    pub mailbox_id: Option<i64>,
    pub origin: String,
    pub raw_sha256: Option<String>,
    pub raw_size: i64,
    pub subject: String,
    pub reason: String,
    pub status: QuarantineStatus,
    pub entry_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub id: i64,
    pub kind: NoticeKind,
    pub message_id: Option<String>,
    pub original_message_id: Option<String>,
    pub action: String,
    pub status: String,
    pub recipient: String,
    pub diagnostic: String,
    pub subject: String,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InboxFilter {
    #[default]
    All,
    Unregistered,
    Registered,
}

const ENTRY_COLUMNS: &str =
    "e.id, e.office_id, e.source, e.message_id, e.raw_sha256, e.raw_size, e.subject,
    e.doc_no, e.doc_date, e.sender, e.sender_email, e.recipient, e.body_text, e.speed, e.secrecy,
    e.letter_type, e.notify_to, e.for_group, e.received_at, e.refused_attachments, e.letter_id, l.number AS letter_number,
    (SELECT COUNT(*) FROM inbox_attachments a WHERE a.entry_id = e.id) AS attachment_count";

fn entry_from_row(row: &AnyRow) -> Result<InboxEntry> {
    let doc_date: Option<String> = row.try_get("doc_date")?;
    let received: String = row.try_get("received_at")?;
    let refused: String = row.try_get("refused_attachments")?;
    let speed: String = row.try_get("speed")?;
    let secrecy: String = row.try_get("secrecy")?;
    Ok(InboxEntry {
        id: row.try_get("id")?,
        office_id: row.try_get("office_id")?,
        source: coded(row, "source")?,
        message_id: row.try_get("message_id")?,
        raw_sha256: row.try_get("raw_sha256")?,
        raw_size: row.try_get("raw_size")?,
        subject: row.try_get("subject")?,
        doc_no: row.try_get("doc_no")?,
        doc_date: doc_date.as_deref().map(date_from_db).transpose()?,
        sender: row.try_get("sender")?,
        sender_email: row.try_get("sender_email")?,
        recipient: row.try_get("recipient")?,
        body_text: row.try_get("body_text")?,
        speed: Speed::parse(&speed).unwrap_or_default(),
        secrecy: Secrecy::parse(&secrecy).unwrap_or_default(),
        letter_type: row.try_get("letter_type")?,
        notify_to: row.try_get("notify_to")?,
        for_group: row.try_get("for_group")?,
        received_at: time_from_db(&received)?,
        refused: serde_json::from_str(&refused).unwrap_or_default(),
        letter_id: row.try_get("letter_id")?,
        letter_number: row.try_get("letter_number")?,
        attachment_count: row.try_get("attachment_count")?,
        attachments: Vec::new(),
    })
}

fn quarantine_from_row(row: &AnyRow) -> Result<QuarantineItem> {
    let created: String = row.try_get("created_at")?;
    Ok(QuarantineItem {
        id: row.try_get("id")?,
        office_id: row.try_get("office_id")?,
        mailbox_id: row.try_get("mailbox_id")?,
        origin: row.try_get("origin")?,
        raw_sha256: row.try_get("raw_sha256")?,
        raw_size: row.try_get("raw_size")?,
        subject: row.try_get("subject")?,
        reason: row.try_get("reason")?,
        status: coded(row, "status")?,
        entry_id: row.try_get("entry_id")?,
        created_at: time_from_db(&created)?,
    })
}

impl Store {
    /// Writes what one arrived message became, and (for a mailbox message) the receipt for its
    /// position, in one transaction. A position taken before writes nothing.
    pub async fn record_mail(
        &self,
        record: &MailRecord,
        receipt: Option<&ReceiptKey>,
    ) -> Result<Recorded> {
        let mut tx = self.begin_write().await?;
        let recorded = record_in(&mut tx, record, receipt).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// The same for a batch, in one transaction: all of it is committed, or none, together
    /// with the pack index rows of its files (`blobs`, from
    /// [`crate::files::FileStore::flush_unindexed`]). Entries, attachments and receipts go in a
    /// few statements of many rows each; if another process took one of the receipts
    /// meanwhile, the batch is written again one message at a time.
    pub async fn record_mail_batch(
        &self,
        items: &[(MailRecord, Option<ReceiptKey>)],
        blobs: &[PackedBlob],
    ) -> Result<Vec<Recorded>> {
        if let Some(recorded) = self.record_batch_at_once(items, blobs).await? {
            return Ok(recorded);
        }
        let mut tx = self.begin_write().await?;
        insert_blobs(self.kind(), &mut tx, blobs).await?;
        let mut out = Vec::with_capacity(items.len());
        for (record, receipt) in items {
            out.push(record_in(&mut tx, record, receipt.as_ref()).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// `None` when a receipt of the batch was already taken (nothing is written then).
    async fn record_batch_at_once(
        &self,
        items: &[(MailRecord, Option<ReceiptKey>)],
        blobs: &[PackedBlob],
    ) -> Result<Option<Vec<Recorded>>> {
        let mut tx = self.begin_write().await?;
        insert_blobs(self.kind(), &mut tx, blobs).await?;
        let now = time_to_db(Utc::now());
        let mut recorded: Vec<Option<Recorded>> = vec![None; items.len()];

        let entries: Vec<(usize, &NewInboxEntry)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, (r, _))| match r {
                MailRecord::Entry(e) => Some((i, e)),
                _ => None,
            })
            .collect();
        let mut inserted: HashMap<(String, String), i64> = HashMap::new();
        for chunk in entries.chunks(ENTRY_ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO inbox_entries ({ENTRY_INSERT_COLUMNS}) VALUES {}
                 ON CONFLICT (office_id, dedupe_key) DO NOTHING RETURNING id, office_id, dedupe_key",
                placeholders(self.kind(), chunk.len(), ENTRY_INSERT_PARAMS)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (_, e) in chunk {
                query = bind_entry(query, e, &now);
            }
            for row in query.fetch_all(&mut *tx).await? {
                inserted.insert(
                    (row.try_get("office_id")?, row.try_get("dedupe_key")?),
                    row.try_get("id")?,
                );
            }
        }
        // The first of a key in the batch is the new entry; a later one (or one whose key was
        // already there) is a duplicate of it.
        let mut claimed = std::collections::HashSet::new();
        let mut attachments = Vec::new();
        for (i, e) in &entries {
            let key = (e.office_id.clone(), e.dedupe_key.clone());
            let (id, duplicate) = match inserted.get(&key) {
                Some(id) if claimed.insert(key.clone()) => (*id, false),
                Some(id) => (*id, true),
                None => (existing_entry(&mut tx, e).await?, true),
            };
            if !duplicate {
                attachments.extend(
                    e.attachments
                        .iter()
                        .enumerate()
                        .map(|(p, a)| (id, p as i64 + 1, a)),
                );
            }
            recorded[*i] = Some(Recorded::Entry { id, duplicate });
        }
        insert_attachments(self.kind(), &mut tx, &attachments).await?;

        // Quarantine and notices are rare: one at a time.
        for (i, (record, _)) in items.iter().enumerate() {
            match record {
                MailRecord::Entry(_) => {}
                MailRecord::Quarantine(q) => {
                    recorded[i] = Some(Recorded::Quarantine {
                        id: insert_quarantine(&mut tx, q, &now).await?,
                    });
                }
                MailRecord::Notice(n) => {
                    recorded[i] = Some(Recorded::Notice {
                        id: insert_notice(&mut tx, n).await?,
                    });
                }
            }
        }
        let recorded: Vec<Recorded> = recorded
            .into_iter()
            .map(|r| r.ok_or_else(|| StoreError::Corrupt("batch item not recorded".into())))
            .collect::<Result<_>>()?;

        // Receipts last, with their outcome.
        let receipts: Vec<(&ReceiptKey, &MailRecord, Recorded)> = items
            .iter()
            .zip(&recorded)
            .filter_map(|((record, key), r)| key.as_ref().map(|k| (k, record, *r)))
            .collect();
        let taken = insert_rows(
            self.kind(),
            &mut tx,
            &receipts,
            RECEIPT_ROWS_PER_INSERT,
            8,
            |values| {
                format!(
                    "INSERT INTO mail_receipts (mailbox_id, folder, uidvalidity, uid, outcome, ref_id, raw_sha256, at)
                     VALUES {values} ON CONFLICT (mailbox_id, folder, uidvalidity, uid) DO NOTHING"
                )
            },
            |query, (key, record, r)| {
                let (outcome, raw) = receipt_outcome(record, *r);
                query
                    .bind(key.mailbox_id)
                    .bind(key.folder.clone())
                    .bind(key.uidvalidity)
                    .bind(key.uid)
                    .bind(outcome)
                    .bind(r.id())
                    .bind(raw)
                    .bind(now.clone())
            },
        )
        .await?;
        if taken != receipts.len() as u64 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(recorded))
    }

    /// The UIDs between `from` and `to` of a folder epoch that were already taken, with whether
    /// each may be flagged on the server (not an oversized message left in place).
    pub async fn taken_uids(
        &self,
        mailbox_id: i64,
        folder: &str,
        uidvalidity: i64,
        from: i64,
        to: i64,
    ) -> Result<std::collections::HashMap<i64, bool>> {
        let rows = sqlx::query(
            "SELECT uid, raw_sha256 FROM mail_receipts
             WHERE mailbox_id = $1 AND folder = $2 AND uidvalidity = $3 AND uid BETWEEN $4 AND $5",
        )
        .bind(mailbox_id)
        .bind(folder.to_string())
        .bind(uidvalidity)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let raw: Option<String> = r.try_get("raw_sha256")?;
                Ok((r.try_get::<i64, _>("uid")?, raw.is_some()))
            })
            .collect()
    }

    pub async fn receipt_exists(&self, key: &ReceiptKey) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM mail_receipts WHERE mailbox_id = $1 AND folder = $2 AND uidvalidity = $3 AND uid = $4",
        )
        .bind(key.mailbox_id)
        .bind(key.folder.clone())
        .bind(key.uidvalidity)
        .bind(key.uid)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    pub async fn find_entry(&self, office_id: &str, id: i64) -> Result<InboxEntry> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM inbox_entries e LEFT JOIN letters l ON l.id = e.letter_id
             WHERE e.id = $1 AND e.office_id = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(office_id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut entry = entry_from_row(&row)?;
        entry.attachments = self.entry_attachments(id).await?;
        Ok(entry)
    }

    pub async fn entry_attachments(&self, entry_id: i64) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(
            "SELECT position, name, description, kind, size, sha256 FROM inbox_attachments WHERE entry_id = $1 ORDER BY position",
        )
        .bind(entry_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    /// A page of the inbox, newest first, with the number that match.
    pub async fn list_inbox(
        &self,
        office_id: &str,
        filter: InboxFilter,
        q: &str,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<InboxEntry>, i64)> {
        let mut filters = vec!["e.office_id = $1".to_string()];
        match filter {
            InboxFilter::All => {}
            InboxFilter::Unregistered => filters.push("e.letter_id IS NULL".into()),
            InboxFilter::Registered => filters.push("e.letter_id IS NOT NULL".into()),
        }
        let needle = crate::domain::digits::search_key(q);
        let words: Vec<String> = needle
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(like_contains)
            .collect();
        for (i, _) in words.iter().enumerate() {
            filters.push(format!("e.search_text LIKE ${} ESCAPE '\\'", i + 2));
        }
        let where_sql = filters.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) AS n FROM inbox_entries e WHERE {where_sql}");
        let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql)).bind(office_id.to_string());
        for w in &words {
            count = count.bind(w.clone());
        }
        let total: i64 = count.fetch_one(self.pool()).await?.try_get("n")?;
        let per_page = per_page.clamp(1, 200);
        let offset = (page.max(1) - 1) * per_page;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM inbox_entries e LEFT JOIN letters l ON l.id = e.letter_id
             WHERE {where_sql} ORDER BY CASE WHEN e.letter_id IS NULL THEN (CASE e.speed WHEN 'most_urgent' THEN 0 WHEN 'very_urgent' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END) ELSE 3 END,
                e.received_at DESC, e.id DESC LIMIT {per_page} OFFSET {offset}"
        );
        let mut list = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(office_id.to_string());
        for w in &words {
            list = list.bind(w.clone());
        }
        let rows = list.fetch_all(self.pool()).await?;
        let mut entries = rows
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>>>()?;
        for e in &mut entries {
            e.attachments = self.entry_attachments(e.id).await?;
        }
        Ok((entries, total))
    }

    pub async fn list_quarantine(
        &self,
        office_id: &str,
        include_resolved: bool,
    ) -> Result<Vec<QuarantineItem>> {
        // With the resolved ones, any status; else only what waits for the clerk.
        let rows = sqlx::query(
            "SELECT * FROM quarantine WHERE office_id = $1 AND (status = $2 OR $3 = 1)
             ORDER BY id DESC",
        )
        .bind(office_id.to_string())
        .bind(QuarantineStatus::Open.code())
        .bind(i64::from(include_resolved))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(quarantine_from_row).collect()
    }

    pub async fn find_quarantine(&self, office_id: &str, id: i64) -> Result<QuarantineItem> {
        let row = sqlx::query("SELECT * FROM quarantine WHERE id = $1 AND office_id = $2")
            .bind(id)
            .bind(office_id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        quarantine_from_row(&row)
    }

    /// Closes a quarantine item: released into the inbox as `entry_id`, or dismissed.
    pub async fn resolve_quarantine(
        &self,
        id: i64,
        status: QuarantineStatus,
        entry_id: Option<i64>,
        reason: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE quarantine SET status = $1, entry_id = $2, resolved_at = $3, reason = COALESCE($4, reason) WHERE id = $5")
            .bind(status.code())
            .bind(entry_id)
            .bind(time_to_db(Utc::now()))
            .bind(reason.map(str::to_string))
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn list_notices(&self, office_id: &str) -> Result<Vec<Notice>> {
        let rows = sqlx::query(
            "SELECT * FROM mail_notices WHERE office_id = $1 ORDER BY id DESC LIMIT 200",
        )
        .bind(office_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let at: String = r.try_get("received_at")?;
                Ok(Notice {
                    id: r.try_get("id")?,
                    kind: coded(r, "kind")?,
                    message_id: r.try_get("message_id")?,
                    original_message_id: r.try_get("original_message_id")?,
                    action: r.try_get("action")?,
                    status: r.try_get("status")?,
                    recipient: r.try_get("recipient")?,
                    diagnostic: r.try_get("diagnostic")?,
                    subject: r.try_get("subject")?,
                    received_at: time_from_db(&at)?,
                })
            })
            .collect()
    }

    /// Counts for the dashboard: entries waiting to be registered, open quarantine items.
    pub async fn inbox_counts(&self, office_id: &str) -> Result<(i64, i64)> {
        let waiting: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM inbox_entries WHERE office_id = $1 AND letter_id IS NULL",
        )
        .bind(office_id.to_string())
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let quarantined: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM quarantine WHERE office_id = $1 AND status = $2",
        )
        .bind(office_id.to_string())
        .bind(QuarantineStatus::Open.code())
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        Ok((waiting, quarantined))
    }
}

/// Marks an inbox entry registered as `letter_id`, and the letter as coming from it. False when
/// the entry was registered already (the caller rolls back, returning the number).
pub async fn link_to_letter(
    tx: &mut Tx,
    entry_id: i64,
    office_id: &str,
    letter_id: i64,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE inbox_entries SET letter_id = $1, registered_at = $2
         WHERE id = $3 AND office_id = $4 AND letter_id IS NULL",
    )
    .bind(letter_id)
    .bind(time_to_db(at))
    .bind(entry_id)
    .bind(office_id.to_string())
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE letters SET inbox_entry_id = $1 WHERE id = $2")
        .bind(entry_id)
        .bind(letter_id)
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

/// For an entry that another saraban e-mailed with its facts: the address its acceptance notice
/// goes to and the Message-ID of the letter it answers.
pub async fn acceptance_address(tx: &mut Tx, entry_id: i64) -> Result<Option<(String, String)>> {
    let row = sqlx::query(
        "SELECT notify_to, message_id FROM inbox_entries WHERE id = $1 AND source = $2",
    )
    .bind(entry_id)
    .bind(EntrySource::Email.code())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let notify_to: Option<String> = row.try_get("notify_to")?;
    let message_id: Option<String> = row.try_get("message_id")?;
    Ok(notify_to.zip(message_id))
}

pub(crate) async fn record_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    record: &MailRecord,
    receipt: Option<&ReceiptKey>,
) -> Result<Recorded> {
    let now = time_to_db(Utc::now());
    if let Some(r) = receipt {
        let taken = sqlx::query(
            "INSERT INTO mail_receipts (mailbox_id, folder, uidvalidity, uid, outcome, at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (mailbox_id, folder, uidvalidity, uid) DO NOTHING",
        )
        .bind(r.mailbox_id)
        .bind(r.folder.clone())
        .bind(r.uidvalidity)
        .bind(r.uid)
        .bind(ReceiptOutcome::Pending.code())
        .bind(now.clone())
        .execute(&mut **tx)
        .await?;
        if taken.rows_affected() == 0 {
            return Ok(Recorded::AlreadyTaken);
        }
    }
    let kind = kind_of(tx);
    let recorded = match record {
        MailRecord::Entry(e) => {
            let sql = format!(
                "INSERT INTO inbox_entries ({ENTRY_INSERT_COLUMNS}) VALUES {}
                 ON CONFLICT (office_id, dedupe_key) DO NOTHING RETURNING id",
                placeholders(kind, 1, ENTRY_INSERT_PARAMS)
            );
            let inserted = bind_entry(sqlx::query(sqlx::AssertSqlSafe(sql)), e, &now)
                .fetch_optional(&mut **tx)
                .await?;
            match inserted {
                Some(row) => {
                    let id: i64 = row.try_get("id")?;
                    let files: Vec<(i64, i64, &NewAttachment)> = e
                        .attachments
                        .iter()
                        .enumerate()
                        .map(|(p, a)| (id, p as i64 + 1, a))
                        .collect();
                    insert_attachments(kind, tx, &files).await?;
                    Recorded::Entry {
                        id,
                        duplicate: false,
                    }
                }
                None => Recorded::Entry {
                    id: existing_entry(tx, e).await?,
                    duplicate: true,
                },
            }
        }
        MailRecord::Quarantine(q) => Recorded::Quarantine {
            id: insert_quarantine(tx, q, &now).await?,
        },
        MailRecord::Notice(n) => Recorded::Notice {
            id: insert_notice(tx, n).await?,
        },
    };
    if let Some(r) = receipt {
        let (outcome, raw) = receipt_outcome(record, recorded);
        sqlx::query(
            "UPDATE mail_receipts SET outcome = $1, ref_id = $2, raw_sha256 = $3
             WHERE mailbox_id = $4 AND folder = $5 AND uidvalidity = $6 AND uid = $7",
        )
        .bind(outcome)
        .bind(recorded.id())
        .bind(raw)
        .bind(r.mailbox_id)
        .bind(r.folder.clone())
        .bind(r.uidvalidity)
        .bind(r.uid)
        .execute(&mut **tx)
        .await?;
    }
    Ok(recorded)
}

/// Which database a transaction talks to.
fn kind_of(tx: &sqlx::Transaction<'static, sqlx::Any>) -> DbKind {
    use std::ops::Deref;
    if tx.deref().backend_name().eq_ignore_ascii_case("sqlite") {
        DbKind::Sqlite
    } else {
        DbKind::Postgres
    }
}

const ENTRY_INSERT_COLUMNS: &str = "office_id, source, mailbox_id, message_id, dedupe_key, raw_sha256,
    raw_size, subject, doc_no, doc_date, sender, sender_email, recipient, body_text,
    received_at, refused_attachments, created_at, search_text, speed, secrecy, letter_type, notify_to, for_group";
const ENTRY_INSERT_PARAMS: usize = 23;
/// Rows per multi-row statement: far below SQLite's 32 766 and PostgreSQL's 65 535 parameters.
const ENTRY_ROWS_PER_INSERT: usize = 100;
const ATTACHMENT_ROWS_PER_INSERT: usize = 500;
const RECEIPT_ROWS_PER_INSERT: usize = 500;

/// Binds an entry's values in the order of [`ENTRY_INSERT_COLUMNS`].
fn bind_entry<'q>(query: AnyQuery<'q>, e: &NewInboxEntry, now: &str) -> AnyQuery<'q> {
    query
        .bind(e.office_id.clone())
        .bind(e.source.code())
        .bind(e.mailbox_id)
        .bind(e.message_id.clone())
        .bind(e.dedupe_key.clone())
        .bind(e.raw_sha256.clone())
        .bind(e.raw_size)
        .bind(e.subject.clone())
        .bind(e.doc_no.clone())
        .bind(e.doc_date.map(date_to_db))
        .bind(e.sender.clone())
        .bind(e.sender_email.clone())
        .bind(e.recipient.clone())
        .bind(e.body_text.clone())
        .bind(time_to_db(e.received_at))
        .bind(serde_json::to_string(&e.refused).unwrap_or_else(|_| "[]".into()))
        .bind(now.to_string())
        .bind(crate::domain::digits::search_key(&format!(
            "{} {} {} {} {}",
            e.subject,
            e.doc_no,
            e.sender,
            e.sender_email,
            e.body_text.chars().take(2000).collect::<String>()
        )))
        .bind(e.speed.code())
        .bind(e.secrecy.code())
        .bind(e.letter_type.clone())
        .bind(e.notify_to.clone())
        .bind(e.for_group.clone())
}

/// The entry an arriving duplicate is the same letter as.
async fn existing_entry(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    e: &NewInboxEntry,
) -> Result<i64> {
    let row = sqlx::query("SELECT id FROM inbox_entries WHERE office_id = $1 AND dedupe_key = $2")
        .bind(e.office_id.clone())
        .bind(e.dedupe_key.clone())
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get("id")?)
}

/// Files of new entries: (entry id, position from 1, file).
async fn insert_attachments(
    kind: DbKind,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    files: &[(i64, i64, &NewAttachment)],
) -> Result<()> {
    insert_rows(
        kind,
        tx,
        files,
        ATTACHMENT_ROWS_PER_INSERT,
        7,
        |values| {
            format!(
                "INSERT INTO inbox_attachments (entry_id, position, name, description, kind, size, sha256) VALUES {values}"
            )
        },
        |query, (entry_id, position, a)| {
            query
                .bind(*entry_id)
                .bind(*position)
                .bind(a.name.clone())
                .bind(a.description.clone())
                .bind(a.kind.code())
                .bind(a.size)
                .bind(a.sha256.clone())
        },
    )
    .await?;
    Ok(())
}

async fn insert_quarantine(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    q: &NewQuarantine,
    now: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO quarantine (office_id, mailbox_id, origin, raw_sha256, raw_size, subject, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(q.office_id.clone())
    .bind(q.mailbox_id)
    .bind(q.origin.clone())
    .bind(q.raw_sha256.clone())
    .bind(q.raw_size)
    .bind(q.subject.clone())
    .bind(q.reason.clone())
    .bind(now.to_string())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

async fn insert_notice(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    n: &NewNotice,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO mail_notices (office_id, kind, message_id, original_message_id, action, status,
            recipient, diagnostic, subject, raw_sha256, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(n.office_id.clone())
    .bind(n.kind.code())
    .bind(n.message_id.clone())
    .bind(n.original_message_id.clone())
    .bind(n.action.clone())
    .bind(n.status.clone())
    .bind(n.recipient.clone())
    .bind(n.diagnostic.clone())
    .bind(n.subject.clone())
    .bind(n.raw_sha256.clone())
    .bind(time_to_db(n.received_at))
    .fetch_one(&mut **tx)
    .await?;
    apply_notice(tx, n).await?;
    Ok(row.try_get("id")?)
}

/// What a receipt says of its message: the outcome and the raw message kept.
fn receipt_outcome(record: &MailRecord, recorded: Recorded) -> (&'static str, Option<String>) {
    let (outcome, raw) = match (record, recorded) {
        (MailRecord::Entry(e), Recorded::Entry { duplicate, .. }) => (
            if duplicate {
                ReceiptOutcome::Duplicate
            } else {
                ReceiptOutcome::Letter
            },
            e.raw_sha256.clone(),
        ),
        (MailRecord::Entry(e), _) => (ReceiptOutcome::Letter, e.raw_sha256.clone()),
        (MailRecord::Quarantine(q), _) => (ReceiptOutcome::Quarantine, q.raw_sha256.clone()),
        (MailRecord::Notice(n), _) => (n.kind.into(), n.raw_sha256.clone()),
    };
    (outcome.code(), raw)
}

/// What a notice tells the outbox: a bounce fails the letter e-mail it reports on, an acceptance
/// notice shows the receiver's register number. Only deliveries of the office the notice came to
/// are touched, found by the Message-ID we gave them.
async fn apply_notice(tx: &mut sqlx::Transaction<'static, sqlx::Any>, n: &NewNotice) -> Result<()> {
    let Some(original) = n.original_message_id.clone() else {
        return Ok(());
    };
    let now = time_to_db(Utc::now());
    match (n.kind, DsnAction::from_code(&n.action), &n.acceptance) {
        (NoticeKind::Acceptance, _, Some((number, year, at))) => {
            sqlx::query(
                "UPDATE deliveries SET status = $1, recipient_number = $2, recipient_year_be = $3,
                    recipient_registered_at = $4, error = NULL, updated_at = $5
                 WHERE message_id = $6 AND office_id = $7 AND channel = $8 AND kind = $9",
            )
            .bind(DeliveryStatus::Registered.code())
            .bind(*number)
            .bind(i64::from(*year))
            .bind(time_to_db(*at))
            .bind(now)
            .bind(original)
            .bind(n.office_id.clone())
            .bind(DeliveryChannel::Email.code())
            .bind(DeliveryKind::Letter.code())
            .execute(&mut **tx)
            .await?;
        }
        (NoticeKind::DeliveryReport, Some(DsnAction::Failed), _) => {
            let reason = exchange::bounce_reason(&n.recipient, &n.status, &n.diagnostic);
            sqlx::query(
                "UPDATE deliveries SET status = $1, error = $2, updated_at = $3
                 WHERE message_id = $4 AND office_id = $5 AND channel = $6 AND kind = $7
                   AND status <> $8",
            )
            .bind(DeliveryStatus::Failed.code())
            .bind(reason)
            .bind(now)
            .bind(original)
            .bind(n.office_id.clone())
            .bind(DeliveryChannel::Email.code())
            .bind(DeliveryKind::Letter.code())
            .bind(DeliveryStatus::Registered.code())
            .execute(&mut **tx)
            .await?;
        }
        (NoticeKind::DeliveryReport, Some(DsnAction::Delayed), _) => {
            sqlx::query(
                "UPDATE deliveries SET status = $1, error = $2, updated_at = $3
                 WHERE message_id = $4 AND office_id = $5 AND channel = $6 AND kind = $7
                   AND status = $8",
            )
            .bind(DeliveryStatus::Delayed.code())
            .bind(exchange::delay_reason(&n.status, &n.diagnostic))
            .bind(now)
            .bind(original)
            .bind(n.office_id.clone())
            .bind(DeliveryChannel::Email.code())
            .bind(DeliveryKind::Letter.code())
            .bind(DeliveryStatus::Sent.code())
            .execute(&mut **tx)
            .await?;
        }
        _ => {}
    }
    Ok(())
}
