//! Recording what arrives: each message taken from a mailbox or a file becomes an inbox entry, a
//! notice or a quarantined message, with the receipt for its mailbox position, in one
//! transaction; a batch of them in a few multi-row statements.

use std::collections::HashMap;

use chrono::Utc;
use sqlx::Row;

use super::inbox::{MailRecord, NewInboxEntry, NewNotice, NewQuarantine, ReceiptKey, Recorded};
use super::{
    AnyQuery, DbKind, Result, Store, StoreError, date_to_db, insert_rows, kind_of, placeholders,
    time_to_db,
};
use crate::domain::exchange::{self, DeliveryChannel, DeliveryKind, DeliveryStatus};
use crate::domain::inbox::{DsnAction, NoticeKind, ReceiptOutcome};
use crate::files::PackedBlob;
use crate::store::blobs::insert_blobs;
use crate::store::letters::NewAttachment;

impl Store {
    /// Writes what one arrived message became, and (for a mailbox message) the receipt for its
    /// position, in one transaction. A position taken before writes nothing.
    pub async fn record_mail(
        &self,
        record: &MailRecord,
        receipt: Option<&ReceiptKey>,
    ) -> Result<Recorded> {
        let mut tx = self.begin_write().await?;
        let recorded = record_in(&mut tx, record, receipt).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// The same for a batch, in one transaction: all of it is committed, or none, together
    /// with the pack index rows of its files (`blobs`, from
    /// [`crate::files::FileStore::flush_unindexed`]). Entries, attachments and receipts go in a
    /// few statements of many rows each; if another process took one of the receipts
    /// meanwhile, the batch is written again one message at a time.
    pub async fn record_mail_batch(
        &self,
        items: &[(MailRecord, Option<ReceiptKey>)],
        blobs: &[PackedBlob],
    ) -> Result<Vec<Recorded>> {
        if let Some(recorded) = self.record_batch_at_once(items, blobs).await? {
            return Ok(recorded);
        }
        let mut tx = self.begin_write().await?;
        insert_blobs(self.kind(), &mut tx, blobs).await?;
        let mut out = Vec::with_capacity(items.len());
        for (record, receipt) in items {
            out.push(record_in(&mut tx, record, receipt.as_ref()).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// `None` when a receipt of the batch was already taken (nothing is written then).
    async fn record_batch_at_once(
        &self,
        items: &[(MailRecord, Option<ReceiptKey>)],
        blobs: &[PackedBlob],
    ) -> Result<Option<Vec<Recorded>>> {
        let mut tx = self.begin_write().await?;
        insert_blobs(self.kind(), &mut tx, blobs).await?;
        let now = time_to_db(Utc::now());
        let mut recorded: Vec<Option<Recorded>> = vec![None; items.len()];

        let entries: Vec<(usize, &NewInboxEntry)> = items
            .iter()
            .enumerate()
            .filter_map(|(i, (r, _))| match r {
                MailRecord::Entry(e) => Some((i, e)),
                _ => None,
            })
            .collect();
        let mut inserted: HashMap<(String, String), i64> = HashMap::new();
        for chunk in entries.chunks(ENTRY_ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO inbox_entries ({ENTRY_INSERT_COLUMNS}) VALUES {}
                 ON CONFLICT (office_id, dedupe_key) DO NOTHING RETURNING id, office_id, dedupe_key",
                placeholders(self.kind(), chunk.len(), ENTRY_INSERT_PARAMS)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (_, e) in chunk {
                query = bind_entry(query, e, &now);
            }
            for row in query.fetch_all(&mut *tx).await? {
                inserted.insert(
                    (row.try_get("office_id")?, row.try_get("dedupe_key")?),
                    row.try_get("id")?,
                );
            }
        }
        // The first of a key in the batch is the new entry; a later one (or one whose key was
        // already there) is a duplicate of it.
        let mut claimed = std::collections::HashSet::new();
        let mut attachments = Vec::new();
        for (i, e) in &entries {
            let key = (e.office_id.clone(), e.dedupe_key.clone());
            let (id, duplicate) = match inserted.get(&key) {
                Some(id) if claimed.insert(key.clone()) => (*id, false),
                Some(id) => (*id, true),
                None => (existing_entry(&mut tx, e).await?, true),
            };
            if !duplicate {
                attachments.extend(
                    e.attachments
                        .iter()
                        .enumerate()
                        .map(|(p, a)| (id, p as i64 + 1, a)),
                );
            }
            recorded[*i] = Some(Recorded::Entry { id, duplicate });
        }
        insert_attachments(self.kind(), &mut tx, &attachments).await?;

        // Quarantine and notices are rare: one at a time.
        for (i, (record, _)) in items.iter().enumerate() {
            match record {
                MailRecord::Entry(_) => {}
                MailRecord::Quarantine(q) => {
                    recorded[i] = Some(Recorded::Quarantine {
                        id: insert_quarantine(&mut tx, q, &now).await?,
                    });
                }
                MailRecord::Notice(n) => {
                    recorded[i] = Some(Recorded::Notice {
                        id: insert_notice(&mut tx, n).await?,
                    });
                }
            }
        }
        let recorded: Vec<Recorded> = recorded
            .into_iter()
            .map(|r| r.ok_or_else(|| StoreError::Corrupt("batch item not recorded".into())))
            .collect::<Result<_>>()?;

        // Receipts last, with their outcome.
        let receipts: Vec<(&ReceiptKey, &MailRecord, Recorded)> = items
            .iter()
            .zip(&recorded)
            .filter_map(|((record, key), r)| key.as_ref().map(|k| (k, record, *r)))
            .collect();
        let taken = insert_rows(
            self.kind(),
            &mut tx,
            &receipts,
            RECEIPT_ROWS_PER_INSERT,
            8,
            |values| {
                format!(
                    "INSERT INTO mail_receipts (mailbox_id, folder, uidvalidity, uid, outcome, ref_id, raw_sha256, at)
                     VALUES {values} ON CONFLICT (mailbox_id, folder, uidvalidity, uid) DO NOTHING"
                )
            },
            |query, (key, record, r)| {
                let (outcome, raw) = receipt_outcome(record, *r);
                query
                    .bind(key.mailbox_id)
                    .bind(key.folder.clone())
                    .bind(key.uidvalidity)
                    .bind(key.uid)
                    .bind(outcome)
                    .bind(r.id())
                    .bind(raw)
                    .bind(now.clone())
            },
        )
        .await?;
        if taken != receipts.len() as u64 {
            tx.rollback().await?;
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(recorded))
    }

    /// The UIDs between `from` and `to` of a folder epoch that were already taken, with whether
    /// each may be flagged on the server (not an oversized message left in place).
    pub async fn taken_uids(
        &self,
        mailbox_id: i64,
        folder: &str,
        uidvalidity: i64,
        from: i64,
        to: i64,
    ) -> Result<std::collections::HashMap<i64, bool>> {
        let rows = sqlx::query(
            "SELECT uid, raw_sha256 FROM mail_receipts
             WHERE mailbox_id = $1 AND folder = $2 AND uidvalidity = $3 AND uid BETWEEN $4 AND $5",
        )
        .bind(mailbox_id)
        .bind(folder.to_string())
        .bind(uidvalidity)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let raw: Option<String> = r.try_get("raw_sha256")?;
                Ok((r.try_get::<i64, _>("uid")?, raw.is_some()))
            })
            .collect()
    }

    pub async fn receipt_exists(&self, key: &ReceiptKey) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM mail_receipts WHERE mailbox_id = $1 AND folder = $2 AND uidvalidity = $3 AND uid = $4",
        )
        .bind(key.mailbox_id)
        .bind(key.folder.clone())
        .bind(key.uidvalidity)
        .bind(key.uid)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }
}

