//! Deliveries of registered letters to their recipients, and what became of each.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store, StoreError, time_from_db, time_to_db};
use crate::store::inbox::{EntrySource, MailRecord, NewInboxEntry, Recorded};
use crate::store::letters::{Letter, NewAttachment};
use crate::store::offices::Office;

#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: i64,
    pub letter_id: i64,
    pub channel: String,
    pub recipient_office_id: Option<String>,
    pub recipient_office_name: Option<String>,
    pub recipient_email: Option<String>,
    pub status: String,
    pub inbox_entry_id: Option<i64>,
    pub recipient_number: Option<i64>,
    pub recipient_year_be: Option<i64>,
    pub recipient_registered_at: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    pub attempts: i64,
    pub error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT d.*, o.name AS recipient_office_name FROM deliveries d
    LEFT JOIN offices o ON o.id = d.recipient_office_id";

fn delivery_from_row(r: &AnyRow) -> Result<Delivery> {
    let registered: Option<String> = r.try_get("recipient_registered_at")?;
    let updated: String = r.try_get("updated_at")?;
    Ok(Delivery {
        id: r.try_get("id")?,
        letter_id: r.try_get("letter_id")?,
        channel: r.try_get("channel")?,
        recipient_office_id: r.try_get("recipient_office_id")?,
        recipient_office_name: r.try_get("recipient_office_name")?,
        recipient_email: r.try_get("recipient_email")?,
        status: r.try_get("status")?,
        inbox_entry_id: r.try_get("inbox_entry_id")?,
        recipient_number: r.try_get("recipient_number")?,
        recipient_year_be: r.try_get("recipient_year_be")?,
        recipient_registered_at: registered.as_deref().map(time_from_db).transpose()?,
        message_id: r.try_get("message_id")?,
        attempts: r.try_get("attempts")?,
        error: r.try_get("error")?,
        updated_at: time_from_db(&updated)?,
    })
}

impl Store {
    /// Sends a letter to offices of this deployment, in one transaction: each recipient's inbox
    /// gets the letter (its facts and files exactly), and a delivery row records it. The same
    /// idempotency key again returns what the first request did, sending nothing more.
    pub async fn send_in_system(
        &self,
        letter: &Letter,
        sender: &Office,
        recipients: &[Office],
        key: &str,
    ) -> Result<Vec<Delivery>> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let fresh = sqlx::query(
            "INSERT INTO send_requests (letter_id, idempotency_key, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (letter_id, idempotency_key) DO NOTHING",
        )
        .bind(letter.id)
        .bind(key.to_string())
        .bind(time_to_db(now))
        .execute(&mut *tx)
        .await?;
        if fresh.rows_affected() == 1 {
            for office in recipients {
                let entry = NewInboxEntry {
                    office_id: office.id.clone(),
                    source: EntrySource::InSystem,
                    mailbox_id: None,
                    message_id: None,
                    // One letter reaches one office once, however often it is sent.
                    dedupe_key: format!("in-system:{}", letter.id),
                    raw_sha256: None,
                    raw_size: 0,
                    subject: letter.subject.clone(),
                    doc_no: letter.doc_no.clone(),
                    doc_date: Some(letter.doc_date),
                    sender: sender.name.clone(),
                    sender_email: sender.email.clone().unwrap_or_default(),
                    recipient: office.name.clone(),
                    body_text: String::new(),
                    received_at: now,
                    speed: letter.speed,
                    refused: Vec::new(),
                    attachments: letter
                        .attachments
                        .iter()
                        .map(|a| NewAttachment {
                            name: a.name.clone(),
                            description: a.description.clone(),
                            kind: a.kind,
                            size: a.size,
                            sha256: a.sha256.clone(),
                        })
                        .collect(),
                };
                let entry_id =
                    match crate::store::inbox::record_in(&mut tx, &MailRecord::Entry(entry), None)
                        .await?
                    {
                        Recorded::Entry { id, .. } => id,
                        _ => {
                            return Err(StoreError::Corrupt(
                                "in-system delivery wrote no entry".into(),
                            ));
                        }
                    };
                sqlx::query(
                    "INSERT INTO deliveries (letter_id, office_id, idempotency_key, channel, recipient_office_id, status,
                        inbox_entry_id, attempts, created_at, updated_at)
                     VALUES ($1, $2, $3, 'in-system', $4, 'delivered', $5, 1, $6, $6)",
                )
                .bind(letter.id)
                .bind(sender.id.clone())
                .bind(key.to_string())
                .bind(office.id.clone())
                .bind(entry_id)
                .bind(time_to_db(now))
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        let sql =
            format!("{SELECT} WHERE d.letter_id = $1 AND d.idempotency_key = $2 ORDER BY d.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(letter.id)
            .bind(key.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    pub async fn deliveries(&self, letter_id: i64) -> Result<Vec<Delivery>> {
        let sql = format!("{SELECT} WHERE d.letter_id = $1 ORDER BY d.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(letter_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(delivery_from_row).collect()
    }
}
