//! Who is asking: a browser session (cookie) or an API token (`Authorization: Bearer`), and the
//! CSRF and login-throttling rules that go with them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// Slows password guessing: after `max_failures` failed logins for a user name (or 4× that from
/// one address) within the lockout window, further attempts are refused until it passes.
pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> LoginThrottle {
        LoginThrottle {
            max_failures: max_failures.max(1),
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, ip: &str) -> [(String, u32); 2] {
        [
            (format!("u:{}", username.trim().to_lowercase()), 1),
            (format!("ip:{ip}"), 4),
        ]
    }

    /// Minutes left when locked.
    pub fn locked(&self, username: &str, ip: &str) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (_, since)| now.duration_since(*since) < self.window);
        Self::keys(username, ip).iter().find_map(|(key, factor)| {
            let (count, since) = map.get(key)?;
            (*count >= self.max_failures * factor).then(|| {
                let left = self.window.saturating_sub(now.duration_since(*since));
                left.as_secs().div_ceil(60).max(1)
            })
        })
    }

    pub fn failed(&self, username: &str, ip: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for (key, _) in Self::keys(username, ip) {
            let entry = map.entry(key).or_insert((0, now));
            entry.0 += 1;
            entry.1 = now;
        }
    }

    pub fn succeeded(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("u:{}", username.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_a_user_name_after_repeated_failures() {
        let t = LoginThrottle::new(3, Duration::from_secs(600));
        for _ in 0..2 {
            t.failed("clerk", "1.2.3.4");
        }
        assert_eq!(t.locked("clerk", "1.2.3.4"), None);
        t.failed("Clerk", "1.2.3.4");
        assert!(t.locked("clerk", "5.6.7.8").is_some());
        assert_eq!(t.locked("director", "5.6.7.8"), None);
    }
}