pub(crate) async fn record_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    record: &MailRecord,
    receipt: Option<&ReceiptKey>,
) -> Result<Recorded> {
    let now = time_to_db(Utc::now());
    if let Some(r) = receipt {
        let taken = sqlx::query(
            "INSERT INTO mail_receipts (mailbox_id, folder, uidvalidity, uid, outcome, at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (mailbox_id, folder, uidvalidity, uid) DO NOTHING",
        )
        .bind(r.mailbox_id)
        .bind(r.folder.clone())
        .bind(r.uidvalidity)
        .bind(r.uid)
        .bind(ReceiptOutcome::Pending.code())
        .bind(now.clone())
        .execute(&mut **tx)
        .await?;
        if taken.rows_affected() == 0 {
            return Ok(Recorded::AlreadyTaken);
        }
    }
    let kind = kind_of(tx);
    let recorded = match record {
        MailRecord::Entry(e) => {
            let sql = format!(
                "INSERT INTO inbox_entries ({ENTRY_INSERT_COLUMNS}) VALUES {}
                 ON CONFLICT (office_id, dedupe_key) DO NOTHING RETURNING id",
                placeholders(kind, 1, ENTRY_INSERT_PARAMS)
            );
            let inserted = bind_entry(sqlx::query(sqlx::AssertSqlSafe(sql)), e, &now)
                .fetch_optional(&mut **tx)
                .await?;
            match inserted {
                Some(row) => {
                    let id: i64 = row.try_get("id")?;
                    let files: Vec<(i64, i64, &NewAttachment)> = e
                        .attachments
                        .iter()
                        .enumerate()
                        .map(|(p, a)| (id, p as i64 + 1, a))
                        .collect();
                    insert_attachments(kind, tx, &files).await?;
                    Recorded::Entry {
                        id,
                        duplicate: false,
                    }
                }
                None => Recorded::Entry {
                    id: existing_entry(tx, e).await?,
                    duplicate: true,
                },
            }
        }
        MailRecord::Quarantine(q) => Recorded::Quarantine {
            id: insert_quarantine(tx, q, &now).await?,
        },
        MailRecord::Notice(n) => Recorded::Notice {
            id: insert_notice(tx, n).await?,
        },
    };
    if let Some(r) = receipt {
        let (outcome, raw) = receipt_outcome(record, recorded);
        sqlx::query(
            "UPDATE mail_receipts SET outcome = $1, ref_id = $2, raw_sha256 = $3
             WHERE mailbox_id = $4 AND folder = $5 AND uidvalidity = $6 AND uid = $7",
        )
        .bind(outcome)
        .bind(recorded.id())
        .bind(raw)
        .bind(r.mailbox_id)
        .bind(r.folder.clone())
        .bind(r.uidvalidity)
        .bind(r.uid)
        .execute(&mut **tx)
        .await?;
    }
    Ok(recorded)
}

