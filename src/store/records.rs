//! The record's life in the store: retention defaults and a letter's retention, legal holds, and
//! the rows of an earlier register brought in.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Result, Store, StoreError, Tx, time_from_db, time_to_db};
use crate::domain::register::{Register, Series};
use crate::domain::retention::{Retention, RetentionClass, RetentionRule};

/// The office's retention defaults (its settings), as [`crate::domain::retention::default_for`]
/// reads them.
pub async fn retention_rules(tx: &mut Tx, office_id: &str) -> Result<Vec<RetentionRule>> {
    let rows = sqlx::query(
        "SELECT register, letter_type, retention_class, retention_years
         FROM retention_defaults WHERE office_id = $1 ORDER BY register, letter_type",
    )
    .bind(office_id.to_string())
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(rule_from_row).collect()
}

fn rule_from_row(r: &sqlx::any::AnyRow) -> Result<RetentionRule> {
    let register: String = r.try_get("register")?;
    let letter_type: String = r.try_get("letter_type")?;
    let register = match register.as_str() {
        "" => None,
        code => Some(
            Register::parse(code)
                .ok_or_else(|| StoreError::Corrupt(format!("register {code:?}")))?,
        ),
    };
    Ok((
        register,
        Some(letter_type).filter(|t| !t.is_empty()),
        Retention {
            class: super::coded::<RetentionClass>(r, "retention_class")?,
            years: r
                .try_get::<Option<i64>, _>("retention_years")?
                .map(|y| y as i32),
        },
    ))
}

/// Sets a letter's retention.
pub async fn set_letter_retention(tx: &mut Tx, letter_id: i64, retention: Retention) -> Result<()> {
    sqlx::query("UPDATE letters SET retention_class = $1, retention_years = $2 WHERE id = $3")
        .bind(retention.class.code())
        .bind(retention.years.map(i64::from))
        .bind(letter_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A legal hold on a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalHold {
    pub id: i64,
    pub letter_id: i64,
    pub reason: String,
    pub placed_by_name: String,
    pub placed_at: DateTime<Utc>,
    /// When lifted: when, by whom, why.
    pub lifted: Option<(DateTime<Utc>, String, String)>,
}

pub async fn insert_hold(
    tx: &mut Tx,
    letter_id: i64,
    reason: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO legal_holds (letter_id, reason, placed_by, placed_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(letter_id)
    .bind(reason.to_string())
    .bind(by)
    .bind(time_to_db(at))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

/// Lifts a hold still in force on a letter of `office_id`; the letter's id, or `None` when there
/// is no such hold in force.
pub async fn lift_hold(
    tx: &mut Tx,
    office_id: &str,
    hold_id: i64,
    reason: &str,
    by: i64,
    at: DateTime<Utc>,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "UPDATE legal_holds SET lifted_by = $1, lifted_at = $2, lift_reason = $3
         WHERE id = $4 AND lifted_at IS NULL
           AND letter_id IN (SELECT id FROM letters WHERE office_id = $5)
         RETURNING letter_id",
    )
    .bind(by)
    .bind(time_to_db(at))
    .bind(reason.to_string())
    .bind(hold_id)
    .bind(office_id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("letter_id")?),
        None => None,
    })
}

/// Where an imported row goes, and what marks it.
pub struct ImportMark {
    pub imported_by: i64,
    pub imported_at: DateTime<Utc>,
    /// The reason, when the earlier register had the entry cancelled.
    pub cancelled: Option<String>,
}

/// Marks a just-inserted letter as brought in from the earlier register (and cancelled, when it
/// was cancelled there).
pub async fn mark_imported(tx: &mut Tx, letter_id: i64, mark: &ImportMark) -> Result<()> {
    let at = time_to_db(mark.imported_at);
    sqlx::query(
        "UPDATE letters SET imported_at = $1, imported_by = $2,
            cancelled_at = CASE WHEN $3 = 1 THEN registered_at ELSE NULL END,
            cancelled_by = CASE WHEN $3 = 1 THEN $2 ELSE NULL END,
            cancel_reason = $4
         WHERE id = $5",
    )
    .bind(at)
    .bind(mark.imported_by)
    .bind(i64::from(mark.cancelled.is_some()))
    .bind(mark.cancelled.clone())
    .bind(letter_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The numbers of `series` in `year_be` already in the register, among `numbers`.
pub async fn numbers_taken(
    tx: &mut Tx,
    office_id: &str,
    series: Series,
    year_be: i32,
) -> Result<std::collections::BTreeSet<i64>> {
    let rows = sqlx::query(
        "SELECT number FROM letters WHERE office_id = $1 AND series = $2 AND year_be = $3",
    )
    .bind(office_id.to_string())
    .bind(series.code())
    .bind(i64::from(year_be))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<i64, _>("number")?))
        .collect()
}

/// The `ที่` of the office's own letters (every register but inbound) in `year_be`: unique there.
pub async fn own_doc_nos(
    tx: &mut Tx,
    office_id: &str,
    year_be: i32,
) -> Result<std::collections::BTreeSet<String>> {
    let rows = sqlx::query(
        "SELECT doc_no FROM letters WHERE office_id = $1 AND year_be = $2 AND register <> 'inbound'",
    )
    .bind(office_id.to_string())
    .bind(i64::from(year_be))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>("doc_no")?))
        .collect()
}

