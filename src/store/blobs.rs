//! The pack index of the file store: which pack file holds a file, and where.

use std::collections::HashSet;

use futures_util::future::BoxFuture;
use sqlx::Row;

use super::{DbKind, Store, StoreError, insert_rows, placeholders};
use crate::files::{FileError, PackIndex, PackedBlob};

/// Rows per statement: four parameters each stays well under every database's limit.
const ROWS_PER_INSERT: usize = 200;

fn index_error(e: StoreError) -> FileError {
    FileError::Index(e.to_string())
}

impl Store {
    async fn record_blobs(&self, blobs: &[PackedBlob]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_blobs(self.kind(), &mut tx, blobs).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn locate_blob(&self, sha256: &str) -> Result<Option<PackedBlob>, StoreError> {
        let row = sqlx::query("SELECT pack, pack_offset, size FROM stored_blobs WHERE sha256 = $1")
            .bind(sha256.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            let offset: i64 = r.try_get("pack_offset")?;
            let size: i64 = r.try_get("size")?;
            Ok(PackedBlob {
                sha256: sha256.to_string(),
                pack: r.try_get("pack")?,
                offset: u64::try_from(offset)
                    .map_err(|_| StoreError::Corrupt("pack offset".into()))?,
                size: u64::try_from(size).map_err(|_| StoreError::Corrupt("pack size".into()))?,
            })
        })
        .transpose()
    }

    async fn known_blobs(&self, sha256s: &[String]) -> Result<HashSet<String>, StoreError> {
        let mut known = HashSet::new();
        for chunk in sha256s.chunks(ROWS_PER_INSERT * 4) {
            // `(($1), ($2))` is a list of one-column rows, which IN takes as well.
            let sql = format!(
                "SELECT sha256 FROM stored_blobs WHERE sha256 IN ({})",
                placeholders(self.kind(), chunk.len(), 1)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for sha in chunk {
                query = query.bind(sha.clone());
            }
            for row in query.fetch_all(self.pool()).await? {
                known.insert(row.try_get::<String, _>("sha256")?);
            }
        }
        Ok(known)
    }
}

/// Index rows for packed files, inside the caller's transaction.
pub(crate) async fn insert_blobs(
    kind: DbKind,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    blobs: &[PackedBlob],
) -> Result<(), StoreError> {
    // Two passes over the same files (an earlier flush wrote some rows) change nothing.
    insert_rows(
        kind,
        tx,
        blobs,
        ROWS_PER_INSERT,
        4,
        |values| {
            format!(
                "INSERT INTO stored_blobs (sha256, pack, pack_offset, size) VALUES {values}
                 ON CONFLICT (sha256) DO NOTHING"
            )
        },
        |query, b| {
            query
                .bind(b.sha256.clone())
                .bind(b.pack.clone())
                .bind(b.offset as i64)
                .bind(b.size as i64)
        },
    )
    .await?;
    Ok(())
}

impl PackIndex for Store {
    fn record(&self, blobs: Vec<PackedBlob>) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.record_blobs(&blobs).await.map_err(index_error) })
    }

    fn locate(&self, sha256: String) -> BoxFuture<'_, Result<Option<PackedBlob>, FileError>> {
        Box::pin(async move { self.locate_blob(&sha256).await.map_err(index_error) })
    }

    fn known(&self, sha256s: Vec<String>) -> BoxFuture<'_, Result<HashSet<String>, FileError>> {
        Box::pin(async move { self.known_blobs(&sha256s).await.map_err(index_error) })
    }

    fn in_pack(&self, pack: String) -> BoxFuture<'_, Result<Vec<PackedBlob>, FileError>> {
        Box::pin(async move { self.blobs_in_pack(&pack).await.map_err(index_error) })
    }

    fn repack(
        &self,
        removed: Vec<String>,
        moved: Vec<PackedBlob>,
    ) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.move_blobs(&removed, &moved).await.map_err(index_error) })
    }
}

impl Store {
    async fn blobs_in_pack(&self, pack: &str) -> Result<Vec<PackedBlob>, StoreError> {
        let rows = sqlx::query(
            "SELECT sha256, pack_offset, size FROM stored_blobs WHERE pack = $1 ORDER BY pack_offset",
        )
        .bind(pack.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let offset: i64 = r.try_get("pack_offset")?;
                let size: i64 = r.try_get("size")?;
                Ok(PackedBlob {
                    sha256: r.try_get("sha256")?,
                    pack: pack.to_string(),
                    offset: u64::try_from(offset)
                        .map_err(|_| StoreError::Corrupt("pack offset".into()))?,
                    size: u64::try_from(size)
                        .map_err(|_| StoreError::Corrupt("pack size".into()))?,
                })
            })
            .collect()
    }

    async fn move_blobs(&self, removed: &[String], moved: &[PackedBlob]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for sha in removed {
            sqlx::query("DELETE FROM stored_blobs WHERE sha256 = $1")
                .bind(sha.clone())
                .execute(&mut *tx)
                .await?;
        }
        for b in moved {
            sqlx::query(
                "UPDATE stored_blobs SET pack = $1, pack_offset = $2, size = $3 WHERE sha256 = $4",
            )
            .bind(b.pack.clone())
            .bind(b.offset as i64)
            .bind(b.size as i64)
            .bind(b.sha256.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
