//! The letters' normalised search columns: what they are made of (the letter's fields, its
//! files' names and words, the e-mail it came by) and writing them again when any of that
//! changed, plus what `saraban search reindex` walks over.

use std::collections::HashMap;

use sqlx::Row;

use super::{DbKind, Result, Store};

/// How much of an e-mail's text goes into its letter's search columns.
pub(super) const MAIL_BODY_CHARS: usize = 2000;

/// Adds the text of the e-mail a letter came by (its first [`MAIL_BODY_CHARS`] characters) to
/// the texts its search columns are made of, so that the letter is found by the mail's words too.
pub(super) fn push_mail_body(texts: &mut Vec<String>, body: Option<String>) {
    if let Some(body) = body
        && !body.trim().is_empty()
    {
        texts.push(body.chars().take(MAIL_BODY_CHARS).collect());
    }
}

/// The words of one file for its letter's search columns: its name and description, and the
/// searchable part of its text when it was read.
pub(super) fn file_search_text(name: &str, description: &str, text: Option<&String>) -> String {
    match text {
        Some(text) => format!("{name} {description} {text}"),
        None => format!("{name} {description}"),
    }
}

/// The words of a letter's files (name, description, sha256) for its search columns, with the
/// texts read of them so far.
pub(super) async fn file_words(
    tx: &mut super::Tx,
    files: &[(&str, &str, &str)],
) -> Result<Vec<String>> {
    let shas: Vec<String> = files.iter().map(|f| f.2.to_string()).collect();
    let texts = super::file_texts::indexed_texts(tx, &shas).await?;
    Ok(files
        .iter()
        .map(|(name, description, sha)| file_search_text(name, description, texts.get(*sha)))
        .collect())
}

/// The text of inbox entry `entry_id`'s e-mail, for [`push_mail_body`].
pub(super) async fn mail_body(tx: &mut super::Tx, entry_id: Option<i64>) -> Result<Option<String>> {
    let Some(id) = entry_id else {
        return Ok(None);
    };
    Ok(
        sqlx::query("SELECT body_text FROM inbox_entries WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|r| r.try_get("body_text"))
            .transpose()?,
    )
}

/// The words of each owner's files (a letter's or an inbox entry's), from rows holding the
/// owner's id in `owner_column` and each file's `name`, `description`, `sha256` and `kept` (0
/// when the letter they belong to was destroyed: their texts went with it, their names stay).
pub(super) async fn words_of_files(
    tx: &mut super::Tx,
    files: &[sqlx::any::AnyRow],
    owner_column: &str,
) -> Result<HashMap<i64, Vec<String>>> {
    let shas: Vec<String> = files
        .iter()
        .filter(|r| r.try_get::<i64, _>("kept").is_ok_and(|k| k == 1))
        .map(|r| r.try_get("sha256"))
        .collect::<std::result::Result<_, _>>()?;
    let texts = super::file_texts::indexed_texts(tx, &shas).await?;
    let mut words: HashMap<i64, Vec<String>> = HashMap::new();
    for r in files {
        let sha: String = r.try_get("sha256")?;
        let kept = r.try_get::<i64, _>("kept")? == 1;
        words
            .entry(r.try_get(owner_column)?)
            .or_default()
            .push(file_search_text(
                &r.try_get::<String, _>("name")?,
                &r.try_get::<String, _>("description")?,
                texts.get(&sha).filter(|_| kept),
            ));
    }
    Ok(words)
}

/// Letters whose normalised search columns were written again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    pub read: usize,
    pub changed: usize,
}

/// Recomputes the normalised search columns of `letter_ids` from their stored fields and current
/// files, writing those that differ (the index follows through its trigger, or pg_trgm).
pub async fn refresh_search_columns(tx: &mut super::Tx, letter_ids: &[i64]) -> Result<Refreshed> {
    use super::letters::{SearchColumns, SearchText};
    let mut done = Refreshed::default();
    if letter_ids.is_empty() {
        return Ok(done);
    }
    let ids = super::inline_ids(letter_ids);
    // The files' words, with their texts unless the letter was destroyed.
    let files = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT a.letter_id, a.name, a.description, a.sha256,
                CASE WHEN l.destroyed_at IS NULL THEN 1 ELSE 0 END AS kept
         FROM attachments a JOIN letters l ON l.id = a.letter_id
         WHERE a.letter_id IN ({ids}) AND a.removed_at IS NULL ORDER BY a.letter_id, a.position"
    )))
    .fetch_all(&mut **tx)
    .await?;
    let mut texts = words_of_files(tx, &files, "letter_id").await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT l.id, l.number, l.doc_no, l.doc_date, l.sender, l.recipient, l.subject, l.action,
                l.remark, l.search_all, l.search_subject, l.search_doc_no, l.search_sender,
                l.search_recipient, e.body_text AS mail_body
         FROM letters l LEFT JOIN inbox_entries e ON e.id = l.inbox_entry_id
         WHERE l.id IN ({ids})"
    )))
    .fetch_all(&mut **tx)
    .await?;
    for r in &rows {
        done.read += 1;
        let id: i64 = r.try_get("id")?;
        let doc_no: String = r.try_get("doc_no")?;
        push_mail_body(texts.entry(id).or_default(), r.try_get("mail_body")?);
        let (from, to, subject, action, remark): (String, String, String, String, String) = (
            r.try_get("sender")?,
            r.try_get("recipient")?,
            r.try_get("subject")?,
            r.try_get("action")?,
            r.try_get("remark")?,
        );
        let fresh = SearchText {
            number: r.try_get("number")?,
            doc_no: &doc_no,
            doc_date: super::date_from_db(&r.try_get::<String, _>("doc_date")?)?,
            from: &from,
            to: &to,
            subject: &subject,
            action: &action,
            remark: &remark,
            files: texts.get(&id).map(Vec::as_slice).unwrap_or_default(),
        }
        .columns();
        let stored = SearchColumns {
            all: r.try_get("search_all")?,
            subject: r.try_get("search_subject")?,
            doc_no: r.try_get("search_doc_no")?,
            sender: r.try_get("search_sender")?,
            recipient: r.try_get("search_recipient")?,
        };
        if stored == fresh {
            continue;
        }
        sqlx::query(
            "UPDATE letters SET search_all = $1, search_subject = $2, search_doc_no = $3,
                search_sender = $4, search_recipient = $5 WHERE id = $6",
        )
        .bind(fresh.all)
        .bind(fresh.subject)
        .bind(fresh.doc_no)
        .bind(fresh.sender)
        .bind(fresh.recipient)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        done.changed += 1;
    }
    Ok(done)
}