/// Moves the year's counter past `highest` (creating it when the year has none yet), so the next
/// number issued follows the imported ones. A counter already further on stays.
pub async fn advance_counter(
    tx: &mut Tx,
    office_id: &str,
    series: Series,
    year_be: i32,
    highest: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO counters (office_id, series, year_be, start_number, next_number)
         VALUES ($1, $2, $3, 1, 1) ON CONFLICT (office_id, series, year_be) DO NOTHING",
    )
    .bind(office_id.to_string())
    .bind(series.code())
    .bind(i64::from(year_be))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE counters SET next_number = $4
         WHERE office_id = $1 AND series = $2 AND year_be = $3 AND next_number <= $4 - 1",
    )
    .bind(office_id.to_string())
    .bind(series.code())
    .bind(i64::from(year_be))
    .bind(highest + 1)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    pub async fn retention_defaults(&self, office_id: &str) -> Result<Vec<RetentionRule>> {
        let rows = sqlx::query(
            "SELECT register, letter_type, retention_class, retention_years
             FROM retention_defaults WHERE office_id = $1 ORDER BY register, letter_type",
        )
        .bind(office_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(rule_from_row).collect()
    }

    /// Replaces the office's retention defaults.
    pub async fn set_retention_defaults(
        &self,
        office_id: &str,
        rules: &[RetentionRule],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM retention_defaults WHERE office_id = $1")
            .bind(office_id.to_string())
            .execute(&mut *tx)
            .await?;
        for (register, letter_type, retention) in rules {
            sqlx::query(
                "INSERT INTO retention_defaults (office_id, register, letter_type, retention_class, retention_years)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(office_id.to_string())
            .bind(register.map(|r| r.code()).unwrap_or("").to_string())
            .bind(letter_type.clone().unwrap_or_default())
            .bind(retention.class.code())
            .bind(retention.years.map(i64::from))
            .execute(&mut *tx)
            .await?;
        }
        super::commit(tx).await
    }

    /// A letter's holds, newest first.
    pub async fn legal_holds(&self, letter_id: i64) -> Result<Vec<LegalHold>> {
        let rows = sqlx::query(
            "SELECT h.id, h.letter_id, h.reason, h.placed_at, h.lifted_at, h.lift_reason,
                COALESCE(NULLIF(pu.full_name, ''), pu.username) AS placed_by_name,
                COALESCE(NULLIF(lu.full_name, ''), lu.username) AS lifted_by_name
             FROM legal_holds h
             JOIN users pu ON pu.id = h.placed_by
             LEFT JOIN users lu ON lu.id = h.lifted_by
             WHERE h.letter_id = $1 ORDER BY h.id DESC",
        )
        .bind(letter_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let placed_at: String = r.try_get("placed_at")?;
                let lifted_at: Option<String> = r.try_get("lifted_at")?;
                Ok(LegalHold {
                    id: r.try_get("id")?,
                    letter_id: r.try_get("letter_id")?,
                    reason: r.try_get("reason")?,
                    placed_by_name: r.try_get("placed_by_name")?,
                    placed_at: time_from_db(&placed_at)?,
                    lifted: match lifted_at {
                        Some(at) => Some((
                            time_from_db(&at)?,
                            r.try_get::<Option<String>, _>("lifted_by_name")?
                                .unwrap_or_default(),
                            r.try_get::<Option<String>, _>("lift_reason")?
                                .unwrap_or_default(),
                        )),
                        None => None,
                    },
                })
            })
            .collect()
    }
}
