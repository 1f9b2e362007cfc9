//! Where a file's removal and a writer's reuse of the same bytes meet (see migration 0026): the
//! reuses writers record, and the removals `storage gc` and destruction record; and the lease
//! that lets one `storage gc` run at a time in the whole deployment (migration 0027).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Result, Store, insert_rows, numbered_list_from, time_to_db};

/// How long reuses and finished removals are kept: far longer than any writer takes between
/// recording a reuse and committing the row that names the file.
const KEEP: chrono::Duration = chrono::Duration::days(1);

/// Rows per statement (two parameters each).
const ROWS_PER_INSERT: usize = 200;

impl Store {
    /// Records, committed, that these stored files are about to be named again; then says which
    /// of them are being removed or were removed lately (the caller must wait for those and
    /// store them again if they are gone).
    pub async fn claim_reuse(&self, sha256s: &[String]) -> Result<HashSet<String>> {
        if sha256s.is_empty() {
            return Ok(HashSet::new());
        }
        let now = time_to_db(Utc::now());
        let mut tx = self.begin_write().await?;
        insert_rows(
            self.kind(),
            &mut tx,
            sha256s,
            ROWS_PER_INSERT,
            2,
            |values| format!("INSERT INTO file_reuses (sha256, claimed_at) VALUES {values}"),
            |query, sha| query.bind(sha.clone()).bind(now.clone()),
        )
        .await?;
        // A reuse matters until the row naming the file commits: seconds. Old ones are swept
        // here rather than by a timer.
        sqlx::query("DELETE FROM file_reuses WHERE claimed_at < $1")
            .bind(time_to_db(Utc::now() - KEEP))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.which_of(
            |list| format!("SELECT sha256 AS v FROM file_removals WHERE sha256 IN ({list})"),
            sha256s,
        )
        .await
    }

    /// Which of these files are being removed right now.
    pub async fn removals_under_way(&self, sha256s: &[String]) -> Result<HashSet<String>> {
        self.which_of(
            |list| {
                format!(
                    "SELECT sha256 AS v FROM file_removals
                     WHERE finished_at IS NULL AND sha256 IN ({list})"
                )
            },
            sha256s,
        )
        .await
    }

    /// Records, committed, that these files are about to be removed. Only after this may the
    /// remover look for what names them.
    pub async fn begin_removals(&self, sha256s: &[String]) -> Result<()> {
        let now = time_to_db(Utc::now());
        let mut tx = self.begin_write().await?;
        for sha in sha256s {
            sqlx::query(
                "INSERT INTO file_removals (sha256, started_at, finished_at) VALUES ($1, $2, NULL)
                 ON CONFLICT (sha256) DO UPDATE SET started_at = excluded.started_at,
                   finished_at = NULL",
            )
            .bind(sha.clone())
            .bind(now.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The removal of these files is over (whether they were removed or left).
    pub async fn finish_removals(&self, sha256s: &[String]) -> Result<()> {
        let now = time_to_db(Utc::now());
        for chunk in sha256s.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "UPDATE file_removals SET finished_at = $1 WHERE sha256 IN ({})",
                numbered_list_from(2, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now.clone());
            for sha in chunk {
                query = query.bind(sha.clone());
            }
            query.execute(self.pool()).await?;
        }
        Ok(())
    }

    /// Which of these files a writer said, at `since` or later, it was about to name.
    pub async fn reused_since(
        &self,
        sha256s: &[String],
        since: DateTime<Utc>,
    ) -> Result<HashSet<String>> {
        self.which_of_after(
            |list| {
                format!(
                    "SELECT DISTINCT sha256 AS v FROM file_reuses
                     WHERE claimed_at >= $1 AND sha256 IN ({list})"
                )
            },
            &[time_to_db(since)],
            sha256s,
        )
        .await
    }

    /// Forgets removals finished more than a day ago.
    pub async fn prune_removals(&self) -> Result<()> {
        sqlx::query("DELETE FROM file_removals WHERE finished_at IS NOT NULL AND finished_at < $1")
            .bind(time_to_db(Utc::now() - KEEP))
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

impl Store {
    /// Takes or renews the deployment-wide right to run `name` until `now + ttl`; the holder
    /// of a lease that has not run out when it is not `holder`.
    pub async fn take_maintenance_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: chrono::Duration,
    ) -> Result<std::result::Result<(), String>> {
        let now = Utc::now();
        let done = sqlx::query(
            "INSERT INTO maintenance_leases (name, holder, until) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
             WHERE maintenance_leases.holder = excluded.holder OR maintenance_leases.until < $4",
        )
        .bind(name.to_string())
        .bind(holder.to_string())
        .bind(time_to_db(now + ttl))
        .bind(time_to_db(now))
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 {
            return Ok(Ok(()));
        }
        let other: Option<String> =
            sqlx::query("SELECT holder FROM maintenance_leases WHERE name = $1")
                .bind(name.to_string())
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.try_get("holder"))
                .transpose()?;
        Ok(Err(other.unwrap_or_default()))
    }

    pub async fn release_maintenance_lease(&self, name: &str, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM maintenance_leases WHERE name = $1 AND holder = $2")
            .bind(name.to_string())
            .bind(holder.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
