//! Files a clerk chose on a form that came back with an error, held under a token so the form can
//! be sent again without picking them again. The bytes are already in the file store; a held file
//! is only its name, description and sha256, usable by the user who uploaded it for a short while.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::letters::NewAttachment;
use super::{Result, Store, StoreError, time_to_db};
use crate::domain::attachment::FileKind;

/// A held file as the form lists it again.
#[derive(Debug, Clone)]
pub struct HeldFile {
    pub token: String,
    pub file: NewAttachment,
}

impl Store {
    /// Holds files for `user_id`; drops what was held before `expired_before` on the way.
    pub async fn hold_files(
        &self,
        office_id: &str,
        user_id: i64,
        files: &[NewAttachment],
        at: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<Vec<HeldFile>> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM held_files WHERE created_at < $1")
            .bind(time_to_db(expired_before))
            .execute(&mut *tx)
            .await?;
        let mut held = Vec::with_capacity(files.len());
        for file in files {
            let token =
                crate::security::random_token().map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO held_files (token, office_id, user_id, name, description, kind, size, sha256, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(token.clone())
            .bind(office_id.to_string())
            .bind(user_id)
            .bind(file.name.clone())
            .bind(file.description.clone())
            .bind(file.kind.code())
            .bind(file.size)
            .bind(file.sha256.clone())
            .bind(time_to_db(at))
            .execute(&mut *tx)
            .await?;
            held.push(HeldFile {
                token,
                file: file.clone(),
            });
        }
        tx.commit().await?;
        Ok(held)
    }

    /// The files held under `tokens` for this user, in the order of `tokens`; unknown, foreign or
    /// expired tokens are skipped (the form then simply lacks that file).
    pub async fn held_files(
        &self,
        office_id: &str,
        user_id: i64,
        tokens: &[String],
        not_before: DateTime<Utc>,
    ) -> Result<Vec<HeldFile>> {
        let mut out = Vec::new();
        for token in tokens {
            let row = sqlx::query(
                "SELECT name, description, kind, size, sha256 FROM held_files
                 WHERE token = $1 AND office_id = $2 AND user_id = $3 AND created_at >= $4",
            )
            .bind(token.clone())
            .bind(office_id.to_string())
            .bind(user_id)
            .bind(time_to_db(not_before))
            .fetch_optional(self.pool())
            .await?;
            let Some(r) = row else { continue };
            let kind: String = r.try_get("kind")?;
            out.push(HeldFile {
                token: token.clone(),
                file: NewAttachment {
                    name: r.try_get("name")?,
                    description: r.try_get("description")?,
                    kind: FileKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("file kind {kind:?}")))?,
                    size: r.try_get("size")?,
                    sha256: r.try_get("sha256")?,
                },
            });
        }
        Ok(out)
    }

    /// Forgets held files once the form that used them went through.
    pub async fn release_held_files(&self, tokens: &[String]) -> Result<()> {
        for token in tokens {
            sqlx::query("DELETE FROM held_files WHERE token = $1")
                .bind(token.clone())
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }
}
