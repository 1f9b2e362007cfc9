//! ปิดทะเบียนประจำปี: `GET|POST /api/v1/registers/{register}/closing` and the PDF kept at closing,
//! `GET /api/v1/registers/{register}/closing.pdf?year_be=`.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiJson, Writer};
use crate::domain::register::Register;
use crate::service::current_year;
use crate::store::closings::Closing;
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year_be: Option<Value>,
}

fn year_of(viewer: &Viewer, year: &Option<Value>) -> Result<i32, WebError> {
    match year {
        None => Ok(current_year(&viewer.actor.office) - 1),
        Some(Value::Number(n)) => crate::domain::numbering::parse_year_be(&n.to_string())
            .map_err(|e| WebError::BadRequest(e.to_string())),
        Some(Value::String(s)) => crate::domain::numbering::parse_year_be(s)
            .map_err(|e| WebError::BadRequest(e.to_string())),
        Some(_) => Err(WebError::BadRequest("year_be ต้องเป็นปี พ.ศ.".into())),
    }
}

fn register_of(code: &str) -> Result<Register, WebError> {
    Register::parse(code).ok_or(WebError::NotFound)
}

pub fn closing_json(register: Register, year_be: i32, closing: Option<&Closing>) -> Value {
    match closing {
        None => json!({"register": register.code(), "year_be": year_be, "closed": false}),
        Some(c) => json!({
            "register": register.code(),
            "year_be": year_be,
            "closed": true,
            "closed_at": crate::store::time_to_db(c.closed_at),
            "closed_by": c.closed_by_name,
            "entries": c.entries,
            "sha256": c.sha256,
            "size": c.size,
            "pdf": format!("/api/v1/registers/{}/closing.pdf?year_be={year_be}", register.code()),
        }),
    }
}

/// Whether the register-year is closed (default: last year).
pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(register): Params<String>,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, WebError> {
    let register = register_of(&register)?;
    let year_be = year_of(&viewer, &q.year_be)?;
    let closing = state
        .services
        .closing(&viewer.actor, register, year_be)
        .await?;
    Ok(Json(closing_json(register, year_be, closing.as_ref())))
}

/// Closes the register-year `{year_be}` (default: last year) → 201.
pub async fn close(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(register): Params<String>,
    ApiJson(body): ApiJson<YearQuery>,
) -> Result<Response, WebError> {
    let register = register_of(&register)?;
    let year_be = year_of(&viewer, &body.year_be)?;
    let closing = state
        .services
        .close_register(&viewer.actor, register, year_be)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(closing_json(register, year_be, Some(&closing))),
    )
        .into_response())
}

/// The form PDF kept when the register-year was closed, byte for byte.
pub async fn pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(register): Params<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let register = register_of(&register)?;
    let year_be = year_of(&viewer, &q.year_be)?;
    let (closing, data) = state
        .services
        .closed_register_pdf(&viewer.actor, register, year_be)
        .await?;
    let disposition = format!(
        "inline; filename=\"{}-{year_be}-closed.pdf\"",
        register.code()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::HeaderName::from_static("x-content-sha256"),
                closing.sha256,
            ),
        ],
        data,
    )
        .into_response())
}
