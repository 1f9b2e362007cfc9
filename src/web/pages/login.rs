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

/// Only paths inside this site; anything else (another host, `//evil`) goes home.
fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.starts_with("/login")
    {
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

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&form.next);
    let page = |error: String| LoginPage {
        username: form.username.clone(),
        next: next.clone(),
        error: Some(error),
    };
    if let Some(minutes) = state.throttle.locked(&form.username, &ip) {
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
            state.throttle.failed(&form.username, &ip);
            let message = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง".to_string();
            return Ok((axum::http::StatusCode::UNAUTHORIZED, page(message)).into_response());
        }
    };
    state.throttle.succeeded(&form.username);
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
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/registers/inbound"), "/registers/inbound");
        assert_eq!(safe_next("//evil.example"), "/");
        assert_eq!(safe_next("https://evil.example"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
        assert_eq!(safe_next(""), "/");
    }
}
