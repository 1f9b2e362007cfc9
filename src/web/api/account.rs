//! The caller's own account: changing their password, listing and revoking API tokens.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{ApiJson, Writer};
use crate::security::Secret;
use crate::store::users::ApiToken;
use crate::web::auth::{Viewer, session_token};
use crate::web::error::WebError;
use crate::web::{AppState, Params};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordChange {
    current_password: Secret,
    password: Secret,
}

/// `POST /api/v1/me/password {current_password, password}`: the caller's own password.
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Writer(viewer): Writer,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<Response, WebError> {
    let session = session_token(&headers);
    state
        .services
        .change_own_password(
            &viewer.actor,
            &body.current_password,
            &body.password,
            session.as_deref(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize)]
pub struct TokenJson {
    id: String,
    user_id: i64,
    username: String,
    label: String,
    created_at: String,
    revoked_at: Option<String>,
}

impl From<&ApiToken> for TokenJson {
    fn from(t: &ApiToken) -> TokenJson {
        TokenJson {
            id: t.id.clone(),
            user_id: t.user_id,
            username: t.username.clone(),
            label: t.label.clone(),
            created_at: t.created_at.to_rfc3339(),
            revoked_at: t.revoked_at.map(|at| at.to_rfc3339()),
        }
    }
}

/// `GET /api/v1/tokens`: the caller's tokens (an administrator: the office's).
pub async fn tokens(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<TokenJson>>, WebError> {
    let tokens = state.services.api_tokens(&viewer.actor).await?;
    Ok(Json(tokens.iter().map(TokenJson::from).collect()))
}

/// `DELETE /api/v1/tokens/{id}`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<String>,
) -> Result<Response, WebError> {
    state.services.revoke_api_token(&viewer.actor, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
