//! Filing and lending through the API: the filing plan (`/api/v1/file-codes`), filing a letter
//! (`/api/v1/letters/{id}/filing`), แบบ 19 and 20 (`/api/v1/filing/{list|register}.{pdf|xlsx}`),
//! loans (`/api/v1/letters/{id}/loans`, `/api/v1/loans`, `/api/v1/loans/{id}/return`), the card
//! (`/api/v1/loans/{id}/card.pdf`, แบบ 24) and the lending register (`/api/v1/loan-register.{pdf|xlsx}`).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::exports::sheet_file;
use super::{ApiJson, Writer};
use crate::domain::filing::LoanStatus;
use crate::service::current_year;
use crate::service::filing::{FilingForm, LoanInput, loans_sheet};
use crate::store::date_to_db;
use crate::store::filing::{Filed, Loan};
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

pub fn filed_json(f: &Filed) -> Value {
    json!({
        "letter_id": f.letter_id,
        "file_code": f.file_code,
        "file_name": f.file_name,
        "filed_on": date_to_db(f.filed_on),
        "filed_by": f.filed_by_name,
        "note": f.note,
    })
}

pub fn loan_json(l: &Loan) -> Value {
    let today = crate::domain::thai_date::to_bangkok(chrono::Utc::now()).date();
    json!({
        "id": l.id,
        "letter_id": l.letter_id,
        "letter": {"number": l.letter_number, "doc_no": l.letter_doc_no, "subject": l.letter_subject, "file_code": l.file_code},
        "item": l.item,
        "borrower": {"user_id": l.borrower_user_id, "name": l.borrower_name, "position": l.borrower_position,
            "unit": l.borrower_unit, "email": l.borrower_email},
        "purpose": l.purpose,
        "handed_by": l.handed_by_name,
        "approved_by": l.approved_by_name,
        "borrowed_on": date_to_db(l.borrowed_on),
        "due_on": date_to_db(l.due_on),
        "returned_on": l.returned_on.map(date_to_db),
        "returned_by": l.returned_by,
        "received_by": l.received_by_name,
        "status": LoanStatus::of(l.due_on, l.returned_on.is_some(), today).code(),
        "card": format!("/api/v1/loans/{}/card.pdf", l.id),
    })
}

pub async fn file_codes(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Value>, WebError> {
    let codes = state.services.file_codes(&viewer.actor).await?;
    Ok(Json(json!({
        "items": codes.iter().map(|c| json!({"code": c.code, "name": c.name, "filed": c.filed})).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeBody {
    code: String,
    name: String,
}

pub async fn put_file_code(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(body): ApiJson<CodeBody>,
) -> Result<Response, WebError> {
    let code = state
        .services
        .put_file_code(&viewer.actor, &body.code, &body.name)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"code": code, "name": body.name.trim()})),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FilingBody {
    file_code: String,
    filed_on: String,
    note: String,
}

pub async fn filing(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let filed = state.services.filing_of(&viewer.actor, id).await?;
    Ok(Json(json!({"filed": filed.as_ref().map(filed_json)})))
}

pub async fn file_letter(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<FilingBody>,
) -> Result<Response, WebError> {
    let filed = state
        .services
        .file_letter(
            &viewer.actor,
            id,
            &body.file_code,
            &body.filed_on,
            &body.note,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(filed_json(&filed))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year_be: String,
    status: String,
    /// Words the letters must hold (as a register search in all fields).
    q: String,
}

fn year_of(viewer: &Viewer, text: &str) -> Result<i32, WebError> {
    match text.trim() {
        "" => Ok(current_year(&viewer.actor.office)),
        y => crate::domain::numbering::parse_year_be(y)
            .map_err(|e| WebError::BadRequest(e.to_string())),
    }
}

/// `list.pdf|xlsx` (แบบ 19) or `register.pdf|xlsx` (แบบ 20) of `year_be`.
pub async fn filing_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(file): Params<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let (stem, kind) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    let form = match stem {
        "list" => FilingForm::SendList,
        "register" => FilingForm::Register,
        _ => return Err(WebError::NotFound),
    };
    let year_be = year_of(&viewer, &q.year_be)?;
    let sheet = state
        .services
        .filing_sheet(&viewer.actor, form, year_be)
        .await?;
    let title = format!("{}-{year_be}", sheet.title);
    sheet_file(sheet, kind, &format!("filing-{stem}-{year_be}"), &title).await
}

pub async fn lend(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<LoanInput>,
) -> Result<Response, WebError> {
    let loan = state.services.lend(&viewer.actor, id, &body).await?;
    Ok((StatusCode::CREATED, Json(loan_json(&loan))).into_response())
}

pub async fn letter_loans(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let loans = state.services.letter_loans(&viewer.actor, id).await?;
    Ok(Json(
        json!({"items": loans.iter().map(loan_json).collect::<Vec<_>>()}),
    ))
}

fn status_of(text: &str) -> Result<Option<LoanStatus>, WebError> {
    match text.trim() {
        "" | "all" => Ok(None),
        s => LoanStatus::parse(s)
            .map(Some)
            .ok_or_else(|| WebError::BadRequest("status ต้องเป็น out, overdue หรือ returned".into())),
    }
}

pub async fn loans(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<YearQuery>,
) -> Result<Json<Value>, WebError> {
    let loans = state
        .services
        .loans(&viewer.actor, status_of(&q.status)?, &q.q)
        .await?;
    Ok(Json(
        json!({"items": loans.iter().map(loan_json).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnBody {
    returned_by: String,
    returned_on: String,
}

pub async fn return_loan(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<ReturnBody>,
) -> Result<Json<Value>, WebError> {
    let loan = state
        .services
        .return_loan(&viewer.actor, id, &body.returned_by, &body.returned_on)
        .await?;
    Ok(Json(loan_json(&loan)))
}

/// บัตรยืมหนังสือ (แบบที่ 24) of one loan, as a PDF.
pub async fn card(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Response, WebError> {
    let loan = state.services.loan(&viewer.actor, id).await?;
    let sheet = loans_sheet(&viewer.actor.office.name, &[loan], true);
    sheet_file(sheet, "pdf", &format!("loan-card-{id}"), "บัตรยืมหนังสือ").await
}

/// The lending register (every loan, or by `status`) as PDF or XLSX.
async fn loan_register(
    state: AppState,
    viewer: Viewer,
    q: YearQuery,
    kind: &str,
) -> Result<Response, WebError> {
    // The printed register is the whole register of that status, whatever was searched.
    let loans = state
        .services
        .loans(&viewer.actor, status_of(&q.status)?, "")
        .await?;
    let sheet = loans_sheet(&viewer.actor.office.name, &loans, false);
    sheet_file(sheet, kind, "loan-register", "ทะเบียนการยืมหนังสือ").await
}

pub async fn loan_register_pdf(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    loan_register(state, viewer, q, "pdf").await
}

pub async fn loan_register_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    loan_register(state, viewer, q, "xlsx").await
}
