//! The inbox (หนังสือรับ), quarantine and notices through the API.

use crate::domain::inbox::QuarantineStatus;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::letters::{AttachmentJson, LetterJson};
use super::{ApiJson, Writer};
use crate::domain::inbox::LetterBox;
use crate::domain::letter::LetterInput;
use crate::service::Services;
use crate::service::ingest::Outcome;
use crate::store::inbox::{InboxEntry, InboxFilter, QuarantineItem};
use crate::store::time_to_db;
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::pages::letters::file_response;
use crate::web::{AppState, Params};

#[derive(Serialize)]
pub struct EntryJson {
    id: i64,
    status: &'static str,
    source: &'static str,
    message_id: Option<String>,
    subject: String,
    doc_no: String,
    doc_date: Option<String>,
    from: String,
    from_email: String,
    received_at: String,
    speed: &'static str,
    secrecy: &'static str,
    /// The letter type code when the sender said it (saraban facts or in-system), else empty.
    letter_type: String,
    letter_id: Option<i64>,
    letter_number: Option<i64>,
    letter_year_be: Option<i32>,
    dismissed_at: Option<String>,
    dismiss_reason: Option<String>,
    raw_sha256: Option<String>,
    attachments: Vec<AttachmentJson>,
    refused_attachments: Vec<crate::store::inbox::RefusedFile>,
}

