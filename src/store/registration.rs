//! The store's part of registering a letter, each a step on the open transaction that
//! [`crate::service::registration`] composes: the number, the letter's row, its files.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::letters::{NewAttachment, NewLetter, search_columns};
use super::{Result, Tx, date_to_db, time_to_db};
use crate::domain::duplicate::{self, Duplicate, LetterKey};
use crate::domain::register::Series;
use crate::domain::retention::Retention;

/// Issues the next number of `series` for `year_be`. The first statement writes, so SQLite holds
/// the write lock from here on and PostgreSQL locks the counter row: concurrent registrations
/// queue and each sees the last number. Rolling the transaction back returns the number, so
/// numbers never skip.
pub async fn issue_number(
    tx: &mut Tx,
    office_id: &str,
    series: Series,
    year_be: i32,
) -> Result<i64> {
    sqlx::query(
        "INSERT INTO counters (office_id, series, year_be, start_number, next_number)
         VALUES ($1, $2, $3, 1, 1) ON CONFLICT (office_id, series, year_be) DO NOTHING",
    )
    .bind(office_id.to_string())
    .bind(series.code())
    .bind(i64::from(year_be))
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query(
        "UPDATE counters SET next_number = next_number + 1
         WHERE office_id = $1 AND series = $2 AND year_be = $3
         RETURNING next_number - 1 AS number",
    )
    .bind(office_id.to_string())
    .bind(series.code())
    .bind(i64::from(year_be))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("number")?)
}

/// Where a registered letter sits in its register.
pub struct Placed<'a> {
    pub series: Series,
    pub year_be: i32,
    pub number: i64,
    pub doc_no: &'a str,
    pub retention: Retention,
}

/// Writes the letter's row (with its search columns); returns its id.
pub async fn insert_letter(tx: &mut Tx, new: &NewLetter<'_>, at: &Placed<'_>) -> Result<i64> {
    // A file whose content was read before (the same circular sent to another office) is
    // searchable by its words at once.
    let files: Vec<(&str, &str, &str)> = new
        .attachments
        .iter()
        .map(|a| (a.name.as_str(), a.description.as_str(), a.sha256.as_str()))
        .collect();
    // Queued before their texts are looked up, so that a reader finishing one of them now
    // either is seen here or refreshes this letter after it (see `indexed_texts`).
    let queued: Vec<(&str, &str)> = files.iter().map(|f| (f.2, f.0)).collect();
    super::file_texts::queue(tx, &queued, new.registered_at).await?;
    let mut texts = super::search_columns::file_words(tx, &files).await?;
    // A letter registered from an e-mail is found by the mail's words too.
    let body = super::search_columns::mail_body(tx, new.inbox_entry_id).await?;
    super::search_columns::push_mail_body(&mut texts, body);
    let f = new.fields;
    let search = search_columns(at.number, at.doc_no, f.doc_date, f, &texts);
    let now = time_to_db(new.registered_at);
    let row = sqlx::query(
        "INSERT INTO letters (office_id, register, series, year_be, number, doc_no, doc_date,
            sender, recipient, subject, action, remark, speed, secrecy, letter_type,
            registered_at, registered_by, received_at, updated_at,
            search_all, search_subject, search_doc_no, search_sender, search_recipient,
            retention_class, retention_years)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
            $18, $19, $20, $21, $22, $23, $24, $25, $26)
         RETURNING id",
    )
    .bind(new.office.id.clone())
    .bind(new.register.code())
    .bind(at.series.code())
    .bind(i64::from(at.year_be))
    .bind(at.number)
    .bind(at.doc_no.to_string())
    .bind(date_to_db(f.doc_date))
    .bind(f.from.clone())
    .bind(f.to.clone())
    .bind(f.subject.clone())
    .bind(f.action.clone())
    .bind(f.remark.clone())
    .bind(f.speed.code())
    .bind(f.secrecy.code())
    .bind(f.letter_type.code())
    .bind(now.clone())
    .bind(new.registered_by)
    .bind(new.received_at.map(time_to_db))
    .bind(now)
    .bind(search.all)
    .bind(search.subject)
    .bind(search.doc_no)
    .bind(search.sender)
    .bind(search.recipient)
    .bind(at.retention.class.code())
    .bind(at.retention.years.map(i64::from))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

