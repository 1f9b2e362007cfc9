//! The DKIM keys outgoing mail is signed with: one per office, and the deployment's ('').

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Result, Store, time_from_db, time_to_db};
use crate::domain::dns_records::KeyAlgorithm;

/// A stored key. `private_key` is PKCS#8 DER in base64 and never leaves the server.
#[derive(Clone, PartialEq, Eq)]
pub struct DkimKey {
    /// '' for the deployment's key.
    pub office_id: String,
    pub domain: String,
    pub selector: String,
    pub algorithm: KeyAlgorithm,
    pub private_key: String,
    /// Base64, as the record's `p=`.
    pub public_key: String,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for DkimKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimKey")
            .field("office_id", &self.office_id)
            .field("domain", &self.domain)
            .field("selector", &self.selector)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

fn key_from_row(r: &sqlx::any::AnyRow) -> Result<DkimKey> {
    let algorithm: String = r.try_get("algorithm")?;
    Ok(DkimKey {
        office_id: r.try_get("office_id")?,
        domain: r.try_get("domain")?,
        selector: r.try_get("selector")?,
        algorithm: KeyAlgorithm::parse(&algorithm).unwrap_or(KeyAlgorithm::Rsa2048),
        private_key: r.try_get("private_key")?,
        public_key: r.try_get("public_key")?,
        created_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
    })
}

impl Store {
    /// The key of an office ('' for the deployment's), if one was made.
    pub async fn dkim_key(&self, office_id: &str) -> Result<Option<DkimKey>> {
        let row = sqlx::query(
            "SELECT office_id, domain, selector, algorithm, private_key, public_key, created_at
             FROM dkim_keys WHERE office_id = $1",
        )
        .bind(office_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(key_from_row).transpose()
    }

    /// Stores a key, replacing the office's previous one.
    pub async fn save_dkim_key(&self, key: &DkimKey) -> Result<()> {
        sqlx::query(
            "INSERT INTO dkim_keys (office_id, domain, selector, algorithm, private_key, public_key, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (office_id) DO UPDATE SET domain = excluded.domain,
               selector = excluded.selector, algorithm = excluded.algorithm,
               private_key = excluded.private_key, public_key = excluded.public_key,
               created_at = excluded.created_at",
        )
        .bind(key.office_id.clone())
        .bind(key.domain.clone())
        .bind(key.selector.clone())
        .bind(key.algorithm.code().to_string())
        .bind(key.private_key.clone())
        .bind(key.public_key.clone())
        .bind(time_to_db(key.created_at))
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
