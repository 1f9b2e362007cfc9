//! ปิดทะเบียนประจำปี: which register-years are closed, with the form PDF kept at closing.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::audit::insert_event;
use super::{Result, Store, StoreError, Tx, time_from_db, time_to_db};
use crate::domain::history::{LetterHistory, RegisterClosed};
use crate::domain::register::Register;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    pub register: Register,
    pub year_be: i32,
    pub closed_at: DateTime<Utc>,
    pub closed_by_name: String,
    pub sha256: String,
    pub size: i64,
    pub entries: i64,
}

/// Whether the register of `year_be` is closed (read inside the registering transaction).
pub async fn is_closed(
    tx: &mut Tx,
    office_id: &str,
    register: Register,
    year_be: i32,
) -> Result<bool> {
    Ok(sqlx::query(
        "SELECT 1 AS closed FROM register_closings WHERE office_id = $1 AND register = $2 AND year_be = $3",
    )
    .bind(office_id.to_string())
    .bind(register.code())
    .bind(i64::from(year_be))
    .fetch_optional(&mut **tx)
    .await?
    .is_some())
}

/// What is recorded when a register-year closes.
pub struct NewClosing<'a> {
    pub office_id: &'a str,
    pub register: Register,
    pub year_be: i32,
    pub closed_by: i64,
    pub sha256: &'a str,
    pub size: i64,
    pub entries: i64,
}

impl Store {
    pub async fn closing(
        &self,
        office_id: &str,
        register: Register,
        year_be: i32,
    ) -> Result<Option<Closing>> {
        let row = sqlx::query(
            "SELECT c.*, (SELECT COALESCE(NULLIF(u.full_name, ''), u.username) FROM users u WHERE u.id = c.closed_by) AS closed_by_name
             FROM register_closings c WHERE c.office_id = $1 AND c.register = $2 AND c.year_be = $3",
        )
        .bind(office_id.to_string())
        .bind(register.code())
        .bind(i64::from(year_be))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let closed_at: String = row.try_get("closed_at")?;
        Ok(Some(Closing {
            register,
            year_be,
            closed_at: time_from_db(&closed_at)?,
            closed_by_name: row
                .try_get::<Option<String>, _>("closed_by_name")?
                .unwrap_or_default(),
            sha256: row.try_get("sha256")?,
            size: row.try_get("size")?,
            entries: row.try_get("entries")?,
        }))
    }

    /// Closes the register-year in one transaction: the closing row (a second closing is refused
    /// by its primary key) and a line in the hash-chained history of the year's last entry.
    /// `None` when it was closed already.
    pub async fn close_register(&self, new: &NewClosing<'_>) -> Result<Option<()>> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let last: Option<i64> = sqlx::query(
            "SELECT id FROM letters WHERE office_id = $1 AND register = $2 AND year_be = $3
             ORDER BY number DESC LIMIT 1",
        )
        .bind(new.office_id.to_string())
        .bind(new.register.code())
        .bind(i64::from(new.year_be))
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?;
        let Some(last) = last else {
            return Err(StoreError::NotFound);
        };
        let inserted = sqlx::query(
            "INSERT INTO register_closings (office_id, register, year_be, closed_at, closed_by, sha256, size, entries)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (office_id, register, year_be) DO NOTHING",
        )
        .bind(new.office_id.to_string())
        .bind(new.register.code())
        .bind(i64::from(new.year_be))
        .bind(time_to_db(now))
        .bind(new.closed_by)
        .bind(new.sha256.to_string())
        .bind(new.size)
        .bind(new.entries)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(None);
        }
        let event = LetterHistory::RegisterClosed(RegisterClosed {
            register: new.register.code().to_string(),
            year_be: new.year_be,
            entries: new.entries,
            sha256: new.sha256.to_string(),
        });
        insert_event(&mut tx, last, &event, Some(new.closed_by), now).await?;
        tx.commit().await?;
        Ok(Some(()))
    }
}
