//! The office inbox (หนังสือรับ), quarantine and notices: what arrived, as the clerk reads it, and
//! the link an inbox entry gets when it is registered. Recording arrivals is `arrivals.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{
    Result, Store, StoreError, Tx, coded, date_from_db, like_contains, time_from_db, time_to_db,
};
pub use crate::domain::inbox::EntrySource;
use crate::domain::inbox::{NoticeKind, QuarantineStatus};
use crate::domain::letter::{Secrecy, Speed};
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
    pub letter_year_be: Option<i32>,
    /// Set aside as not a letter, with the clerk's reason.
    pub dismissed_at: Option<DateTime<Utc>>,
    pub dismiss_reason: Option<String>,
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

pub use crate::domain::inbox::InboxFilter;

const ENTRY_COLUMNS: &str =
    "e.id, e.office_id, e.source, e.message_id, e.raw_sha256, e.raw_size, e.subject,
    e.doc_no, e.doc_date, e.sender, e.sender_email, e.recipient, e.body_text, e.speed, e.secrecy,
    e.letter_type, e.notify_to, e.for_group, e.received_at, e.refused_attachments, e.letter_id, l.number AS letter_number,
    l.year_be AS letter_year_be, e.dismissed_at, e.dismiss_reason,
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
        letter_year_be: row
            .try_get::<Option<i64>, _>("letter_year_be")?
            .map(|y| y as i32),
        dismissed_at: row
            .try_get::<Option<String>, _>("dismissed_at")?
            .as_deref()
            .map(time_from_db)
            .transpose()?,
        dismiss_reason: row.try_get("dismiss_reason")?,
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
            InboxFilter::Unregistered => {
                filters.push("e.letter_id IS NULL AND e.dismissed_at IS NULL".into())
            }
            InboxFilter::Registered => filters.push("e.letter_id IS NOT NULL".into()),
            InboxFilter::NotForwarded => filters.push(
                "e.letter_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM assignments g WHERE g.letter_id = e.letter_id)"
                    .into(),
            ),
            InboxFilter::WithFiles => filters.push(
                "EXISTS (SELECT 1 FROM inbox_attachments f WHERE f.entry_id = e.id)".into(),
            ),
            InboxFilter::Dismissed => filters.push("e.dismissed_at IS NOT NULL".into()),
        }
        // Every word must be in the entry's search text. The trigram index narrows first
        // (SQLite: the FTS5 phrase of each word of 3+ characters; PostgreSQL: pg_trgm serves
        // the LIKE itself), then each word is checked as before.
        let words = crate::domain::search::SearchWords::parse(q);
        let mut binds: Vec<String> = Vec::new();
        if self.kind() == super::DbKind::Sqlite && !words.indexed.is_empty() {
            binds.push(super::search_sql::fts_all_phrases(&words.indexed));
            filters.push(format!(
                "e.id IN (SELECT rowid FROM inbox_text WHERE inbox_text MATCH ${})",
                binds.len() + 1
            ));
        }
        for word in words.all() {
            binds.push(like_contains(word));
            filters.push(format!(
                "e.search_text LIKE ${} ESCAPE '\\'",
                binds.len() + 1
            ));
        }
        let words = binds;
        let where_sql = filters.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) AS n FROM inbox_entries e WHERE {where_sql}");
        let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql)).bind(office_id.to_string());
        for w in &words {
            count = count.bind(w.clone());
        }
        let total: i64 = count.fetch_one(self.pool()).await?.try_get("n")?;
        let per_page = per_page.clamp(1, 200);
        let offset = (crate::domain::register::clamp_page(page) - 1) * per_page;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM inbox_entries e LEFT JOIN letters l ON l.id = e.letter_id
             WHERE {where_sql} ORDER BY CASE WHEN e.letter_id IS NULL AND e.dismissed_at IS NULL THEN (CASE e.speed WHEN 'most_urgent' THEN 0 WHEN 'very_urgent' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END) ELSE 3 END,
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
    /// Sets a waiting entry aside as not a letter. False when it was registered or dismissed
    /// already.
    pub async fn dismiss_entry(
        &self,
        office_id: &str,
        id: i64,
        by: i64,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE inbox_entries SET dismissed_at = $1, dismissed_by = $2, dismiss_reason = $3
             WHERE id = $4 AND office_id = $5 AND letter_id IS NULL AND dismissed_at IS NULL",
        )
        .bind(time_to_db(at))
        .bind(by)
        .bind(reason.to_string())
        .bind(id)
        .bind(office_id.to_string())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Puts a dismissed entry back on the waiting list.
    pub async fn restore_entry(&self, office_id: &str, id: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE inbox_entries SET dismissed_at = NULL, dismissed_by = NULL, dismiss_reason = NULL
             WHERE id = $1 AND office_id = $2 AND dismissed_at IS NOT NULL",
        )
        .bind(id)
        .bind(office_id.to_string())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn inbox_counts(&self, office_id: &str) -> Result<(i64, i64)> {
        let waiting: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM inbox_entries
             WHERE office_id = $1 AND letter_id IS NULL AND dismissed_at IS NULL",
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
        "UPDATE inbox_entries SET letter_id = $1, registered_at = $2,
            dismissed_at = NULL, dismissed_by = NULL, dismiss_reason = NULL
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
