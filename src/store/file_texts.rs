//! The words inside files, one row per content (sha256), and the queue that reads them: queued
//! in the transaction that names a file, claimed with a lease, finished in one transaction with
//! the search columns of every letter that holds the file.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Result, Store, Tx, time_from_db, time_to_db};

/// Characters of a file's text that go into its letters' search columns.
pub const INDEXED_CHARS: i64 = 20_000;

/// The condition that a row of `file_texts` is a file of office `$OFFICE`'s letters or inbox.
const OF_OFFICE: &str = "(EXISTS (SELECT 1 FROM attachments a JOIN letters l ON l.id = a.letter_id
     WHERE a.sha256 = file_texts.sha256 AND l.office_id = $OFFICE)
   OR EXISTS (SELECT 1 FROM inbox_attachments ia JOIN inbox_entries ie ON ie.id = ia.entry_id
     WHERE ia.sha256 = file_texts.sha256 AND ie.office_id = $OFFICE))";

/// A file to read, claimed by a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub sha256: String,
    pub name: String,
    /// This try's number (1 for the first).
    pub attempt: i64,
}

/// What the admin sees of the queue.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub queued: i64,
    pub working: i64,
    pub done: i64,
    /// Done by OCR (scans), among `done`.
    pub scanned: i64,
    pub failed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub sha256: String,
    pub name: String,
    pub attempts: i64,
    pub error: String,
    pub at: DateTime<Utc>,
}

/// A file's text as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileText {
    pub state: String,
    pub method: String,
    pub body: String,
    pub pages: i64,
}

