//! Deliveries of registered letters to their recipients, and what became of each.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Conflict, Result, Store, StoreError, Tx, coded, time_from_db, time_to_db};
use crate::domain::exchange::{DeliveryChannel, DeliveryKind, DeliveryStatus, NextStep};
use crate::store::offices::Office;

#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: i64,
    pub letter_id: i64,
    pub office_id: String,
    pub kind: DeliveryKind,
    pub channel: DeliveryChannel,
    pub recipient_office_id: Option<String>,
    pub recipient_office_name: Option<String>,
    pub recipient_email: Option<String>,
    pub status: DeliveryStatus,
    pub inbox_entry_id: Option<i64>,
    pub recipient_number: Option<i64>,
    pub recipient_year_be: Option<i64>,
    pub recipient_registered_at: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    pub attempts: i64,
    pub error: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// The exact bytes sent, once built.
    pub raw_sha256: Option<String>,
    pub answers_message_id: Option<String>,
    pub queued_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// For a notification: the assignment it tells of.
    pub assignment_id: Option<i64>,
    /// For a digest: the user it is for.
    pub user_id: Option<i64>,
    /// For a loan reminder: the loan.
    pub loan_id: Option<i64>,
    /// Written to the outbox folder only (no SMTP configured): not sent to anybody yet.
    pub saved_to_file: bool,
}

const SELECT: &str = "SELECT d.*, o.name AS recipient_office_name FROM deliveries d
    LEFT JOIN offices o ON o.id = d.recipient_office_id";

fn delivery_from_row(r: &AnyRow) -> Result<Delivery> {
    let registered: Option<String> = r.try_get("recipient_registered_at")?;
    let updated: String = r.try_get("updated_at")?;
    let queued: Option<String> = r.try_get("queued_at")?;
    let next: Option<String> = r.try_get("next_attempt_at")?;
    Ok(Delivery {
        id: r.try_get("id")?,
        letter_id: r.try_get("letter_id")?,
        office_id: r.try_get("office_id")?,
        kind: coded(r, "kind")?,
        channel: coded(r, "channel")?,
        recipient_office_id: r.try_get("recipient_office_id")?,
        recipient_office_name: r.try_get("recipient_office_name")?,
        recipient_email: r.try_get("recipient_email")?,
        status: coded(r, "status")?,
        inbox_entry_id: r.try_get("inbox_entry_id")?,
        recipient_number: r.try_get("recipient_number")?,
        recipient_year_be: r.try_get("recipient_year_be")?,
        recipient_registered_at: registered.as_deref().map(time_from_db).transpose()?,
        message_id: r.try_get("message_id")?,
        attempts: r.try_get("attempts")?,
        error: r.try_get("error")?,
        updated_at: time_from_db(&updated)?,
        raw_sha256: r.try_get("raw_sha256")?,
        answers_message_id: r.try_get("answers_message_id")?,
        queued_at: queued.as_deref().map(time_from_db).transpose()?,
        next_attempt_at: next.as_deref().map(time_from_db).transpose()?,
        assignment_id: r.try_get("assignment_id")?,
        user_id: r.try_get("user_id")?,
        loan_id: r.try_get("loan_id")?,
        saved_to_file: r.try_get::<i64, _>("saved_to_file")? != 0,
    })
}

/// An office of this deployment receiving a letter, optionally for one of its work groups.
#[derive(Debug, Clone)]
pub struct InSystemRecipient {
    pub office: Office,
    /// (group id, group name)
    pub group: Option<(String, String)>,
}

/// An e-mail recipient of a send, with the Message-ID its copy will carry.
#[derive(Debug, Clone)]
pub struct EmailRecipient {
    pub address: String,
    pub message_id: String,
}

/// Opens a send request under its idempotency key; false when the key was used already (a
/// double click), and then nothing more is to be sent.
pub async fn open_send_request(
    tx: &mut Tx,
    letter_id: i64,
    key: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let fresh = sqlx::query(
        "INSERT INTO send_requests (letter_id, idempotency_key, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (letter_id, idempotency_key) DO NOTHING",
    )
    .bind(letter_id)
    .bind(key.to_string())
    .bind(time_to_db(at))
    .execute(&mut **tx)
    .await?;
    Ok(fresh.rows_affected() == 1)
}

