//! The words inside files on the pages: the admin's view of the file reader (how many files are
//! read, waiting, failed, and "ลองใหม่"), and what a scan proposes for its letter's entry.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::file_text::Proposal;
use crate::domain::letter::LetterInput;
use crate::domain::search::grouped;
use crate::domain::thai_date;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::forms::{CsrfForm, FormPairs};
use crate::web::layout::Nav;
use crate::web::views::Layout;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

pub struct FailureRow {
    pub name: String,
    pub sha256: String,
    pub attempts: i64,
    pub error: String,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "file_texts.html")]
pub struct FileTextsPage {
    pub layout: Layout,
    pub done: String,
    pub queued: String,
    pub working: String,
    pub scanned: String,
    pub failed: i64,
    pub failures: Vec<FailureRow>,
    pub flash: String,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<DoneQuery>,
) -> Result<FileTextsPage, WebError> {
    let (progress, failures) = state.services.file_text_status(&viewer.actor).await?;
    Ok(FileTextsPage {
        layout: Layout::new(&viewer, "settings", "การอ่านข้อความในไฟล์"),
        done: grouped(progress.done),
        queued: grouped(progress.queued),
        working: grouped(progress.working),
        scanned: grouped(progress.scanned),
        failed: progress.failed,
        failures: failures
            .into_iter()
            .map(|f| FailureRow {
                name: f.name,
                sha256: f.sha256,
                attempts: f.attempts,
                error: f.error,
                at: thai_date::format_datetime(f.at),
            })
            .collect(),
        flash: match q.done.as_str() {
            "retry" => "ส่งไฟล์ที่อ่านไม่สำเร็จกลับเข้าคิวแล้ว".into(),
            _ => String::new(),
        },
    })
}

pub async fn retry(
    State(state): State<AppState>,
    CsrfForm(viewer, _form): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    state.services.retry_file_texts(&viewer.actor).await?;
    Ok(Redirect::to("/settings/file-texts?done=retry").into_response())
}

/// What a letter's scan proposes, as the letter page shows it.
pub struct ProposalView {
    pub doc_no: String,
    pub doc_date: String,
    pub subject: String,
    pub from: String,
}

impl From<&Proposal> for ProposalView {
    fn from(p: &Proposal) -> Self {
        ProposalView {
            doc_no: p.facts.doc_no.clone().unwrap_or_default(),
            doc_date: p
                .facts
                .doc_date
                .map(thai_date::format_short)
                .unwrap_or_default(),
            subject: p.facts.subject.clone(),
            from: p.from.clone().unwrap_or_default(),
        }
    }
}

/// The edit form's fields with the scan's proposals written over them (what it did not read
/// stays as entered); the clerk checks them and saves.
pub fn apply_proposal(input: &mut LetterInput, p: &Proposal) {
    if let Some(no) = &p.facts.doc_no {
        input.doc_no = no.clone();
    }
    if let Some(date) = p.facts.doc_date {
        input.doc_date = thai_date::format_short(date);
    }
    if !p.facts.subject.is_empty() {
        input.subject = p.facts.subject.clone();
    }
    if let Some(from) = &p.from {
        input.from = from.clone();
    }
}
