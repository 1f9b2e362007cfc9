//! Saraban mailboxes: where to fetch, how far each folder has been taken, whether it is alive,
//! and who fetches it now (a lease, so several `serve` processes never fetch the same mailbox).

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::security::Secret;

use super::{Result, Store, StoreError, time_from_db, time_to_db};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Plain text: allowed only to a loopback address.
    None,
    StartTls,
    Tls,
}

impl Security {
    pub fn code(self) -> &'static str {
        match self {
            Security::None => "none",
            Security::StartTls => "starttls",
            Security::Tls => "tls",
        }
    }

    pub fn parse(code: &str) -> Option<Security> {
        match code.trim() {
            "none" => Some(Security::None),
            "starttls" => Some(Security::StartTls),
            "tls" => Some(Security::Tls),
            _ => None,
        }
    }
}

/// A mailbox as stored. `password` never leaves the server: pages, API and CLI omit it.
#[derive(Debug, Clone)]
pub struct Mailbox {
    pub id: i64,
    pub office_id: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub ca_file: Option<String>,
    pub username: String,
    pub password: Secret,
    pub folders: Vec<String>,
    pub poll_secs: i64,
    pub move_to: Option<String>,
    pub enabled: bool,
}

pub struct NewMailbox<'a> {
    pub office_id: &'a str,
    pub host: &'a str,
    pub port: u16,
    pub security: Security,
    pub ca_file: Option<&'a str>,
    pub username: &'a str,
    pub password: &'a str,
    pub folders: &'a [String],
    pub poll_secs: i64,
    pub move_to: Option<&'a str>,
}

/// How far a folder has been taken, and whether fetching it works.
#[derive(Debug, Clone)]
pub struct FolderState {
    pub folder: String,
    pub uidvalidity: i64,
    pub last_uid: i64,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub consecutive_failures: i64,
    pub last_error: Option<String>,
}

fn mailbox_from_row(row: &AnyRow) -> Result<Mailbox> {
    let security: String = row.try_get("security")?;
    let folders: String = row.try_get("folders")?;
    let port: i64 = row.try_get("port")?;
    Ok(Mailbox {
        id: row.try_get("id")?,
        office_id: row.try_get("office_id")?,
        host: row.try_get("host")?,
        port: u16::try_from(port).map_err(|_| StoreError::Corrupt(format!("port {port}")))?,
        security: Security::parse(&security)
            .ok_or_else(|| StoreError::Corrupt(format!("security {security}")))?,
        ca_file: row.try_get("ca_file")?,
        username: row.try_get("username")?,
        password: Secret::from(row.try_get::<String, _>("password")?),
        folders: folders
            .split('\n')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        poll_secs: row.try_get("poll_secs")?,
        move_to: row.try_get("move_to")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
    })
}

fn opt_time(row: &AnyRow, col: &str) -> Result<Option<DateTime<Utc>>> {
    let v: Option<String> = row.try_get(col)?;
    v.as_deref().map(time_from_db).transpose()
}