/// Queues the files for reading, unless their content was queued or read before.
pub async fn queue(tx: &mut Tx, files: &[(&str, &str)], at: DateTime<Utc>) -> Result<()> {
    let now = time_to_db(at);
    for (sha256, name) in files {
        sqlx::query(
            "INSERT INTO file_texts (sha256, name, queued_at, next_try_at) VALUES ($1, $2, $3, $3)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256.to_string())
        .bind(name.to_string())
        .bind(now.clone())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The searchable part of the texts read of `shas` (those read; others are absent).
///
/// On PostgreSQL the rows are first share-locked, whatever their state, until the transaction
/// ends: a reader storing one of these texts at the same moment either finishes first (and its
/// text is read here) or waits, and then refreshes this transaction's letters once they are
/// committed. Without it a letter written beside a finishing reader kept no file words.
/// (SQLite's write transactions run one at a time, so there is nothing to wait for.)
pub async fn indexed_texts(tx: &mut Tx, shas: &[String]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    let share_lock = super::kind_of(tx) == super::DbKind::Postgres;
    for chunk in shas.chunks(200) {
        let marks = super::numbered_list(chunk.len());
        if share_lock {
            let lock = format!("SELECT sha256 FROM file_texts WHERE sha256 IN ({marks}) FOR SHARE");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(lock));
            for sha in chunk {
                q = q.bind(sha.clone());
            }
            q.fetch_all(&mut **tx).await?;
        }
        let sql = format!(
            "SELECT sha256, substr(body, 1, {INDEXED_CHARS}) AS body FROM file_texts
             WHERE sha256 IN ({marks}) AND state = 'done' AND body <> ''"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for sha in chunk {
            q = q.bind(sha.clone());
        }
        for r in q.fetch_all(&mut **tx).await? {
            out.insert(r.try_get("sha256")?, r.try_get("body")?);
        }
    }
    Ok(out)
}

/// Forgets the texts of destroyed files.
pub async fn forget(tx: &mut Tx, shas: &[&String]) -> Result<()> {
    for chunk in shas.chunks(200) {
        let marks = super::numbered_list(chunk.len());
        let sql = format!("DELETE FROM file_texts WHERE sha256 IN ({marks})");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for sha in chunk {
            q = q.bind((*sha).clone());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// Claims the file that has waited longest and is due, for `lease`. A row whose worker died
    /// is due again when its lease runs out; PostgreSQL skips a row another worker is claiming.
    pub async fn claim_file_text(
        &self,
        owner: &str,
        lease: chrono::Duration,
    ) -> Result<Option<Claim>> {
        let now = Utc::now();
        let lock = match self.kind() {
            super::DbKind::Postgres => "FOR UPDATE SKIP LOCKED",
            super::DbKind::Sqlite => "",
        };
        let sql = format!(
            "UPDATE file_texts SET state = 'working', lease_owner = $1, lease_until = $2,
                attempts = attempts + 1
             WHERE sha256 IN (SELECT sha256 FROM file_texts
                 WHERE (state = 'queued' AND next_try_at <= $3)
                    OR (state = 'working' AND lease_until < $3)
                 ORDER BY next_try_at, sha256 LIMIT 1 {lock})
             RETURNING sha256, name, attempts"
        );
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner.to_string())
            .bind(time_to_db(now + lease))
            .bind(time_to_db(now))
            .fetch_optional(&mut *tx)
            .await?;
        super::commit(tx).await?;
        row.map(|r| {
            Ok(Claim {
                sha256: r.try_get("sha256")?,
                name: r.try_get("name")?,
                attempt: r.try_get("attempts")?,
            })
        })
        .transpose()
    }

    /// Stores a file's text and, in the same transaction, the search columns of the letters that
    /// hold it. False when the lease was lost (another worker took the file): nothing is written.
    pub async fn finish_file_text(
        &self,
        sha256: &str,
        owner: &str,
        method: &str,
        body: &str,
        pages: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE file_texts SET state = 'done', method = $1, body = $2, pages = $3, error = '',
                lease_owner = NULL, lease_until = NULL, done_at = $4
             WHERE sha256 = $5 AND lease_owner = $6 AND state = 'working'",
        )
        .bind(method.to_string())
        .bind(body.to_string())
        .bind(pages)
        .bind(time_to_db(Utc::now()))
        .bind(sha256.to_string())
        .bind(owner.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        let letters: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT letter_id FROM attachments WHERE sha256 = $1 AND removed_at IS NULL",
        )
        .bind(sha256.to_string())
        .fetch_all(&mut *tx)
        .await?;
        for chunk in letters.chunks(500) {
            super::search_columns::refresh_search_columns(&mut tx, chunk).await?;
        }
        let entries: Vec<i64> =
            sqlx::query_scalar("SELECT DISTINCT entry_id FROM inbox_attachments WHERE sha256 = $1")
                .bind(sha256.to_string())
                .fetch_all(&mut *tx)
                .await?;
        super::inbox_text::refresh_entries(&mut tx, &entries).await?;
        super::commit(tx).await?;
        Ok(true)
    }

    /// Records a failed try: queued again after `retry_in`, or failed for good at the last try.
    pub async fn fail_file_text(
        &self,
        claim: &Claim,
        owner: &str,
        error: &str,
        last_try: bool,
        retry_in: chrono::Duration,
    ) -> Result<()> {
        let now = Utc::now();
        sqlx::query(
            "UPDATE file_texts SET state = $1, error = $2, next_try_at = $3, lease_owner = NULL,
                lease_until = NULL, done_at = $4
             WHERE sha256 = $5 AND lease_owner = $6 AND state = 'working'",
        )
        .bind(if last_try { "failed" } else { "queued" })
        .bind(error.to_string())
        .bind(time_to_db(now + retry_in))
        .bind(time_to_db(now))
        .bind(claim.sha256.clone())
        .bind(owner.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Queues every file of the office's letters again that failed for good (the admin's
    /// "ลองใหม่").
    pub async fn retry_failed_texts(&self, office_id: &str) -> Result<u64> {
        let sql = format!(
            "UPDATE file_texts SET state = 'queued', attempts = 0, next_try_at = $1
             WHERE state = 'failed' AND {}",
            OF_OFFICE.replace("$OFFICE", "$2")
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(time_to_db(Utc::now()))
            .bind(office_id.to_string())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Queues the files no row of the queue knows (letters and inbox entries stored before the
    /// queue existed, an import, a restore; not the files of destroyed letters): the reindex's
    /// first step. Returns how many were queued.
    pub async fn queue_unread_files(&self) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO file_texts (sha256, name, queued_at, next_try_at)
             SELECT f.sha256, MIN(f.name), $1, $1 FROM
               (SELECT a.sha256, a.name FROM attachments a JOIN letters l ON l.id = a.letter_id
                  WHERE a.removed_at IS NULL AND l.destroyed_at IS NULL
                UNION ALL SELECT ia.sha256, ia.name FROM inbox_attachments ia
                  JOIN inbox_entries ie ON ie.id = ia.entry_id
                  LEFT JOIN letters l ON l.id = ie.letter_id
                  WHERE l.destroyed_at IS NULL) f
             WHERE NOT EXISTS (SELECT 1 FROM file_texts t WHERE t.sha256 = f.sha256)
             GROUP BY f.sha256",
        )
        .bind(time_to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        super::commit(tx).await?;
        Ok(done.rows_affected())
    }

    /// The reader's progress over the files of an office's letters.
    pub async fn file_text_progress(&self, office_id: &str) -> Result<Progress> {
        let sql = format!(
            "SELECT state, CASE WHEN method = 'ocr' THEN 1 ELSE 0 END AS scanned, COUNT(*) AS n
             FROM file_texts WHERE {}
             GROUP BY state, CASE WHEN method = 'ocr' THEN 1 ELSE 0 END",
            OF_OFFICE.replace("$OFFICE", "$1")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(office_id.to_string())
            .fetch_all(self.pool())
            .await?;
        let mut p = Progress::default();
        for r in rows {
            let state: String = r.try_get("state")?;
            let n: i64 = r.try_get("n")?;
            let scanned = r.try_get::<i64, _>("scanned")? == 1;
            match state.as_str() {
                "queued" => p.queued += n,
                "working" => p.working += n,
                "done" => {
                    p.done += n;
                    if scanned {
                        p.scanned += n;
                    }
                }
                _ => p.failed += n,
            }
        }
        Ok(p)
    }

    /// The files of an office's letters that failed for good, most recent first.
    pub async fn failed_file_texts(&self, office_id: &str, limit: i64) -> Result<Vec<Failure>> {
        let sql = format!(
            "SELECT sha256, name, attempts, error, done_at FROM file_texts
             WHERE state = 'failed' AND {} ORDER BY done_at DESC LIMIT $2",
            OF_OFFICE.replace("$OFFICE", "$1")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(office_id.to_string())
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Failure {
                    sha256: r.try_get("sha256")?,
                    name: r.try_get("name")?,
                    attempts: r.try_get("attempts")?,
                    error: r.try_get("error")?,
                    at: time_from_db(
                        &r.try_get::<Option<String>, _>("done_at")?
                            .unwrap_or_default(),
                    )
                    .unwrap_or_else(|_| Utc::now()),
                })
            })
            .collect()
    }

    /// The texts read of these files, by sha256 (files not yet read are absent).
    pub async fn file_texts_of(&self, shas: &[String]) -> Result<HashMap<String, FileText>> {
        let mut out = HashMap::new();
        for chunk in shas.chunks(200) {
            let marks = super::numbered_list(chunk.len());
            let sql = format!(
                "SELECT sha256, state, method, body, pages FROM file_texts WHERE sha256 IN ({marks})"
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for sha in chunk {
                q = q.bind(sha.clone());
            }
            for r in q.fetch_all(self.pool()).await? {
                out.insert(
                    r.try_get("sha256")?,
                    FileText {
                        state: r.try_get("state")?,
                        method: r.try_get("method")?,
                        body: r.try_get("body")?,
                        pages: r.try_get("pages")?,
                    },
                );
            }
        }
        Ok(out)
    }
}
