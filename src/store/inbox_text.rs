//! The words an inbox entry is found by: its subject, ที่, sender, the mail's text, and its
//! files' names and (once the file reader has read them) their words, as a letter is.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::letters::NewAttachment;
use super::search_columns::{MAIL_BODY_CHARS, file_search_text};
use super::{Result, Tx};
use crate::domain::digits::search_key;

/// An entry's `search_text`, from its own fields and its files' words.
pub(super) fn entry_search_text(
    subject: &str,
    doc_no: &str,
    sender: &str,
    sender_email: &str,
    body: &str,
    files: &[String],
) -> String {
    let body: String = body.chars().take(MAIL_BODY_CHARS).collect();
    let mut text = format!("{subject} {doc_no} {sender} {sender_email} {body}");
    for file in files {
        text.push(' ');
        text.push_str(file);
    }
    search_key(&text)
}

/// The words of new entries' files before any was read: their names and descriptions.
pub(super) fn file_names(files: &[NewAttachment]) -> Vec<String> {
    files
        .iter()
        .map(|f| file_search_text(&f.name, &f.description, None))
        .collect()
}

/// Queues new entries' files for reading, and gives the entries the words of those read before
/// (the same circular arriving again), in the entries' own transaction.
pub(super) async fn queue_entry_files(
    tx: &mut Tx,
    files: &[(i64, i64, &NewAttachment)],
    at: DateTime<Utc>,
) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    let mut shas: Vec<(&str, &str)> = files
        .iter()
        .map(|(_, _, a)| (a.sha256.as_str(), a.name.as_str()))
        .collect();
    shas.sort_unstable();
    shas.dedup_by_key(|(sha, _)| *sha);
    super::file_texts::queue(tx, &shas, at).await?;
    let wanted: Vec<String> = shas.iter().map(|(sha, _)| sha.to_string()).collect();
    let read = super::file_texts::indexed_texts(tx, &wanted).await?;
    if read.is_empty() {
        return Ok(());
    }
    let mut entries: Vec<i64> = files
        .iter()
        .filter(|(_, _, a)| read.contains_key(&a.sha256))
        .map(|(entry, _, _)| *entry)
        .collect();
    entries.sort_unstable();
    entries.dedup();
    refresh_entries(tx, &entries).await?;
    Ok(())
}

/// Recomputes the `search_text` of `entry_ids` from their fields and files (the index follows
/// through its trigger, or pg_trgm); how many changed.
pub async fn refresh_entries(tx: &mut Tx, entry_ids: &[i64]) -> Result<usize> {
    let mut changed = 0;
    for chunk in entry_ids.chunks(500) {
        let ids = super::inline_ids(chunk);
        // An entry registered as a letter later destroyed is not found by its files' words.
        let files = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT a.entry_id, a.name, a.description, a.sha256,
                    CASE WHEN l.destroyed_at IS NULL THEN 1 ELSE 0 END AS kept
             FROM inbox_attachments a JOIN inbox_entries e ON e.id = a.entry_id
             LEFT JOIN letters l ON l.id = e.letter_id
             WHERE a.entry_id IN ({ids}) ORDER BY a.entry_id, a.position"
        )))
        .fetch_all(&mut **tx)
        .await?;
        let words = super::search_columns::words_of_files(tx, &files, "entry_id").await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, subject, doc_no, sender, sender_email, body_text, search_text
             FROM inbox_entries WHERE id IN ({ids})"
        )))
        .fetch_all(&mut **tx)
        .await?;
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let fresh = entry_search_text(
                &r.try_get::<String, _>("subject")?,
                &r.try_get::<String, _>("doc_no")?,
                &r.try_get::<String, _>("sender")?,
                &r.try_get::<String, _>("sender_email")?,
                &r.try_get::<String, _>("body_text")?,
                words.get(&id).map(Vec::as_slice).unwrap_or_default(),
            );
            if fresh != r.try_get::<String, _>("search_text")? {
                sqlx::query("UPDATE inbox_entries SET search_text = $1 WHERE id = $2")
                    .bind(fresh)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

/// The inbox entries letters `letter_ids` were registered from.
pub async fn entries_of_letters(tx: &mut Tx, letter_ids: &[i64]) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for chunk in letter_ids.chunks(500) {
        let ids = super::inline_ids(chunk);
        let found: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM inbox_entries WHERE letter_id IN ({ids})"
        )))
        .fetch_all(&mut **tx)
        .await?;
        out.extend(found);
    }
    Ok(out)
}

impl super::Store {
    /// Up to `limit` ids of inbox entries (of one office, or all) after `after`, in id order:
    /// the reindex's batches.
    pub async fn inbox_entry_ids_after(
        &self,
        office_id: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM inbox_entries WHERE id > $1 AND ($2 = '' OR office_id = $2)
             ORDER BY id LIMIT $3",
        )
        .bind(after)
        .bind(office_id.unwrap_or_default().to_string())
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_found_by_its_fields_and_its_files_words() {
        let text = entry_search_text(
            "ขอเชิญประชุม",
            "ศธ 04006/ว๑๘๙๑",
            "สพฐ.",
            "Saraban@Obec.go.th",
            "เรียน   ผู้อำนวยการ",
            &["คำสั่ง.pdf  แต่งตั้งคณะกรรมการ".into()],
        );
        assert_eq!(
            text,
            "ขอเชิญประชุม ศธ 04006/ว1891 สพฐ. saraban@obec.go.th เรียน ผู้อำนวยการ คำสั่ง.pdf แต่งตั้งคณะกรรมการ"
        );
        let long = "ก".repeat(MAIL_BODY_CHARS + 10);
        assert_eq!(
            entry_search_text("", "", "", "", &long, &[])
                .trim()
                .chars()
                .count(),
            MAIL_BODY_CHARS
        );
    }
}