/// Writes a letter's files, numbered 1, 2, … in the order given.
pub async fn insert_attachments(
    tx: &mut Tx,
    letter_id: i64,
    attachments: &[NewAttachment],
    at: DateTime<Utc>,
) -> Result<()> {
    let now = time_to_db(at);
    for (i, a) in attachments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO attachments (letter_id, position, name, description, kind, size, sha256, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(letter_id)
        .bind(i as i64 + 1)
        .bind(a.name.clone())
        .bind(a.description.clone())
        .bind(a.kind.code())
        .bind(a.size)
        .bind(a.sha256.clone())
        .bind(now.clone())
        .execute(&mut **tx)
        .await?;
    }
    // The files' words are read once per content, off the request path.
    let files: Vec<(&str, &str)> = attachments
        .iter()
        .map(|a| (a.sha256.as_str(), a.name.as_str()))
        .collect();
    super::file_texts::queue(tx, &files, at).await?;
    Ok(())
}

/// Inbound letters of the office, not cancelled, that are the same letter as `key` by number,
/// date and sender, or that carry one of the files `sha256s`. Read inside the registration's
/// transaction, so two clerks registering the same letter at once cannot both miss it.
pub async fn possible_duplicates(
    tx: &mut Tx,
    office_id: &str,
    key: LetterKey<'_>,
    sha256s: &[String],
) -> Result<Vec<Duplicate>> {
    let rows = sqlx::query(
        "SELECT id, number, year_be, doc_no, sender FROM letters
         WHERE office_id = $1 AND register = 'inbound' AND cancelled_at IS NULL AND doc_date = $2",
    )
    .bind(office_id.to_string())
    .bind(date_to_db(key.doc_date))
    .fetch_all(&mut **tx)
    .await?;
    let mut found = Vec::new();
    for r in &rows {
        let doc_no: String = r.try_get("doc_no")?;
        let sender: String = r.try_get("sender")?;
        let theirs = LetterKey {
            doc_no: &doc_no,
            doc_date: key.doc_date,
            sender: &sender,
        };
        if duplicate::same_letter(key, theirs) {
            found.push(duplicate_of(r)?);
        }
    }
    if !sha256s.is_empty() {
        let placeholders: Vec<String> = (0..sha256s.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT DISTINCT l.id, l.number, l.year_be FROM letters l
             JOIN attachments a ON a.letter_id = l.id
             WHERE l.office_id = $1 AND l.register = 'inbound' AND l.cancelled_at IS NULL
               AND a.sha256 IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(office_id.to_string());
        for sha in sha256s {
            query = query.bind(sha.clone());
        }
        for r in &query.fetch_all(&mut **tx).await? {
            let d = duplicate_of(r)?;
            if !found.iter().any(|f| f.id == d.id) {
                found.push(d);
            }
        }
    }
    found.sort_by_key(|d| (d.year_be, d.number));
    Ok(found)
}

fn duplicate_of(r: &sqlx::any::AnyRow) -> Result<Duplicate> {
    Ok(Duplicate {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        year_be: r.try_get::<i64, _>("year_be")? as i32,
    })
}

/// Adds a file to a registered letter after the fact, after its other files (positions are never
/// reused, so a replaced file keeps its own). Returns the new file's position.
pub async fn add_attachment(
    tx: &mut Tx,
    letter_id: i64,
    file: &NewAttachment,
    at: DateTime<Utc>,
) -> Result<i64> {
    let next: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM attachments WHERE letter_id = $1",
    )
    .bind(letter_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO attachments (letter_id, position, name, description, kind, size, sha256, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(letter_id)
    .bind(next)
    .bind(file.name.clone())
    .bind(file.description.clone())
    .bind(file.kind.code())
    .bind(file.size)
    .bind(file.sha256.clone())
    .bind(time_to_db(at))
    .execute(&mut **tx)
    .await?;
    super::file_texts::queue(tx, &[(file.sha256.as_str(), file.name.as_str())], at).await?;
    Ok(next)
}

/// Takes a file off a letter's list; its row and bytes stay (the history names it). False when
/// the letter has no such file.
pub async fn remove_attachment(
    tx: &mut Tx,
    letter_id: i64,
    position: i64,
    at: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE attachments SET removed_at = $1
         WHERE letter_id = $2 AND position = $3 AND removed_at IS NULL",
    )
    .bind(time_to_db(at))
    .bind(letter_id)
    .bind(position)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}
