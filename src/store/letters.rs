//! The registers: registering (with its number), listing, searching, editing and cancelling.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::insert_event;
use super::{
    Conflict, Result, Store, StoreError, date_from_db, date_to_db, time_from_db, time_to_db,
};
use crate::domain::attachment::FileKind;
use crate::domain::digits::search_key;
use crate::domain::history::{self, LetterHistory};
use crate::domain::letter::{LetterFields, LetterType, Secrecy, Speed};
use crate::domain::register::{Register, Series};
use crate::domain::retention::{Counting, KeepUntil, Retention, RetentionClass};
use crate::domain::thai_date;
use crate::store::offices::Office;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub position: i64,
    pub name: String,
    pub description: String,
    pub kind: FileKind,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub description: String,
    pub kind: FileKind,
    pub size: i64,
    pub sha256: String,
}

/// A stored file, to be stored again under another letter or entry (the same bytes, by sha256).
impl From<&Attachment> for NewAttachment {
    fn from(a: &Attachment) -> NewAttachment {
        NewAttachment {
            name: a.name.clone(),
            description: a.description.clone(),
            kind: a.kind,
            size: a.size,
            sha256: a.sha256.clone(),
        }
    }
}

/// A register entry.
#[derive(Debug, Clone)]
pub struct Letter {
    pub id: i64,
    pub office_id: String,
    pub register: Register,
    pub series: Series,
    pub year_be: i32,
    pub number: i64,
    pub doc_no: String,
    pub doc_date: NaiveDate,
    pub sender: String,
    pub recipient: String,
    pub subject: String,
    pub action: String,
    pub remark: String,
    pub speed: Speed,
    pub secrecy: Secrecy,
    pub letter_type: LetterType,
    pub registered_at: DateTime<Utc>,
    pub registered_by: i64,
    pub registered_by_name: String,
    pub received_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by_name: Option<String>,
    pub cancel_reason: Option<String>,
    pub attachment_count: i64,
    /// The inbox entry (e-mail) it was registered from.
    pub inbox_entry_id: Option<i64>,
    /// อายุการเก็บ
    pub retention: Retention,
    /// Until when it is kept, counted as its office's setting says.
    pub keep_until: KeepUntil,
    /// Brought in from the office's earlier register (นำเข้าจากทะเบียนเดิม): when, and by whom.
    pub imported: Option<(DateTime<Utc>, String)>,
    /// Destroyed (its files are gone, the row stays): when, and the register's note.
    pub destroyed: Option<(DateTime<Utc>, String)>,
    /// Handed to the National Archives at 20 years, on this (Bangkok) date.
    pub handed_over_on: Option<NaiveDate>,
    /// Filled by [`Store::find_letter`]; empty in lists.
    pub attachments: Vec<Attachment>,
}

impl Letter {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled_at.is_some()
    }
}

pub struct NewLetter<'a> {
    pub office: &'a Office,
    pub register: Register,
    pub fields: &'a LetterFields,
    pub registered_by: i64,
    pub registered_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    pub attachments: Vec<NewAttachment>,
    /// The inbox entry this registration comes from; it is marked registered in the same
    /// transaction, and a second registration of it is refused.
    pub inbox_entry_id: Option<i64>,
    /// Register an inbound letter even when the same one is already in the registers.
    pub allow_duplicate: bool,
}

pub use crate::domain::register::SearchField;

/// The normalised column a search in `field` reads.
pub(super) fn search_column(field: SearchField) -> &'static str {
    match field {
        SearchField::All | SearchField::Number => "l.search_all",
        SearchField::Subject => "l.search_subject",
        SearchField::DocNo => "l.search_doc_no",
        SearchField::Sender => "l.search_sender",
        SearchField::Recipient => "l.search_recipient",
    }
}

#[derive(Debug, Clone, Default)]
pub struct LetterQuery {
    pub office_id: String,
    pub register: Option<Register>,
    pub year_be: Option<i32>,
    pub q: Option<String>,
    pub field: SearchField,
    /// 1-based.
    pub page: i64,
    pub per_page: i64,
    /// For a viewer who may not see every secret letter: only the secret letters given to this
    /// user (or their groups) are listed and counted.
    pub restricted_to_user: Option<i64>,
}

