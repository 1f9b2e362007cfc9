//! Offices and their register settings.

use chrono::Utc;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::settings::SettingsError;
use super::{Conflict, Result, Store, StoreError, time_to_db};
use crate::domain::numbering;
use crate::domain::office::OfficeKind;
use crate::domain::register::CircularNumbering;
use crate::domain::retention::Counting;
use crate::domain::stamp::{StampCorner, StampSettings};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub id: String,
    pub name: String,
    pub kind: OfficeKind,
    pub parent_id: Option<String>,
    pub prefix: String,
    pub email: Option<String>,
    pub circular_numbering: CircularNumbering,
    /// The year the registers open on; `None` follows the calendar.
    pub active_year_be: Option<i32>,
    /// Register letters arriving by e-mail at once, without a clerk's click.
    pub auto_register: bool,
    /// How the receipt stamp is drawn on this office's inbound letters.
    pub stamp: StampSettings,
    /// How "เก็บถึง พ.ศ. X" is counted (a setting: the regulation's rule is not confirmed).
    pub retention_counting: Counting,
}

pub struct NewOffice<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: OfficeKind,
    pub parent_id: Option<&'a str>,
    pub prefix: &'a str,
    pub email: Option<&'a str>,
}

/// The settings a clerk may change on the settings screen.
pub struct OfficeSettings<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub email: Option<&'a str>,
    pub circular_numbering: CircularNumbering,
}

const COLUMNS: &str = "id, name, kind, parent_id, prefix, email, circular_numbering, active_year_be, \
     auto_register, stamp_corner, stamp_font_size, stamp_filled, retention_counting";

fn office_from_row(row: &AnyRow) -> Result<Office> {
    let kind: String = row.try_get("kind")?;
    let circular: String = row.try_get("circular_numbering")?;
    let active: Option<i64> = row.try_get("active_year_be")?;
    Ok(Office {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: OfficeKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("office kind {kind}")))?,
        parent_id: row.try_get("parent_id")?,
        prefix: row.try_get("prefix")?,
        email: row.try_get("email")?,
        circular_numbering: CircularNumbering::parse(&circular)
            .ok_or_else(|| StoreError::Corrupt(format!("circular numbering {circular}")))?,
        active_year_be: active.map(|y| y as i32),
        auto_register: row.try_get::<i64, _>("auto_register")? != 0,
        stamp: StampSettings {
            corner: super::coded::<StampCorner>(row, "stamp_corner")?,
            font_size: u8::try_from(row.try_get::<i64, _>("stamp_font_size")?)
                .map_err(|e| StoreError::Corrupt(format!("stamp font size: {e}")))?,
            filled: row.try_get::<i64, _>("stamp_filled")? != 0,
        },
        retention_counting: super::coded::<Counting>(row, "retention_counting")?,
    })
}

impl Store {
    pub async fn insert_office(&self, office: &NewOffice<'_>) -> Result<Office> {
        if let Some(parent) = office.parent_id {
            self.find_office(parent).await?;
        }
        let result = sqlx::query(
            "INSERT INTO offices (id, name, kind, parent_id, prefix, email, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(office.id.to_string())
        .bind(office.name.to_string())
        .bind(office.kind.code())
        .bind(office.parent_id.map(str::to_string))
        .bind(office.prefix.to_string())
        .bind(office.email.map(str::to_string))
        .bind(time_to_db(Utc::now()))
        .execute(self.pool())
        .await;
        match result {
            Err(e) => {
                let e = StoreError::from(e);
                if e.is_unique_violation() {
                    Err(StoreError::Conflict(Conflict::OfficeIdTaken(
                        office.id.to_string(),
                    )))
                } else {
                    Err(e)
                }
            }
            Ok(_) => self.find_office(office.id).await,
        }
    }

    pub async fn find_office(&self, id: &str) -> Result<Office> {
        let sql = format!("SELECT {COLUMNS} FROM offices WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        office_from_row(&row)
    }

    pub async fn list_offices(&self) -> Result<Vec<Office>> {
        let sql = format!("SELECT {COLUMNS} FROM offices ORDER BY kind, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(office_from_row).collect()
    }

    pub async fn set_stamp_settings(&self, id: &str, stamp: &StampSettings) -> Result<()> {
        sqlx::query(
            "UPDATE offices SET stamp_corner = $1, stamp_font_size = $2, stamp_filled = $3 WHERE id = $4",
        )
        .bind(stamp.corner.code())
        .bind(i64::from(stamp.font_size))
        .bind(i64::from(stamp.filled))
        .bind(id.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn set_retention_counting(&self, id: &str, counting: Counting) -> Result<()> {
        sqlx::query("UPDATE offices SET retention_counting = $1 WHERE id = $2")
            .bind(counting.code())
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_auto_register(&self, id: &str, on: bool) -> Result<()> {
        sqlx::query("UPDATE offices SET auto_register = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Writes the office's settings. A change of circular numbering is checked against the
    /// circulars already issued in `year_be` (and later) in the same transaction, so a circular
    /// registered meanwhile cannot slip past the rule.
    pub async fn update_office_settings(
        &self,
        id: &str,
        s: &OfficeSettings<'_>,
        year_be: i32,
    ) -> Result<Office, SettingsError> {
        let mut tx = self.begin_write().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT circular_numbering FROM offices WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let Some(current) = current else {
            return Err(StoreError::NotFound.into());
        };
        let issued: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM letters WHERE office_id = $1 AND register = 'circular' AND year_be >= $2",
        )
        .bind(id.to_string())
        .bind(i64::from(year_be))
        .fetch_one(&mut *tx)
        .await?;
        numbering::check_circular_switch(current != s.circular_numbering.code(), year_be, issued)?;
        sqlx::query(
            "UPDATE offices SET name = $1, prefix = $2, email = $3, circular_numbering = $4
             WHERE id = $5",
        )
        .bind(s.name.to_string())
        .bind(s.prefix.to_string())
        .bind(s.email.map(str::to_string))
        .bind(s.circular_numbering.code())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(self.find_office(id).await?)
    }
}
