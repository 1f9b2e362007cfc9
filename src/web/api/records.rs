//! The record's life through the API: an earlier register brought in
//! (`POST /api/v1/registers/{register}/import`, multipart `file`), a letter's retention
//! (`PUT /api/v1/letters/{id}/retention`), and legal holds (`POST /api/v1/letters/{id}/holds`,
//! `POST /api/v1/holds/{id}/lift`, `GET /api/v1/letters/{id}/holds`).

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiJson, Writer};
use crate::domain::register::Register;
use crate::domain::retention::{Retention, RetentionClass};
use crate::store::records::LegalHold;
use crate::store::time_to_db;
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

/// Reads the `file` part of an upload: its name and bytes.
pub async fn file_part(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, Vec<u8>), WebError> {
    let mut multipart =
        multipart.map_err(|_| WebError::Unsupported("ต้องส่งเป็น multipart/form-data".into()))?;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("อ่านไฟล์ที่ส่งมาไม่ได้: {e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| WebError::BadRequest(format!("อ่านไฟล์ที่ส่งมาไม่ได้: {e}")))?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(WebError::BadRequest("ไม่มีไฟล์ (ส่งในช่อง file)".into()))
}

/// Imports the file whole → 201 with what was written, or 422 with every bad row.
pub async fn import(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(register): Params<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let register = Register::parse(&register).ok_or(WebError::NotFound)?;
    let (name, bytes) = file_part(multipart).await?;
    let report = state
        .services
        .import_register(&viewer.actor, register, &name, &bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(json!(report))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RetentionBody {
    class: String,
    years: Option<i32>,
}

/// A retention from its class code (or label) and, for another law, its years.
pub fn retention_of(class: &str, years: Option<i32>) -> Result<Retention, WebError> {
    let class = RetentionClass::from_code(class.trim())
        .or_else(|| Retention::parse(class).ok().map(|r| r.class))
        .ok_or_else(|| {
            WebError::BadRequest(
                "class ต้องเป็น ten_years, five_years, one_year, permanent, by_law หรือ secret".into(),
            )
        })?;
    Retention::new(class, years).map_err(|e| WebError::BadRequest(e.to_string()))
}

pub async fn set_retention(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<RetentionBody>,
) -> Result<Json<Value>, WebError> {
    let retention = retention_of(&body.class, body.years)?;
    state
        .services
        .set_retention(&viewer.actor, id, retention)
        .await?;
    let letter = state.services.letter(&viewer.actor, id).await?;
    Ok(Json(json!({
        "class": letter.retention.class.code(),
        "years": letter.retention.years(),
        "label": letter.retention.label(),
        "keep_until_be": letter.keep_until.year_be(),
        "keep_until": letter.keep_until.label(),
    })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReasonBody {
    reason: String,
}

fn hold_json(h: &LegalHold) -> Value {
    json!({
        "id": h.id,
        "letter_id": h.letter_id,
        "reason": h.reason,
        "placed_by": h.placed_by_name,
        "placed_at": time_to_db(h.placed_at),
        "lifted": h.lifted.as_ref().map(|(at, by, why)| json!({
            "at": time_to_db(*at), "by": by, "reason": why,
        })),
    })
}

pub async fn holds(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let holds = state.services.legal_holds(&viewer.actor, id).await?;
    Ok(Json(json!({
        "holds": holds.iter().map(hold_json).collect::<Vec<_>>(),
    })))
}

pub async fn place_hold(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Response, WebError> {
    let hold_id = state
        .services
        .place_hold(&viewer.actor, id, &body.reason)
        .await?;
    let holds = state.services.legal_holds(&viewer.actor, id).await?;
    let hold = holds
        .iter()
        .find(|h| h.id == hold_id)
        .ok_or(WebError::NotFound)?;
    Ok((StatusCode::CREATED, Json(hold_json(hold))).into_response())
}

pub async fn lift_hold(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<Value>, WebError> {
    let letter_id = state
        .services
        .lift_hold(&viewer.actor, id, &body.reason)
        .await?;
    let holds = state.services.legal_holds(&viewer.actor, letter_id).await?;
    let hold = holds
        .iter()
        .find(|h| h.id == id)
        .ok_or(WebError::NotFound)?;
    Ok(Json(hold_json(hold)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RetentionSettingsBody {
    counting: Option<String>,
    defaults: Option<Vec<crate::service::records::RetentionRuleInput>>,
}

async fn retention_settings_json(state: &AppState, viewer: &Viewer) -> Result<Value, WebError> {
    let (counting, rules) = state.services.retention_settings(&viewer.actor).await?;
    Ok(json!({
        "counting": counting.code(),
        "counting_label": counting.label(),
        "defaults": rules.iter().map(|(register, letter_type, r)| json!({
            "register": register.map(|r| r.code()).unwrap_or(""),
            "letter_type": letter_type.clone().unwrap_or_default(),
            "class": r.class.code(),
            "years": r.years,
            "label": r.label(),
        })).collect::<Vec<_>>(),
    }))
}

/// `GET /api/v1/settings/retention`: how "เก็บถึง" is counted, and the defaults for new letters.
pub async fn retention_settings(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Value>, WebError> {
    Ok(Json(retention_settings_json(&state, &viewer).await?))
}

/// `PUT /api/v1/settings/retention`: `counting` and/or the whole list of `defaults`.
pub async fn set_retention_settings(
    State(state): State<AppState>,
    Writer(mut viewer): Writer,
    ApiJson(body): ApiJson<RetentionSettingsBody>,
) -> Result<Json<Value>, WebError> {
    state
        .services
        .set_retention_settings(
            &viewer.actor,
            body.counting.as_deref(),
            body.defaults.as_deref(),
        )
        .await?;
    viewer.actor.office = state.services.office(&viewer.actor.office.id).await?;
    Ok(Json(retention_settings_json(&state, &viewer).await?))
}
