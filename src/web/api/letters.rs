//! Letters through the API: register (multipart), list and search, read, edit, cancel, files.

use axum::Json;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{ApiJson, Writer};
use crate::domain::letter::LetterInput;
use crate::domain::register::Register;
use crate::domain::thai_date;
use crate::service::current_year;
use crate::store::letters::{Letter, LetterQuery, SearchField};
use crate::store::time_to_db;
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::forms::read_letter_upload;
use crate::web::pages::letters::file_response;
use crate::web::{AppState, Params};

#[derive(Serialize)]
pub struct AttachmentJson {
    pub n: i64,
    pub name: String,
    pub description: String,
    pub kind: &'static str,
    pub mime: &'static str,
    pub size: i64,
    pub sha256: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct LetterJson {
    pub id: i64,
    pub office_id: String,
    pub register: &'static str,
    pub series: &'static str,
    pub number: i64,
    pub year_be: i32,
    pub doc_no: String,
    pub doc_date: String,
    pub doc_date_th: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub action: String,
    pub remark: String,
    pub speed: &'static str,
    pub secrecy: &'static str,
    pub letter_type: &'static str,
    pub registered_at: String,
    pub registered_by: String,
    pub received_at: Option<String>,
    pub cancelled: bool,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    /// อายุการเก็บ: class, years, and until when.
    pub retention: serde_json::Value,
    /// นำเข้าจากทะเบียนเดิม: when and by whom, for a row brought in from an earlier register.
    pub imported: Option<serde_json::Value>,
    /// ทำลายแล้ว: when, and the register's note (the files are gone, the row stays).
    pub destroyed: Option<serde_json::Value>,
    /// ส่งมอบให้สำนักหอจดหมายเหตุแห่งชาติแล้ว: the date (YYYY-MM-DD).
    pub handed_over_on: Option<String>,
    pub attachments: Vec<AttachmentJson>,
}

impl From<&Letter> for LetterJson {
    fn from(l: &Letter) -> Self {
        LetterJson {
            id: l.id,
            office_id: l.office_id.clone(),
            register: l.register.code(),
            series: l.series.code(),
            number: l.number,
            year_be: l.year_be,
            doc_no: l.doc_no.clone(),
            doc_date: l.doc_date.format("%Y-%m-%d").to_string(),
            doc_date_th: thai_date::format_short(l.doc_date),
            from: l.sender.clone(),
            to: l.recipient.clone(),
            subject: l.subject.clone(),
            action: l.action.clone(),
            remark: l.remark.clone(),
            speed: l.speed.code(),
            secrecy: l.secrecy.code(),
            letter_type: l.letter_type.code(),
            registered_at: time_to_db(l.registered_at),
            registered_by: l.registered_by_name.clone(),
            received_at: l.received_at.map(time_to_db),
            cancelled: l.is_cancelled(),
            cancelled_at: l.cancelled_at.map(time_to_db),
            cancel_reason: l.cancel_reason.clone(),
            retention: serde_json::json!({
                "class": l.retention.class.code(),
                "years": l.retention.years(),
                "label": l.retention.label(),
                "keep_until_be": l.keep_until.year_be(),
                "keep_until": l.keep_until.label(),
            }),
            imported: l
                .imported
                .as_ref()
                .map(|(at, by)| serde_json::json!({"at": time_to_db(*at), "by": by})),
            handed_over_on: l.handed_over_on.map(crate::store::date_to_db),
            destroyed: l
                .destroyed
                .as_ref()
                .map(|(at, note)| serde_json::json!({"at": time_to_db(*at), "note": note})),
            attachments: l
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
                    url: format!("/api/v1/letters/{}/attachments/{}", l.id, a.position),
                })
                .collect(),
        }
    }
}

/// `POST /api/v1/letters` (multipart): `register` plus the letter's fields, and `file` parts each
/// followed by its `description`.
pub async fn create(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let multipart =
        multipart.map_err(|_| WebError::Unsupported("ต้องส่งเป็น multipart/form-data".into()))?;
    let upload = read_letter_upload(multipart, &state.services.attachments).await?;
    let register = Register::parse(upload.field("register").trim()).ok_or_else(|| {
        WebError::Invalid({
            let mut e = crate::domain::letter::FieldErrors::default();
            e.add(
                "register",
                "register ต้องเป็น inbound, outbound, circular หรือ order",
            );
            e
        })
    })?;
    let input = upload.letter_input();
    let letter = state
        .services
        .register_letter(&viewer.actor, register, &input, upload.files, &[])
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/letters/{}", letter.id))],
        Json(LetterJson::from(&letter)),
    )
        .into_response())
}