const ENTRY_INSERT_COLUMNS: &str = "office_id, source, mailbox_id, message_id, dedupe_key, raw_sha256,
    raw_size, subject, doc_no, doc_date, sender, sender_email, recipient, body_text,
    received_at, refused_attachments, created_at, search_text, speed, secrecy, letter_type, notify_to, for_group";
const ENTRY_INSERT_PARAMS: usize = 23;
/// Rows per multi-row statement: far below SQLite's 32 766 and PostgreSQL's 65 535 parameters.
const ENTRY_ROWS_PER_INSERT: usize = 100;
const ATTACHMENT_ROWS_PER_INSERT: usize = 500;
const RECEIPT_ROWS_PER_INSERT: usize = 500;

/// Binds an entry's values in the order of [`ENTRY_INSERT_COLUMNS`].
fn bind_entry<'q>(query: AnyQuery<'q>, e: &NewInboxEntry, now: &str) -> AnyQuery<'q> {
    query
        .bind(e.office_id.clone())
        .bind(e.source.code())
        .bind(e.mailbox_id)
        .bind(e.message_id.clone())
        .bind(e.dedupe_key.clone())
        .bind(e.raw_sha256.clone())
        .bind(e.raw_size)
        .bind(e.subject.clone())
        .bind(e.doc_no.clone())
        .bind(e.doc_date.map(date_to_db))
        .bind(e.sender.clone())
        .bind(e.sender_email.clone())
        .bind(e.recipient.clone())
        .bind(e.body_text.clone())
        .bind(time_to_db(e.received_at))
        .bind(serde_json::to_string(&e.refused).unwrap_or_else(|_| "[]".into()))
        .bind(now.to_string())
        .bind(super::inbox_text::entry_search_text(
            &e.subject,
            &e.doc_no,
            &e.sender,
            &e.sender_email,
            &e.body_text,
            &super::inbox_text::file_names(&e.attachments),
        ))
        .bind(e.speed.code())
        .bind(e.secrecy.code())
        .bind(e.letter_type.clone())
        .bind(e.notify_to.clone())
        .bind(e.for_group.clone())
}

/// The entry an arriving duplicate is the same letter as.
async fn existing_entry(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    e: &NewInboxEntry,
) -> Result<i64> {
    let row = sqlx::query("SELECT id FROM inbox_entries WHERE office_id = $1 AND dedupe_key = $2")
        .bind(e.office_id.clone())
        .bind(e.dedupe_key.clone())
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get("id")?)
}

/// Files of new entries: (entry id, position from 1, file).
async fn insert_attachments(
    kind: DbKind,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    files: &[(i64, i64, &NewAttachment)],
) -> Result<()> {
    insert_rows(
        kind,
        tx,
        files,
        ATTACHMENT_ROWS_PER_INSERT,
        7,
        |values| {
            format!(
                "INSERT INTO inbox_attachments (entry_id, position, name, description, kind, size, sha256) VALUES {values}"
            )
        },
        |query, (entry_id, position, a)| {
            query
                .bind(*entry_id)
                .bind(*position)
                .bind(a.name.clone())
                .bind(a.description.clone())
                .bind(a.kind.code())
                .bind(a.size)
                .bind(a.sha256.clone())
        },
    )
    .await?;
    // The files' words are read once per content, off the mail-in path.
    super::inbox_text::queue_entry_files(tx, files, Utc::now()).await?;
    Ok(())
}

