//! The 20-year lists in the store: which letters are due, the lists, and the letters handed over.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::{DbKind, Result, Store, StoreError, Tx, date_from_db, date_to_db, time_to_db};

#[derive(Debug, Clone)]
pub struct HandoverItem {
    pub item_no: i64,
    pub letter_id: i64,
    pub kept: bool,
    pub number: i64,
    pub letter_year_be: i32,
    pub doc_no: String,
    pub doc_date: NaiveDate,
    pub subject: String,
    pub file_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Handover {
    pub id: i64,
    pub year_be: i32,
    pub handed_on: NaiveDate,
    pub items: Vec<HandoverItem>,
}

/// The office's letters registered in `last_year_be` or before, not destroyed, not handed over
/// and on no 20-year list yet, oldest first.
pub async fn due(tx: &mut Tx, office_id: &str, last_year_be: i32) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT l.id FROM letters l
         WHERE l.office_id = $1 AND l.year_be <= $2 AND l.destroyed_at IS NULL
           AND l.handed_over_on IS NULL
           AND NOT EXISTS (SELECT 1 FROM handover_items i WHERE i.letter_id = l.id)
         ORDER BY l.year_be, l.register, l.number",
    )
    .bind(office_id.to_string())
    .bind(i64::from(last_year_be))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
}

/// What a new list writes: `items` are (letter id, kept by the office); the others are marked
/// handed over on `handed_on`.
pub struct NewHandover<'a> {
    pub office_id: &'a str,
    pub year_be: i32,
    pub by: i64,
    pub at: DateTime<Utc>,
    pub handed_on: NaiveDate,
    pub items: &'a [(i64, bool)],
}

pub async fn insert(kind: DbKind, tx: &mut Tx, new: &NewHandover<'_>) -> Result<i64> {
    let NewHandover {
        office_id,
        year_be,
        by,
        at,
        handed_on,
        items,
    } = *new;
    let id: i64 = sqlx::query(
        "INSERT INTO handovers (office_id, year_be, created_by, created_at, handed_on)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(office_id.to_string())
    .bind(i64::from(year_be))
    .bind(by)
    .bind(time_to_db(at))
    .bind(date_to_db(handed_on))
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    let rows: Vec<(i64, i64, i64)> = items
        .iter()
        .enumerate()
        .map(|(n, (letter, kept))| (n as i64 + 1, *letter, i64::from(*kept)))
        .collect();
    super::insert_rows(
        kind,
        tx,
        &rows,
        250,
        4,
        |values| {
            format!(
                "INSERT INTO handover_items (handover_id, item_no, letter_id, kept) VALUES {values}"
            )
        },
        |q, (n, letter, kept)| q.bind(id).bind(*n).bind(*letter).bind(*kept),
    )
    .await?;
    for (letter, kept) in items {
        if !kept {
            sqlx::query("UPDATE letters SET handed_over_on = $1 WHERE id = $2")
                .bind(date_to_db(handed_on))
                .bind(*letter)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(id)
}

impl Store {
    pub async fn handovers(&self, office_id: &str) -> Result<Vec<(i64, i32, NaiveDate)>> {
        let rows = sqlx::query(
            "SELECT id, year_be, handed_on FROM handovers WHERE office_id = $1 ORDER BY id DESC",
        )
        .bind(office_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id")?,
                    r.try_get::<i64, _>("year_be")? as i32,
                    date_from_db(&r.try_get::<String, _>("handed_on")?)?,
                ))
            })
            .collect()
    }

    pub async fn find_handover(&self, office_id: &str, id: i64) -> Result<Handover> {
        let row = sqlx::query(
            "SELECT id, year_be, handed_on FROM handovers WHERE id = $1 AND office_id = $2",
        )
        .bind(id)
        .bind(office_id.to_string())
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let items = sqlx::query(
            "SELECT i.item_no, i.letter_id, i.kept, l.number, l.year_be, l.doc_no, l.doc_date,
                l.subject, f.file_code
             FROM handover_items i JOIN letters l ON l.id = i.letter_id
             LEFT JOIN filings f ON f.letter_id = i.letter_id
             WHERE i.handover_id = $1 ORDER BY i.item_no",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        Ok(Handover {
            id,
            year_be: row.try_get::<i64, _>("year_be")? as i32,
            handed_on: date_from_db(&row.try_get::<String, _>("handed_on")?)?,
            items: items
                .iter()
                .map(|r| {
                    Ok(HandoverItem {
                        item_no: r.try_get("item_no")?,
                        letter_id: r.try_get("letter_id")?,
                        kept: r.try_get::<i64, _>("kept")? != 0,
                        number: r.try_get("number")?,
                        letter_year_be: r.try_get::<i64, _>("year_be")? as i32,
                        doc_no: r.try_get("doc_no")?,
                        doc_date: date_from_db(&r.try_get::<String, _>("doc_date")?)?,
                        subject: r.try_get("subject")?,
                        file_code: r.try_get("file_code")?,
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
}