/// `POST /api/v1/letters/{id}/attachments` (multipart): one `file` with its `description`, added
/// after the letter's files; with `replace=N` it takes the place of file N (kept in the history).
pub async fn add_attachment(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    let multipart =
        multipart.map_err(|_| WebError::Unsupported("ต้องส่งเป็น multipart/form-data".into()))?;
    let mut upload = read_letter_upload(multipart, &state.services.attachments).await?;
    let replace = replace_position(&upload.field("replace"))?;
    if upload.files.len() != 1 {
        return Err(WebError::BadRequest("ส่งไฟล์ (file) ครั้งละหนึ่งไฟล์".into()));
    }
    let file = upload.files.remove(0);
    let letter = state
        .services
        .add_letter_file(&viewer.actor, id, file, replace)
        .await?;
    Ok((StatusCode::CREATED, Json(LetterJson::from(&letter))).into_response())
}

/// `replace=N` of the add-a-file forms: empty is none.
pub(crate) fn replace_position(text: &str) -> Result<Option<i64>, WebError> {
    match text.trim() {
        "" => Ok(None),
        n => n
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .map(Some)
            .ok_or_else(|| WebError::BadRequest("replace ต้องเป็นลำดับไฟล์ (1, 2, …)".into())),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    register: String,
    year_be: String,
    q: String,
    field: String,
    page: Option<i64>,
    per_page: Option<i64>,
}

#[derive(Serialize)]
pub struct LetterList {
    pub items: Vec<LetterJson>,
    /// Exact up to 10 000; past that it is 10 000 and `total_more` is true.
    pub total: i64,
    pub total_more: bool,
    pub page: i64,
    pub per_page: i64,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<LetterList>, WebError> {
    let Query(q) = query.map_err(|e| WebError::Rejected {
        status: axum::http::StatusCode::BAD_REQUEST,
        detail: e.body_text(),
    })?;
    let register = match q.register.trim() {
        "" => None,
        code => Some(Register::parse(code).ok_or_else(|| {
            WebError::BadRequest("register ต้องเป็น inbound, outbound, circular หรือ order".into())
        })?),
    };
    let year_be = match q.year_be.trim() {
        "" => None,
        y => Some(
            crate::domain::numbering::parse_year_be(y)
                .map_err(|e| WebError::BadRequest(e.to_string()))?,
        ),
    };
    let field = match q.field.trim() {
        "" => SearchField::All,
        f => SearchField::from_code(f).ok_or_else(|| {
            WebError::BadRequest("field ต้องเป็น all, subject, doc_no, from, to หรือ number".into())
        })?,
    };
    let page = crate::domain::register::clamp_page(q.page.unwrap_or(1));
    let per_page = q
        .per_page
        .unwrap_or(state.config.letters.page_size)
        .clamp(1, 200);
    let (mut letters, total) = state
        .services
        .list_letters(
            &viewer.actor,
            LetterQuery {
                register,
                year_be,
                q: Some(q.q),
                field,
                page,
                per_page,
                ..Default::default()
            },
        )
        .await?;
    state.services.attach_files(&mut letters).await?;
    Ok(Json(LetterList {
        items: letters.iter().map(LetterJson::from).collect(),
        total: total.count,
        total_more: total.more,
        page,
        per_page,
    }))
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<LetterJson>, WebError> {
    let letter = state.services.letter(&viewer.actor, id).await?;
    Ok(Json(LetterJson::from(&letter)))
}

/// Fields to change; those left out keep their value.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LetterPatch {
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
}

pub async fn update(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(patch): ApiJson<LetterPatch>,
) -> Result<Json<LetterJson>, WebError> {
    let before = state.services.letter(&viewer.actor, id).await?;
    let input = LetterInput {
        doc_no: patch.doc_no.unwrap_or(before.doc_no),
        doc_date: patch
            .doc_date
            .unwrap_or_else(|| before.doc_date.format("%Y-%m-%d").to_string()),
        from: patch.from.unwrap_or(before.sender),
        to: patch.to.unwrap_or(before.recipient),
        subject: patch.subject.unwrap_or(before.subject),
        action: patch.action.unwrap_or(before.action),
        remark: patch.remark.unwrap_or(before.remark),
        speed: patch.speed.unwrap_or_else(|| before.speed.code().into()),
        secrecy: patch
            .secrecy
            .unwrap_or_else(|| before.secrecy.code().into()),
        letter_type: patch
            .letter_type
            .unwrap_or_else(|| before.letter_type.code().into()),
        allow_duplicate: false,
        doc_date_pick: String::new(),
    };
    let letter = state
        .services
        .edit_letter(&viewer.actor, id, &input)
        .await?;
    Ok(Json(LetterJson::from(&letter)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CancelBody {
    reason: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<CancelBody>,
) -> Result<Json<LetterJson>, WebError> {
    let letter = state
        .services
        .cancel_letter(&viewer.actor, id, &body.reason)
        .await?;
    Ok(Json(LetterJson::from(&letter)))
}

#[derive(Serialize)]
pub struct EventJson {
    kind: &'static str,
    actor: Option<String>,
    at: String,
    detail: serde_json::Value,
}

pub async fn history(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<Vec<EventJson>>, WebError> {
    let events = state.services.letter_history(&viewer.actor, id).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| EventJson {
                kind: e.event.kind(),
                actor: e.actor_name,
                at: time_to_db(e.at),
                detail: e.event.detail(),
            })
            .collect(),
    ))
}

pub async fn attachment(
    State(state): State<AppState>,
    viewer: Viewer,
    Params((id, n)): Params<(i64, i64)>,
) -> Result<Response, WebError> {
    let (attachment, data) = state.services.attachment(&viewer.actor, id, n).await?;
    Ok(file_response(&attachment, data, false))
}

/// The stamped copy (ฉบับประทับตรารับ) of an inbound letter's PDF or scan; 415 with the reason
/// when the file has none.
pub async fn stamped_attachment(
    State(state): State<AppState>,
    viewer: Viewer,
    Params((id, n)): Params<(i64, i64)>,
) -> Result<Response, WebError> {
    let copy = state
        .services
        .stamped_attachment(&viewer.actor, id, n)
        .await?;
    Ok(crate::web::pages::letters::stamped_response(&copy))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year_be: String,
}

#[derive(Serialize)]
pub struct CountJson {
    register: &'static str,
    label: &'static str,
    count: i64,
    cancelled: i64,
}

#[derive(Serialize)]
pub struct DashboardJson {
    year_be: i32,
    registers: Vec<CountJson>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<YearQuery>,
) -> Result<Json<DashboardJson>, WebError> {
    let year_be = crate::domain::numbering::parse_year_be(&q.year_be)
        .unwrap_or_else(|_| current_year(&viewer.actor.office));
    let counts = state.services.dashboard(&viewer.actor, year_be).await?;
    Ok(Json(DashboardJson {
        year_be,
        registers: counts
            .into_iter()
            .map(|(r, count, cancelled)| CountJson {
                register: r.code(),
                label: r.label(),
                count,
                cancelled,
            })
            .collect(),
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SendBody {
    recipients: Vec<crate::service::sending::RecipientInput>,
    idempotency_key: String,
}

pub fn delivery_json(d: &crate::store::deliveries::Delivery) -> serde_json::Value {
    let recipient = match (&d.recipient_office_id, &d.recipient_email) {
        (Some(office), _) => serde_json::json!({"office": office, "name": d.recipient_office_name}),
        (None, Some(email)) => serde_json::json!({"email": email}),
        _ => serde_json::Value::Null,
    };
    serde_json::json!({
        "id": d.id, "recipient": recipient, "channel": d.channel, "status": d.status,
        "recipient_number": d.recipient_number, "recipient_year_be": d.recipient_year_be,
        "recipient_registered_at": d.recipient_registered_at.map(time_to_db),
        "message_id": d.message_id, "attempts": d.attempts, "error": d.error,
        "kind": d.kind, "next_attempt_at": d.next_attempt_at.map(time_to_db),
        "saved_to_file": d.saved_to_file,
        "status_th": d.status.label_of(d.kind, d.saved_to_file),
    })
}

/// `POST /api/v1/letters/{id}/send`: 202 with the deliveries.
pub async fn send(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<SendBody>,
) -> Result<Response, WebError> {
    let deliveries = state
        .services
        .send_letter(&viewer.actor, id, &body.recipients, &body.idempotency_key)
        .await?;
    let items: Vec<serde_json::Value> = deliveries.iter().map(delivery_json).collect();
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "deliveries": items })),
    )
        .into_response())
}

pub async fn deliveries(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<serde_json::Value>, WebError> {
    let deliveries = state.services.deliveries(&viewer.actor, id).await?;
    let items: Vec<serde_json::Value> = deliveries.iter().map(delivery_json).collect();
    Ok(Json(serde_json::json!({ "items": items })))
}

/// `POST /api/v1/deliveries/{id}/retry`: a failed or delayed e-mail goes back in the queue, due at
/// once; exactly the stored message is sent again.
pub async fn retry_delivery(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Response, WebError> {
    let d = state.services.retry_delivery(&viewer.actor, id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery_json(&d))).into_response())
}

/// `GET /api/v1/school-groups`: the district's saved school groups (send with `{school_group: ID}`).
pub async fn school_groups(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<serde_json::Value>, WebError> {
    let groups = state.services.school_groups(&viewer.actor).await?;
    let items: Vec<serde_json::Value> = groups
        .iter()
        .map(|g| serde_json::json!({"id": g.id, "name": g.name, "members": g.members}))
        .collect();
    Ok(Json(serde_json::json!({ "items": items })))
}
