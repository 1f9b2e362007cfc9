//! หนังสือรับ: the office inbox, one entry with its register form, the original e-mail, and
//! quarantine.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::letters::{eml_response, file_response};
use crate::domain::inbox::LetterBox;
use crate::domain::letter::{FieldErrors, LetterInput};
use crate::domain::register::Register;
use crate::domain::thai_date;
use crate::message::parse;
use crate::service::{ServiceError, Services};
use crate::store::inbox::{InboxEntry, InboxFilter};
use crate::web::error::WebError;
use crate::web::forms::{CsrfForm, NoFields};
use crate::web::layout::Nav;
use crate::web::views::{AttachmentRow, Layout, LetterFields, human_size};
use crate::web::{AppState, Params};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxQuery {
    #[serde(rename = "box")]
    box_: String,
    status: String,
    q: String,
    page: String,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<InboxQuery>,
) -> Result<InboxPage, WebError> {
    let box_ = match LetterBox::from_query(&q.box_) {
        LetterBox::Group => LetterBox::All,
        other => other,
    };
    let filter = InboxFilter::from_code(&q.status).unwrap_or(InboxFilter::All);
    let status = filter.code();
    let per_page = state.config.letters.page_size;
    let page = crate::domain::register::page_number(&q.page)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let (entries, total) = if box_ == LetterBox::Personal {
        // Letters forwarded to a person come with the workflow; nothing is personal yet.
        state
            .services
            .inbox(&viewer.actor, filter, &q.q, 1, 1)
            .await?;
        (Vec::new(), 0)
    } else {
        state
            .services
            .inbox(&viewer.actor, filter, &q.q, page, per_page)
            .await?
    };
    let refresh_query = super::registers::query_string(&[
        ("box", box_.code()),
        ("status", status),
        ("q", &q.q),
        ("page", &page.to_string()),
    ]);
    Ok(InboxPage {
        statuses: <InboxFilter as crate::domain::codes::Coded>::ALL
            .iter()
            .map(|f| (f.code(), f.label()))
            .collect(),
        refresh_query,
        layout: Layout::new(&viewer, "inbox", "หนังสือรับ"),
        box_,
        status: status.to_string(),
        q: q.q,
        rows: {
            let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
            let checks = state.services.sender_checks_of(&ids).await?;
            entries
                .iter()
                .map(|e| EntryRow {
                    sender: crate::web::views::SenderBadge::of_entry(
                        checks.get(&e.id),
                        e.raw_sha256.is_some(),
                        state.services.sender_auth.is_some(),
                    ),
                    ..EntryRow::from(e)
                })
                .collect()
        },
        total,
        page,
        last_page: ((total + per_page - 1) / per_page).max(1),
        quarantined: viewer.quarantined,
    })
}

