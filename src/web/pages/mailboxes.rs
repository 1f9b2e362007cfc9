//! กล่องอีเมล (admin): the saraban mailboxes, their liveness, a test button.

use askama::Template;
use askama_web::WebTemplate;
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
use crate::web::error::WebError;
use crate::web::forms::{CsrfForm, NoFields};
use crate::web::layout::Nav;
use crate::web::views::Layout;
use crate::web::{AppState, Params};

async fn page(
    state: &AppState,
    viewer: &Nav,
    input: MailboxInput,
    errors: FieldErrors,
    flash: String,
    test: Option<(bool, String)>,
) -> Result<MailboxesPage, WebError> {
    let mailboxes = state.services.mailboxes(&viewer.actor).await?;
    let mut rows = Vec::new();
    for m in &mailboxes {
        let states = state.services.folders_of(&viewer.actor, m).await?;
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
    let paused_domains = state
        .services
        .paused_domains(&viewer.actor)
        .await?
        .into_iter()
        .map(|p| PausedDomainRow {
            domain: p.domain,
            failures: p.failures,
            until: thai_date::format_datetime(p.paused_until),
            reason: p.last_reason,
        })
        .collect();
    let (test_ok, test_result) = test.unwrap_or_default();
    let account = state.services.office_smtp(&viewer.actor).await?;
    let smtp_route = match &account {
        Some(a) => format!(
            "ส่งผ่าน {}:{} ({}){} ในนาม {}",
            a.host,
            a.port,
            a.security.code(),
            a.username
                .as_deref()
                .map(|u| format!(" ผู้ใช้ {u}"))
                .unwrap_or_default(),
            a.from_addr
        ),
        None if state.config.smtp.host.trim().is_empty() => format!(
            "ยังไม่ได้ตั้งค่า: อีเมลถูกเขียนเป็นไฟล์ .eml ไว้ที่ {} (ยังไม่ออกไปถึงผู้รับจริง)",
            state.config.smtp.outbox_dir.display()
        ),
        None => format!(
            "ใช้เครื่องแม่ข่ายกลางของระบบ {}:{}",
            state.config.smtp.host, state.config.smtp.port
        ),
    };
    let smtp = account
        .as_ref()
        .map(|a| crate::service::sending::SmtpInput {
            host: a.host.clone(),
            port: a.port.to_string(),
            security: a.security.code().to_string(),
            ca_file: a.ca_file.clone().unwrap_or_default(),
            username: a.username.clone().unwrap_or_default(),
            password: Default::default(),
            from: a.from_addr.clone(),
        })
        .unwrap_or_else(|| crate::service::sending::SmtpInput {
            port: "587".into(),
            security: "starttls".into(),
            from: viewer.actor.office.email.clone().unwrap_or_default(),
            ..Default::default()
        });
    Ok(MailboxesPage {
        paused_domains,
        smtp_route,
        smtp,
        smtp_has_password: account.as_ref().is_some_and(|a| a.password.is_some()),
        smtp_errors: FieldErrors::default(),
        layout: Layout::new(viewer, "mailboxes", "กล่องอีเมล"),
        rows,
        input: MailboxInput {
            password: Default::default(),
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
    viewer: Nav,
    Query(q): Query<DoneQuery>,
) -> Result<MailboxesPage, WebError> {
    let flash = match q.done.as_str() {
        "added" => "เพิ่มกล่องอีเมลเรียบร้อย ระบบจะเริ่มดึงภายในไม่กี่วินาที",
        "removed" => "เลิกดึงกล่องอีเมลแล้ว (หนังสือที่ดึงมาแล้วยังอยู่)",
        "smtp" => "บันทึกการตั้งค่าส่งอีเมลออกเรียบร้อย",
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
    #[serde(flatten)]
    input: MailboxInput,
}

pub async fn add(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<AddForm, Nav>,
) -> Result<Response, WebError> {
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
    Params(id): Params<i64>,
    CsrfForm(viewer, _): CsrfForm<NoFields, Nav>,
) -> Result<MailboxesPage, WebError> {
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
    Params(id): Params<i64>,
    CsrfForm(viewer, _): CsrfForm<NoFields, Nav>,
) -> Result<Response, WebError> {
    state.services.remove_mailbox(&viewer.actor, id).await?;
    Ok(Redirect::to("/settings/mailboxes?done=removed").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SmtpForm {
    #[serde(flatten)]
    input: crate::service::sending::SmtpInput,
}

/// Saves the office's SMTP account.
pub async fn smtp(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<SmtpForm, Nav>,
) -> Result<Response, WebError> {
    match state
        .services
        .set_office_smtp(&viewer.actor, &form.input)
        .await
    {
        Ok(()) => Ok(Redirect::to("/settings/mailboxes?done=smtp").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut p = page(
                &state,
                &viewer,
                MailboxInput::default(),
                FieldErrors::default(),
                String::new(),
                None,
            )
            .await?;
            p.smtp = crate::service::sending::SmtpInput {
                password: Default::default(),
                ..form.input
            };
            p.smtp_errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SmtpTestForm {
    to: String,
}

/// Sends a test e-mail through the office's route now.
pub async fn smtp_test(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<SmtpTestForm, Nav>,
) -> Result<MailboxesPage, WebError> {
    state.services.require_admin(&viewer.actor)?;
    let account = state.services.office_smtp(&viewer.actor).await?;
    let keys = state.services.signing_keys(&viewer.actor.office.id).await?;
    let result = match crate::domain::office::parse_email(&form.to) {
        Err(_) => (false, "กรุณาใส่อีเมลผู้รับที่ถูกต้อง".to_string()),
        Ok(to) => match crate::mail::outbox::send_test(
            &viewer.actor.office,
            account.as_ref(),
            &state.config.smtp,
            &to,
            &keys,
        )
        .await
        {
            Ok(how) => (true, format!("ส่งอีเมลทดสอบถึง {to} แล้ว ผ่าน {how}")),
            Err(e) => (false, format!("ส่งไม่สำเร็จ: {e}")),
        },
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

/// A receiving domain the outbox leaves alone for now.
pub struct PausedDomainRow {
    pub domain: String,
    pub failures: i64,
    pub until: String,
    pub reason: String,
}

pub struct FolderRow {
    pub folder: String,
    pub uidvalidity: i64,
    pub last_uid: i64,
    pub last_success: String,
    pub failures: i64,
    pub last_error: String,
}

pub struct MailboxRow {
    pub id: i64,
    pub address: String,
    pub security: &'static str,
    pub folders: String,
    pub poll_secs: i64,
    pub move_to: String,
    pub states: Vec<FolderRow>,
    pub healthy: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "mailboxes.html")]
pub struct MailboxesPage {
    pub layout: Layout,
    pub rows: Vec<MailboxRow>,
    pub input: crate::service::mailboxes::MailboxInput,
    pub errors: FieldErrors,
    pub flash: String,
    pub test_result: String,
    pub test_ok: bool,
    /// How the office's letters leave now, in words.
    pub smtp_route: String,
    pub smtp: crate::service::sending::SmtpInput,
    pub smtp_has_password: bool,
    pub smtp_errors: FieldErrors,
    pub paused_domains: Vec<PausedDomainRow>,
}

impl MailboxesPage {
    pub fn smtp_error(&self, field: &str) -> String {
        self.smtp_errors.get(field).unwrap_or("").to_string()
    }

    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }
}