impl Store {
    pub async fn insert_mailbox(&self, m: &NewMailbox<'_>) -> Result<Mailbox> {
        self.find_office(m.office_id).await?;
        let row = sqlx::query(
            "INSERT INTO mailboxes (office_id, host, port, security, ca_file, username, password, folders,
                poll_secs, move_to, enabled, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11) RETURNING id",
        )
        .bind(m.office_id.to_string())
        .bind(m.host.to_string())
        .bind(i64::from(m.port))
        .bind(m.security.code())
        .bind(m.ca_file.map(str::to_string))
        .bind(m.username.to_string())
        .bind(m.password.to_string())
        // Folder names may hold spaces or commas; a newline never appears in one.
        .bind(m.folders.join("\n"))
        .bind(m.poll_secs)
        .bind(m.move_to.map(str::to_string))
        .bind(time_to_db(Utc::now()))
        .fetch_one(self.pool())
        .await?;
        self.find_mailbox(row.try_get("id")?).await
    }

    pub async fn find_mailbox(&self, id: i64) -> Result<Mailbox> {
        let row = sqlx::query("SELECT * FROM mailboxes WHERE id = $1 AND removed_at IS NULL")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        mailbox_from_row(&row)
    }

    /// Mailboxes of one office, or of every office.
    pub async fn list_mailboxes(&self, office_id: Option<&str>) -> Result<Vec<Mailbox>> {
        let rows = match office_id {
            Some(o) => sqlx::query(
                "SELECT * FROM mailboxes WHERE office_id = $1 AND removed_at IS NULL ORDER BY id",
            )
            .bind(o.to_string())
            .fetch_all(self.pool())
            .await?,
            None => {
                sqlx::query("SELECT * FROM mailboxes WHERE removed_at IS NULL ORDER BY id")
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(mailbox_from_row).collect()
    }

    /// Stops fetching a mailbox. Its history (receipts, entries) stays.
    pub async fn remove_mailbox(&self, id: i64) -> Result<()> {
        let done = sqlx::query("UPDATE mailboxes SET enabled = 0, removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
            .bind(time_to_db(Utc::now()))
            .bind(id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn folder_states(&self, mailbox_id: i64) -> Result<Vec<FolderState>> {
        let rows =
            sqlx::query("SELECT * FROM mailbox_folders WHERE mailbox_id = $1 ORDER BY folder")
                .bind(mailbox_id)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(FolderState {
                    folder: r.try_get("folder")?,
                    uidvalidity: r.try_get("uidvalidity")?,
                    last_uid: r.try_get("last_uid")?,
                    last_success_at: opt_time(r, "last_success_at")?,
                    last_attempt_at: opt_time(r, "last_attempt_at")?,
                    consecutive_failures: r.try_get("consecutive_failures")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// The folder's position; a new UIDVALIDITY starts a new epoch from UID 0.
    pub async fn folder_position(
        &self,
        mailbox_id: i64,
        folder: &str,
        uidvalidity: i64,
    ) -> Result<i64> {
        sqlx::query(
            "INSERT INTO mailbox_folders (mailbox_id, folder, uidvalidity, last_uid) VALUES ($1, $2, $3, 0)
             ON CONFLICT (mailbox_id, folder) DO NOTHING",
        )
        .bind(mailbox_id)
        .bind(folder.to_string())
        .bind(uidvalidity)
        .execute(self.pool())
        .await?;
        let row = sqlx::query("SELECT uidvalidity, last_uid FROM mailbox_folders WHERE mailbox_id = $1 AND folder = $2")
            .bind(mailbox_id)
            .bind(folder.to_string())
            .fetch_one(self.pool())
            .await?;
        let stored: i64 = row.try_get("uidvalidity")?;
        if stored != uidvalidity {
            tracing::warn!(
                mailbox_id,
                folder,
                old = stored,
                new = uidvalidity,
                "UIDVALIDITY changed: new epoch"
            );
            sqlx::query("UPDATE mailbox_folders SET uidvalidity = $1, last_uid = 0 WHERE mailbox_id = $2 AND folder = $3")
                .bind(uidvalidity)
                .bind(mailbox_id)
                .bind(folder.to_string())
                .execute(self.pool())
                .await?;
            return Ok(0);
        }
        Ok(row.try_get("last_uid")?)
    }

    /// Moves the folder's mark forward after a message was committed (never backwards).
    pub async fn advance_folder(
        &self,
        mailbox_id: i64,
        folder: &str,
        uidvalidity: i64,
        uid: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE mailbox_folders SET last_uid = $1
             WHERE mailbox_id = $2 AND folder = $3 AND uidvalidity = $4 AND last_uid < $1",
        )
        .bind(uid)
        .bind(mailbox_id)
        .bind(folder.to_string())
        .bind(uidvalidity)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records the result of a pass over a folder, for the liveness page.
    pub async fn folder_result(
        &self,
        mailbox_id: i64,
        folder: &str,
        error: Option<&str>,
    ) -> Result<()> {
        let now = time_to_db(Utc::now());
        sqlx::query(
            "INSERT INTO mailbox_folders (mailbox_id, folder, uidvalidity, last_uid) VALUES ($1, $2, 0, 0)
             ON CONFLICT (mailbox_id, folder) DO NOTHING",
        )
        .bind(mailbox_id)
        .bind(folder.to_string())
        .execute(self.pool())
        .await?;
        let sql = match error {
            None => "UPDATE mailbox_folders SET last_success_at = $1, last_attempt_at = $1, consecutive_failures = 0,
                     last_error = $2 WHERE mailbox_id = $3 AND folder = $4",
            Some(_) => "UPDATE mailbox_folders SET last_attempt_at = $1, consecutive_failures = consecutive_failures + 1,
                     last_error = $2 WHERE mailbox_id = $3 AND folder = $4",
        };
        sqlx::query(sql)
            .bind(now)
            .bind(error.map(str::to_string))
            .bind(mailbox_id)
            .bind(folder.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Takes or renews the right to fetch a mailbox until `now + ttl`. False when another
    /// process holds a lease that has not run out.
    pub async fn acquire_lease(
        &self,
        mailbox_id: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool> {
        let now = Utc::now();
        let done = sqlx::query(
            "INSERT INTO mailbox_leases (mailbox_id, holder, until) VALUES ($1, $2, $3)
             ON CONFLICT (mailbox_id) DO UPDATE SET holder = excluded.holder, until = excluded.until
             WHERE mailbox_leases.holder = excluded.holder OR mailbox_leases.until < $4",
        )
        .bind(mailbox_id)
        .bind(holder.to_string())
        .bind(time_to_db(now + ttl))
        .bind(time_to_db(now))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn release_lease(&self, mailbox_id: i64, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM mailbox_leases WHERE mailbox_id = $1 AND holder = $2")
            .bind(mailbox_id)
            .bind(holder.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
