//! `GET /api/v1/registers/{register}.xlsx`, `.csv` and `.pdf`: what the register page lists, as a
//! spreadsheet, as CSV, or as the regulation's printed form (แบบที่ 13 / 14).

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::domain::forms::SheetLayout;
use crate::domain::register::{Register, SearchField};
use crate::domain::{numbering, thai_date};
use crate::service::current_year;
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportQuery {
    year_be: String,
    from: String,
    to: String,
    q: String,
    field: String,
}

fn date_in(text: &str, what: &str) -> Result<Option<chrono::NaiveDate>, WebError> {
    match text.trim() {
        "" => Ok(None),
        t => thai_date::parse_date(t)
            .map(Some)
            .map_err(|e| WebError::BadRequest(format!("{what}: {e}"))),
    }
}

/// `{register}.xlsx` or `{register}.csv`.
pub async fn register_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(file): Params<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let (code, kind) = file.rsplit_once('.').ok_or(WebError::NotFound)?;
    if !matches!(kind, "xlsx" | "csv" | "pdf") {
        return Err(WebError::NotFound);
    }
    let year_be = match q.year_be.trim() {
        "" => current_year(&viewer.actor.office),
        y => numbering::parse_year_be(y).map_err(|e| WebError::BadRequest(e.to_string()))?,
    };
    if code == "summary" {
        return summary(&state, &viewer, year_be, kind).await;
    }
    let register = Register::parse(code).ok_or(WebError::NotFound)?;
    let field = match q.field.as_str() {
        "" => SearchField::All,
        code => SearchField::from_code(code).ok_or_else(|| {
            WebError::BadRequest("field ต้องเป็น all, subject, doc_no, from, to หรือ number".into())
        })?,
    };
    let range = (date_in(&q.from, "from")?, date_in(&q.to, "to")?);
    let search = (Some(q.q.clone()).filter(|s| !s.trim().is_empty()), field);
    let sheet = state
        .services
        .register_sheet(
            &viewer.actor,
            register,
            year_be,
            range,
            search,
            if kind == "pdf" {
                SheetLayout::Printed
            } else {
                SheetLayout::Spreadsheet
            },
        )
        .await?;
    if kind == "pdf" {
        return register_pdf(sheet, range, register, year_be).await;
    }
    let xlsx = kind == "xlsx";
    let bytes = off_runtime(move || {
        if xlsx {
            crate::outputs::xlsx::render(&sheet)
        } else {
            crate::outputs::csv::render(&sheet)
        }
    })
    .await?;
    let disposition = register_disposition("attachment", register, year_be, kind);
    Ok(download(bytes, sheet_mime(xlsx), disposition))
}

/// แบบที่ 13 / 14 as a PDF to print and sign, shown in the browser.
async fn register_pdf(
    sheet: crate::domain::forms::RegisterSheet,
    range: (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
    register: Register,
    year_be: i32,
) -> Result<Response, WebError> {
    let info = crate::outputs::table_pdf::PrintInfo {
        period: period_text(range),
        printed_at: thai_date::format_datetime(chrono::Utc::now()),
    };
    let bytes =
        tokio::task::spawn_blocking(move || crate::outputs::table_pdf::render(&sheet, &info))
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?
            .map_err(|e| WebError::Internal(e.to_string()))?;
    let disposition = register_disposition("inline", register, year_be, "pdf");
    Ok(download(bytes, "application/pdf", disposition))
}

/// `attachment; filename="inbound-2569.xlsx"; filename*=UTF-8''ทะเบียนหนังสือรับ-2569.xlsx`
fn register_disposition(how: &str, register: Register, year_be: i32, kind: &str) -> String {
    let name = format!("{}-{year_be}.{kind}", register.label());
    format!(
        "{how}; filename=\"{}-{year_be}.{kind}\"; filename*=UTF-8''{}",
        register.code(),
        percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC)
    )
}

/// `ตั้งแต่ 1 ม.ค. 2569 ถึง 31 มี.ค. 2569` under the form's title; empty for the whole year.
fn period_text(range: (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)) -> String {
    match range {
        (None, None) => String::new(),
        (Some(from), None) => format!("ตั้งแต่ {}", thai_date::format_short(from)),
        (None, Some(to)) => format!("ถึง {}", thai_date::format_short(to)),
        (Some(from), Some(to)) => format!(
            "ตั้งแต่ {} ถึง {}",
            thai_date::format_short(from),
            thai_date::format_short(to)
        ),
    }
}

/// Rendering is CPU work: off the async runtime, so other requests keep being answered.
async fn off_runtime(
    render: impl FnOnce() -> Result<Vec<u8>, crate::outputs::OutputError> + Send + 'static,
) -> Result<Vec<u8>, WebError> {
    tokio::task::spawn_blocking(render)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
        .map_err(|e| WebError::Internal(e.to_string()))
}

fn sheet_mime(xlsx: bool) -> &'static str {
    if xlsx {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    }
}

/// Any form sheet (แบบ 19, 20, 24, …) as `pdf` (shown in the browser) or `xlsx` (downloaded),
/// named `{stem}.{kind}` with the Thai `title` for browsers that read it.
pub async fn sheet_file(
    sheet: crate::domain::forms::RegisterSheet,
    kind: &str,
    stem: &str,
    title: &str,
) -> Result<Response, WebError> {
    let name = format!("{title}.{kind}");
    let encoded = percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
    match kind {
        "pdf" => {
            let info = crate::outputs::table_pdf::PrintInfo {
                period: String::new(),
                printed_at: thai_date::format_datetime(chrono::Utc::now()),
            };
            let bytes = tokio::task::spawn_blocking(move || {
                crate::outputs::table_pdf::render(&sheet, &info)
            })
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?
            .map_err(|e| WebError::Internal(e.to_string()))?;
            let disposition =
                format!("inline; filename=\"{stem}.pdf\"; filename*=UTF-8''{encoded}");
            Ok(download(bytes, "application/pdf", disposition))
        }
        "xlsx" => {
            let bytes = off_runtime(move || crate::outputs::xlsx::render(&sheet)).await?;
            let disposition =
                format!("attachment; filename=\"{stem}.xlsx\"; filename*=UTF-8''{encoded}");
            Ok(download(bytes, sheet_mime(true), disposition))
        }
        _ => Err(WebError::NotFound),
    }
}

/// A made file (spreadsheet, CSV, PDF) with its type and disposition.
fn download(bytes: Vec<u8>, mime: &str, disposition: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// `summary.xlsx|csv?year_be=`: counts per register per month, per sender, per work group.
async fn summary(
    state: &AppState,
    viewer: &Viewer,
    year_be: i32,
    kind: &str,
) -> Result<Response, WebError> {
    let summary = state.services.year_summary(&viewer.actor, year_be).await?;
    let xlsx = kind == "xlsx";
    let bytes = off_runtime(move || {
        if xlsx {
            crate::outputs::xlsx::render_summary(&summary)
        } else {
            crate::outputs::csv::render_summary(&summary)
        }
    })
    .await?;
    let disposition = format!("attachment; filename=\"summary-{year_be}.{kind}\"");
    Ok(download(bytes, sheet_mime(xlsx), disposition))
}