/// The SQL condition (on `l`) that hides secret letters not given to a user, bound at each `?`.
pub(super) const VISIBLE_TO: &str =
    "(l.secrecy = 'normal' OR EXISTS (SELECT 1 FROM assignments a WHERE a.letter_id = l.id
        AND (a.to_user_id = ? OR a.to_group_id IN
            (SELECT m.group_id FROM work_group_members m WHERE m.user_id = ?))))";

/// [`VISIBLE_TO`] with the user bound at `$n`.
pub(super) fn visible_to(n: usize) -> String {
    VISIBLE_TO.replace('?', &format!("${n}"))
}

/// One line of a letter's history.
#[derive(Debug, Clone)]
pub struct LetterEvent {
    pub event: LetterHistory,
    pub actor_name: Option<String>,
    pub at: DateTime<Utc>,
}

pub(super) const SELECT_LETTER: &str =
    "SELECT l.id, l.office_id, l.register, l.series, l.year_be, l.number, l.doc_no,
    l.doc_date, l.sender, l.recipient, l.subject, l.action, l.remark, l.speed, l.secrecy,
    l.letter_type, l.registered_at, l.registered_by, l.received_at, l.cancelled_at,
    l.cancel_reason, l.inbox_entry_id, l.retention_class, l.retention_years, l.imported_at,
    l.destroyed_at, l.destroyed_note, l.handed_over_on,
    (SELECT o.retention_counting FROM offices o WHERE o.id = l.office_id) AS retention_counting,
    COALESCE(NULLIF(ru.full_name, ''), ru.username) AS registered_by_name,
    COALESCE(NULLIF(cu.full_name, ''), cu.username) AS cancelled_by_name,
    COALESCE(NULLIF(iu.full_name, ''), iu.username) AS imported_by_name,
    (SELECT COUNT(*) FROM attachments a WHERE a.letter_id = l.id AND a.removed_at IS NULL) AS attachment_count
  FROM letters l
  JOIN users ru ON ru.id = l.registered_by
  LEFT JOIN users cu ON cu.id = l.cancelled_by
  LEFT JOIN users iu ON iu.id = l.imported_by";

