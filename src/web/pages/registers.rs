//! A register's list (with search and pages), its print view, and the registration form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::parse_register;
use crate::domain::doc_no::DocNo;
use crate::domain::letter::{FieldErrors, LetterInput};
use crate::domain::register::Register;
use crate::domain::thai_date;
use crate::service::{ServiceError, current_year};
use crate::store::letters::{LetterQuery, SearchField};
use crate::web::error::WebError;
use crate::web::forms::CsrfUpload;
use crate::web::layout::Nav;
use crate::web::views::{Choice, Layout, LetterFields, LetterRow, search_field_choices};
use crate::web::{AppState, Params};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    year: String,
    q: String,
    field: String,
    page: String,
    done: String,
}

async fn closing_view(
    state: &AppState,
    actor: &crate::service::Actor,
    register: Register,
    year_be: i32,
    done: &str,
) -> Result<ClosingView, WebError> {
    let now = current_year(&actor.office);
    if crate::service::closing::closing_refusal(register, year_be, now).is_some() {
        return Ok(ClosingView::default());
    }
    let closing = state.services.closing(actor, register, year_be).await?;
    Ok(ClosingView {
        applies: true,
        closed: closing.is_some(),
        summary: closing
            .map(|c| {
                format!(
                    "ปิดเมื่อ {} โดย {} รวม {} รายการ",
                    thai_date::format_datetime(c.closed_at),
                    c.closed_by_name,
                    c.entries
                )
            })
            .unwrap_or_default(),
        can_close: crate::domain::journey::distributes_everything(actor.user.role),
        flash: if done == "closed" {
            format!("ปิดทะเบียนปี พ.ศ. {year_be} เรียบร้อย เก็บแบบพิมพ์ PDF ไว้แล้ว")
        } else {
            String::new()
        },
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    year_be: String,
}

/// ปิดทะเบียนประจำปี from the register page.
pub async fn close(
    State(state): State<AppState>,
    Params(register): Params<String>,
    crate::web::forms::CsrfForm(viewer, form): crate::web::forms::CsrfForm<CloseForm, Nav>,
) -> Result<Response, WebError> {
    let register = parse_register(&register)?;
    let year_be = crate::domain::numbering::parse_year_be(&form.year_be)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    state
        .services
        .close_register(&viewer.actor, register, year_be)
        .await?;
    Ok(Redirect::to(&format!(
        "/registers/{}?year={year_be}&done=closed",
        register.code()
    ))
    .into_response())
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Nav,
    Params(register): Params<String>,
    Query(query): Query<ListQuery>,
) -> Result<RegisterListPage, WebError> {
    let register = parse_register(&register)?;
    let actor = &viewer.actor;
    let year_be = crate::domain::numbering::parse_year_be(&query.year)
        .unwrap_or_else(|_| current_year(&actor.office));
    let field = SearchField::from_code(&query.field).unwrap_or_default();
    let per_page = state.config.letters.page_size;
    let page = crate::domain::register::page_number(&query.page)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let (letters, total) = state
        .services
        .list_letters(
            actor,
            LetterQuery {
                register: Some(register),
                year_be: Some(year_be),
                q: Some(query.q.clone()),
                field,
                page,
                per_page,
                ..Default::default()
            },
        )
        .await?;
    // Past the count's cap the last page is not known: the pager goes on while pages are full.
    let mut last_page = ((total.count + per_page - 1) / per_page).max(1);
    if total.more && letters.len() as i64 == per_page {
        last_page = last_page.max(page + 1);
    }
    let pages = (page.saturating_sub(7).max(1)..=(page + 7).min(last_page)).collect();
    let mut years = state.services.years(actor).await?;
    if !years.contains(&year_be) {
        years.push(year_be);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    let query_base = query_string(&[
        ("year", &year_be.to_string()),
        ("field", field.code()),
        ("q", &query.q),
    ]);
    let export_query = query_string(&[
        ("year_be", &year_be.to_string()),
        ("field", field.code()),
        ("q", &query.q),
    ]);
    let closing = closing_view(&state, actor, register, year_be, &query.done).await?;
    let mut rows: Vec<LetterRow> = letters.iter().map(LetterRow::from).collect();
    let ids: Vec<i64> = letters.iter().map(|l| l.id).collect();
    let checks = state.services.sender_checks_of_letters(&ids).await?;
    for row in &mut rows {
        row.sender = checks.get(&row.id).map(crate::web::views::SenderBadge::of);
    }
    if !query.q.trim().is_empty() {
        let mut found = state.services.where_found(&letters, &query.q).await?;
        for row in &mut rows {
            row.found = found.remove(&row.id).unwrap_or_default();
        }
    }
    Ok(RegisterListPage {
        closing,
        layout: Layout::new(&viewer, register.code(), register.label()),
        register: register.code(),
        register_label: register.label(),
        number_label: register.number_label(),
        inbound: register == Register::Inbound,
        year_be,
        years,
        q: query.q,
        fields: search_field_choices(field),
        rows,
        total: total.label(),
        total_more: total.more,
        page,
        pages,
        last_page,
        can_register: actor.user.role.can_register(register),
        query_base,
        export_query,
    })
}

/// `year=2566&field=all&q=…`, each value percent-encoded.
pub(crate) fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PrintQuery {
    year: String,
}

/// The whole year's register on one page, laid out like the paper form, for printing.
pub async fn print(
    State(state): State<AppState>,
    viewer: Nav,
    Params(register): Params<String>,
    Query(query): Query<PrintQuery>,
) -> Result<RegisterPrintPage, WebError> {
    let register = parse_register(&register)?;
    let actor = &viewer.actor;
    let year_be = crate::domain::numbering::parse_year_be(&query.year)
        .unwrap_or_else(|_| current_year(&actor.office));
    let letters = state
        .services
        .all_letters(
            actor,
            LetterQuery {
                register: Some(register),
                year_be: Some(year_be),
                ..Default::default()
            },
        )
        .await?;
    let mut rows: Vec<LetterRow> = letters.iter().map(LetterRow::from).collect();
    // Paper registers run oldest first.
    rows.reverse();
    Ok(RegisterPrintPage {
        office_name: actor.office.name.clone(),
        register_label: register.label(),
        number_label: register.number_label(),
        inbound: register == Register::Inbound,
        year_be,
        rows,
        printed_at: thai_date::format_datetime(Utc::now()),
    })
}

fn form_page(
    state: &AppState,
    viewer: &Nav,
    register: Register,
    input: LetterInput,
    errors: FieldErrors,
) -> LetterFormPage {
    let office = &viewer.actor.office;
    let year = thai_date::be_year_of(Utc::now());
    let next_doc_no = match register {
        Register::Order => format!("ลำดับถัดไป/{year}"),
        _ => DocNo {
            prefix: office.prefix.clone(),
            circular: register == Register::Circular,
            number: "(เลขถัดไป)".into(),
        }
        .to_string(),
    };
    LetterFormPage {
        layout: Layout::new(
            viewer,
            register.code(),
            format!("ลงทะเบียน{}", register.label().trim_start_matches("ทะเบียน")),
        ),
        register: register.code(),
        register_label: register.label(),
        editing: None,
        heading: format!("ลงทะเบียน{}", register.label().trim_start_matches("ทะเบียน")),
        fields: LetterFields::new(input, errors, register == Register::Inbound, next_doc_no),
        file_slots: (1..=state.config.letters.max_attachments).collect(),
        file_limit: format!("{} MB", state.config.letters.max_attachment_mb),
        held: Vec::new(),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    viewer: Nav,
    Params(register): Params<String>,
) -> Result<LetterFormPage, WebError> {
    let register = parse_register(&register)?;
    if !viewer.actor.user.role.can_register(register) {
        return Err(WebError::Forbidden("ท่านไม่มีสิทธิ์ลงทะเบียนหนังสือ".into()));
    }
    let mut input = LetterInput::default();
    if register != Register::Inbound {
        input.doc_date = thai_date::format_short(thai_date::to_bangkok(Utc::now()).date());
    }
    let mut page = form_page(&state, &viewer, register, input, FieldErrors::default());
    page.fields.suggestions = state
        .services
        .correspondents(&viewer.actor, register)
        .await?;
    Ok(page)
}

pub async fn create(
    State(state): State<AppState>,
    Params(register): Params<String>,
    CsrfUpload(viewer, upload): CsrfUpload,
) -> Result<Response, WebError> {
    let register = parse_register(&register)?;
    let upload = match upload {
        Ok(u) => u,
        Err(errors) => {
            // Too many files: show the form again (its text is lost with the stream, say so).
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(&state, &viewer, register, LetterInput::default(), errors),
            )
                .into_response());
        }
    };
    let input = upload.letter_input();
    let services = &state.services;
    let tried = services
        .register_letter(
            &viewer.actor,
            register,
            &input,
            upload.files.clone(),
            &upload.held,
        )
        .await;
    let (status, mut errors, duplicates) = match tried {
        Ok(letter) => {
            return Ok(
                Redirect::to(&format!("/letters/{}?done=registered", letter.id)).into_response(),
            );
        }
        Err(ServiceError::Invalid(errors)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, errors, Vec::new())
        }
        Err(ServiceError::PossibleDuplicate(found)) => {
            (StatusCode::CONFLICT, FieldErrors::default(), found)
        }
        Err(e @ (ServiceError::TooLarge(_) | ServiceError::Unsupported(_))) => {
            // A refused file is a form error: keep what the clerk typed and the other files.
            let code = match &e {
                ServiceError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            };
            (code, FieldErrors::default(), Vec::new())
        }
        Err(e) => return Err(e.into()),
    };
    // Hold the files already chosen so the corrected form does not ask for them again.
    let (held, refused) = services
        .hold_files(&viewer.actor, upload.files, &upload.held)
        .await?;
    if !refused.is_empty() {
        errors.add("files", refused.join(" · "));
    }
    let mut page = form_page(&state, &viewer, register, input, errors);
    page.fields.duplicates = duplicates;
    page.fields.suggestions = services.correspondents(&viewer.actor, register).await?;
    page.held = held.iter().map(HeldRow::from).collect();
    Ok((status, page).into_response())
}

/// A file held from the form's earlier try, sent back by token.
pub struct HeldRow {
    pub token: String,
    pub name: String,
    pub description: String,
    pub size: String,
}

impl From<&crate::store::held_files::HeldFile> for HeldRow {
    fn from(h: &crate::store::held_files::HeldFile) -> HeldRow {
        HeldRow {
            token: h.token.clone(),
            name: crate::domain::attachment::shown_name(&h.file.name),
            description: h.file.description.clone(),
            size: crate::web::views::human_size(h.file.size),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "register_list.html")]
pub struct RegisterListPage {
    pub layout: Layout,
    pub register: &'static str,
    pub register_label: &'static str,
    pub number_label: &'static str,
    pub inbound: bool,
    pub year_be: i32,
    pub years: Vec<i32>,
    pub q: String,
    pub fields: Vec<Choice>,
    pub rows: Vec<LetterRow>,
    /// "12 รายการ", or "มากกว่า 10,000 รายการ" past the count's cap.
    pub total: String,
    pub total_more: bool,
    pub page: i64,
    pub pages: Vec<i64>,
    pub last_page: i64,
    pub can_register: bool,
    /// The query string without `page`, for the pager's links.
    pub query_base: String,
    /// `year_be=…&field=…&q=…` for the Excel and CSV buttons.
    pub export_query: String,
    /// ปิดทะเบียนประจำปี: shown for past years of the outbound, circular and order registers.
    pub closing: ClosingView,
}

#[derive(Debug, Clone, Default)]
pub struct ClosingView {
    /// The year may be closed (a past year of a register that closes).
    pub applies: bool,
    pub closed: bool,
    /// `ปิดเมื่อ 2 ม.ค. 2570 09:00 น. โดย …, 130 รายการ`
    pub summary: String,
    pub can_close: bool,
    pub flash: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "register_print.html")]
pub struct RegisterPrintPage {
    pub office_name: String,
    pub register_label: &'static str,
    pub number_label: &'static str,
    pub inbound: bool,
    pub year_be: i32,
    pub rows: Vec<LetterRow>,
    pub printed_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "letter_form.html")]
pub struct LetterFormPage {
    pub layout: Layout,
    pub register: &'static str,
    pub register_label: &'static str,
    pub editing: Option<i64>,
    pub heading: String,
    pub fields: LetterFields,
    pub file_slots: Vec<usize>,
    pub file_limit: String,
    /// Files kept from the form's earlier try.
    pub held: Vec<HeldRow>,
}
