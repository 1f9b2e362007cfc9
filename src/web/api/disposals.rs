//! Lawful destruction through the API: `POST /api/v1/disposals {"year_be"}` (the survey's draft
//! list), then `PUT …/committee`, `POST …/review`, `…/confirm`, `…/submit`, `…/approve`, `…/sent`,
//! `…/archives-answer`, `…/destroy`; `GET /api/v1/disposals/{id}` with each item's state, and the
//! list (แบบ 25) and the memo as PDF. A step out of order answers 409 in Thai.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::exports::sheet_file;
use super::{ApiJson, Writer};
use crate::service::disposals::{ReviewInput, destruction_memo, disposal_sheet};
use crate::store::disposals::Disposal;
use crate::store::{date_to_db, time_to_db};
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

pub fn disposal_json(d: &Disposal) -> Value {
    json!({
        "id": d.id,
        "year_be": d.year_be,
        "basis": d.basis,
        "state": d.state.code(),
        "state_label": d.state.label(),
        "created_at": time_to_db(d.created_at),
        "approved_by": d.approved_by_name,
        "approved_at": d.approved_at.map(time_to_db),
        "sent_on": d.sent_on.map(date_to_db),
        "answered_on": d.answered_on.map(date_to_db),
        "destroyed_at": d.destroyed_at.map(time_to_db),
        "files_removed": d.files_removed,
        "bytes_freed": d.bytes_freed,
        "committee": d.members.iter().map(|m| json!({
            "user_id": m.user_id, "name": m.name, "chair": m.is_chair,
            "confirmed_at": m.confirmed_at.map(time_to_db),
        })).collect::<Vec<_>>(),
        "items": d.items.iter().map(|i| json!({
            "item_no": i.item_no,
            "letter_id": i.letter_id,
            "number": i.number,
            "letter_year_be": i.letter_year_be,
            "doc_no": i.doc_no,
            "doc_date": date_to_db(i.doc_date),
            "subject": i.subject,
            "file_code": i.file_code,
            "decision": i.decision.code(),
            "keep_until_be": i.keep_until_be,
            "archives_keep": i.archives_keep,
            "destroyed": i.destroyed_note,
        })).collect::<Vec<_>>(),
        "list_pdf": format!("/api/v1/disposals/{}/list.pdf", d.id),
        "memo_pdf": format!("/api/v1/disposals/{}/memo.pdf", d.id),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SurveyBody {
    year_be: Option<Value>,
    /// The head's order (ภาคผนวก 6): electronic letters kept over 10 years, oldest first.
    over_ten_years: bool,
    limit: Option<usize>,
}

pub async fn survey(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(body): ApiJson<SurveyBody>,
) -> Result<Response, WebError> {
    // The answer is the new list whole, read after the survey has committed.
    if body.over_ten_years {
        let drafted = state
            .services
            .order_over_ten_years(&viewer.actor, body.limit)
            .await?;
        let d = state.services.disposal(&viewer.actor, drafted.id).await?;
        return Ok((StatusCode::CREATED, Json(disposal_json(&d))).into_response());
    }
    let year = match &body.year_be {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let year_be = crate::domain::numbering::parse_year_be(&year)
        .map_err(|e| WebError::BadRequest(format!("year_be: {e}")))?;
    let drafted = state.services.survey(&viewer.actor, year_be).await?;
    let d = state.services.disposal(&viewer.actor, drafted.id).await?;
    Ok((StatusCode::CREATED, Json(disposal_json(&d))).into_response())
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Json<Value>, WebError> {
    let all = state.services.disposals(&viewer.actor).await?;
    Ok(Json(json!({"items": all.iter().map(|d| json!({
        "id": d.id, "year_be": d.year_be, "state": d.state.code(), "state_label": d.state.label(),
        "created_at": time_to_db(d.created_at),
    })).collect::<Vec<_>>()})))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let d = state.services.disposal(&viewer.actor, id).await?;
    Ok(Json(disposal_json(&d)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommitteeBody {
    chair: String,
    members: Vec<String>,
}

pub async fn committee(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<CommitteeBody>,
) -> Result<Json<Value>, WebError> {
    let d = state
        .services
        .appoint_committee(&viewer.actor, id, &body.chair, &body.members)
        .await?;
    Ok(Json(disposal_json(&d)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewBody {
    items: Vec<ReviewInput>,
}

pub async fn review(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<Value>, WebError> {
    let d = state
        .services
        .review(&viewer.actor, id, &body.items)
        .await?;
    Ok(Json(disposal_json(&d)))
}

pub async fn confirm(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let d = state.services.confirm_review(&viewer.actor, id).await?;
    Ok(Json(disposal_json(&d)))
}

pub async fn submit(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let d = state.services.submit_disposal(&viewer.actor, id).await?;
    Ok(Json(disposal_json(&d)))
}

pub async fn approve(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let d = state.services.approve_disposal(&viewer.actor, id).await?;
    Ok(Json(disposal_json(&d)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SentBody {
    sent_on: String,
}

pub async fn sent(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<SentBody>,
) -> Result<Json<Value>, WebError> {
    let d = state
        .services
        .disposal_sent(&viewer.actor, id, &body.sent_on)
        .await?;
    Ok(Json(disposal_json(&d)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerBody {
    keep: Vec<i64>,
}

pub async fn archives_answer(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> Result<Json<Value>, WebError> {
    let d = state
        .services
        .archives_answer(&viewer.actor, id, &body.keep)
        .await?;
    Ok(Json(disposal_json(&d)))
}

pub async fn destroy(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let done = state.services.destroy(&viewer.actor, id).await?;
    let d = state.services.disposal(&viewer.actor, id).await?;
    let mut body = disposal_json(&d);
    body["destruction"] = json!(done);
    Ok(Json(body))
}

/// แบบที่ 25 of the list.
pub async fn list_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Response, WebError> {
    let d = state.services.disposal(&viewer.actor, id).await?;
    let sheet = disposal_sheet(&viewer.actor.office.name, &d);
    sheet_file(sheet, "pdf", &format!("disposal-{id}"), "บัญชีหนังสือขอทำลาย").await
}

/// บันทึกการทำลาย, once the list is destroyed.
pub async fn memo_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Response, WebError> {
    let d = state.services.disposal(&viewer.actor, id).await?;
    if d.state != crate::domain::disposal::DisposalState::Destroyed {
        return Err(WebError::Conflict("บันทึกการทำลายออกได้เมื่อทำลายแล้ว".into()));
    }
    let sheet = destruction_memo(&viewer.actor.office.name, &d);
    sheet_file(
        sheet,
        "pdf",
        &format!("disposal-{id}-memo"),
        "บันทึกการทำลายหนังสือ",
    )
    .await
}
