//! Register settings: calendar years and the starting number of each series.

use chrono::Utc;
use sqlx::Row;

use super::{Result, Store, StoreError, time_to_db};
use crate::domain::numbering::{Counter, NumberingError};
use crate::domain::register::Series;

/// A series' state for one year, as the settings screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesState {
    pub series: Series,
    pub counter: Counter,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Rule(#[from] NumberingError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SettingsError {
    fn from(e: sqlx::Error) -> Self {
        SettingsError::Store(StoreError::Db(e))
    }
}

impl Store {
    pub async fn list_years(&self, office_id: &str) -> Result<Vec<i32>> {
        let rows = sqlx::query(
            "SELECT year_be FROM register_years WHERE office_id = $1
             UNION SELECT year_be FROM counters WHERE office_id = $1
             ORDER BY year_be DESC",
        )
        .bind(office_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("year_be")? as i32))
            .collect()
    }

    pub async fn add_year(&self, office_id: &str, year_be: i32) -> Result<()> {
        sqlx::query(
            "INSERT INTO register_years (office_id, year_be, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (office_id, year_be) DO NOTHING",
        )
        .bind(office_id.to_string())
        .bind(i64::from(year_be))
        .bind(time_to_db(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Opens the registers on `year_be` by default (`None`: follow the calendar).
    pub async fn set_active_year(&self, office_id: &str, year_be: Option<i32>) -> Result<()> {
        if let Some(y) = year_be {
            self.add_year(office_id, y).await?;
        }
        sqlx::query("UPDATE offices SET active_year_be = $1 WHERE id = $2")
            .bind(year_be.map(i64::from))
            .bind(office_id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Every series' counter for a year; series never used show the default start.
    pub async fn series_states(&self, office_id: &str, year_be: i32) -> Result<Vec<SeriesState>> {
        let rows = sqlx::query(
            "SELECT series, start_number, next_number FROM counters WHERE office_id = $1 AND year_be = $2",
        )
        .bind(office_id.to_string())
        .bind(i64::from(year_be))
        .fetch_all(self.pool())
        .await?;
        let mut states = Vec::new();
        for series in Series::ALL {
            let stored = rows.iter().find(|r| {
                r.try_get::<String, _>("series")
                    .is_ok_and(|s| s == series.code())
            });
            let counter = match stored {
                Some(r) => {
                    Counter::from_parts(r.try_get("start_number")?, r.try_get("next_number")?)
                }
                None => Counter::new(crate::domain::numbering::DEFAULT_START)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            };
            states.push(SeriesState { series, counter });
        }
        Ok(states)
    }

    /// Sets the first number of a series for a year (to continue a paper register). Refused once
    /// any number of that year has been issued.
    pub async fn set_start_number(
        &self,
        office_id: &str,
        series: Series,
        year_be: i32,
        start: i64,
    ) -> Result<(), SettingsError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT start_number, next_number FROM counters WHERE office_id = $1 AND series = $2 AND year_be = $3",
        )
        .bind(office_id.to_string())
        .bind(series.code())
        .bind(i64::from(year_be))
        .fetch_optional(&mut *tx)
        .await?;
        match row {
            Some(r) => {
                let mut counter =
                    Counter::from_parts(r.try_get("start_number")?, r.try_get("next_number")?);
                counter.set_start(start)?;
                sqlx::query(
                    "UPDATE counters SET start_number = $1, next_number = $2
                     WHERE office_id = $3 AND series = $4 AND year_be = $5",
                )
                .bind(counter.start())
                .bind(counter.next())
                .bind(office_id.to_string())
                .bind(series.code())
                .bind(i64::from(year_be))
                .execute(&mut *tx)
                .await?;
            }
            None => {
                let counter = Counter::new(start)?;
                sqlx::query(
                    "INSERT INTO counters (office_id, series, year_be, start_number, next_number)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(office_id.to_string())
                .bind(series.code())
                .bind(i64::from(year_be))
                .bind(counter.start())
                .bind(counter.next())
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "INSERT INTO register_years (office_id, year_be, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (office_id, year_be) DO NOTHING",
        )
        .bind(office_id.to_string())
        .bind(i64::from(year_be))
        .bind(time_to_db(Utc::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