/// An attachment row (`position, name, description, kind, size, sha256`) of either table.
pub(crate) fn attachment_from_row(r: &AnyRow) -> Result<Attachment> {
    let kind: String = r.try_get("kind")?;
    Ok(Attachment {
        position: r.try_get("position")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        kind: FileKind::parse(&kind).ok_or_else(|| corrupt("file kind", &kind))?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
    })
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

pub(super) fn letter_from_row(row: &AnyRow) -> Result<Letter> {
    let register: String = row.try_get("register")?;
    let series: String = row.try_get("series")?;
    let speed: String = row.try_get("speed")?;
    let secrecy: String = row.try_get("secrecy")?;
    let letter_type: String = row.try_get("letter_type")?;
    let doc_date: String = row.try_get("doc_date")?;
    let registered_at: String = row.try_get("registered_at")?;
    let received_at: Option<String> = row.try_get("received_at")?;
    let cancelled_at: Option<String> = row.try_get("cancelled_at")?;
    let registered = time_from_db(&registered_at)?;
    let retention = Retention {
        class: super::coded::<RetentionClass>(row, "retention_class")?,
        years: row
            .try_get::<Option<i64>, _>("retention_years")?
            .map(|y| y as i32),
    };
    Ok(Letter {
        id: row.try_get("id")?,
        office_id: row.try_get("office_id")?,
        register: Register::parse(&register).ok_or_else(|| corrupt("register", &register))?,
        series: Series::parse(&series).ok_or_else(|| corrupt("series", &series))?,
        year_be: row.try_get::<i64, _>("year_be")? as i32,
        number: row.try_get("number")?,
        doc_no: row.try_get("doc_no")?,
        doc_date: date_from_db(&doc_date)?,
        sender: row.try_get("sender")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        action: row.try_get("action")?,
        remark: row.try_get("remark")?,
        speed: Speed::parse(&speed).ok_or_else(|| corrupt("speed", &speed))?,
        secrecy: Secrecy::parse(&secrecy).ok_or_else(|| corrupt("secrecy", &secrecy))?,
        letter_type: LetterType::parse(&letter_type)
            .ok_or_else(|| corrupt("letter type", &letter_type))?,
        registered_at: registered,
        registered_by: row.try_get("registered_by")?,
        registered_by_name: row.try_get("registered_by_name")?,
        received_at: received_at.as_deref().map(time_from_db).transpose()?,
        cancelled_at: cancelled_at.as_deref().map(time_from_db).transpose()?,
        cancelled_by_name: row.try_get("cancelled_by_name")?,
        cancel_reason: row.try_get("cancel_reason")?,
        attachment_count: row.try_get("attachment_count")?,
        inbox_entry_id: row.try_get("inbox_entry_id")?,
        retention,
        keep_until: retention.keep_until(
            thai_date::to_bangkok(registered).date(),
            super::coded::<Counting>(row, "retention_counting")?,
        ),
        imported: match row.try_get::<Option<String>, _>("imported_at")? {
            Some(at) => Some((
                time_from_db(&at)?,
                row.try_get::<Option<String>, _>("imported_by_name")?
                    .unwrap_or_default(),
            )),
            None => None,
        },
        handed_over_on: row
            .try_get::<Option<String>, _>("handed_over_on")?
            .as_deref()
            .map(date_from_db)
            .transpose()?,
        destroyed: match row.try_get::<Option<String>, _>("destroyed_at")? {
            Some(at) => Some((
                time_from_db(&at)?,
                row.try_get::<Option<String>, _>("destroyed_note")?
                    .unwrap_or_default(),
            )),
            None => None,
        },
        attachments: Vec::new(),
    })
}

/// The normalised texts a search matches against.
#[derive(PartialEq, Eq)]
pub(super) struct SearchColumns {
    pub(super) all: String,
    pub(super) subject: String,
    pub(super) doc_no: String,
    pub(super) sender: String,
    pub(super) recipient: String,
}

/// What a letter's search columns are made of.
pub(super) struct SearchText<'a> {
    pub(super) number: i64,
    pub(super) doc_no: &'a str,
    pub(super) doc_date: NaiveDate,
    pub(super) from: &'a str,
    pub(super) to: &'a str,
    pub(super) subject: &'a str,
    pub(super) action: &'a str,
    pub(super) remark: &'a str,
    /// Each file's name and description.
    pub(super) files: &'a [String],
}

impl SearchText<'_> {
    pub(super) fn columns(&self) -> SearchColumns {
        let everything = format!(
            "{} {} {} {} {} {} {} {} {}",
            self.number,
            self.doc_no,
            thai_date::format_short(self.doc_date),
            self.from,
            self.to,
            self.subject,
            self.action,
            self.remark,
            self.files.join(" ")
        );
        SearchColumns {
            all: search_key(&everything),
            subject: search_key(self.subject),
            doc_no: search_key(self.doc_no),
            sender: search_key(self.from),
            recipient: search_key(self.to),
        }
    }
}

pub(super) fn search_columns(
    number: i64,
    doc_no: &str,
    doc_date: NaiveDate,
    f: &LetterFields,
    attachment_texts: &[String],
) -> SearchColumns {
    SearchText {
        number,
        doc_no,
        doc_date,
        from: &f.from,
        to: &f.to,
        subject: &f.subject,
        action: &f.action,
        remark: &f.remark,
        files: attachment_texts,
    }
    .columns()
}