impl Store {
    /// The ids of an office's letters (every office's when `None`) after `after`, in id order, at
    /// most `limit`: the reindex's batches.
    pub async fn letter_ids_after(
        &self,
        office_id: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<Vec<i64>> {
        let rows =
            match office_id {
                Some(office) => sqlx::query(
                    "SELECT id FROM letters WHERE office_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(office.to_string())
                .bind(after)
                .bind(limit)
                .fetch_all(self.pool())
                .await?,
                None => {
                    sqlx::query("SELECT id FROM letters WHERE id > $1 ORDER BY id LIMIT $2")
                        .bind(after)
                        .bind(limit)
                        .fetch_all(self.pool())
                        .await?
                }
            };
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("id")?))
            .collect()
    }

    pub async fn count_letters_of(&self, office_id: Option<&str>) -> Result<i64> {
        let row = match office_id {
            Some(office) => {
                sqlx::query("SELECT COUNT(*) AS n FROM letters WHERE office_id = $1")
                    .bind(office.to_string())
                    .fetch_one(self.pool())
                    .await?
            }
            None => {
                sqlx::query("SELECT COUNT(*) AS n FROM letters")
                    .fetch_one(self.pool())
                    .await?
            }
        };
        Ok(row.try_get("n")?)
    }

    /// The text index made again from the letters' columns. SQLite: its trigram index rebuilt
    /// whole, when no office is given (readers go on; writers wait for it). PostgreSQL keeps its
    /// GIN index itself; the one-byte copy of the text (`letters_text_bytes`) is written again
    /// where it differs, for the office or every office (readers see the old rows until the
    /// end).
    pub async fn rebuild_text_index(&self, office_id: Option<&str>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        match self.kind() {
            DbKind::Sqlite if office_id.is_none() => {
                // Contentless (its rowids are keys, see `text_key`): emptied and filled from the
                // letters' keys, not rebuilt from a content table; then its segments merged into
                // one, so that a word's matches are read from one list, not merged from each
                // segment the fill left.
                for statement in [
                    "INSERT INTO letters_text (letters_text) VALUES ('delete-all')",
                    "INSERT INTO letters_text (rowid, search_all)
                     SELECT key, search_all FROM letters_text_keys",
                    "INSERT INTO letters_text (letters_text) VALUES ('optimize')",
                ] {
                    sqlx::query(statement).execute(&mut *tx).await?;
                }
            }
            DbKind::Sqlite => {}
            DbKind::Postgres => {
                sqlx::query(
                    "INSERT INTO letters_text_bytes AS t
                        (id, office_id, register, year_be, number, registered_at, secrecy, text)
                     SELECT id, office_id, register, year_be, number, registered_at, secrecy,
                            saraban_search_bytes(search_all)
                     FROM letters WHERE $1 IS NULL OR office_id = $1
                     ON CONFLICT (id) DO UPDATE SET
                        office_id = excluded.office_id, register = excluded.register,
                        year_be = excluded.year_be, number = excluded.number,
                        registered_at = excluded.registered_at, secrecy = excluded.secrecy,
                        text = excluded.text
                     WHERE (t.office_id, t.register, t.year_be, t.number, t.registered_at,
                            t.secrecy, t.text)
                        IS DISTINCT FROM
                           (excluded.office_id, excluded.register, excluded.year_be,
                            excluded.number, excluded.registered_at, excluded.secrecy,
                            excluded.text)",
                )
                .bind(office_id.map(str::to_string))
                .execute(&mut *tx)
                .await?;
            }
        }
        super::commit(tx).await?;
        Ok(())
    }
}
