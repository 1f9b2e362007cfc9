//! Who is asking: a browser session (cookie) or an API token (`Authorization: Bearer`), and the
//! CSRF and login-throttling rules that go with them.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use cookie::Cookie;

use super::AppState;
use super::error::WebError;
use crate::security::constant_time_eq;
use crate::service::Actor;
use crate::service::session::Credential;

pub const SESSION_COOKIE: &str = "saraban_session";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthVia {
    Session,
    Token,
}

/// The logged-in user, their office, and how they proved it.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub actor: Actor,
    pub via: AuthVia,
    /// The session's CSRF token (sessions only).
    pub csrf: String,
}

impl AsRef<Viewer> for Viewer {
    fn as_ref(&self) -> &Viewer {
        self
    }
}

impl Viewer {
    /// Forms posted by a browser must carry the session's token; API calls with a bearer token
    /// cannot be forged by another site and need none.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), WebError> {
        match (self.via, sent) {
            (AuthVia::Token, _) => Ok(()),
            (AuthVia::Session, Some(sent)) if constant_time_eq(sent, &self.csrf) => Ok(()),
            _ => Err(WebError::Forbidden(
                "แบบฟอร์มหมดอายุหรือไม่ได้มาจากระบบนี้ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง".into(),
            )),
        }
    }
}

pub fn session_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

fn bearer_token(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_string())
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(viewer) = parts.extensions.get::<Viewer>() {
            return Ok(viewer.clone());
        }
        // A bearer token wins; the session cookie is read only without one.
        let bearer = bearer_token(parts);
        let cookie = bearer
            .is_none()
            .then(|| session_token(&parts.headers))
            .flatten();
        let (credential, via) = match (&bearer, &cookie) {
            (Some(token), _) => (Credential::ApiToken(token), AuthVia::Token),
            (None, Some(token)) => (Credential::Session(token), AuthVia::Session),
            (None, None) => return Err(WebError::Unauthorized),
        };
        let (actor, csrf) = state
            .services
            .actor_for(credential)
            .await?
            .ok_or(WebError::Unauthorized)?;
        let viewer = Viewer { actor, via, csrf };
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

/// Slows password guessing (the rule: `crate::domain::user::throttle`). The failures are
/// counted in the database, so N web processes behind a load balancer share one count.
pub struct LoginThrottle {
    max_failures: u32,
    window: chrono::Duration,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> LoginThrottle {
        LoginThrottle {
            max_failures: max_failures.max(1),
            window: chrono::Duration::from_std(window).unwrap_or(chrono::Duration::minutes(15)),
        }
    }

    /// Minutes left when locked.
    pub async fn locked(
        &self,
        services: &crate::service::Services,
        username: &str,
        ip: &str,
    ) -> Result<Option<i64>, crate::service::ServiceError> {
        services
            .login_locked(username, ip, self.max_failures, self.window)
            .await
    }

    pub async fn failed(
        &self,
        services: &crate::service::Services,
        username: &str,
        ip: &str,
    ) -> Result<(), crate::service::ServiceError> {
        services.login_failed(username, ip, self.window).await
    }
}
