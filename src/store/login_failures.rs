//! Failed logins, shared by every web process (see migration 0023).

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{Result, Store, time_from_db, time_to_db};

impl Store {
    /// The counters of these keys: (key, failures, last failure).
    pub async fn login_failures(
        &self,
        keys: &[String],
    ) -> Result<Vec<(String, i64, DateTime<Utc>)>> {
        let mut out = Vec::new();
        for key in keys {
            if let Some(r) =
                sqlx::query("SELECT key, failures, last_at FROM login_failures WHERE key = $1")
                    .bind(key.clone())
                    .fetch_optional(self.pool())
                    .await?
            {
                out.push((
                    r.try_get("key")?,
                    r.try_get("failures")?,
                    time_from_db(&r.try_get::<String, _>("last_at")?)?,
                ));
            }
        }
        Ok(out)
    }

    /// One more failure on each key; a counter whose last failure is older than `window`
    /// starts again at one.
    pub async fn note_login_failure(
        &self,
        keys: &[String],
        now: DateTime<Utc>,
        window: Duration,
    ) -> Result<()> {
        let stale = time_to_db(now - window);
        for key in keys {
            sqlx::query(
                "INSERT INTO login_failures (key, failures, last_at) VALUES ($1, 1, $2)
                 ON CONFLICT (key) DO UPDATE SET
                   failures = CASE WHEN login_failures.last_at < $3 THEN 1
                                   ELSE login_failures.failures + 1 END,
                   last_at = excluded.last_at",
            )
            .bind(key.clone())
            .bind(time_to_db(now))
            .bind(stale.clone())
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(key.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
