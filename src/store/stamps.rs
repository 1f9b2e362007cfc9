//! Stamped copies of registered files: which copy (by sha256) was drawn for which stamp key, or
//! why none could be.

use chrono::Utc;
use sqlx::Row;

use super::{Result, Store, time_to_db};

/// What became of stamping one file with one stamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StampedFile {
    Made { sha256: String, size: i64 },
    Failed(String),
}

/// A stamping's outcome and whether the original is digitally signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StampRecord {
    pub outcome: StampedFile,
    pub signed: bool,
}

impl Store {
    pub async fn find_stamped(&self, stamp_key: &str) -> Result<Option<StampRecord>> {
        let row = sqlx::query(
            "SELECT sha256, size, failure, signed FROM stamped_files WHERE stamp_key = $1",
        )
        .bind(stamp_key.to_string())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let sha256: Option<String> = row.try_get("sha256")?;
        let outcome = match sha256 {
            Some(sha256) => StampedFile::Made {
                sha256,
                size: row.try_get::<Option<i64>, _>("size")?.unwrap_or(0),
            },
            None => StampedFile::Failed(
                row.try_get::<Option<String>, _>("failure")?
                    .unwrap_or_default(),
            ),
        };
        Ok(Some(StampRecord {
            outcome,
            signed: row.try_get::<i64, _>("signed")? != 0,
        }))
    }

    /// Records a stamped copy; two requests stamping at once both write the same answer, and the
    /// first one stays.
    pub async fn record_stamped(
        &self,
        stamp_key: &str,
        source_sha256: &str,
        record: &StampRecord,
    ) -> Result<()> {
        let (sha256, size, failure) = match &record.outcome {
            StampedFile::Made { sha256, size } => (Some(sha256.clone()), Some(*size), None),
            StampedFile::Failed(why) => (None, None, Some(why.clone())),
        };
        sqlx::query(
            "INSERT INTO stamped_files (stamp_key, source_sha256, sha256, size, failure, signed, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (stamp_key) DO NOTHING",
        )
        .bind(stamp_key.to_string())
        .bind(source_sha256.to_string())
        .bind(sha256)
        .bind(size)
        .bind(failure)
        .bind(i64::from(record.signed))
        .bind(time_to_db(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
