//! งานเก็บหนังสือ: the filing plan, the letters filed in a year with แบบ 19 and 20, and the lending
//! register (ทะเบียนการยืม) with its cards; and the letter page's forms to file, lend, return,
//! set the retention and place or lift a hold.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::filing::LoanStatus;
use crate::domain::thai_date;
use crate::service::current_year;
use crate::service::filing::LoanInput;
use crate::store::filing::Loan;
use crate::web::error::WebError;
use crate::web::forms::CsrfForm;
use crate::web::layout::Nav;
use crate::web::views::Layout;
use crate::web::{AppState, Params};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecordsQuery {
    year: String,
    status: String,
    done: String,
    /// Words the listed letters must hold.
    q: String,
}

pub struct CodeRow {
    pub code: String,
    pub name: String,
    pub filed: i64,
}

pub struct FiledLine {
    pub letter_id: i64,
    pub filed_on: String,
    pub number: String,
    pub doc_no: String,
    pub subject: String,
    pub file_code: String,
    pub keep_until: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "records.html")]
pub struct RecordsPage {
    pub layout: Layout,
    pub year: i32,
    pub codes: Vec<CodeRow>,
    pub filed: Vec<FiledLine>,
    pub flash: String,
    pub q: String,
}

/// งานเก็บหนังสือ of a year (this year by default).
pub async fn show(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<RecordsQuery>,
) -> Result<RecordsPage, WebError> {
    let year = crate::domain::numbering::parse_year_be(&q.year)
        .unwrap_or_else(|_| current_year(&viewer.actor.office));
    let codes = state.services.file_codes(&viewer.actor).await?;
    let filed = state
        .services
        .filed_rows(&viewer.actor, year, &q.q)
        .await?
        .into_iter()
        .map(|(letter_id, r)| FiledLine {
            letter_id,
            filed_on: thai_date::format_short(r.filed_on),
            number: r.number,
            doc_no: r.doc_no,
            subject: r.subject,
            file_code: r.file_code,
            keep_until: r.keep_until,
        })
        .collect();
    Ok(RecordsPage {
        layout: Layout::new(&viewer, "records", "งานเก็บหนังสือ"),
        year,
        codes: codes
            .into_iter()
            .map(|c| CodeRow {
                code: c.code,
                name: c.name,
                filed: c.filed,
            })
            .collect(),
        filed,
        flash: match q.done.as_str() {
            "code" => "บันทึกรหัสแฟ้มเรียบร้อย".into(),
            _ => String::new(),
        },
        q: q.q.trim().to_string(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    name: String,
}

pub async fn add_code(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<CodeForm, Nav>,
) -> Result<Response, WebError> {
    state
        .services
        .put_file_code(&viewer.actor, &form.code, &form.name)
        .await?;
    Ok(Redirect::to("/records?done=code").into_response())
}

pub struct LoanLine {
    pub id: i64,
    pub letter_id: i64,
    pub item: String,
    pub letter: String,
    pub borrower: String,
    pub borrowed_on: String,
    pub due_on: String,
    pub returned: String,
    pub status: &'static str,
    pub status_label: &'static str,
}

pub fn loan_line(l: &Loan) -> LoanLine {
    let today = thai_date::to_bangkok(chrono::Utc::now()).date();
    let status = LoanStatus::of(l.due_on, l.returned_on.is_some(), today);
    let mut borrower = l.borrower_name.clone();
    if !l.borrower_unit.is_empty() {
        borrower.push_str(&format!(" ({})", l.borrower_unit));
    }
    LoanLine {
        id: l.id,
        letter_id: l.letter_id,
        item: l.item.clone(),
        letter: format!("{} {}", l.letter_number, l.letter_subject),
        borrower,
        borrowed_on: thai_date::format_short(l.borrowed_on),
        due_on: thai_date::format_short(l.due_on),
        returned: match (&l.returned_on, &l.returned_by) {
            (Some(on), by) => format!(
                "{} โดย {}",
                thai_date::format_short(*on),
                by.clone().unwrap_or_default()
            ),
            _ => String::new(),
        },
        status: status.code(),
        status_label: status.label(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "loans.html")]
pub struct LoansPage {
    pub layout: Layout,
    pub status: &'static str,
    pub tabs: Vec<(&'static str, &'static str)>,
    pub loans: Vec<LoanLine>,
    pub q: String,
}

/// ทะเบียนการยืมหนังสือ: every loan, or those out, overdue or returned.
pub async fn loans(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<RecordsQuery>,
) -> Result<LoansPage, WebError> {
    let status = LoanStatus::parse(&q.status);
    let loans = state.services.loans(&viewer.actor, status, &q.q).await?;
    Ok(LoansPage {
        layout: Layout::new(&viewer, "loans", "ทะเบียนการยืมหนังสือ"),
        status: status.map(LoanStatus::code).unwrap_or("all"),
        tabs: vec![
            ("all", "ทั้งหมด"),
            ("out", LoanStatus::Out.label()),
            ("overdue", LoanStatus::Overdue.label()),
            ("returned", LoanStatus::Returned.label()),
        ],
        loans: loans.iter().map(loan_line).collect(),
        q: q.q.trim().to_string(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FileForm {
    file_code: String,
    filed_on: String,
    note: String,
}

/// เก็บเข้าแฟ้ม from the letter page.
pub async fn file_letter(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<FileForm, Nav>,
) -> Result<Response, WebError> {
    state
        .services
        .file_letter(
            &viewer.actor,
            id,
            &form.file_code,
            &form.filed_on,
            &form.note,
        )
        .await?;
    Ok(Redirect::to(&format!("/letters/{id}?done=filed")).into_response())
}

/// ให้ยืม from the letter page.
pub async fn lend(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<LoanInput, Nav>,
) -> Result<Response, WebError> {
    state.services.lend(&viewer.actor, id, &form).await?;
    Ok(Redirect::to(&format!("/letters/{id}?done=lent")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnForm {
    returned_by: String,
    returned_on: String,
}

/// ส่งคืน, from the lending register.
pub async fn return_loan(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<ReturnForm, Nav>,
) -> Result<Response, WebError> {
    state
        .services
        .return_loan(&viewer.actor, id, &form.returned_by, &form.returned_on)
        .await?;
    Ok(Redirect::to("/loans?status=returned").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReasonForm {
    reason: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RetentionForm {
    class: String,
    years: String,
}

/// อายุการเก็บ changed on the letter page.
pub async fn set_retention(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<RetentionForm, Nav>,
) -> Result<Response, WebError> {
    let years = match form.years.trim() {
        "" => None,
        y => Some(
            crate::domain::digits::to_arabic(y)
                .parse::<i32>()
                .map_err(|_| WebError::BadRequest("จำนวนปีต้องเป็นตัวเลข".into()))?,
        ),
    };
    let retention = crate::web::api::records::retention_of(&form.class, years)?;
    state
        .services
        .set_retention(&viewer.actor, id, retention)
        .await?;
    Ok(Redirect::to(&format!("/letters/{id}?done=retention")).into_response())
}

/// ระงับการทำลาย placed on the letter page.
pub async fn place_hold(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<ReasonForm, Nav>,
) -> Result<Response, WebError> {
    state
        .services
        .place_hold(&viewer.actor, id, &form.reason)
        .await?;
    Ok(Redirect::to(&format!("/letters/{id}?done=hold")).into_response())
}

/// A hold lifted on the letter page.
pub async fn lift_hold(
    State(state): State<AppState>,
    Params(hold): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<ReasonForm, Nav>,
) -> Result<Response, WebError> {
    let id = state
        .services
        .lift_hold(&viewer.actor, hold, &form.reason)
        .await?;
    Ok(Redirect::to(&format!("/letters/{id}?done=hold_lifted")).into_response())
}