async fn insert_quarantine(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    q: &NewQuarantine,
    now: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO quarantine (office_id, mailbox_id, origin, raw_sha256, raw_size, subject, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(q.office_id.clone())
    .bind(q.mailbox_id)
    .bind(q.origin.clone())
    .bind(q.raw_sha256.clone())
    .bind(q.raw_size)
    .bind(q.subject.clone())
    .bind(q.reason.clone())
    .bind(now.to_string())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

async fn insert_notice(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    n: &NewNotice,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO mail_notices (office_id, kind, message_id, original_message_id, action, status,
            recipient, diagnostic, subject, raw_sha256, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(n.office_id.clone())
    .bind(n.kind.code())
    .bind(n.message_id.clone())
    .bind(n.original_message_id.clone())
    .bind(n.action.clone())
    .bind(n.status.clone())
    .bind(n.recipient.clone())
    .bind(n.diagnostic.clone())
    .bind(n.subject.clone())
    .bind(n.raw_sha256.clone())
    .bind(time_to_db(n.received_at))
    .fetch_one(&mut **tx)
    .await?;
    apply_notice(tx, n).await?;
    Ok(row.try_get("id")?)
}

/// What a receipt says of its message: the outcome and the raw message kept.
fn receipt_outcome(record: &MailRecord, recorded: Recorded) -> (&'static str, Option<String>) {
    let (outcome, raw) = match (record, recorded) {
        (MailRecord::Entry(e), Recorded::Entry { duplicate, .. }) => (
            if duplicate {
                ReceiptOutcome::Duplicate
            } else {
                ReceiptOutcome::Letter
            },
            e.raw_sha256.clone(),
        ),
        (MailRecord::Entry(e), _) => (ReceiptOutcome::Letter, e.raw_sha256.clone()),
        (MailRecord::Quarantine(q), _) => (ReceiptOutcome::Quarantine, q.raw_sha256.clone()),
        (MailRecord::Notice(n), _) => (n.kind.into(), n.raw_sha256.clone()),
    };
    (outcome.code(), raw)
}

/// What a notice tells the outbox: a bounce fails the letter e-mail it reports on, an acceptance
/// notice shows the receiver's register number. Only deliveries of the office the notice came to
/// are touched, found by the Message-ID we gave them.
async fn apply_notice(tx: &mut sqlx::Transaction<'static, sqlx::Any>, n: &NewNotice) -> Result<()> {
    let Some(original) = n.original_message_id.clone() else {
        return Ok(());
    };
    let now = time_to_db(Utc::now());
    match (n.kind, DsnAction::from_code(&n.action), &n.acceptance) {
        (NoticeKind::Acceptance, _, Some((number, year, at))) => {
            sqlx::query(
                "UPDATE deliveries SET status = $1, recipient_number = $2, recipient_year_be = $3,
                    recipient_registered_at = $4, error = NULL, updated_at = $5
                 WHERE message_id = $6 AND office_id = $7 AND channel = $8 AND kind = $9",
            )
            .bind(DeliveryStatus::Registered.code())
            .bind(*number)
            .bind(i64::from(*year))
            .bind(time_to_db(*at))
            .bind(now)
            .bind(original)
            .bind(n.office_id.clone())
            .bind(DeliveryChannel::Email.code())
            .bind(DeliveryKind::Letter.code())
            .execute(&mut **tx)
            .await?;
        }
        (NoticeKind::DeliveryReport, Some(DsnAction::Failed), _) => {
            let reason = exchange::bounce_reason(&n.recipient, &n.status, &n.diagnostic);
            sqlx::query(
                "UPDATE deliveries SET status = $1, error = $2, updated_at = $3
                 WHERE message_id = $4 AND office_id = $5 AND channel = $6 AND kind = $7
                   AND status <> $8",
            )
            .bind(DeliveryStatus::Failed.code())
            .bind(reason)
            .bind(now)
            .bind(original)
            .bind(n.office_id.clone())
            .bind(DeliveryChannel::Email.code())
            .bind(DeliveryKind::Letter.code())
            .bind(DeliveryStatus::Registered.code())
            .execute(&mut **tx)
            .await?;
        }
        (NoticeKind::DeliveryReport, Some(DsnAction::Delayed), _) => {
            sqlx::query(
                "UPDATE deliveries SET status = $1, error = $2, updated_at = $3
                 WHERE message_id = $4 AND office_id = $5 AND channel = $6 AND kind = $7
                   AND status = $8",
            )
            .bind(DeliveryStatus::Delayed.code())
            .bind(exchange::delay_reason(&n.status, &n.diagnostic))
            .bind(now)
            .bind(original)
            .bind(n.office_id.clone())
            .bind(DeliveryChannel::Email.code())
            .bind(DeliveryKind::Letter.code())
            .bind(DeliveryStatus::Sent.code())
            .execute(&mut **tx)
            .await?;
        }
        _ => {}
    }
    Ok(())
}
