//! กล่องอีเมล (admin): the saraban mailboxes, their liveness, a test button.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::letter::FieldErrors;
use crate::domain::thai_date;
use crate::mail::{imap, poller};
use crate::service::ServiceError;
use crate::service::mailboxes::MailboxInput;
use crate::store::mailboxes::Security;
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::views::{FolderRow, Layout, MailboxRow, MailboxesPage};
use crate::web::{AppState, Params};

async fn page(
    state: &AppState,
    viewer: &Viewer,
    input: MailboxInput,
    errors: FieldErrors,
    flash: String,
    test: Option<(bool, String)>,
) -> Result<MailboxesPage, WebError> {
    let mailboxes = state.services.mailboxes(&viewer.actor).await?;
    let mut rows = Vec::new();
    for m in &mailboxes {
        let states = state.services.store.folder_states(m.id).await?;
        rows.push(MailboxRow {
            id: m.id,
            address: format!("{}@{}:{}", m.username, m.host, m.port),
            security: match m.security {
                Security::None => "ไม่เข้ารหัส",
                Security::StartTls => "STARTTLS",
                Security::Tls => "TLS",
            },
            folders: m.folders.join(", "),
            poll_secs: m.poll_secs,
            move_to: m.move_to.clone().unwrap_or_default(),
            healthy: states.iter().all(|s| s.consecutive_failures == 0),
            states: states
                .iter()
                .map(|s| FolderRow {
                    folder: s.folder.clone(),
                    uidvalidity: s.uidvalidity,
                    last_uid: s.last_uid,
                    last_success: s
                        .last_success_at
                        .map(thai_date::format_datetime)
                        .unwrap_or_else(|| "ยังไม่เคย".into()),
                    failures: s.consecutive_failures,
                    last_error: s.last_error.clone().unwrap_or_default(),
                })
                .collect(),
        });
    }
    let (test_ok, test_result) = test.unwrap_or_default();
    Ok(MailboxesPage {
        layout: Layout::new(viewer, "mailboxes", "กล่องอีเมล"),
        rows,
        input: MailboxInput {
            password: String::new(),
            ..input
        },
        errors,
        flash,
        test_result,
        test_ok,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DoneQuery>,
) -> Result<MailboxesPage, WebError> {
    let flash = match q.done.as_str() {
        "added" => "เพิ่มกล่องอีเมลเรียบร้อย ระบบจะเริ่มดึงภายในไม่กี่วินาที",
        "removed" => "เลิกดึงกล่องอีเมลแล้ว (หนังสือที่ดึงมาแล้วยังอยู่)",
        _ => "",
    };
    let input = MailboxInput {
        security: "tls".into(),
        port: "993".into(),
        folders: "INBOX".into(),
        poll_secs: "60".into(),
        ..Default::default()
    };
    page(
        &state,
        &viewer,
        input,
        FieldErrors::default(),
        flash.into(),
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    csrf: String,
    #[serde(flatten)]
    input: MailboxInput,
}

pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<AddForm>,
) -> Result<Response, WebError> {
    viewer.check_csrf(Some(&form.csrf))?;
    match state.services.add_mailbox(&viewer.actor, &form.input).await {
        Ok(_) => Ok(Redirect::to("/settings/mailboxes?done=added").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let p = page(&state, &viewer, form.input, errors, String::new(), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn test(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
    Form(form): Form<super::CsrfForm>,
) -> Result<MailboxesPage, WebError> {
    viewer.check_csrf(Some(&form.csrf))?;
    let m = state.services.mailbox(&viewer.actor, id).await?;
    let limits = poller::limits(&state.config.mail);
    let result = match imap::test_connection(&m, limits.command).await {
        Ok(summary) => (true, summary),
        Err(e) => (false, format!("เชื่อมต่อไม่สำเร็จ: {e}")),
    };
    page(
        &state,
        &viewer,
        MailboxInput::default(),
        FieldErrors::default(),
        String::new(),
        Some(result),
    )
    .await
}

pub async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
    Form(form): Form<super::CsrfForm>,
) -> Result<Response, WebError> {
    viewer.check_csrf(Some(&form.csrf))?;
    state.services.remove_mailbox(&viewer.actor, id).await?;
    Ok(Redirect::to("/settings/mailboxes?done=removed").into_response())
}
