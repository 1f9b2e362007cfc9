//! The Thai pages, one module per area.

pub mod dashboard;
pub mod inbox;
pub mod journey;
pub mod letters;
pub mod login;
pub mod mailboxes;
pub mod registers;
pub mod settings;

use std::net::SocketAddr;

use axum::http::request::Parts;

use crate::domain::register::Register;
use crate::web::error::WebError;

/// The client address, for login throttling ("unknown" when not served over TCP).
pub struct ClientIp(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientIp(ip))
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
