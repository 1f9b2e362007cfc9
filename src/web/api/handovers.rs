//! The 20-year handover through the API: `GET /api/v1/handovers/due?year_be=` (a preview),
//! `POST /api/v1/handovers {"year_be", "keep": [letter_id]}`, `GET /api/v1/handovers[/{id}]`, the
//! lists `…/{id}/form21.pdf|xlsx` and `…/{id}/form22.pdf|xlsx`, and `…/{id}/package.zip`.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::exports::sheet_file;
use super::{ApiJson, Writer};
use crate::service::current_year;
use crate::service::handovers::handover_sheet;
use crate::store::date_to_db;
use crate::store::handovers::Handover;
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

fn handover_json(h: &Handover) -> Value {
    json!({
        "id": h.id,
        "year_be": h.year_be,
        "handed_on": date_to_db(h.handed_on),
        "items": h.items.iter().map(|i| json!({
            "item_no": i.item_no, "letter_id": i.letter_id, "kept": i.kept, "number": i.number,
            "letter_year_be": i.letter_year_be, "doc_no": i.doc_no, "doc_date": date_to_db(i.doc_date),
            "subject": i.subject, "file_code": i.file_code,
        })).collect::<Vec<_>>(),
        "form21": format!("/api/v1/handovers/{}/form21.pdf", h.id),
        "form22": format!("/api/v1/handovers/{}/form22.pdf", h.id),
        "package": format!("/api/v1/handovers/{}/package.zip", h.id),
    })
}

fn year_of(viewer: &Viewer, year: &Option<Value>) -> Result<i32, WebError> {
    match year {
        None => Ok(current_year(&viewer.actor.office)),
        Some(Value::Number(n)) => crate::domain::numbering::parse_year_be(&n.to_string())
            .map_err(|e| WebError::BadRequest(e.to_string())),
        Some(Value::String(s)) => crate::domain::numbering::parse_year_be(s)
            .map_err(|e| WebError::BadRequest(e.to_string())),
        Some(_) => Err(WebError::BadRequest("year_be ต้องเป็นปี พ.ศ.".into())),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year_be: Option<Value>,
}

pub async fn due(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, WebError> {
    let year_be = year_of(&viewer, &q.year_be)?;
    let due = state.services.handover_due(&viewer.actor, year_be).await?;
    Ok(Json(json!({"year_be": year_be, "letter_ids": due})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HandoverBody {
    year_be: Option<Value>,
    keep: Vec<i64>,
}

pub async fn make(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(body): ApiJson<HandoverBody>,
) -> Result<Response, WebError> {
    let year_be = year_of(&viewer, &body.year_be)?;
    let h = state
        .services
        .make_handover(&viewer.actor, year_be, &body.keep)
        .await?;
    Ok((StatusCode::CREATED, Json(handover_json(&h))).into_response())
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Json<Value>, WebError> {
    let all = state.services.handovers(&viewer.actor).await?;
    Ok(Json(
        json!({"items": all.iter().map(|(id, year, on)| json!({
        "id": id, "year_be": year, "handed_on": date_to_db(*on),
    })).collect::<Vec<_>>()}),
    ))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let h = state.services.handover(&viewer.actor, id).await?;
    Ok(Json(handover_json(&h)))
}

/// `form21.pdf|xlsx` or `form22.pdf|xlsx`.
pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Params((id, file)): Params<(i64, String)>,
) -> Result<Response, WebError> {
    let (stem, kind) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    let kept = match stem {
        "form21" => false,
        "form22" => true,
        _ => return Err(WebError::NotFound),
    };
    let h = state.services.handover(&viewer.actor, id).await?;
    let sheet = handover_sheet(&viewer.actor.office.name, &h, kept);
    let title = sheet.title.clone();
    sheet_file(sheet, kind, &format!("handover-{id}-{stem}"), &title).await
}

pub async fn package(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Response, WebError> {
    let zip = state.services.handover_package(&viewer.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"handover-{id}.zip\""),
            ),
        ],
        zip,
    )
        .into_response())
}
