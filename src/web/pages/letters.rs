//! One entry: its page, edit, cancel, and its files.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::letter::{FieldErrors, LetterInput};
use crate::domain::retention::RetentionClass;
use crate::domain::thai_date;
use crate::service::ServiceError;
use crate::service::sending::RecipientInput;
use crate::store::letters::Letter;
use crate::web::error::WebError;
use crate::web::forms::{CsrfForm, FormPairs};
use crate::web::layout::Nav;
use crate::web::pages::journey::JourneyView;
use crate::web::pages::registers::LetterFormPage;
use crate::web::views::{
    AttachmentRow, DeliveryRow, EventRow, Layout, LetterFields, LetterRow, human_size,
};
use crate::web::{AppState, Params};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

/// The letter's page as it stands; a handler then adds its message (a flash, a form's error).
pub(crate) async fn page_for(
    state: &AppState,
    viewer: &Nav,
    letter: Letter,
) -> Result<LetterPage, WebError> {
    let services = &state.services;
    let events = services.events_of(&letter).await?;
    let can_send = letter.register != crate::domain::register::Register::Inbound
        && !letter.is_cancelled()
        && viewer.actor.user.role.can_register(letter.register);
    let parent = viewer.actor.office.parent_id.clone();
    let send_targets = if can_send {
        services
            .send_targets(&viewer.actor)
            .await?
            .into_iter()
            .map(|o| {
                let above = Some(&o.id) == parent.as_ref();
                let name = if above {
                    format!("{} ({})", o.name, o.kind.saraban_desk())
                } else {
                    o.name
                };
                (o.id, name, above)
            })
            .collect()
    } else {
        Vec::new()
    };
    let deliveries = services.deliveries_of(&letter).await?;
    let is_district = viewer.actor.office.kind == crate::domain::office::OfficeKind::District;
    let school_groups = if can_send && is_district {
        services
            .school_groups(&viewer.actor)
            .await?
            .into_iter()
            .map(|g| (g.id, format!("{} ({} แห่ง)", g.name, g.members.len())))
            .collect()
    } else {
        Vec::new()
    };
    let parent_work_groups = match can_send {
        true => services
            .parent_work_groups(&viewer.actor)
            .await?
            .into_iter()
            .map(|g| (g.id, g.name))
            .collect(),
        false => Vec::new(),
    };
    let stamps = services.stamp_states(&viewer.actor, &letter).await?;
    let holds = services.legal_holds(&viewer.actor, letter.id).await?;
    let can_records = viewer.actor.user.role.can_cancel();
    let filed = services.filing_of(&viewer.actor, letter.id).await?;
    let loans = services.letter_loans(&viewer.actor, letter.id).await?;
    let file_codes = if can_records && filed.is_none() {
        services.file_codes(&viewer.actor).await?
    } else {
        Vec::new()
    };
    let refusal = services.edit_refusal(&viewer.actor, &letter);
    let refusal_none = refusal.is_none();
    let scan_proposal = match refusal_none {
        true => services
            .scan_proposal(&letter)
            .await?
            .as_ref()
            .map(Into::into),
        false => None,
    };
    let layout = Layout::new(
        viewer,
        letter.register.code(),
        format!("{} {}", letter.register.number_label(), letter.number),
    );
    Ok(LetterPage {
        layout,
        register_label: letter.register.label(),
        number_label: letter.register.number_label(),
        // A destroyed letter's files are gone: none is listed to open.
        attachments: letter
            .attachments
            .iter()
            .filter(|_| letter.destroyed.is_none())
            .zip(&stamps)
            .map(|(a, stamp)| AttachmentRow {
                position: a.position,
                name: crate::domain::attachment::shown_name(&a.name),
                description: a.description.clone(),
                size: human_size(a.size),
                inline: a.kind.opens_inline(),
                sha256: a.sha256.clone(),
                stamp: stamp.into(),
            })
            .collect(),
        events: events.iter().map(EventRow::from).collect(),
        can_edit: refusal.is_none(),
        edit_refusal: refusal.unwrap_or_default(),
        can_cancel: viewer.actor.user.role.can_cancel(),
        flash: String::new(),
        file_error: String::new(),
        can_add_file: refusal_none && viewer.actor.user.role.can_register(letter.register),
        file_limit: format!(
            "{} ไฟล์ ไฟล์ละไม่เกิน {} MB",
            state.config.letters.max_attachments, state.config.letters.max_attachment_mb
        ),
        cancel_error: String::new(),
        reason: String::new(),
        can_send,
        send_targets,
        send_key: crate::security::random_token().unwrap_or_default(),
        send_error: String::new(),
        send_emails: String::new(),
        send_to_schools: can_send && is_district,
        school_groups,
        parent_work_groups,
        deliveries: deliveries.iter().map(DeliveryRow::from).collect(),
        journey: super::journey::journey_view(state, viewer, &letter).await?,
        scan_proposal,
        retention_options: <RetentionClass as crate::domain::codes::Coded>::ALL
            .iter()
            .map(|c| (c.code(), c.label(), *c == letter.retention.class))
            .collect(),
        holds: holds
            .iter()
            .map(|h| HoldRow {
                id: h.id,
                reason: h.reason.clone(),
                placed: format!(
                    "{} โดย {}",
                    thai_date::format_datetime(h.placed_at),
                    h.placed_by_name
                ),
                lifted: h
                    .lifted
                    .as_ref()
                    .map(|(at, by, why)| {
                        format!(
                            "ยกเลิกการระงับเมื่อ {} โดย {by} เหตุผล: {why}",
                            thai_date::format_datetime(*at)
                        )
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        can_records,
        filed: filed
            .map(|f| {
                format!(
                    "แฟ้ม {} {} · เก็บเมื่อ {} โดย {}",
                    f.file_code,
                    f.file_name,
                    thai_date::format_short(f.filed_on),
                    f.filed_by_name
                )
            })
            .unwrap_or_default(),
        file_codes: file_codes
            .into_iter()
            .map(|c| (c.code.clone(), format!("{} {}", c.code, c.name)))
            .collect(),
        loans: loans.iter().map(super::records::loan_line).collect(),
        letter: LetterRow::from(&letter),
    })
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Nav,
    Params(id): Params<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<LetterPage, WebError> {
    let letter = state.services.letter(&viewer.actor, id).await?;
    let flash = match q.done.as_str() {
        "registered" => format!(
            "ลงทะเบียนเรียบร้อย {} {} ที่ {}",
            letter.register.number_label(),
            letter.number,
            letter.doc_no
        ),
        "edited" => "บันทึกการแก้ไขเรียบร้อย".to_string(),
        "cancelled" => "ยกเลิกรายการเรียบร้อย เลขทะเบียนคงไว้".to_string(),
        "sent" => "ส่งหนังสือเรียบร้อย".to_string(),
        "retry" => "นำอีเมลกลับเข้าคิวส่งแล้ว".to_string(),
        "forwarded" => "ส่งต่อเรียบร้อย บันทึกในช่องการปฏิบัติแล้ว".to_string(),
        "proposed" => "เสนอผู้บริหารเรียบร้อย".to_string(),
        "endorsed" => "บันทึกการเกษียนหนังสือเรียบร้อย".to_string(),
        "acknowledged" => "รับทราบแล้ว".to_string(),
        "returned" => "ส่งคืนเรียบร้อย".to_string(),
        "file" => "แนบไฟล์เรียบร้อย บันทึกในประวัติแล้ว".to_string(),
        "done_step" => "บันทึกว่าดำเนินการแล้ว".to_string(),
        _ => String::new(),
    };
    let mut page = page_for(&state, &viewer, letter).await?;
    page.flash = flash;
    Ok(page)
}

fn edit_page(
    state: &AppState,
    viewer: &Nav,
    letter: &Letter,
    input: LetterInput,
    errors: FieldErrors,
) -> LetterFormPage {
    LetterFormPage {
        layout: Layout::new(viewer, letter.register.code(), "แก้ไขทะเบียน"),
        register: letter.register.code(),
        register_label: letter.register.label(),
        editing: Some(letter.id),
        heading: format!(
            "แก้ไข {} {}/{}",
            letter.register.number_label(),
            letter.number,
            letter.year_be
        ),
        fields: LetterFields::new(
            input,
            errors,
            !letter.register.generates_doc_no(),
            letter.doc_no.clone(),
        ),
        file_slots: Vec::new(),
        file_limit: format!("{} MB", state.config.letters.max_attachment_mb),
        held: Vec::new(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditQuery {
    /// `scan`: the fields as the letter's scan proposes them.
    from: String,
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Nav,
    Params(id): Params<i64>,
    Query(q): Query<EditQuery>,
) -> Result<LetterFormPage, WebError> {
    let letter = state.services.letter(&viewer.actor, id).await?;
    if let Some(why) = state.services.edit_refusal(&viewer.actor, &letter) {
        return Err(WebError::Forbidden(why));
    }
    let input = LetterInput {
        doc_no: letter.doc_no.clone(),
        doc_date: crate::domain::thai_date::format_short(letter.doc_date),
        from: letter.sender.clone(),
        to: letter.recipient.clone(),
        subject: letter.subject.clone(),
        action: letter.action.clone(),
        remark: letter.remark.clone(),
        speed: letter.speed.code().into(),
        secrecy: letter.secrecy.code().into(),
        letter_type: letter.letter_type.code().into(),
        allow_duplicate: false,
        doc_date_pick: String::new(),
    };
    let mut input = input;
    if q.from == "scan"
        && let Some(p) = state.services.scan_proposal(&letter).await?
    {
        super::file_words::apply_proposal(&mut input, &p);
    }
    Ok(edit_page(
        &state,
        &viewer,
        &letter,
        input,
        FieldErrors::default(),
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<super::LetterForm, Nav>,
) -> Result<Response, WebError> {
    match state
        .services
        .edit_letter(&viewer.actor, id, &form.input)
        .await
    {
        Ok(letter) => {
            Ok(Redirect::to(&format!("/letters/{}?done=edited", letter.id)).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let letter = state.services.letter(&viewer.actor, id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                edit_page(&state, &viewer, &letter, form.input, errors),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CancelForm {
    reason: String,
}

pub async fn cancel(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<CancelForm, Nav>,
) -> Result<Response, WebError> {
    match state
        .services
        .cancel_letter(&viewer.actor, id, &form.reason)
        .await
    {
        Ok(letter) => {
            Ok(Redirect::to(&format!("/letters/{}?done=cancelled", letter.id)).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let letter = state.services.letter(&viewer.actor, id).await?;
            let message = errors.get("reason").unwrap_or("กรุณากรอกเหตุผล").to_string();
            let mut page = page_for(&state, &viewer, letter).await?;
            page.cancel_error = message;
            page.reason = form.reason;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `Content-Disposition` with the Thai name in RFC 6266/5987 form and a plain ASCII fallback.
pub fn content_disposition(inline: bool, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

pub async fn file(
    State(state): State<AppState>,
    viewer: Nav,
    Params((id, n)): Params<(i64, i64)>,
) -> Result<Response, WebError> {
    let (attachment, data) = state.services.attachment(&viewer.actor, id, n).await?;
    Ok(file_response(
        &attachment,
        data,
        attachment.kind.opens_inline(),
    ))
}

/// `ฉบับประทับตรารับ`: the stamped copy of an inbound letter's PDF or scan, shown in the browser.
pub async fn stamped_file(
    State(state): State<AppState>,
    viewer: Nav,
    Params((id, n)): Params<(i64, i64)>,
) -> Result<Response, WebError> {
    let copy = state
        .services
        .stamped_attachment(&viewer.actor, id, n)
        .await?;
    Ok(stamped_response(&copy))
}

/// The stamped copy as a PDF named after the original (`….pdf`, with `-ประทับตรารับ`).
pub fn stamped_response(copy: &crate::service::stamps::StampedCopy) -> Response {
    let original = crate::domain::attachment::shown_name(&copy.attachment.name);
    let stem = original
        .rsplit_once('.')
        .map_or(original.as_str(), |(stem, _)| stem);
    let name = format!("{stem}-ประทับตรารับ.pdf");
    let sha256 = crate::security::sha256_hex(&copy.data);
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(true, &name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::HeaderName::from_static("x-content-sha256"), sha256),
        ],
        copy.data.clone(),
    )
        .into_response()
}

/// A stored file as a download (or shown in the browser when `inline`), with its Thai name.
pub fn file_response(
    attachment: &crate::store::letters::Attachment,
    content: crate::files::FileContent,
    inline: bool,
) -> Response {
    let size = content.size();
    let body = body_of(content);
    (
        [
            (header::CONTENT_TYPE, attachment.kind.mime().to_string()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(inline, &attachment.name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (
                header::HeaderName::from_static("x-content-sha256"),
                attachment.sha256.clone(),
            ),
            (header::CONTENT_LENGTH, size.to_string()),
        ],
        body,
    )
        .into_response()
}

/// A raw e-mail as an .eml download.
pub fn eml_response(content: crate::files::FileContent, name: &str) -> Response {
    let size = content.size();
    (
        [
            (header::CONTENT_TYPE, "message/rfc822".to_string()),
            (
                header::CONTENT_DISPOSITION,
                content_disposition(false, name),
            ),
            (header::CONTENT_LENGTH, size.to_string()),
        ],
        body_of(content),
    )
        .into_response()
}

/// A stored file's bytes as a response body. A damaged file ends the body with an error: the
/// connection is cut before the last piece, so the browser reports a failed download rather
/// than keeping wrong bytes.
fn body_of(content: crate::files::FileContent) -> axum::body::Body {
    match content {
        crate::files::FileContent::Whole(data) => axum::body::Body::from(data),
        crate::files::FileContent::Stream { pieces, .. } => axum::body::Body::from_stream(pieces),
    }
}

/// Who the send form names: each ticked `office`, `work_group` and `school_group`, "all schools"
/// (`all_schools=1`), and the addresses typed in `emails` (split on commas, semicolons, spaces).
fn send_recipients(posted: &FormPairs, emails: &str) -> Vec<RecipientInput> {
    let mut recipients: Vec<RecipientInput> = posted
        .all("office")
        .map(|v| RecipientInput {
            office: Some(v.to_string()),
            ..Default::default()
        })
        .collect();
    recipients.extend(posted.all("work_group").map(|v| RecipientInput {
        work_group: Some(v.to_string()),
        ..Default::default()
    }));
    if posted.one("all_schools") == "1" {
        recipients.push(RecipientInput {
            all_schools: Some(true),
            ..Default::default()
        });
    }
    recipients.extend(
        posted
            .all("school_group")
            .filter_map(|v| v.parse().ok())
            .map(|id| RecipientInput {
                school_group: Some(id),
                ..Default::default()
            }),
    );
    recipients.extend(
        emails
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|a| !a.is_empty())
            .map(|a| RecipientInput {
                email: Some(a.to_string()),
                ..Default::default()
            }),
    );
    recipients
}

/// The send form posts `csrf`, `idempotency_key` and the recipients ([`send_recipients`]).
pub async fn send(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let emails = posted.one("emails");
    let recipients = send_recipients(&posted, &emails);
    match state
        .services
        .send_letter(
            &viewer.actor,
            id,
            &recipients,
            &posted.one("idempotency_key"),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/letters/{id}?done=sent")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let letter = state.services.letter(&viewer.actor, id).await?;
            let mut page = page_for(&state, &viewer, letter).await?;
            page.send_error = errors.summary();
            page.send_emails = emails;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// "ส่งอีกครั้ง" on a failed or delayed e-mail of this letter.
pub async fn retry_delivery(
    State(state): State<AppState>,
    Params((id, delivery)): Params<(i64, i64)>,
    CsrfForm(viewer, _): CsrfForm,
) -> Result<Response, WebError> {
    let d = state.services.delivery(&viewer.actor, delivery).await?;
    if d.letter_id != id {
        return Err(WebError::NotFound);
    }
    state
        .services
        .retry_delivery(&viewer.actor, delivery)
        .await?;
    Ok(Redirect::to(&format!("/letters/{id}?done=retry")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "letter_detail.html")]
pub struct LetterPage {
    pub layout: Layout,
    pub letter: LetterRow,
    pub register_label: &'static str,
    pub number_label: &'static str,
    pub attachments: Vec<AttachmentRow>,
    pub events: Vec<EventRow>,
    pub can_edit: bool,
    pub edit_refusal: String,
    pub can_cancel: bool,
    pub flash: String,
    /// Adding a file after registering: allowed now, its error, the limit.
    pub can_add_file: bool,
    pub file_error: String,
    pub file_limit: String,
    pub cancel_error: String,
    pub reason: String,
    pub can_send: bool,
    /// `(office id, name, is the office above)`
    pub send_targets: Vec<(String, String, bool)>,
    pub send_key: String,
    pub send_error: String,
    /// The e-mail addresses typed, kept when the form comes back with an error.
    pub send_emails: String,
    /// A district may send to all its schools, or to a saved group of them.
    pub send_to_schools: bool,
    pub school_groups: Vec<(i64, String)>,
    /// Work groups of the office above (a school sends straight to a district group):
    /// `(group id, name)`.
    pub parent_work_groups: Vec<(String, String)>,
    pub deliveries: Vec<DeliveryRow>,
    pub journey: JourneyView,
    /// อายุการเก็บ choices: `(code, label, chosen)`.
    pub retention_options: Vec<(&'static str, &'static str, bool)>,
    pub holds: Vec<HoldRow>,
    /// Filing and lending: allowed, where it is filed (empty: not yet), the plan's codes
    /// `(code, "code name")`, its loans.
    pub can_records: bool,
    pub filed: String,
    pub file_codes: Vec<(String, String)>,
    pub loans: Vec<super::records::LoanLine>,
    /// What the letter's scan proposes for ที่ / ลงวันที่ / เรื่อง / จาก (an editable letter).
    pub scan_proposal: Option<super::file_words::ProposalView>,
}

/// A legal hold as the letter page lists it.
pub struct HoldRow {
    pub id: i64,
    pub reason: String,
    pub placed: String,
    /// Empty while the hold is in force.
    pub lifted: String,
}

/// "แนบไฟล์เพิ่ม" / "แทนที่ไฟล์" on the letter's page.
pub async fn add_file(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    crate::web::forms::CsrfUpload(viewer, upload): crate::web::forms::CsrfUpload,
) -> Result<Response, WebError> {
    let shown_error = |message: String| async {
        let letter = state.services.letter(&viewer.actor, id).await?;
        let mut page = page_for(&state, &viewer, letter).await?;
        page.file_error = message;
        Ok::<_, WebError>(page)
    };
    let mut upload = match upload {
        Ok(u) => u,
        Err(errors) => {
            let page = shown_error(errors.summary()).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let replace = crate::web::api::letters::replace_position(&upload.field("replace"))?;
    let Some(file) = (!upload.files.is_empty()).then(|| upload.files.remove(0)) else {
        let page = shown_error("กรุณาเลือกไฟล์".into()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match state
        .services
        .add_letter_file(&viewer.actor, id, file, replace)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/letters/{id}?done=file")).into_response()),
        Err(
            e @ (ServiceError::Invalid(_)
            | ServiceError::TooLarge(_)
            | ServiceError::Unsupported(_)),
        ) => {
            let message = match &e {
                ServiceError::Invalid(f) => f.summary(),
                other => other.to_string(),
            };
            let page = shown_error(message).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