impl Store {
    /// A letter of `office_id` with its attachments. Another office's letter is "not found".
    pub async fn find_letter(&self, office_id: &str, id: i64) -> Result<Letter> {
        let sql = format!("{SELECT_LETTER} WHERE l.id = $1 AND l.office_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(office_id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut letter = letter_from_row(&row)?;
        letter.attachments = self.list_attachments(id).await?;
        Ok(letter)
    }

    pub async fn list_attachments(&self, letter_id: i64) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(
            "SELECT position, name, description, kind, size, sha256 FROM attachments
             WHERE letter_id = $1 AND removed_at IS NULL ORDER BY position",
        )
        .bind(letter_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    /// The attachments of several letters at once (for lists), by letter id.
    pub async fn attachments_for(&self, letters: &mut [Letter]) -> Result<()> {
        if letters.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = letters.iter().map(|l| l.id.to_string()).collect();
        // The ids are integers we just read, so inlining them is safe.
        let sql = format!(
            "SELECT letter_id, position, name, description, kind, size, sha256 FROM attachments
             WHERE letter_id IN ({}) AND removed_at IS NULL ORDER BY letter_id, position",
            ids.join(",")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        for r in &rows {
            let letter_id: i64 = r.try_get("letter_id")?;
            let attachment = attachment_from_row(r)?;
            if let Some(l) = letters.iter_mut().find(|l| l.id == letter_id) {
                l.attachments.push(attachment);
            }
        }
        Ok(())
    }

    /// Counts per register for a year, for the dashboard: (register, entries, cancelled).
    pub async fn count_letters(
        &self,
        office_id: &str,
        year_be: i32,
        restricted_to_user: Option<i64>,
    ) -> Result<Vec<(Register, i64, i64)>> {
        // Those who see every letter read the counts kept with the registers; a viewer kept from
        // some secret letters has them counted.
        let q = match restricted_to_user {
            None => sqlx::query(
                "SELECT register, entries AS n, cancelled FROM register_counts
                 WHERE office_id = $1 AND year_be = $2",
            )
            .bind(office_id.to_string())
            .bind(i64::from(year_be)),
            Some(user) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT l.register, COUNT(*) AS n,
                        SUM(CASE WHEN l.cancelled_at IS NULL THEN 0 ELSE 1 END) AS cancelled
                 FROM letters l WHERE l.office_id = $1 AND l.year_be = $2 AND {}
                 GROUP BY l.register",
                visible_to(3)
            )))
            .bind(office_id.to_string())
            .bind(i64::from(year_be))
            .bind(user),
        };
        let rows = q.fetch_all(self.pool()).await?;
        let mut out = Vec::new();
        for register in Register::ALL {
            let row = rows.iter().find(|r| {
                r.try_get::<String, _>("register")
                    .is_ok_and(|c| c == register.code())
            });
            let (n, cancelled) = match row {
                Some(r) => (
                    r.try_get::<i64, _>("n")?,
                    r.try_get::<Option<i64>, _>("cancelled")?.unwrap_or(0),
                ),
                None => (0, 0),
            };
            out.push((register, n, cancelled));
        }
        Ok(out)
    }