/// Records a letter delivered in-system: it is already in the recipient office's inbox as
/// `entry_id`.
pub async fn insert_in_system(
    tx: &mut Tx,
    letter_id: i64,
    sender_id: &str,
    key: &str,
    recipient_office_id: &str,
    entry_id: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO deliveries (letter_id, office_id, idempotency_key, channel, recipient_office_id, status,
            inbox_entry_id, attempts, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
    )
    .bind(letter_id)
    .bind(sender_id.to_string())
    .bind(key.to_string())
    .bind(DeliveryChannel::InSystem.code())
    .bind(recipient_office_id.to_string())
    .bind(DeliveryStatus::Delivered.code())
    .bind(entry_id)
    .bind(time_to_db(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues a letter's e-mail to one address for the outbox worker, with the Message-ID it will
/// carry.
pub async fn queue_letter_email(
    tx: &mut Tx,
    letter_id: i64,
    sender_id: &str,
    key: &str,
    email: &EmailRecipient,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO deliveries (letter_id, office_id, idempotency_key, channel, recipient_email, status,
            message_id, attempts, created_at, updated_at, kind, queued_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8, $9, $8, $8)",
    )
    .bind(letter_id)
    .bind(sender_id.to_string())
    .bind(key.to_string())
    .bind(DeliveryChannel::Email.code())
    .bind(email.address.clone())
    .bind(DeliveryStatus::Queued.code())
    .bind(email.message_id.clone())
    .bind(time_to_db(at))
    .bind(DeliveryKind::Letter.code())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The in-system delivery that brought inbox entry `entry_id`: its sender now sees the number it
/// was registered under.
pub async fn mark_registered(
    tx: &mut Tx,
    entry_id: i64,
    number: i64,
    year_be: i32,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE deliveries SET status = $1, recipient_number = $2, recipient_year_be = $3,
            recipient_registered_at = $4, updated_at = $4
         WHERE inbox_entry_id = $5",
    )
    .bind(DeliveryStatus::Registered.code())
    .bind(number)
    .bind(i64::from(year_be))
    .bind(time_to_db(at))
    .bind(entry_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues our acceptance notice (e-CMS AcceptLetterNotifier) for the letter registered from an
/// e-mail: to `to`, answering the letter's Message-ID `answers`.
pub async fn queue_acceptance_notice(
    tx: &mut Tx,
    letter_id: i64,
    office_id: &str,
    to: &str,
    answers: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let now = time_to_db(at);
    sqlx::query(
        "INSERT INTO deliveries (letter_id, office_id, idempotency_key, channel, recipient_email,
            status, attempts, created_at, updated_at, kind, answers_message_id, queued_at,
            next_attempt_at)
         VALUES ($1, $2, 'acceptance', $3, $4, $5, 0, $6, $6, $7, $8, $6, $6)",
    )
    .bind(letter_id)
    .bind(office_id.to_string())
    .bind(DeliveryChannel::Email.code())
    .bind(to.to_string())
    .bind(DeliveryStatus::Queued.code())
    .bind(now)
    .bind(DeliveryKind::Notice.code())
    .bind(answers.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// The deliveries one send request made (by its idempotency key).
    pub async fn deliveries_of_request(&self, letter_id: i64, key: &str) -> Result<Vec<Delivery>> {
        let sql =
            format!("{SELECT} WHERE d.letter_id = $1 AND d.idempotency_key = $2 ORDER BY d.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(letter_id)
            .bind(key.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    pub async fn find_delivery(&self, office_id: &str, id: i64) -> Result<Delivery> {
        let sql = format!("{SELECT} WHERE d.id = $1 AND d.office_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(office_id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        delivery_from_row(&row)
    }

    /// The clerk's retry of a failed (or delayed) e-mail: due at once, with a fresh retry window.
    /// Exactly the stored bytes go out again.
    pub async fn retry_delivery(&self, office_id: &str, id: i64) -> Result<Delivery> {
        let now = time_to_db(Utc::now());
        let done = sqlx::query(
            "UPDATE deliveries SET status = $1, error = NULL, queued_at = $2, next_attempt_at = $2,
                lease_owner = NULL, lease_until = NULL, updated_at = $2
             WHERE id = $3 AND office_id = $4 AND channel = $5 AND status IN ($6, $7)",
        )
        .bind(DeliveryStatus::Queued.code())
        .bind(now)
        .bind(id)
        .bind(office_id.to_string())
        .bind(DeliveryChannel::Email.code())
        .bind(DeliveryStatus::Failed.code())
        .bind(DeliveryStatus::Delayed.code())
        .execute(self.pool())
        .await?;
        let d = self.find_delivery(office_id, id).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::NotRetryable));
        }
        Ok(d)
    }

    /// Claims up to `limit` e-mails that are due, for `lease` (another worker skips them until
    /// it ends). PostgreSQL skips rows another worker is claiming at that instant; SQLite has a
    /// single writer, so one statement is enough.
    pub async fn claim_due(
        &self,
        owner: &str,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        let now = Utc::now();
        let lock = match self.kind() {
            super::DbKind::Postgres => "FOR UPDATE SKIP LOCKED",
            super::DbKind::Sqlite => "",
        };
        // The codes are our own constants, never input.
        let (email, queued, delayed) = (
            DeliveryChannel::Email.code(),
            DeliveryStatus::Queued.code(),
            DeliveryStatus::Delayed.code(),
        );
        // Letters to a paused domain stay where they are (see `domain_pauses`).
        let domain = super::domain_pauses::recipient_domain_sql(self.kind());
        let sql = format!(
            "UPDATE deliveries SET lease_owner = $1, lease_until = $2
             WHERE id IN (SELECT id FROM deliveries
                 WHERE channel = '{email}' AND status IN ('{queued}', '{delayed}') AND next_attempt_at <= $3
                   AND (lease_until IS NULL OR lease_until < $3)
                   AND NOT EXISTS (SELECT 1 FROM domain_pauses p
                                   WHERE p.domain = {domain} AND p.paused_until > $3)
                 ORDER BY next_attempt_at, id LIMIT $4 {lock})
             RETURNING id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner.to_string())
            .bind(time_to_db(now + lease))
            .bind(time_to_db(now))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids = rows
            .iter()
            .map(|r| r.try_get::<i64, _>("id").map(|id| id.to_string()))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        // The ids are integers we just read, so inlining them is safe; one query for the batch.
        let sql = format!(
            "{SELECT} WHERE d.id IN ({}) ORDER BY d.next_attempt_at, d.id",
            ids.join(",")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Records the built message: from now on exactly these bytes are sent.
    pub async fn set_built(
        &self,
        id: i64,
        owner: &str,
        raw_sha256: &str,
        message_id: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE deliveries SET raw_sha256 = $1, message_id = $2
             WHERE id = $3 AND lease_owner = $4 AND raw_sha256 IS NULL",
        )
        .bind(raw_sha256.to_string())
        .bind(message_id.to_string())
        .bind(id)
        .bind(owner.to_string())
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(Conflict::LeaseLost));
        }
        Ok(())
    }

    /// Writes what an attempt came to and lets the lease go. A row whose lease another worker
    /// took over is left as that worker has it.
    pub async fn finish_attempt(
        &self,
        id: i64,
        owner: &str,
        step: &NextStep,
        attempts: i64,
    ) -> Result<bool> {
        let now = time_to_db(Utc::now());
        let (error, next) = match step {
            NextStep::Sent | NextStep::SavedToFile => (None, None),
            NextStep::Retry { at, error, .. } => (Some(error.clone()), Some(time_to_db(*at))),
            NextStep::Failed(e) => (Some(e.clone()), None),
        };
        let status = step.status().code();
        let done = sqlx::query(
            "UPDATE deliveries SET status = $1, error = $2, next_attempt_at = COALESCE($3, next_attempt_at),
                attempts = $4, last_attempt_at = $5, updated_at = $5, lease_owner = NULL, lease_until = NULL,
                saved_to_file = $10
             WHERE id = $6 AND lease_owner = $7 AND status IN ($8, $9)",
        )
        .bind(status)
        .bind(error)
        .bind(next)
        .bind(attempts)
        .bind(now)
        .bind(id)
        .bind(owner.to_string())
        .bind(DeliveryStatus::Queued.code())
        .bind(DeliveryStatus::Delayed.code())
        .bind(i64::from(matches!(step, NextStep::SavedToFile)))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// E-mails by status, for the benchmark and the operator.
    pub async fn outbox_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM deliveries WHERE channel = $1 GROUP BY status ORDER BY status",
        )
        .bind(DeliveryChannel::Email.code())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }

    /// A letter's deliveries (and acceptance notices); notifications to our own people are not
    /// deliveries of the letter and stay out.
    pub async fn deliveries(&self, letter_id: i64) -> Result<Vec<Delivery>> {
        let sql = format!("{SELECT} WHERE d.letter_id = $1 AND d.kind IN ($2, $3) ORDER BY d.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(letter_id)
            .bind(DeliveryKind::Letter.code())
            .bind(DeliveryKind::Notice.code())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery_from_row).collect()
    }
}
