//! The Thai pages, one module per area.

pub mod dashboard;
pub mod disposals;
pub mod dns_records;
pub mod file_words;
pub mod inbox;
pub mod journey;
pub mod letters;
pub mod login;
pub mod mailboxes;
pub mod records;
pub mod registers;
pub mod settings;
pub mod setup;

use std::net::SocketAddr;

use axum::http::request::Parts;

use crate::domain::register::Register;
use crate::web::AppState;
use crate::web::error::WebError;

/// The client address, for login throttling ("unknown" when not served over TCP).
pub struct ClientIp(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(ClientIp("unknown".into()));
        };
        let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let client = state
            .proxies
            .client(peer, header("forwarded"), header("x-forwarded-for"));
        Ok(ClientIp(client.to_string()))
    }
}

/// The letter fields of a form (edit, register from the inbox).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LetterForm {
    #[serde(flatten)]
    pub input: crate::domain::letter::LetterInput,
}

pub fn parse_register(code: &str) -> Result<Register, WebError> {
    Register::parse(code).ok_or(WebError::NotFound)
}