    /// Rewrites an entry's fields (never its number, year or register) and records the old values.
    pub async fn update_letter(
        &self,
        before: &Letter,
        f: &LetterFields,
        actor: i64,
    ) -> Result<Letter> {
        let doc_no = f.doc_no.clone().unwrap_or_else(|| before.doc_no.clone());
        let files: Vec<(&str, &str, &str)> = before
            .attachments
            .iter()
            .map(|a| (a.name.as_str(), a.description.as_str(), a.sha256.as_str()))
            .collect();
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let mut texts = super::search_columns::file_words(&mut tx, &files).await?;
        // The e-mail's text stays searchable after an edit.
        let body = super::search_columns::mail_body(&mut tx, before.inbox_entry_id).await?;
        super::search_columns::push_mail_body(&mut texts, body);
        let search = search_columns(before.number, &doc_no, f.doc_date, f, &texts);
        let done = sqlx::query(
            "UPDATE letters SET doc_no = $1, doc_date = $2, sender = $3, recipient = $4, subject = $5,
                action = $6, remark = $7, speed = $8, secrecy = $9, letter_type = $10, updated_at = $11,
                search_all = $12, search_subject = $13, search_doc_no = $14, search_sender = $15,
                search_recipient = $16
             WHERE id = $17 AND office_id = $18 AND cancelled_at IS NULL",
        )
        .bind(doc_no.clone())
        .bind(date_to_db(f.doc_date))
        .bind(f.from.clone())
        .bind(f.to.clone())
        .bind(f.subject.clone())
        .bind(f.action.clone())
        .bind(f.remark.clone())
        .bind(f.speed.code())
        .bind(f.secrecy.code())
        .bind(f.letter_type.code())
        .bind(time_to_db(now))
        .bind(search.all)
        .bind(search.subject)
        .bind(search.doc_no)
        .bind(search.sender)
        .bind(search.recipient)
        .bind(before.id)
        .bind(before.office_id.clone())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::LetterChanged));
        }
        let changes = changed_fields(before, &doc_no, f);
        insert_event(
            &mut tx,
            before.id,
            &LetterHistory::Edited(history::Edited { changes }),
            Some(actor),
            now,
        )
        .await?;
        tx.commit().await?;
        self.find_letter(&before.office_id, before.id).await
    }

    /// Cancels an entry: it keeps its number, with who, when and why.
    pub async fn cancel_letter(
        &self,
        office_id: &str,
        id: i64,
        actor: i64,
        reason: &str,
    ) -> Result<Letter> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE letters SET cancelled_at = $1, cancelled_by = $2, cancel_reason = $3, updated_at = $1
             WHERE id = $4 AND office_id = $5 AND cancelled_at IS NULL",
        )
        .bind(time_to_db(now))
        .bind(actor)
        .bind(reason.to_string())
        .bind(id)
        .bind(office_id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            drop(tx);
            // Either it is not ours (404) or it was cancelled already (409).
            self.find_letter(office_id, id).await?;
            return Err(StoreError::Conflict(Conflict::LetterCancelled));
        }
        let cancelled = LetterHistory::Cancelled(history::Cancelled {
            reason: reason.to_string(),
        });
        insert_event(&mut tx, id, &cancelled, Some(actor), now).await?;
        tx.commit().await?;
        self.find_letter(office_id, id).await
    }

    pub async fn letter_events(&self, letter_id: i64) -> Result<Vec<LetterEvent>> {
        let rows = sqlx::query(
            "SELECT e.kind, e.at, e.detail, COALESCE(NULLIF(u.full_name, ''), u.username) AS actor_name
             FROM letter_events e LEFT JOIN users u ON u.id = e.actor_id
             WHERE e.letter_id = $1 ORDER BY e.id",
        )
        .bind(letter_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let at: String = r.try_get("at")?;
                let kind: String = r.try_get("kind")?;
                let detail: String = r.try_get("detail")?;
                Ok(LetterEvent {
                    event: LetterHistory::from_stored(&kind, &detail)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    actor_name: r.try_get("actor_name")?,
                    at: time_from_db(&at)?,
                })
            })
            .collect()
    }
}

/// Old and new values of each field an edit changed.
fn changed_fields(
    before: &Letter,
    doc_no: &str,
    f: &LetterFields,
) -> BTreeMap<String, history::Change> {
    let pairs: [(&str, String, String); 10] = [
        ("doc_no", before.doc_no.clone(), doc_no.to_string()),
        (
            "doc_date",
            date_to_db(before.doc_date),
            date_to_db(f.doc_date),
        ),
        ("from", before.sender.clone(), f.from.clone()),
        ("to", before.recipient.clone(), f.to.clone()),
        ("subject", before.subject.clone(), f.subject.clone()),
        ("action", before.action.clone(), f.action.clone()),
        ("remark", before.remark.clone(), f.remark.clone()),
        ("speed", before.speed.code().into(), f.speed.code().into()),
        (
            "secrecy",
            before.secrecy.code().into(),
            f.secrecy.code().into(),
        ),
        (
            "letter_type",
            before.letter_type.code().into(),
            f.letter_type.code().into(),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(k, old, new)| (k.to_string(), history::Change { old, new }))
        .collect()
}

impl Store {
    /// The office's most used senders (for inbound letters) or recipients (for what it sends),
    /// most recent first: the form's suggestions.
    pub async fn past_correspondents(
        &self,
        office_id: &str,
        senders: bool,
        limit: i64,
    ) -> Result<Vec<String>> {
        let (column, registers) = if senders {
            ("sender", "register = 'inbound'")
        } else {
            ("recipient", "register <> 'inbound'")
        };
        let sql = format!(
            "SELECT {column} AS name, MAX(registered_at) AS last FROM letters
             WHERE office_id = $1 AND {registers} AND {column} <> ''
             GROUP BY {column} ORDER BY last DESC LIMIT {limit}"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(office_id.to_string())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(r.try_get("name")?))
            .collect()
    }
}
