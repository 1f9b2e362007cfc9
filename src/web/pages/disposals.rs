//! การทำลายหนังสือ: the destruction lists, and one list with the form for its next step (each
//! step for whom the regulation gives it). Every step is the same use case as the API's.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::disposal::{Decision, DisposalState};
use crate::domain::thai_date;
use crate::service::disposals::ReviewInput;
use crate::web::error::WebError;
use crate::web::forms::{CsrfForm, FormPairs};
use crate::web::layout::Nav;
use crate::web::views::Layout;
use crate::web::{AppState, Params};

pub struct ListLine {
    pub id: i64,
    pub year_be: i32,
    pub state: &'static str,
    pub items: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "disposals.html")]
pub struct DisposalsPage {
    pub layout: Layout,
    pub lists: Vec<ListLine>,
    pub last_year: i32,
    /// The head may order the destruction of electronic letters kept over 10 years.
    pub can_order: bool,
}

pub async fn list(State(state): State<AppState>, viewer: Nav) -> Result<DisposalsPage, WebError> {
    let lists = state
        .services
        .disposals(&viewer.actor)
        .await?
        .into_iter()
        .map(|d| ListLine {
            id: d.id,
            year_be: d.year_be,
            state: d.state.label(),
            items: d.item_count,
        })
        .collect();
    Ok(DisposalsPage {
        layout: Layout::new(&viewer, "records", "การทำลายหนังสือ"),
        lists,
        last_year: crate::service::current_year(&viewer.actor.office) - 1,
        can_order: matches!(
            viewer.actor.user.role,
            crate::domain::user::Role::Director | crate::domain::user::Role::Admin
        ),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SurveyForm {
    year_be: String,
    over_ten_years: String,
    limit: String,
}

pub async fn survey(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<SurveyForm, Nav>,
) -> Result<Response, WebError> {
    let d = if crate::domain::letter::is_yes(&form.over_ten_years) {
        let limit = crate::domain::digits::to_arabic(&form.limit)
            .trim()
            .parse()
            .ok();
        state
            .services
            .order_over_ten_years(&viewer.actor, limit)
            .await?
    } else {
        let year = crate::domain::numbering::parse_year_be(&form.year_be)
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        state.services.survey(&viewer.actor, year).await?
    };
    Ok(Redirect::to(&format!("/disposals/{}", d.id)).into_response())
}

pub struct ItemLine {
    pub item_no: i64,
    pub letter_id: i64,
    pub number: String,
    pub doc_no: String,
    pub subject: String,
    pub decision: &'static str,
    pub decision_label: &'static str,
    pub keep_until: String,
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "disposal.html")]
pub struct DisposalPage {
    pub layout: Layout,
    pub id: i64,
    pub year_be: i32,
    pub state: &'static str,
    pub state_label: &'static str,
    pub members: Vec<(String, bool, String)>,
    pub items: Vec<ItemLine>,
    /// What this viewer may do now.
    pub can_appoint: bool,
    pub is_member: bool,
    pub is_chair: bool,
    pub can_approve: bool,
    pub can_desk: bool,
    pub freed: String,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Nav,
    Params(id): Params<i64>,
) -> Result<DisposalPage, WebError> {
    let d = state.services.disposal(&viewer.actor, id).await?;
    let me = viewer.actor.user.id;
    let role = viewer.actor.user.role;
    let head = matches!(
        role,
        crate::domain::user::Role::Director | crate::domain::user::Role::Admin
    );
    let member = d.members.iter().find(|m| m.user_id == me);
    Ok(DisposalPage {
        layout: Layout::new(&viewer, "records", "บัญชีหนังสือขอทำลาย"),
        id: d.id,
        year_be: d.year_be,
        state: d.state.code(),
        state_label: d.state.label(),
        members: d
            .members
            .iter()
            .map(|m| {
                (
                    m.name.clone(),
                    m.is_chair,
                    m.confirmed_at
                        .map(|t| format!("ยืนยันแล้ว {}", thai_date::format_datetime(t)))
                        .unwrap_or_else(|| "ยังไม่ยืนยัน".into()),
                )
            })
            .collect(),
        items: d
            .items
            .iter()
            .map(|i| ItemLine {
                item_no: i.item_no,
                letter_id: i.letter_id,
                number: format!("{}/{}", i.number, i.letter_year_be),
                doc_no: i.doc_no.clone(),
                subject: i.subject.clone(),
                decision: i.decision.code(),
                decision_label: i.decision.label(),
                keep_until: i.keep_until_be.map(|y| y.to_string()).unwrap_or_default(),
                note: i
                    .destroyed_note
                    .clone()
                    .or_else(|| i.archives_keep.then(|| "กรมศิลปากรขอเก็บ".into()))
                    .unwrap_or_default(),
            })
            .collect(),
        can_appoint: head && matches!(d.state, DisposalState::Draft | DisposalState::Committee),
        is_member: member.is_some() && d.state == DisposalState::Committee,
        is_chair: member.is_some_and(|m| m.is_chair) && d.state == DisposalState::Committee,
        can_approve: head && d.state == DisposalState::Submitted,
        can_desk: role.can_cancel(),
        freed: if d.state == DisposalState::Destroyed {
            format!(
                "ลบไฟล์ {} ไฟล์ คืนพื้นที่ {:.1} MB",
                d.files_removed,
                d.bytes_freed as f64 / 1_048_576.0
            )
        } else {
            String::new()
        },
    })
}

/// Every step's form posts here with `step`; the answer goes back to the list.
pub async fn step(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let s = &state.services;
    let a = &viewer.actor;
    match form.one("step").as_str() {
        "committee" => {
            let members: Vec<String> = form
                .one("members")
                .split([',', ' '])
                .filter(|m| !m.trim().is_empty())
                .map(str::to_string)
                .collect();
            s.appoint_committee(a, id, &form.one("chair"), &members)
                .await?;
        }
        "review" => {
            let d = s.disposal(a, id).await?;
            let items: Vec<ReviewInput> = d
                .items
                .iter()
                .map(|i| ReviewInput {
                    letter_id: i.letter_id,
                    decision: form.one(&format!("decision_{}", i.letter_id)),
                    keep_until_be: crate::domain::digits::to_arabic(
                        &form.one(&format!("keep_{}", i.letter_id)),
                    )
                    .trim()
                    .parse()
                    .ok(),
                })
                .filter(|r| {
                    Decision::from_code(&r.decision).is_some_and(|d| d != Decision::Pending)
                })
                .collect();
            s.review(a, id, &items).await?;
        }
        "confirm" => {
            s.confirm_review(a, id).await?;
        }
        "submit" => {
            s.submit_disposal(a, id).await?;
        }
        "approve" => {
            s.approve_disposal(a, id).await?;
        }
        "sent" => {
            s.disposal_sent(a, id, &form.one("sent_on")).await?;
        }
        "answer" => {
            let keep: Vec<i64> = form.all("keep").filter_map(|k| k.parse().ok()).collect();
            s.archives_answer(a, id, &keep).await?;
        }
        "destroy" => {
            s.destroy(a, id).await?;
        }
        _ => return Err(WebError::BadRequest("ไม่รู้จักขั้นตอนนี้".into())),
    }
    Ok(Redirect::to(&format!("/disposals/{id}")).into_response())
}

pub struct DueLine {
    pub letter_id: i64,
    pub number: String,
    pub doc_no: String,
    pub subject: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "handovers.html")]
pub struct HandoversPage {
    pub layout: Layout,
    pub year: i32,
    pub due: Vec<DueLine>,
    /// `(id, year, handed on)`
    pub lists: Vec<(i64, i32, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

/// ส่งมอบหนังสือครบ 20 ปี: the letters due this year (tick those the office keeps) and the lists
/// made so far.
pub async fn handovers(
    State(state): State<AppState>,
    viewer: Nav,
    axum::extract::Query(q): axum::extract::Query<YearQuery>,
) -> Result<HandoversPage, WebError> {
    let year = crate::domain::numbering::parse_year_be(&q.year)
        .unwrap_or_else(|_| crate::service::current_year(&viewer.actor.office));
    let ids = state.services.handover_due(&viewer.actor, year).await?;
    let mut due = Vec::new();
    for id in ids.iter().take(500) {
        let l = state.services.letter(&viewer.actor, *id).await?;
        due.push(DueLine {
            letter_id: l.id,
            number: format!("{}/{}", l.number, l.year_be),
            doc_no: l.doc_no,
            subject: l.subject,
        });
    }
    let lists = state
        .services
        .handovers(&viewer.actor)
        .await?
        .into_iter()
        .map(|(id, y, on)| (id, y, thai_date::format_short(on)))
        .collect();
    Ok(HandoversPage {
        layout: Layout::new(&viewer, "records", "ส่งมอบหนังสือครบ 20 ปี"),
        year,
        due,
        lists,
    })
}

pub async fn make_handover(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let year = crate::domain::numbering::parse_year_be(&form.one("year_be"))
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let keep: Vec<i64> = form.all("keep").filter_map(|k| k.parse().ok()).collect();
    state
        .services
        .make_handover(&viewer.actor, year, &keep)
        .await?;
    Ok(Redirect::to(&format!("/handovers?year={year}")).into_response())
}