fn entry_page(
    viewer: &Nav,
    entry: &InboxEntry,
    input: LetterInput,
    errors: FieldErrors,
    message: String,
) -> InboxEntryPage {
    InboxEntryPage {
        layout: Layout::new(viewer, "inbox", entry.subject.clone()),
        entry: EntryRow::from(entry),
        body: entry.body_text.clone(),
        attachments: entry
            .attachments
            .iter()
            .map(|a| AttachmentRow {
                position: a.position,
                name: crate::domain::attachment::shown_name(&a.name),
                description: a.description.clone(),
                size: human_size(a.size),
                inline: a.kind.opens_inline(),
                sha256: a.sha256.clone(),
                stamp: Default::default(),
            })
            .collect(),
        refused: entry
            .refused
            .iter()
            .map(|r| (r.name.clone(), r.reason.clone()))
            .collect(),
        fields: LetterFields::new(input, errors, true, String::new()),
        can_register: viewer.actor.user.role.can_register(Register::Inbound),
        message,
        dismiss_error: String::new(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Nav,
    Params(id): Params<i64>,
) -> Result<InboxEntryPage, WebError> {
    let entry = state.services.inbox_entry(&viewer.actor, id).await?;
    let input = Services::prefill(&entry, &viewer.actor.office);
    let sender = state.services.sender_check(&viewer.actor, id).await?;
    let mut page = entry_page(
        &viewer,
        &entry,
        input,
        FieldErrors::default(),
        String::new(),
    );
    page.fields.suggestions = state
        .services
        .correspondents(&viewer.actor, Register::Inbound)
        .await?;
    page.entry.sender = crate::web::views::SenderBadge::of_entry(
        sender.as_ref(),
        entry.raw_sha256.is_some(),
        state.services.sender_auth.is_some(),
    );
    Ok(page)
}

/// "ยืนยันว่ารู้จักผู้ส่งนี้": the entry's address joins the office's known senders.
pub async fn confirm_sender(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, _form): CsrfForm<std::collections::HashMap<String, String>, Nav>,
) -> Result<Response, WebError> {
    state.services.confirm_sender(&viewer.actor, id).await?;
    Ok(axum::response::Redirect::to(&format!("/inbox/{id}")).into_response())
}

pub async fn register(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<super::LetterForm, Nav>,
) -> Result<Response, WebError> {
    match state
        .services
        .register_entry(&viewer.actor, id, Some(&form.input))
        .await
    {
        Ok(letter) => {
            Ok(Redirect::to(&format!("/letters/{}?done=registered", letter.id)).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let entry = state.services.inbox_entry(&viewer.actor, id).await?;
            let page = entry_page(
                &viewer,
                &entry,
                form.input,
                errors,
                "กรุณาแก้ไขช่องที่มีข้อความสีแดง".into(),
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(ServiceError::PossibleDuplicate(found)) => {
            let entry = state.services.inbox_entry(&viewer.actor, id).await?;
            let mut page = entry_page(
                &viewer,
                &entry,
                form.input,
                FieldErrors::default(),
                String::new(),
            );
            page.fields.duplicates = found;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DismissForm {
    reason: String,
}

/// "ไม่ใช่หนังสือราชการ": sets the mail aside with a reason.
pub async fn dismiss(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<DismissForm, Nav>,
) -> Result<Response, WebError> {
    match state
        .services
        .dismiss_entry(&viewer.actor, id, &form.reason)
        .await
    {
        Ok(_) => Ok(Redirect::to("/inbox?status=unregistered").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let entry = state.services.inbox_entry(&viewer.actor, id).await?;
            let input = Services::prefill(&entry, &viewer.actor.office);
            let mut page = entry_page(
                &viewer,
                &entry,
                input,
                FieldErrors::default(),
                String::new(),
            );
            page.dismiss_error = errors.get("reason").unwrap_or_default().to_string();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Puts a dismissed mail back on the waiting list.
pub async fn restore(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, _): CsrfForm<NoFields, Nav>,
) -> Result<Response, WebError> {
    state.services.restore_entry(&viewer.actor, id).await?;
    Ok(Redirect::to(&format!("/inbox/{id}")).into_response())
}

pub async fn original(
    State(state): State<AppState>,
    viewer: Nav,
    Params(id): Params<i64>,
) -> Result<OriginalPage, WebError> {
    let entry = state.services.inbox_entry(&viewer.actor, id).await?;
    let raw = state
        .services
        .raw_message(entry.raw_sha256.as_deref())
        .await?;
    let mail = parse::parse(&raw).map_err(|e| WebError::Conflict(e.to_string()))?;
    let (smime, smime_good) = match &mail.smime {
        Some(signature) => {
            let verdict = state.services.judge_smime(signature, chrono::Utc::now());
            smime_words(signature, &verdict)
        }
        None => (String::new(), true),
    };
    Ok(OriginalPage {
        layout: Layout::new(&viewer, "inbox", "อีเมลต้นฉบับ"),
        entry_id: id,
        headers: mail.headers,
        text: mail.text,
        has_html: mail.html.is_some(),
        smime,
        smime_good,
    })
}

/// The HTML part, for a sandboxed frame: no scripts, no forms, nothing fetched from outside.
pub async fn original_html(
    State(state): State<AppState>,
    viewer: Nav,
    Params(id): Params<i64>,
) -> Result<Response, WebError> {
    let entry = state.services.inbox_entry(&viewer.actor, id).await?;
    let raw = state
        .services
        .raw_message(entry.raw_sha256.as_deref())
        .await?;
    let html = parse::parse(&raw)
        .ok()
        .and_then(|m| m.html)
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        Html(html),
    )
        .into_response())
}

pub async fn raw(
    State(state): State<AppState>,
    viewer: Nav,
    Params(id): Params<i64>,
) -> Result<Response, WebError> {
    let entry = state.services.inbox_entry(&viewer.actor, id).await?;
    let data = state
        .services
        .raw_download(entry.raw_sha256.as_deref())
        .await?;
    Ok(eml_response(data, &format!("inbox-{id}.eml")))
}

pub async fn file(
    State(state): State<AppState>,
    viewer: Nav,
    Params((id, n)): Params<(i64, i64)>,
) -> Result<Response, WebError> {
    let (attachment, data) = state.services.inbox_file(&viewer.actor, id, n).await?;
    Ok(file_response(
        &attachment,
        data,
        attachment.kind.opens_inline(),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuarantineQuery {
    all: bool,
    done: String,
}

async fn quarantine_page(
    state: &AppState,
    viewer: &Nav,
    show_all: bool,
    flash: String,
    problem: String,
) -> Result<QuarantinePage, WebError> {
    let items = state.services.quarantine(&viewer.actor, show_all).await?;
    Ok(QuarantinePage {
        layout: Layout::new(viewer, "inbox", "อีเมลที่กักไว้"),
        rows: items.iter().map(QuarantineRow::from).collect(),
        show_all,
        flash,
        problem,
    })
}

pub async fn quarantine(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<QuarantineQuery>,
) -> Result<QuarantinePage, WebError> {
    let flash = match q.done.as_str() {
        "released" => "นำเข้าหนังสือรับเรียบร้อย",
        "dismissed" => "บันทึกว่าไม่นำเข้าแล้ว (ต้นฉบับยังเก็บไว้)",
        _ => "",
    };
    quarantine_page(&state, &viewer, q.all, flash.into(), String::new()).await
}

pub async fn quarantine_retry(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, _): CsrfForm<NoFields, Nav>,
) -> Result<Response, WebError> {
    match state.services.retry_quarantine(&viewer.actor, id).await {
        Ok(_) => Ok(Redirect::to("/quarantine?done=released").into_response()),
        Err(ServiceError::Conflict(why)) => {
            let page = quarantine_page(&state, &viewer, false, String::new(), why).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn quarantine_dismiss(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, _): CsrfForm<NoFields, Nav>,
) -> Result<Response, WebError> {
    state.services.dismiss_quarantine(&viewer.actor, id).await?;
    Ok(Redirect::to("/quarantine?done=dismissed").into_response())
}

pub async fn quarantine_raw(
    State(state): State<AppState>,
    viewer: Nav,
    Params(id): Params<i64>,
) -> Result<Response, WebError> {
    let item = state.services.quarantine_item(&viewer.actor, id).await?;
    let data = state
        .services
        .raw_download(item.raw_sha256.as_deref())
        .await?;
    Ok(eml_response(data, &format!("quarantine-{id}.eml")))
}

/// One inbox line, with the manual's status legend.
pub struct EntryRow {
    pub id: i64,
    pub received_at: String,
    pub doc_no: String,
    pub subject: String,
    pub from: String,
    pub from_email: String,
    pub source: &'static str,
    pub registered: bool,
    pub letter_id: i64,
    pub letter_number: String,
    pub files: usize,
    pub refused: usize,
    pub speed: &'static str,
    pub urgent: bool,
    pub speed_code: &'static str,
    pub secrecy: &'static str,
    pub secret: bool,
    /// Set aside as not a letter: the reason.
    pub dismissed: Option<String>,
    /// Who sent it, as checked (`None` until checked, or not an e-mail).
    pub sender: Option<crate::web::views::SenderBadge>,
}

impl From<&crate::store::inbox::InboxEntry> for EntryRow {
    fn from(e: &crate::store::inbox::InboxEntry) -> Self {
        EntryRow {
            id: e.id,
            received_at: thai_date::format_datetime(e.received_at),
            doc_no: e.doc_no.clone(),
            subject: e.subject.clone(),
            from: e.sender.clone(),
            from_email: e.sender_email.clone(),
            source: e.source.label(),
            registered: e.letter_id.is_some(),
            letter_id: e.letter_id.unwrap_or(0),
            letter_number: e.letter_number.map(|n| n.to_string()).unwrap_or_default(),
            files: e.attachments.len(),
            refused: e.refused.len(),
            speed: e.speed.label(),
            urgent: e.speed.is_urgent(),
            speed_code: e.speed.code(),
            secrecy: e.secrecy.label(),
            secret: e.secrecy.is_secret(),
            dismissed: e
                .dismiss_reason
                .clone()
                .filter(|_| e.dismissed_at.is_some()),
            sender: None,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub layout: Layout,
    pub statuses: Vec<(&'static str, &'static str)>,
    /// The list's own query, for its refresh.
    pub refresh_query: String,
    pub box_: LetterBox,
    pub status: String,
    pub q: String,
    pub rows: Vec<EntryRow>,
    pub total: i64,
    pub page: i64,
    pub last_page: i64,
    pub quarantined: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox_entry.html")]
pub struct InboxEntryPage {
    pub layout: Layout,
    pub entry: EntryRow,
    pub body: String,
    pub attachments: Vec<AttachmentRow>,
    pub refused: Vec<(String, String)>,
    pub fields: LetterFields,
    pub can_register: bool,
    pub message: String,
    pub dismiss_error: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox_original.html")]
pub struct OriginalPage {
    pub layout: Layout,
    pub entry_id: i64,
    pub headers: Vec<(String, String)>,
    pub text: String,
    pub has_html: bool,
    /// "ลงลายมือชื่อดิจิทัล (S/MIME) โดย …" when the mail was signed; "" when not.
    pub smime: String,
    /// The signature checked out (or was not judged); false: shown as a warning.
    pub smime_good: bool,
}

/// An S/MIME signature in words for the original e-mail's page, with what the check found.
fn smime_words(
    signature: &crate::message::smime::SmimeSignature,
    verdict: &crate::message::smime_verify::SmimeVerdict,
) -> (String, bool) {
    use crate::message::smime_verify::SmimeVerdict;
    let who = match &signature.signer {
        Some(s) => {
            let mut who = s.name.clone();
            for extra in [&s.email, &s.organization] {
                if !extra.is_empty() {
                    who.push_str(&format!(" · {extra}"));
                }
            }
            format!(
                "อีเมลนี้ลงลายมือชื่อดิจิทัล (S/MIME) โดย {who} ใบรับรองออกโดย {} ใช้ได้ถึง {}",
                s.issuer, s.valid_until
            )
        }
        None => "อีเมลนี้ลงลายมือชื่อดิจิทัล (S/MIME) แต่อ่านใบรับรองไม่ได้".into(),
    };
    match verdict {
        SmimeVerdict::Unchecked => (
            format!("{who} (ยังไม่ได้ตั้งค่าใบรับรองที่เชื่อถือ จึงยังไม่ได้ตรวจสอบ)"),
            true,
        ),
        SmimeVerdict::Trusted(root) => (
            format!("{who} — ตรวจสอบแล้ว: ลายมือชื่อถูกต้อง เนื้อหาไม่ถูกแก้ไข ใบรับรองออกภายใต้ {root}"),
            true,
        ),
        SmimeVerdict::Untrusted(why) => (
            format!("{who} — ลายมือชื่อตรงกับเนื้อหา แต่ตรวจสอบใบรับรองไม่ผ่าน: {why}"),
            false,
        ),
        SmimeVerdict::Invalid(why) => (format!("{who} — ลายมือชื่อไม่ถูกต้อง: {why}"), false),
    }
}

pub struct QuarantineRow {
    pub id: i64,
    pub created_at: String,
    pub subject: String,
    pub reason: String,
    pub origin: String,
    pub size: String,
    pub has_raw: bool,
    pub status: &'static str,
    pub open: bool,
    pub entry_id: i64,
}

impl From<&crate::store::inbox::QuarantineItem> for QuarantineRow {
    fn from(q: &crate::store::inbox::QuarantineItem) -> Self {
        QuarantineRow {
            id: q.id,
            created_at: thai_date::format_datetime(q.created_at),
            subject: q.subject.clone(),
            reason: q.reason.clone(),
            origin: q.origin.clone(),
            size: human_size(q.raw_size),
            has_raw: q.raw_sha256.is_some(),
            status: q.status.label(),
            open: q.status == crate::domain::inbox::QuarantineStatus::Open,
            entry_id: q.entry_id.unwrap_or(0),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "quarantine.html")]
pub struct QuarantinePage {
    pub layout: Layout,
    pub rows: Vec<QuarantineRow>,
    pub show_all: bool,
    pub flash: String,
    pub problem: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NavQuery {
    on: String,
}

/// The inbox's menu entry alone, for its once-a-minute refresh on every page.
pub async fn nav_entry(viewer: Nav, Query(q): Query<NavQuery>) -> NavInbox {
    NavInbox {
        entry: crate::web::layout::InboxLink {
            on: q.on == "1",
            waiting: viewer.inbox_waiting,
        },
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "_nav_inbox.html")]
pub struct NavInbox {
    pub entry: crate::web::layout::InboxLink,
}
