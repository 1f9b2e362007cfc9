//! The figures an operator watches (`GET /metrics`): what the registers, the gateway, the outbox
//! and the queues hold now, read in a few aggregate queries.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Result, Store, time_from_db};

/// One mailbox folder's liveness.
#[derive(Debug, Clone, PartialEq)]
pub struct FolderFigures {
    pub mailbox_id: i64,
    pub office_id: String,
    pub folder: String,
    pub last_success: Option<DateTime<Utc>>,
    pub consecutive_failures: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    /// Letters registered, all registers and years (cancelled included: their numbers were
    /// issued).
    pub letters_registered: i64,
    /// Inbox entries that came by e-mail.
    pub mails_taken_in: i64,
    /// Mail in quarantine by status (open, released, dismissed).
    pub quarantined: Vec<(String, i64)>,
    /// Outgoing e-mails by status (queued, sent, delayed, failed, …).
    pub outbox: Vec<(String, i64)>,
    /// Files whose text is read, by state (queued, working, done, failed).
    pub file_texts: Vec<(String, i64)>,
    pub folders: Vec<FolderFigures>,
    /// Files the records name that the file store could not give back whole.
    pub file_alarms: i64,
    /// Mail's sender checks by verdict (verified, unverified, spoofed, pending).
    pub sender_checks: Vec<(String, i64)>,
    /// Mail taken in and not checked yet.
    pub senders_unchecked: i64,
}

impl Store {
    pub async fn figures(&self) -> Result<Figures> {
        let letters_registered: i64 =
            // PostgreSQL sums BIGINT as NUMERIC, which `sqlx::Any` cannot read: cast back.
            sqlx::query(
                "SELECT CAST(COALESCE(SUM(entries), 0) AS BIGINT) AS n FROM register_counts",
            )
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
        let mails_taken_in: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM inbox_entries WHERE source = 'email'")
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
        let by = |sql: &'static str| async move {
            let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>("k")?, r.try_get::<i64, _>("n")?)))
                .collect::<Result<Vec<_>>>()
        };
        let quarantined =
            by("SELECT status AS k, COUNT(*) AS n FROM quarantine GROUP BY status ORDER BY status")
                .await?;
        let file_texts =
            by("SELECT state AS k, COUNT(*) AS n FROM file_texts GROUP BY state ORDER BY state")
                .await?;
        let outbox = self.outbox_counts().await?;
        let sender_checks = by(
            "SELECT verdict AS k, COUNT(*) AS n FROM sender_checks GROUP BY verdict ORDER BY verdict",
        )
        .await?;
        let senders_unchecked: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM inbox_entries e
             WHERE {} AND NOT EXISTS (SELECT 1 FROM sender_checks c WHERE c.entry_id = e.id)",
            super::sender_checks::MAIL_TO_CHECK
        )))
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        let rows = sqlx::query(
            "SELECT f.mailbox_id, m.office_id, f.folder, f.last_success_at, f.consecutive_failures
             FROM mailbox_folders f JOIN mailboxes m ON m.id = f.mailbox_id
             WHERE m.removed_at IS NULL ORDER BY f.mailbox_id, f.folder",
        )
        .fetch_all(self.pool())
        .await?;
        let mut folders = Vec::with_capacity(rows.len());
        for r in rows {
            folders.push(FolderFigures {
                mailbox_id: r.try_get("mailbox_id")?,
                office_id: r.try_get("office_id")?,
                folder: r.try_get("folder")?,
                last_success: r
                    .try_get::<Option<String>, _>("last_success_at")?
                    .map(|t| time_from_db(&t))
                    .transpose()?,
                consecutive_failures: r.try_get("consecutive_failures")?,
            });
        }
        let file_alarms: i64 = sqlx::query("SELECT COUNT(*) AS n FROM file_alarms")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(Figures {
            sender_checks,
            senders_unchecked,
            file_alarms,
            letters_registered,
            mails_taken_in,
            quarantined,
            outbox,
            file_texts,
            folders,
        })
    }
}