impl From<&InboxEntry> for EntryJson {
    fn from(e: &InboxEntry) -> Self {
        EntryJson {
            id: e.id,
            status: if e.letter_id.is_some() {
                "registered"
            } else if e.dismissed_at.is_some() {
                "dismissed"
            } else {
                "unregistered"
            },
            letter_year_be: e.letter_year_be,
            dismissed_at: e.dismissed_at.map(time_to_db),
            dismiss_reason: e.dismiss_reason.clone(),
            source: e.source.code(),
            message_id: e.message_id.clone(),
            subject: e.subject.clone(),
            doc_no: e.doc_no.clone(),
            doc_date: e.doc_date.map(|d| d.format("%Y-%m-%d").to_string()),
            from: e.sender.clone(),
            from_email: e.sender_email.clone(),
            received_at: time_to_db(e.received_at),
            speed: e.speed.code(),
            secrecy: e.secrecy.code(),
            letter_type: e.letter_type.clone(),
            letter_id: e.letter_id,
            letter_number: e.letter_number,
            raw_sha256: e.raw_sha256.clone(),
            attachments: e
                .attachments
                .iter()
                .map(|a| AttachmentJson {
                    n: a.position,
                    name: a.name.clone(),
                    description: a.description.clone(),
                    kind: a.kind.code(),
                    mime: a.kind.mime(),
                    size: a.size,
                    sha256: a.sha256.clone(),
                    url: format!("/api/v1/inbox/{}/attachments/{}", e.id, a.position),
                })
                .collect(),
            refused_attachments: e.refused.clone(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxQuery {
    #[serde(rename = "box")]
    box_: String,
    status: String,
    q: String,
    page: Option<i64>,
    per_page: Option<i64>,
}

#[derive(Serialize)]
pub struct EntryList {
    items: Vec<EntryJson>,
    total: i64,
    page: i64,
    per_page: i64,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<InboxQuery>,
) -> Result<Response, WebError> {
    let filter = match q.status.as_str() {
        "" => InboxFilter::All,
        code => InboxFilter::from_code(code).ok_or_else(|| {
            WebError::BadRequest(
                "status ต้องเป็น all, unregistered, registered, not_forwarded, with_files หรือ dismissed"
                    .into(),
            )
        })?,
    };
    let page = crate::domain::register::clamp_page(q.page.unwrap_or(1));
    let per_page = q
        .per_page
        .unwrap_or(state.config.letters.page_size)
        .clamp(1, 200);
    // The saraban box is the office's inbox (e-mail and in-system arrivals); the personal and
    // group boxes hold registered letters given to the user or their groups.
    let which = match q.box_.as_str() {
        "" => LetterBox::All,
        code => LetterBox::from_code(code).ok_or_else(|| {
            WebError::BadRequest("box ต้องเป็น all, saraban, group หรือ personal".into())
        })?,
    };
    if which.is_given() {
        let items = state.services.letter_box(&viewer.actor, which).await?;
        let total = items.len() as i64;
        let page_items: Vec<serde_json::Value> = items
            .iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .map(super::journey::box_item_json)
            .collect();
        return Ok(Json(serde_json::json!({
            "items": page_items, "total": total, "page": page, "per_page": per_page,
        }))
        .into_response());
    }
    let (items, total) = state
        .services
        .inbox(&viewer.actor, filter, &q.q, page, per_page)
        .await?;
    Ok(Json(EntryList {
        items: items.iter().map(EntryJson::from).collect(),
        total,
        page,
        per_page,
    })
    .into_response())
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let entry = state.services.inbox_entry(&viewer.actor, id).await?;
    let check = state.services.sender_check(&viewer.actor, id).await?;
    let mut json = serde_json::to_value(EntryJson::from(&entry))
        .map_err(|e| WebError::Internal(e.to_string()))?;
    json["authentication"] = match check {
        Some(c) => serde_json::json!({
            "verdict": c.judgement.verdict.code(),
            "label": c.judgement.label(),
            "domain": c.judgement.domain,
            "method": c.judgement.method,
            "claimed_office": c.judgement.claimed,
            "held": c.judgement.hold,
            "checked_at": c.checked_at.to_rfc3339(),
            "checks": serde_json::from_str::<serde_json::Value>(&c.checks)
                .unwrap_or(serde_json::Value::Null),
        }),
        None => serde_json::Value::Null,
    };
    Ok(Json(json))
}

/// Fields to correct before registering; those left out come from the e-mail.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterBody {
    doc_no: Option<String>,
    doc_date: Option<String>,
    from: Option<String>,
    to: Option<String>,
    subject: Option<String>,
    action: Option<String>,
    remark: Option<String>,
    speed: Option<String>,
    secrecy: Option<String>,
    letter_type: Option<String>,
    allow_duplicate: bool,
}

pub async fn register(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    body: bytes::Bytes,
) -> Result<Response, WebError> {
    let entry = state.services.inbox_entry(&viewer.actor, id).await?;
    let base = Services::prefill(&entry, &viewer.actor.office);
    // The body is optional: no body registers the entry as the e-mail filled it.
    let b: RegisterBody = if body.iter().all(u8::is_ascii_whitespace) {
        RegisterBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| WebError::BadRequest(format!("JSON ไม่ถูกต้อง: {e}")))?
    };
    let input = LetterInput {
        doc_no: b.doc_no.unwrap_or(base.doc_no),
        doc_date: b.doc_date.unwrap_or(base.doc_date),
        from: b.from.unwrap_or(base.from),
        to: b.to.unwrap_or(base.to),
        subject: b.subject.unwrap_or(base.subject),
        action: b.action.unwrap_or(base.action),
        remark: b.remark.unwrap_or(base.remark),
        speed: b.speed.unwrap_or(base.speed),
        secrecy: b.secrecy.unwrap_or(base.secrecy),
        letter_type: b.letter_type.unwrap_or(base.letter_type),
        allow_duplicate: b.allow_duplicate,
        doc_date_pick: String::new(),
    };
    let letter = state
        .services
        .register_entry(&viewer.actor, id, Some(&input))
        .await?;
    Ok((StatusCode::CREATED, Json(LetterJson::from(&letter))).into_response())
}

pub async fn attachment(
    State(state): State<AppState>,
    viewer: Viewer,
    Params((id, n)): Params<(i64, i64)>,
) -> Result<Response, WebError> {
    let (attachment, data) = state.services.inbox_file(&viewer.actor, id, n).await?;
    Ok(file_response(&attachment, data, false))
}

#[derive(Serialize)]
pub struct QuarantineJson {
    id: i64,
    status: QuarantineStatus,
    reason: String,
    subject: String,
    origin: String,
    raw_size: i64,
    raw_sha256: Option<String>,
    entry_id: Option<i64>,
    created_at: String,
}

impl From<&QuarantineItem> for QuarantineJson {
    fn from(q: &QuarantineItem) -> Self {
        QuarantineJson {
            id: q.id,
            status: q.status,
            reason: q.reason.clone(),
            subject: q.subject.clone(),
            origin: q.origin.clone(),
            raw_size: q.raw_size,
            raw_sha256: q.raw_sha256.clone(),
            entry_id: q.entry_id,
            created_at: time_to_db(q.created_at),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QuarantineQuery {
    all: bool,
}

pub async fn quarantine(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<QuarantineQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let items = state.services.quarantine(&viewer.actor, q.all).await?;
    let items: Vec<QuarantineJson> = items.iter().map(QuarantineJson::from).collect();
    Ok(Json(serde_json::json!({ "items": items })))
}

pub async fn quarantine_show(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<QuarantineJson>, WebError> {
    let item = state.services.quarantine_item(&viewer.actor, id).await?;
    Ok(Json(QuarantineJson::from(&item)))
}

pub async fn quarantine_retry(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let outcome = state.services.retry_quarantine(&viewer.actor, id).await?;
    let entry_id = match outcome {
        Outcome::Letter { entry_id } | Outcome::Duplicate { entry_id } => Some(entry_id),
        _ => None,
    };
    Ok(Json(
        serde_json::json!({ "outcome": outcome.label(), "entry_id": entry_id }),
    ))
}

pub async fn quarantine_dismiss(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    state.services.dismiss_quarantine(&viewer.actor, id).await?;
    Ok(Json(
        serde_json::json!({ "status": QuarantineStatus::Dismissed }),
    ))
}

pub async fn notices(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<serde_json::Value>, WebError> {
    if !viewer.actor.user.role.can_read_inbox() {
        return Err(WebError::Forbidden("ท่านไม่มีสิทธิ์ดูรายการนี้".into()));
    }
    let notices = state.services.notices(&viewer.actor).await?;
    let items: Vec<serde_json::Value> = notices
        .iter()
        .map(|n| {
            serde_json::json!({
                "id": n.id, "kind": n.kind, "message_id": n.message_id, "original_message_id": n.original_message_id,
                "action": n.action, "status": n.status, "recipient": n.recipient, "diagnostic": n.diagnostic,
                "subject": n.subject, "received_at": time_to_db(n.received_at),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "items": items })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DismissBody {
    reason: String,
}

/// `POST /api/v1/inbox/{id}/dismiss {reason}`: not a letter; it leaves the waiting count.
pub async fn dismiss(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<DismissBody>,
) -> Result<Json<EntryJson>, WebError> {
    let entry = state
        .services
        .dismiss_entry(&viewer.actor, id, &body.reason)
        .await?;
    Ok(Json(EntryJson::from(&entry)))
}

/// `POST /api/v1/inbox/{id}/restore`: back on the waiting list.
pub async fn restore(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Json<EntryJson>, WebError> {
    let entry = state.services.restore_entry(&viewer.actor, id).await?;
    Ok(Json(EntryJson::from(&entry)))
}
