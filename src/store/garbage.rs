//! Which stored files no row names any more (for `saraban storage gc`).

use std::collections::HashSet;

use sqlx::Row;

use super::blobs::table_of;
use super::file_alarms::named_sql;
use super::{Result, Store, numbered_list_from};
use crate::files::PackHome;

/// Every sha256 a row names: the files of kept records (as `storage verify` reads them), and,
/// to be safe, any other column that holds a message's sha256.
fn referenced_sql() -> String {
    format!(
        "SELECT s FROM ({} UNION ALL
           SELECT raw_sha256 AS s, 'mail_receipts' AS t FROM mail_receipts WHERE raw_sha256 IS NOT NULL
           UNION ALL
           SELECT raw_sha256 AS s, 'sender_checks' AS t FROM sender_checks WHERE raw_sha256 IS NOT NULL
         ) refs WHERE s IS NOT NULL",
        named_sql()
    )
}

/// IN lists of at most this many parameters.
const PER_QUERY: usize = 500;

impl Store {
    /// Which of `values` a query finds: `sql` is given the `IN (…)` parameter list and selects
    /// the found values as `v`. Asked in chunks, so any number of values fits.
    pub(super) async fn which_of(
        &self,
        sql: impl Fn(&str) -> String,
        values: &[String],
    ) -> Result<HashSet<String>> {
        self.which_of_after(sql, &[], values).await
    }

    /// [`Store::which_of`] for a query that takes `leading` parameters (`$1`, …) before its
    /// `IN (…)` list.
    pub(super) async fn which_of_after(
        &self,
        sql: impl Fn(&str) -> String,
        leading: &[String],
        values: &[String],
    ) -> Result<HashSet<String>> {
        let mut found = HashSet::new();
        for chunk in values.chunks(PER_QUERY) {
            let list = numbered_list_from(leading.len() + 1, chunk.len());
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql(&list)));
            for value in leading.iter().chain(chunk) {
                query = query.bind(value.clone());
            }
            for row in query.fetch_all(self.pool()).await? {
                found.insert(row.try_get::<String, _>("v")?);
            }
        }
        Ok(found)
    }

    /// Which of these files a row names.
    pub async fn referenced_among(&self, sha256s: &[String]) -> Result<HashSet<String>> {
        self.which_of(
            |list| {
                format!(
                    "SELECT DISTINCT s AS v FROM ({}) x WHERE s IN ({list})",
                    referenced_sql()
                )
            },
            sha256s,
        )
        .await
    }

    /// Which of these packs the index of `home` names.
    pub async fn indexed_packs(&self, home: PackHome, packs: &[String]) -> Result<HashSet<String>> {
        self.which_of(
            |list| {
                format!(
                    "SELECT DISTINCT pack AS v FROM {} WHERE pack IN ({list})",
                    table_of(home)
                )
            },
            packs,
        )
        .await
    }

    /// Packed files of `home` no row names: (sha256, pack, size).
    pub async fn unreferenced_packed(&self, home: PackHome) -> Result<Vec<(String, String, u64)>> {
        let sql = format!(
            "SELECT sha256, pack, size FROM {} WHERE sha256 NOT IN ({}) ORDER BY pack, sha256",
            table_of(home),
            referenced_sql()
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let size: i64 = r.try_get("size")?;
                Ok((
                    r.try_get("sha256")?,
                    r.try_get("pack")?,
                    u64::try_from(size).unwrap_or(0),
                ))
            })
            .collect()
    }
}
