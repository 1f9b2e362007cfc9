//! The letters' history as one hash chain: each entry is appended in the transaction of the
//! change it records, and `saraban audit verify` reads the chain back.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Result, Store, Tx, time_to_db};
use crate::domain::history::LetterHistory;

/// Appends to the letter's history and to the hash chain over all history. Taking the head row
/// first serialises writers (PostgreSQL row lock; SQLite has one writer), so the chain never forks.
pub async fn insert_event(
    tx: &mut Tx,
    letter_id: i64,
    event: &LetterHistory,
    actor: Option<i64>,
    at: DateTime<Utc>,
) -> Result<()> {
    let kind = event.kind();
    sqlx::query("UPDATE audit_head SET hash = hash WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    let prev: String = sqlx::query("SELECT hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut **tx)
        .await?
        .try_get("hash")?;
    let at = time_to_db(at);
    let detail = event.detail().to_string();
    let hash = crate::domain::journey::audit_hash(&prev, letter_id, kind, actor, &at, &detail);
    sqlx::query(
        "INSERT INTO letter_events (letter_id, kind, actor_id, at, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(letter_id)
    .bind(kind.to_string())
    .bind(actor)
    .bind(at)
    .bind(detail)
    .bind(prev)
    .bind(hash.clone())
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends many events at once (a step of a destruction list over every letter on it): the head
/// is taken once, the chain computed here in order, and the rows written in batches, so the
/// chain is exactly what as many [`insert_event`] calls would make.
pub async fn insert_events(
    kind: super::DbKind,
    tx: &mut Tx,
    events: &[(i64, LetterHistory)],
    actor: Option<i64>,
    at: DateTime<Utc>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    sqlx::query("UPDATE audit_head SET hash = hash WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    let mut prev: String = sqlx::query("SELECT hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut **tx)
        .await?
        .try_get("hash")?;
    let at = time_to_db(at);
    let mut rows = Vec::with_capacity(events.len());
    for (letter_id, event) in events {
        let detail = event.detail().to_string();
        let hash = crate::domain::journey::audit_hash(
            &prev,
            *letter_id,
            event.kind(),
            actor,
            &at,
            &detail,
        );
        rows.push((*letter_id, event.kind(), detail, prev, hash.clone()));
        prev = hash;
    }
    // The rows go in as numbered, so the chain's order is the id order verify reads.
    super::insert_rows(
        kind,
        tx,
        &rows,
        // 7 values a row: 400 rows stay under every database's bound on parameters.
        400,
        7,
        |values| {
            format!(
                "INSERT INTO letter_events (letter_id, kind, actor_id, at, detail, prev_hash, hash)
                 VALUES {values}"
            )
        },
        |q, (letter_id, kind, detail, prev, hash)| {
            q.bind(*letter_id)
                .bind(kind.to_string())
                .bind(actor)
                .bind(at.clone())
                .bind(detail.clone())
                .bind(prev.clone())
                .bind(hash.clone())
        },
    )
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(prev)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Every history entry in chain order, and the chain's head, for `saraban audit verify`.
    pub async fn audit_chain(&self) -> Result<(Vec<crate::domain::journey::ChainEntry>, String)> {
        let rows = sqlx::query(
            "SELECT id, letter_id, kind, actor_id, at, detail, prev_hash, hash FROM letter_events ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(crate::domain::journey::ChainEntry {
                id: r.try_get("id")?,
                letter_id: r.try_get("letter_id")?,
                kind: r.try_get("kind")?,
                actor: r.try_get("actor_id")?,
                at: r.try_get("at")?,
                detail: r.try_get("detail")?,
                prev_hash: r.try_get("prev_hash")?,
                hash: r.try_get("hash")?,
            });
        }
        let head: String = sqlx::query("SELECT hash FROM audit_head WHERE id = 1")
            .fetch_one(self.pool())
            .await?
            .try_get("hash")?;
        Ok((out, head))
    }
}
