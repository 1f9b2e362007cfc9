//! Each office's SMTP account, for the letters it sends by e-mail.

use chrono::Utc;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::mailboxes::Security;
use super::{Result, Store, StoreError, time_to_db};
use crate::security::Secret;

/// An office's SMTP account. `password` never leaves the server: pages, API and CLI omit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpAccount {
    pub office_id: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub ca_file: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The office's saraban address: From of every letter it sends.
    pub from_addr: String,
}

fn account_from_row(r: &AnyRow) -> Result<SmtpAccount> {
    let security: String = r.try_get("security")?;
    let port: i64 = r.try_get("port")?;
    Ok(SmtpAccount {
        office_id: r.try_get("office_id")?,
        host: r.try_get("host")?,
        port: u16::try_from(port).map_err(|_| StoreError::Corrupt(format!("port {port}")))?,
        security: Security::parse(&security)
            .ok_or_else(|| StoreError::Corrupt(format!("security {security}")))?,
        ca_file: r.try_get("ca_file")?,
        username: r.try_get("username")?,
        password: r
            .try_get::<Option<String>, _>("password")?
            .map(Secret::from),
        from_addr: r.try_get("from_addr")?,
    })
}

impl Store {
    /// Sets (or replaces) an office's SMTP account.
    pub async fn set_smtp_account(&self, a: &SmtpAccount) -> Result<()> {
        sqlx::query(
            "INSERT INTO smtp_accounts (office_id, host, port, security, ca_file, username, password, from_addr, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (office_id) DO UPDATE SET host = excluded.host, port = excluded.port,
                security = excluded.security, ca_file = excluded.ca_file, username = excluded.username,
                password = excluded.password, from_addr = excluded.from_addr, updated_at = excluded.updated_at",
        )
        .bind(a.office_id.clone())
        .bind(a.host.clone())
        .bind(i64::from(a.port))
        .bind(a.security.code())
        .bind(a.ca_file.clone())
        .bind(a.username.clone())
        .bind(a.password.as_ref().map(|p| p.expose().to_string()))
        .bind(a.from_addr.clone())
        .bind(time_to_db(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn smtp_account(&self, office_id: &str) -> Result<Option<SmtpAccount>> {
        let row = sqlx::query("SELECT * FROM smtp_accounts WHERE office_id = $1")
            .bind(office_id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(account_from_row).transpose()
    }
}
