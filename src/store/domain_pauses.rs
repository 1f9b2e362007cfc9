//! Receiving domains the outbox leaves alone for a while after "try later" (see migration
//! 0022), and handing a claimed e-mail back untried when its domain is paused.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{DbKind, Result, Store, time_from_db, time_to_db};

/// A paused domain, as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainPause {
    pub domain: String,
    pub failures: i64,
    pub paused_until: DateTime<Utc>,
    pub last_reason: String,
}

/// SQL for the lower-case domain of `deliveries.recipient_email` (NULL when it has none).
pub(crate) fn recipient_domain_sql(kind: DbKind) -> &'static str {
    match kind {
        DbKind::Sqlite => "lower(substr(recipient_email, instr(recipient_email, '@') + 1))",
        DbKind::Postgres => "lower(split_part(recipient_email, '@', 2))",
    }
}

impl Store {
    /// One more "try later" from `domain`: counts it and pauses the domain for
    /// `pause(failures in a row)`; returns until when.
    pub async fn pause_domain(
        &self,
        domain: &str,
        reason: &str,
        now: DateTime<Utc>,
        pause: impl Fn(i64) -> chrono::Duration,
    ) -> Result<DateTime<Utc>> {
        let row = sqlx::query(
            "INSERT INTO domain_pauses (domain, failures, paused_until, last_reason, updated_at)
             VALUES ($1, 1, $2, $3, $2)
             ON CONFLICT (domain) DO UPDATE SET failures = domain_pauses.failures + 1,
               last_reason = excluded.last_reason, updated_at = excluded.updated_at
             RETURNING failures",
        )
        .bind(domain.to_string())
        .bind(time_to_db(now))
        .bind(reason.chars().take(500).collect::<String>())
        .fetch_one(self.pool())
        .await?;
        let failures: i64 = row.try_get("failures")?;
        let until = now + pause(failures);
        sqlx::query("UPDATE domain_pauses SET paused_until = $1 WHERE domain = $2")
            .bind(time_to_db(until))
            .bind(domain.to_string())
            .execute(self.pool())
            .await?;
        Ok(until)
    }

    /// A letter reached `domain`: it is not paused any more.
    pub async fn clear_domain_pause(&self, domain: &str) -> Result<()> {
        sqlx::query("DELETE FROM domain_pauses WHERE domain = $1")
            .bind(domain.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Domains paused now, the longest pause first.
    pub async fn paused_domains(&self, now: DateTime<Utc>) -> Result<Vec<DomainPause>> {
        let rows = sqlx::query(
            "SELECT domain, failures, paused_until, last_reason FROM domain_pauses
             WHERE paused_until > $1 ORDER BY paused_until DESC, domain",
        )
        .bind(time_to_db(now))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DomainPause {
                    domain: r.try_get("domain")?,
                    failures: r.try_get("failures")?,
                    paused_until: time_from_db(&r.try_get::<String, _>("paused_until")?)?,
                    last_reason: r.try_get("last_reason")?,
                })
            })
            .collect()
    }

    /// Hands a claimed e-mail back untried, due at `at` (its domain is paused): no attempt is
    /// counted. False when the lease was lost meanwhile.
    pub async fn release_untried(&self, id: i64, owner: &str, at: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE deliveries SET lease_owner = NULL, lease_until = NULL, next_attempt_at = $1
             WHERE id = $2 AND lease_owner = $3",
        )
        .bind(time_to_db(at))
        .bind(id)
        .bind(owner.to_string())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
