//! Who is asking: logging in with a password, browser sessions and API tokens, each ending in an
//! [`Actor`] the other use cases check.

use std::sync::OnceLock;

use chrono::{Duration, Utc};

use super::{Actor, Result, ServiceError, Services};
use crate::domain::user::{Role, throttle};
use crate::security::{self, Secret};
use crate::store::users::{ApiToken, User};

/// How a request proved who it is.
pub enum Credential<'a> {
    /// `Authorization: Bearer …`
    ApiToken(&'a str),
    /// The session cookie's value.
    Session(&'a str),
}

/// A hash to check against when the user name does not exist, so a wrong name takes as long as a
/// wrong password and does not reveal which names exist.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        security::hash_password("no such user, no such password").unwrap_or_default()
    })
}

impl Services {
    /// The active user with this name and password, or `None` for any wrong pair (the same answer,
    /// in about the same time, whether the name exists or not).
    pub async fn check_login(&self, username: &str, password: &Secret) -> Result<Option<User>> {
        let (user, hash) = match self.store.find_login(username.trim()).await? {
            Some((user, hash)) if user.active => (Some(user), hash),
            _ => (None, dummy_hash().to_string()),
        };
        let password = password.clone();
        let ok = tokio::task::spawn_blocking(move || {
            security::verify_password(password.expose(), &hash)
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(user.filter(|_| ok))
    }

    /// Opens a browser session; returns the cookie value (only its hash is stored).
    pub async fn open_session(&self, user: &User, lifetime: Duration) -> Result<String> {
        let (token, _csrf) = self.store.create_session(user.id, lifetime).await?;
        Ok(token)
    }

    pub async fn close_session(&self, token: &str) -> Result<()> {
        Ok(self.store.delete_session(token).await?)
    }

    /// The actor a credential stands for, with the session's CSRF token (empty for an API
    /// token); `None` when it is unknown, expired or its user deactivated.
    pub async fn actor_for(&self, credential: Credential<'_>) -> Result<Option<(Actor, String)>> {
        let found = match credential {
            Credential::ApiToken(token) => self
                .store
                .find_api_token(token)
                .await?
                .map(|u| (u, String::new())),
            Credential::Session(token) => self
                .store
                .find_session(token, Utc::now(), self.session_idle)
                .await?
                .map(|s| (s.user, s.csrf)),
        };
        let Some((user, csrf)) = found else {
            return Ok(None);
        };
        let office = self.store.find_office(&user.office_id).await?;
        Ok(Some((Actor { user, office }, csrf)))
    }

    /// A user changes their own password: only with the current one. Their other browsers are
    /// logged out; this one (`session`) and their API tokens stay.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        current: &Secret,
        new: &Secret,
        session: Option<&str>,
    ) -> Result<()> {
        let hash = self.store.password_hash(actor.user.id).await?;
        let given = current.clone();
        let ok =
            tokio::task::spawn_blocking(move || security::verify_password(given.expose(), &hash))
                .await
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
        if !ok {
            return Err(ServiceError::Invalid(super::single(
                "current_password",
                "รหัสผ่านปัจจุบันไม่ถูกต้อง",
            )));
        }
        crate::domain::user::check_password(new.expose())
            .map_err(|e| ServiceError::Invalid(super::single("password", e.to_string())))?;
        let hash = super::hash_password(new.expose()).await?;
        Ok(self
            .store
            .set_password_hash(actor.user.id, &hash, session, false)
            .await?)
    }

    /// The actor's API tokens; an administrator sees every token of the office.
    pub async fn api_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>> {
        let only = (actor.user.role != Role::Admin).then_some(actor.user.id);
        Ok(self.store.list_api_tokens(&actor.office.id, only).await?)
    }

    /// Revokes one of the actor's tokens (an administrator: any of the office's).
    pub async fn revoke_api_token(&self, actor: &Actor, id: &str) -> Result<()> {
        let only = (actor.user.role != Role::Admin).then_some(actor.user.id);
        match self
            .store
            .revoke_api_token(&actor.office.id, only, id.trim())
            .await?
        {
            true => Ok(()),
            false => Err(ServiceError::NotFound),
        }
    }

    /// Minutes left when logins for this user name or from this address are locked (failures
    /// counted in the database, so every web process sees them).
    pub async fn login_locked(
        &self,
        username: &str,
        ip: &str,
        max_failures: u32,
        window: chrono::Duration,
    ) -> Result<Option<i64>> {
        let keys: Vec<String> = throttle::keys(username, ip)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let found = self.store.login_failures(&keys).await?;
        Ok(throttle::locked_minutes(
            username,
            ip,
            &found,
            max_failures,
            window,
            chrono::Utc::now(),
        ))
    }

    pub async fn login_failed(
        &self,
        username: &str,
        ip: &str,
        window: chrono::Duration,
    ) -> Result<()> {
        let keys: Vec<String> = throttle::keys(username, ip)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        Ok(self
            .store
            .note_login_failure(&keys, chrono::Utc::now(), window)
            .await?)
    }

    pub async fn login_succeeded(&self, username: &str) -> Result<()> {
        let [(user_key, _), _] = throttle::keys(username, "");
        Ok(self.store.clear_login_failures(&user_key).await?)
    }

    /// The database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }
}
