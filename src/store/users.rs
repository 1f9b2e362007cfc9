//! Users, browser sessions and API tokens. Only hashes of passwords and tokens are stored.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Conflict, Result, Store, StoreError, time_to_db};
use crate::domain::user::Role;
use crate::security;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub office_id: String,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub active: bool,
}

impl User {
    /// The name shown in registers: the full name when known.
    pub fn display_name(&self) -> &str {
        if self.full_name.is_empty() {
            &self.username
        } else {
            &self.full_name
        }
    }
}

pub struct NewUser<'a> {
    pub office_id: &'a str,
    pub username: &'a str,
    pub full_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

/// A logged-in browser: who, and the token forms must carry back (CSRF).
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

const COLUMNS: &str = "id, office_id, username, full_name, role, active";

fn user_from_row(row: &AnyRow) -> Result<User> {
    let role: String = row.try_get("role")?;
    let active: i64 = row.try_get("active")?;
    Ok(User {
        id: row.try_get("id")?,
        office_id: row.try_get("office_id")?,
        username: row.try_get("username")?,
        full_name: row.try_get("full_name")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role}")))?,
        active: active != 0,
    })
}

impl Store {
    pub async fn insert_user(&self, user: &NewUser<'_>) -> Result<User> {
        self.find_office(user.office_id).await?;
        let row = sqlx::query(
            "INSERT INTO users (office_id, username, full_name, role, password_hash, active, created_at)
             VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
        )
        .bind(user.office_id.to_string())
        .bind(user.username.to_string())
        .bind(user.full_name.to_string())
        .bind(user.role.code())
        .bind(user.password_hash.to_string())
        .bind(time_to_db(Utc::now()))
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::from)
        .map_err(|e| {
            if e.is_unique_violation() {
                StoreError::Conflict(Conflict::UsernameTaken(user.username.to_string()))
            } else {
                e
            }
        })?;
        let id: i64 = row.try_get("id")?;
        self.find_user(id).await
    }

    pub async fn find_user(&self, id: i64) -> Result<User> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        user_from_row(&row)
    }

    pub async fn find_user_by_name(&self, username: &str) -> Result<User> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        user_from_row(&row)
    }

    /// The user and their password hash, for login.
    pub async fn find_login(&self, username: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {COLUMNS}, password_hash FROM users WHERE username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(username.to_string())
            .fetch_optional(self.pool())
            .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some((user_from_row(&row)?, row.try_get("password_hash")?))),
        }
    }

    pub async fn list_users(&self, office_id: &str) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM users WHERE office_id = $1 ORDER BY active DESC, role, username"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(office_id.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn set_user_active(&self, id: i64, active: bool) -> Result<()> {
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(id)
            .execute(self.pool())
            .await?;
        if !active {
            // A deactivated officer is logged out everywhere at once.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(self.pool())
                .await?;
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(time_to_db(Utc::now()))
            .bind(id)
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    pub async fn set_password_hash(&self, id: i64, hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash.to_string())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Opens a browser session; returns the cookie value (only its hash is stored).
    pub async fn create_session(
        &self,
        user_id: i64,
        lifetime: Duration,
    ) -> Result<(String, String)> {
        let token = security::random_token().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let csrf = security::random_token().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let now = Utc::now();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(security::sha256_hex(token.as_bytes()))
        .bind(user_id)
        .bind(csrf.clone())
        .bind(time_to_db(now))
        .bind(time_to_db(now + lifetime))
        .execute(self.pool())
        .await?;
        // Old sessions are swept now and then, here, rather than by a timer.
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(time_to_db(now))
            .execute(self.pool())
            .await?;
        Ok((token, csrf))
    }

    pub async fn find_session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let sql = "SELECT u.id, u.office_id, u.username, u.full_name, u.role, u.active, s.csrf
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1";
        let row = sqlx::query(sql)
            .bind(security::sha256_hex(token.as_bytes()))
            .bind(time_to_db(now))
            .fetch_optional(self.pool())
            .await?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(Session {
                user: user_from_row(&row)?,
                csrf: row.try_get("csrf")?,
            })),
        }
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(security::sha256_hex(token.as_bytes()))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Creates an API token for a user; returns the token (only its hash is stored).
    pub async fn create_api_token(&self, user_id: i64, label: &str) -> Result<String> {
        let token = security::random_token().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let token = format!("srb_{token}");
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4)")
            .bind(security::sha256_hex(token.as_bytes()))
            .bind(user_id)
            .bind(label.to_string())
            .bind(time_to_db(Utc::now()))
            .execute(self.pool())
            .await?;
        Ok(token)
    }

    pub async fn find_api_token(&self, token: &str) -> Result<Option<User>> {
        let sql = "SELECT u.id, u.office_id, u.username, u.full_name, u.role, u.active
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1";
        let row = sqlx::query(sql)
            .bind(security::sha256_hex(token.as_bytes()))
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }
}
