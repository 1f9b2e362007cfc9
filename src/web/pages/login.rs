//! Logging in and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::ClientIp;
use crate::security;
use crate::web::AppState;
use crate::web::auth::{SESSION_COOKIE, session_token};
use crate::web::error::WebError;
use crate::web::forms::CsrfForm;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: security::Secret,
    next: String,
}

/// Only paths inside this site; anything else (another host, `//evil`, `/\t/evil` whose TAB a
/// browser drops, CR/LF that would break the header) goes home.
fn safe_next(next: &str) -> String {
    let mut chars = next.chars();
    let same_site = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && next.chars().all(|c| c.is_ascii_graphic() && c != '\\')
        && !next.starts_with("/login");
    if same_site {
        next.to_string()
    } else {
        "/".to_string()
    }
}

pub async fn form(Query(q): Query<NextQuery>) -> LoginPage {
    LoginPage {
        username: String::new(),
        next: safe_next(&q.next),
        error: None,
    }
}

/// Login CSRF: another site's page must not log the clerk's browser in (as the attacker's
/// account). Browsers send `Origin` (and `Sec-Fetch-Site`) with every form POST; a login whose
/// origin is not this site is refused. Clients that send neither (scripts) are not browsers.
fn from_another_site(headers: &axum::http::HeaderMap, public_url: &str) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
    {
        return true;
    }
    let Some(origin) = text(header::ORIGIN) else {
        return false;
    };
    let origin_host = origin.split_once("://").map(|(_, host)| host);
    let same_host = origin_host.is_some() && origin_host == text(header::HOST);
    let public = !public_url.is_empty() && public_url.trim_end_matches('/') == origin;
    !(same_host || public)
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    if from_another_site(&headers, &state.config.server.public_url) {
        return Err(WebError::Forbidden(
            "เข้าสู่ระบบได้จากหน้าเข้าสู่ระบบของระบบนี้เท่านั้น".into(),
        ));
    }
    let next = safe_next(&form.next);
    let page = |error: String| LoginPage {
        username: form.username.clone(),
        next: next.clone(),
        error: Some(error),
    };
    if let Some(minutes) = state
        .throttle
        .locked(&state.services, &form.username, &ip)
        .await?
    {
        let message = format!("เข้าสู่ระบบผิดหลายครั้ง กรุณารอประมาณ {minutes} นาทีแล้วลองใหม่");
        return Ok((axum::http::StatusCode::TOO_MANY_REQUESTS, page(message)).into_response());
    }
    let user = match state
        .services
        .check_login(&form.username, &form.password)
        .await?
    {
        Some(user) => user,
        None => {
            state
                .throttle
                .failed(&state.services, &form.username, &ip)
                .await?;
            let message = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง".to_string();
            return Ok((axum::http::StatusCode::UNAUTHORIZED, page(message)).into_response());
        }
    };
    state.services.login_succeeded(&form.username).await?;
    let lifetime = Duration::hours(state.config.security.session_hours.max(1));
    let token = state.services.open_session(&user, lifetime).await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.server.secure_cookies)
        .max_age(cookie::time::Duration::seconds(lifetime.num_seconds()))
        .build();
    Ok((
        [(header::SET_COOKIE, cookie.to_string())],
        Redirect::to(&next),
    )
        .into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    CsrfForm(_, _): CsrfForm,
) -> Result<Response, WebError> {
    if let Some(token) = session_token(&headers) {
        state.services.close_session(&token).await?;
    }
    let gone = Cookie::build((SESSION_COOKIE, ""))
        .path("/")
        .max_age(cookie::time::Duration::ZERO)
        .build();
    Ok((
        [(header::SET_COOKIE, gone.to_string())],
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub username: String,
    pub next: String,
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::{from_another_site, safe_next};
    use axum::http::HeaderMap;

    #[test]
    fn a_login_posted_from_another_site_is_refused() {
        let mut h = HeaderMap::new();
        h.insert("host", "saraban.local:8080".parse().unwrap());
        assert!(!from_another_site(&h, ""), "no Origin: not a browser form");
        h.insert("origin", "http://saraban.local:8080".parse().unwrap());
        assert!(!from_another_site(&h, ""));
        h.insert("origin", "https://evil.example".parse().unwrap());
        assert!(from_another_site(&h, ""));
        h.insert("origin", "https://saraban.example.go.th".parse().unwrap());
        assert!(
            !from_another_site(&h, "https://saraban.example.go.th/"),
            "behind a proxy"
        );
        h.remove("origin");
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(from_another_site(&h, ""));
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/registers/inbound"), "/registers/inbound");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
        assert_eq!(safe_next(""), "/");
        assert_eq!(safe_next("/\t/evil.example"), "/");
        assert_eq!(safe_next("/ /evil.example"), "/");
        assert_eq!(safe_next("/letters/1\r\nSet-Cookie: x=1"), "/");
        assert_eq!(
            safe_next("/inbox?status=unregistered&q=%E0%B8%81"),
            "/inbox?status=unregistered&q=%E0%B8%81"
        );
        assert_eq!(safe_next("/"), "/");
    }
}
