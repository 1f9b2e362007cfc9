//! The pack indexes of the file store: which pack holds a file, and where. Packs on the local
//! disk are in `stored_blobs`, packs in an S3 object store in `object_blobs`.

use std::collections::HashSet;

use futures_util::future::BoxFuture;
use sqlx::Row;

use super::{DbKind, Store, StoreError, insert_rows};
use crate::files::{FileError, PackHome, PackIndex, PackedBlob};

/// Rows per statement: four parameters each stays well under every database's limit.
const ROWS_PER_INSERT: usize = 200;

fn index_error(e: StoreError) -> FileError {
    FileError::Index(e.to_string())
}

/// The table of one backend's packs.
pub(crate) fn table_of(home: PackHome) -> &'static str {
    match home {
        PackHome::Disk => "stored_blobs",
        PackHome::ObjectStore => "object_blobs",
    }
}

/// The index of one backend's packs.
#[derive(Clone)]
pub struct PackIndexIn {
    store: Store,
    home: PackHome,
}

impl Store {
    /// The index of the packs of `home`, for its file store.
    pub fn pack_index(&self, home: PackHome) -> PackIndexIn {
        PackIndexIn {
            store: self.clone(),
            home,
        }
    }
}

fn blob_of(
    home: PackHome,
    r: &sqlx::any::AnyRow,
    sha256: String,
    pack: String,
) -> Result<PackedBlob, StoreError> {
    let offset: i64 = r.try_get("pack_offset")?;
    let size: i64 = r.try_get("size")?;
    Ok(PackedBlob {
        home,
        sha256,
        pack,
        offset: u64::try_from(offset).map_err(|_| StoreError::Corrupt("pack offset".into()))?,
        size: u64::try_from(size).map_err(|_| StoreError::Corrupt("pack size".into()))?,
    })
}

impl PackIndexIn {
    fn table(&self) -> &'static str {
        table_of(self.home)
    }

    async fn record_blobs(&self, blobs: &[PackedBlob]) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        insert_blobs(self.store.kind(), &mut tx, blobs).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn locate_blob(&self, sha256: &str) -> Result<Option<PackedBlob>, StoreError> {
        let sql = format!(
            "SELECT pack, pack_offset, size FROM {} WHERE sha256 = $1",
            self.table()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(sha256.to_string())
            .fetch_optional(self.store.pool())
            .await?;
        row.map(|r| blob_of(self.home, &r, sha256.to_string(), r.try_get("pack")?))
            .transpose()
    }

    async fn known_blobs(&self, sha256s: &[String]) -> Result<HashSet<String>, StoreError> {
        let table = self.table();
        self.store
            .which_of(
                |list| format!("SELECT sha256 AS v FROM {table} WHERE sha256 IN ({list})"),
                sha256s,
            )
            .await
    }

    async fn blobs_in_pack(&self, pack: &str) -> Result<Vec<PackedBlob>, StoreError> {
        let sql = format!(
            "SELECT sha256, pack_offset, size FROM {} WHERE pack = $1 ORDER BY pack_offset",
            self.table()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(pack.to_string())
            .fetch_all(self.store.pool())
            .await?;
        rows.iter()
            .map(|r| blob_of(self.home, r, r.try_get("sha256")?, pack.to_string()))
            .collect()
    }

    async fn move_blobs(&self, removed: &[String], moved: &[PackedBlob]) -> Result<(), StoreError> {
        let mut tx = self.store.begin_write().await?;
        let delete = format!("DELETE FROM {} WHERE sha256 = $1", self.table());
        for sha in removed {
            sqlx::query(sqlx::AssertSqlSafe(delete.clone()))
                .bind(sha.clone())
                .execute(&mut *tx)
                .await?;
        }
        let update = format!(
            "UPDATE {} SET pack = $1, pack_offset = $2, size = $3 WHERE sha256 = $4",
            self.table()
        );
        for b in moved {
            sqlx::query(sqlx::AssertSqlSafe(update.clone()))
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

/// Index rows for packed files, inside the caller's transaction (each in its backend's table).
pub(crate) async fn insert_blobs(
    kind: DbKind,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    blobs: &[PackedBlob],
) -> Result<(), StoreError> {
    for home in [PackHome::Disk, PackHome::ObjectStore] {
        let rows: Vec<&PackedBlob> = blobs.iter().filter(|b| b.home == home).collect();
        if rows.is_empty() {
            continue;
        }
        // Two passes over the same files (an earlier flush wrote some rows) change nothing.
        insert_rows(
            kind,
            tx,
            &rows,
            ROWS_PER_INSERT,
            4,
            |values| {
                format!(
                    "INSERT INTO {} (sha256, pack, pack_offset, size) VALUES {values}
                     ON CONFLICT (sha256) DO NOTHING",
                    table_of(home)
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
    }
    Ok(())
}

impl PackIndex for PackIndexIn {
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

    fn claim_reuse(
        &self,
        sha256s: Vec<String>,
    ) -> BoxFuture<'_, Result<HashSet<String>, FileError>> {
        Box::pin(async move { self.store.claim_reuse(&sha256s).await.map_err(index_error) })
    }

    fn removals_under_way(
        &self,
        sha256s: Vec<String>,
    ) -> BoxFuture<'_, Result<HashSet<String>, FileError>> {
        Box::pin(async move {
            self.store
                .removals_under_way(&sha256s)
                .await
                .map_err(index_error)
        })
    }
}
