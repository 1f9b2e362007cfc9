//! ระเบียน DNS (admin): the DKIM key the office's outgoing mail is signed with, the DKIM, SPF
//! and DMARC records to publish for it, "ตรวจสอบ DNS" that looks them up, and making a new key.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::dns_records::{
    KeyAlgorithm, RecordKind, RecordState, compare, dkim_name, dkim_text, suggested_dmarc,
    suggested_spf,
};
use crate::domain::sender_auth::domain_of;
use crate::domain::thai_date;
use crate::sender_auth::SenderChecker;
use crate::service::ServiceError;
use crate::service::dkim::aligned;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::forms::{CsrfForm, FormPairs};
use crate::web::layout::Nav;
use crate::web::views::Layout;

pub struct RecordRow {
    pub id: &'static str,
    pub label: &'static str,
    pub name: String,
    pub value: String,
    /// After "ตรวจสอบ DNS": the state's code and words, and what was found.
    pub state_code: &'static str,
    pub state: String,
    pub found: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dns_records.html")]
pub struct DnsRecordsPage {
    pub layout: Layout,
    pub sending_address: String,
    pub domain: String,
    /// The key that signs the office's mail, in words ("" when none does).
    pub key_summary: String,
    /// Why the office's mail is not signed, when it is not.
    pub unsigned_reason: String,
    pub rows: Vec<RecordRow>,
    pub checked: bool,
    pub flash: String,
    pub error: String,
    pub new_selector: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

async fn page(state: &AppState, viewer: &Nav, check: bool) -> Result<DnsRecordsPage, WebError> {
    let actor = &viewer.actor;
    let (own, deployment) = state.services.dkim_keys(actor).await?;
    let sending_address = state.services.sending_address(&actor.office).await?;
    let account = state.services.office_smtp(actor).await?;
    let smtp_host = account
        .map(|a| a.host)
        .unwrap_or_else(|| state.config.smtp.host.clone());
    let signing = [own.as_ref(), deployment.as_ref()]
        .into_iter()
        .flatten()
        .find(|k| aligned(k, &sending_address));
    let domain = signing
        .map(|k| k.domain.clone())
        .unwrap_or_else(|| domain_of(&sending_address));
    let unsigned_reason = match (signing, &own) {
        (Some(_), _) => String::new(),
        (None, Some(k)) => format!(
            "กุญแจของสำนักงานเป็นของโดเมน {} แต่อีเมลของสำนักงานส่งในนาม {} ระบบจึงไม่ลงลายมือชื่อ สร้างกุญแจใหม่สำหรับโดเมนที่ใช้ส่ง",
            k.domain, sending_address
        ),
        (None, None) => {
            "ยังไม่มีกุญแจ DKIM อีเมลที่ส่งออกจึงยังไม่ได้ลงลายมือชื่อ ผู้รับบางรายอาจจัดเป็นอีเมลขยะ".into()
        }
    };
    let mut rows = Vec::new();
    if let Some(key) = signing {
        rows.push(RecordRow {
            id: "dkim",
            label: RecordKind::Dkim.label(),
            name: dkim_name(&key.selector, &key.domain),
            value: dkim_text(key.algorithm, &key.public_key),
            state_code: "",
            state: String::new(),
            found: Vec::new(),
        });
    }
    if !domain.is_empty() {
        rows.push(RecordRow {
            id: "spf",
            label: RecordKind::Spf.label(),
            name: domain.clone(),
            value: suggested_spf(Some(&smtp_host)),
            state_code: "",
            state: String::new(),
            found: Vec::new(),
        });
        rows.push(RecordRow {
            id: "dmarc",
            label: RecordKind::Dmarc.label(),
            name: format!("_dmarc.{domain}"),
            value: suggested_dmarc(&sending_address),
            state_code: "",
            state: String::new(),
            found: Vec::new(),
        });
    }
    let mut error = String::new();
    if check && !rows.is_empty() {
        // A resolver made for this check: what the admin just published is not hidden by
        // answers cached before.
        match SenderChecker::new(&state.config.sender_auth) {
            Err(e) => error = format!("ตรวจสอบ DNS ไม่ได้: {e}"),
            Ok(checker) => {
                let answers = futures_util::future::join_all(
                    rows.iter().map(|r| checker.txt_records(&r.name)),
                )
                .await;
                for (row, answer) in rows.iter_mut().zip(answers) {
                    let kind = match row.id {
                        "dkim" => RecordKind::Dkim,
                        "spf" => RecordKind::Spf,
                        _ => RecordKind::Dmarc,
                    };
                    let result = match answer {
                        Ok(found) => {
                            let s = compare(kind, &row.value, &found);
                            row.found = found;
                            s
                        }
                        Err(e) => RecordState::Unanswered(e),
                    };
                    row.state_code = result.code();
                    row.state = result.to_string();
                }
            }
        }
    }
    let year = thai_date::be_year_of(chrono::Utc::now());
    Ok(DnsRecordsPage {
        layout: Layout::new(viewer, "mailboxes", "ระเบียน DNS ของอีเมลขาออก"),
        key_summary: signing
            .map(|k| {
                format!(
                    "{} selector {} โดเมน {} (สร้างเมื่อ {}){}",
                    match k.algorithm {
                        KeyAlgorithm::Rsa2048 => "RSA-2048",
                        KeyAlgorithm::Ed25519 => "Ed25519",
                    },
                    k.selector,
                    k.domain,
                    thai_date::format_datetime(k.created_at),
                    if k.office_id.is_empty() {
                        " กุญแจกลางของระบบ"
                    } else {
                        ""
                    }
                )
            })
            .unwrap_or_default(),
        new_selector: match &own {
            Some(k) if k.selector == format!("saraban{year}") => format!("saraban{year}b"),
            _ => format!("saraban{year}"),
        },
        sending_address,
        domain,
        unsigned_reason,
        rows,
        checked: check,
        flash: String::new(),
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<DoneQuery>,
) -> Result<DnsRecordsPage, WebError> {
    let mut p = page(&state, &viewer, false).await?;
    if q.done == "key" {
        p.flash =
            "สร้างกุญแจแล้ว อีเมลที่ส่งต่อจากนี้ลงลายมือชื่อด้วยกุญแจนี้ กรุณาเผยแพร่ระเบียน DKIM ด้านล่างใน DNS".into();
    }
    Ok(p)
}

pub async fn check(
    State(state): State<AppState>,
    CsrfForm(viewer, _form): CsrfForm<FormPairs, Nav>,
) -> Result<DnsRecordsPage, WebError> {
    page(&state, &viewer, true).await
}

/// "สร้างกุญแจ DKIM": a new key of the office for the domain its mail is sent from.
pub async fn generate(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let actor = &viewer.actor;
    state.services.require_admin(actor)?;
    let algorithm = KeyAlgorithm::parse(&form.one("algorithm")).unwrap_or(KeyAlgorithm::Rsa2048);
    let selector = form.one("selector").trim().to_ascii_lowercase();
    let domain = domain_of(&state.services.sending_address(&actor.office).await?);
    // RSA keys take a moment to make: off the async threads.
    let office_id = actor.office.id.clone();
    let made = tokio::task::spawn_blocking(move || {
        crate::sender_auth::signing::generate(&office_id, &domain, &selector, algorithm)
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
    .map_err(|e| ServiceError::Internal(e.to_string()))?;
    match state.services.replace_dkim_key(actor, &made).await {
        Ok(()) => Ok(Redirect::to("/settings/dns?done=key").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut p = page(&state, &viewer, false).await?;
            p.error = errors.summary();
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
