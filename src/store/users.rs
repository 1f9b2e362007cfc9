//! Users, browser sessions and API tokens. Only hashes of passwords and tokens are stored.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Conflict, Result, Store, StoreError, time_from_db, time_to_db};
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

    /// Sets a new password. Every session of the user ends except `keep_session` (the browser the
    /// user changed their own password in); `revoke_tokens` also ends their API tokens (a reset by
    /// an administrator: whoever knew the old password may have made one).
    pub async fn set_password_hash(
        &self,
        id: i64,
        hash: &str,
        keep_session: Option<&str>,
        revoke_tokens: bool,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash.to_string())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let kept = keep_session
            .map(|t| security::sha256_hex(t.as_bytes()))
            .unwrap_or_default();
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id)
            .bind(kept)
            .execute(&mut *tx)
            .await?;
        if revoke_tokens {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(time_to_db(Utc::now()))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An officer's name and role.
    pub async fn update_user(&self, id: i64, full_name: &str, role: Role) -> Result<()> {
        sqlx::query("UPDATE users SET full_name = $1, role = $2 WHERE id = $3")
            .bind(full_name.to_string())
            .bind(role.code())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The stored password hash of a user (to check a user's current password).
    pub async fn password_hash(&self, id: i64) -> Result<String> {
        let hash: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        hash.ok_or(StoreError::NotFound)
    }

    /// API tokens of one user, or of every user of an office (`""`: of every office), newest
    /// first.
    pub async fn list_api_tokens(
        &self,
        office_id: &str,
        user_id: Option<i64>,
    ) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT t.token_hash, t.label, t.created_at, t.revoked_at, u.id AS user_id, u.username
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE ($1 = '' OR u.office_id = $1) AND ($2 = 0 OR u.id = $2)
             ORDER BY t.created_at DESC",
        )
        .bind(office_id.to_string())
        .bind(user_id.unwrap_or(0))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let hash: String = r.try_get("token_hash")?;
                let revoked: Option<String> = r.try_get("revoked_at")?;
                Ok(ApiToken {
                    id: hash.chars().take(TOKEN_ID_LEN).collect(),
                    user_id: r.try_get("user_id")?,
                    username: r.try_get("username")?,
                    label: r.try_get("label")?,
                    created_at: time_from_db(&r.try_get::<String, _>("created_at")?)?,
                    revoked_at: revoked.as_deref().map(time_from_db).transpose()?,
                })
            })
            .collect()
    }

    /// Revokes the token whose id (the start of its hash, as listed) is `id`, if it belongs to
    /// the office (and to `user_id` when given). False when no such live token exists.
    pub async fn revoke_api_token(
        &self,
        office_id: &str,
        user_id: Option<i64>,
        id: &str,
    ) -> Result<bool> {
        if id.len() != TOKEN_ID_LEN || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1
             WHERE revoked_at IS NULL AND substr(token_hash, 1, 16) = $2
               AND user_id IN (SELECT id FROM users WHERE ($3 = '' OR office_id = $3) AND ($4 = 0 OR id = $4))",
        )
        .bind(time_to_db(Utc::now()))
        .bind(id.to_ascii_lowercase())
        .bind(office_id.to_string())
        .bind(user_id.unwrap_or(0))
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
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

    /// The live session of a cookie: not past its absolute end, and used within `idle` (a
    /// session never marked as used counts from its start). Finding it marks it used, at most
    /// once a minute so reading pages does not write on every request.
    pub async fn find_session(
        &self,
        token: &str,
        now: DateTime<Utc>,
        idle: Duration,
    ) -> Result<Option<Session>> {
        let sql = "SELECT u.id, u.office_id, u.username, u.full_name, u.role, u.active, s.csrf,
                COALESCE(s.last_seen_at, s.created_at) AS seen
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1";
        let hash = security::sha256_hex(token.as_bytes());
        let row = sqlx::query(sql)
            .bind(hash.clone())
            .bind(time_to_db(now))
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let seen = time_from_db(&row.try_get::<String, _>("seen")?)?;
        if now - seen > idle {
            self.delete_session(token).await?;
            return Ok(None);
        }
        if now - seen > Duration::minutes(1) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(time_to_db(now))
                .bind(hash)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(Session {
            user: user_from_row(&row)?,
            csrf: row.try_get("csrf")?,
        }))
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

/// How many characters of a token's hash name it in lists (`saraban token list`).
pub const TOKEN_ID_LEN: usize = 16;

/// An API token as listed: never the token itself, only an id taken from its hash.
#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: String,
    pub user_id: i64,
    pub username: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}
