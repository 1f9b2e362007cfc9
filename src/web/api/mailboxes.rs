//! Saraban mailboxes through the API (administrators).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiJson, Writer};
use crate::mail::{imap, poller};
use crate::service::Actor;
use crate::service::mailboxes::MailboxInput;
use crate::store::mailboxes::Mailbox;
use crate::store::time_to_db;
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

async fn mailbox_json(state: &AppState, actor: &Actor, m: &Mailbox) -> Result<Value, WebError> {
    let folders: Vec<Value> = state
        .services
        .folders_of(actor, m)
        .await?
        .iter()
        .map(|s| {
            json!({
                "folder": s.folder, "uidvalidity": s.uidvalidity, "last_uid": s.last_uid,
                "last_success_at": s.last_success_at.map(time_to_db), "last_attempt_at": s.last_attempt_at.map(time_to_db),
                "consecutive_failures": s.consecutive_failures, "last_error": s.last_error,
            })
        })
        .collect();
    // The password is never sent back.
    Ok(json!({
        "id": m.id, "office_id": m.office_id, "host": m.host, "port": m.port, "security": m.security.code(),
        "ca_file": m.ca_file, "username": m.username, "folders": m.folders, "poll_secs": m.poll_secs,
        "move_to": m.move_to, "enabled": m.enabled, "state": folders,
    }))
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Json<Value>, WebError> {
    let mut items = Vec::new();
    for m in state.services.mailboxes(&viewer.actor).await? {
        items.push(mailbox_json(&state, &viewer.actor, &m).await?);
    }
    Ok(Json(json!({ "items": items })))
}

/// The JSON body: `folders` may be a list or one string; numbers may be numbers or strings.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MailboxBody {
    host: String,
    port: Value,
    security: String,
    ca_file: Option<String>,
    username: String,
    password: crate::security::Secret,
    folders: Value,
    poll_secs: Value,
    move_to: Option<String>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

pub async fn add(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(b): ApiJson<MailboxBody>,
) -> Result<Response, WebError> {
    let input = MailboxInput {
        host: b.host,
        port: text(&b.port),
        security: b.security,
        ca_file: b.ca_file.unwrap_or_default(),
        username: b.username,
        password: b.password,
        folders: text(&b.folders),
        poll_secs: text(&b.poll_secs),
        move_to: b.move_to.unwrap_or_default(),
    };
    let m = state.services.add_mailbox(&viewer.actor, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(mailbox_json(&state, &viewer.actor, &m).await?),
    )
        .into_response())
}

pub async fn test(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let m = state.services.mailbox(&viewer.actor, id).await?;
    let limits = poller::limits(&state.config.mail);
    Ok(Json(
        match imap::test_connection(&m, limits.command).await {
            Ok(message) => json!({"ok": true, "message": message}),
            Err(e) => json!({"ok": false, "message": e.to_string()}),
        },
    ))
}

pub async fn remove(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<StatusCode, WebError> {
    state.services.remove_mailbox(&viewer.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
