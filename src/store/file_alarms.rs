//! Every file the database names (for `saraban storage verify`), and the alarms raised for those
//! the file store could not give back whole (migration 0024).

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sqlx::Row;

use super::{Result, Store, time_from_db, time_to_db};

/// Letters lawfully destroyed: their files are gone on purpose.
const GONE: &str = "SELECT id FROM letters WHERE destroyed_at IS NOT NULL";

/// Every file a kept record names, with the table that names it (as `crate::store::disposals`
/// decides what destruction may remove).
pub(super) fn named_sql() -> String {
    [
        format!("SELECT sha256 AS s, 'attachments' AS t FROM attachments WHERE letter_id NOT IN ({GONE})"),
        format!(
            "SELECT a.sha256 AS s, 'inbox_attachments' AS t FROM inbox_attachments a
             JOIN inbox_entries e ON e.id = a.entry_id
             WHERE e.letter_id IS NULL OR e.letter_id NOT IN ({GONE})"
        ),
        format!(
            "SELECT raw_sha256 AS s, 'inbox_entries' AS t FROM inbox_entries
             WHERE raw_sha256 IS NOT NULL AND (letter_id IS NULL OR letter_id NOT IN ({GONE}))"
        ),
        format!(
            "SELECT raw_sha256 AS s, 'deliveries' AS t FROM deliveries
             WHERE raw_sha256 IS NOT NULL AND (letter_id IS NULL OR letter_id NOT IN ({GONE}))"
        ),
        format!(
            "SELECT f.sha256 AS s, 'stamped_files' AS t FROM stamped_files f
             WHERE f.sha256 IS NOT NULL AND f.source_sha256 IN
               (SELECT sha256 FROM attachments WHERE letter_id NOT IN ({GONE}))"
        ),
        "SELECT raw_sha256 AS s, 'quarantine' AS t FROM quarantine WHERE raw_sha256 IS NOT NULL".into(),
        "SELECT raw_sha256 AS s, 'mail_notices' AS t FROM mail_notices WHERE raw_sha256 IS NOT NULL".into(),
        "SELECT sha256 AS s, 'register_closings' AS t FROM register_closings".into(),
        "SELECT sha256 AS s, 'held_files' AS t FROM held_files".into(),
    ]
    .join(" UNION ALL ")
}

/// A file that could not be read back whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAlarm {
    pub sha256: String,
    pub named_in: String,
    pub problem: String,
    pub found_at: DateTime<Utc>,
}

impl Store {
    /// How many distinct files the database names.
    pub async fn count_named_files(&self) -> Result<i64> {
        let sql = format!("SELECT COUNT(DISTINCT s) AS n FROM ({}) x", named_sql());
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(self.pool())
            .await?
            .try_get("n")?)
    }

    /// Every distinct file the database names, with one table that names it, in sha256 order,
    /// streamed (millions of files need not fit in memory).
    pub fn named_files(&self) -> BoxStream<'_, Result<(String, String)>> {
        let sql = format!(
            "SELECT s, MIN(t) AS t FROM ({}) x GROUP BY s ORDER BY s",
            named_sql()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch(self.pool())
            .map(|row| {
                let r = row?;
                Ok((r.try_get("s")?, r.try_get("t")?))
            })
            .boxed()
    }

    pub async fn raise_file_alarm(
        &self,
        sha256: &str,
        named_in: &str,
        problem: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO file_alarms (sha256, named_in, problem, found_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sha256) DO UPDATE SET problem = excluded.problem,
               named_in = excluded.named_in, found_at = excluded.found_at",
        )
        .bind(sha256.to_string())
        .bind(named_in.to_string())
        .bind(problem.to_string())
        .bind(time_to_db(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The file was found whole: its alarm, if any, is over.
    pub async fn clear_file_alarm(&self, sha256: &str) -> Result<()> {
        sqlx::query("DELETE FROM file_alarms WHERE sha256 = $1")
            .bind(sha256.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn file_alarms(&self, limit: i64) -> Result<(i64, Vec<FileAlarm>)> {
        let total: i64 = sqlx::query("SELECT COUNT(*) AS n FROM file_alarms")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let rows = sqlx::query(
            "SELECT sha256, named_in, problem, found_at FROM file_alarms
             ORDER BY found_at DESC, sha256 LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let alarms = rows
            .iter()
            .map(|r| {
                Ok(FileAlarm {
                    sha256: r.try_get("sha256")?,
                    named_in: r.try_get("named_in")?,
                    problem: r.try_get("problem")?,
                    found_at: time_from_db(&r.try_get::<String, _>("found_at")?)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((total, alarms))
    }
}
