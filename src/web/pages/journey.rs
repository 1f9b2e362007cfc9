//! The letter's journey on its page (forward, propose, endorse, acknowledge, send back) and the
//! personal and group boxes (หนังสือถึงฉัน).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::inbox::LetterBox;
use crate::domain::journey::{Decision, distributes_everything, may_endorse};
use crate::domain::thai_date;
use crate::domain::user::Role;
use crate::service::ServiceError;
use crate::service::journey::TargetInput;
use crate::store::journey::Notify;
use crate::store::letters::Letter;
use crate::web::error::WebError;
use crate::web::forms::{CsrfForm, FormPairs};
use crate::web::layout::Nav;
use crate::web::views::Layout;
use crate::web::{AppState, Params};

/// What the letter page shows of the journey, and which forms the viewer gets.
pub async fn journey_view(
    state: &AppState,
    viewer: &Nav,
    letter: &Letter,
) -> Result<JourneyView, WebError> {
    let services = &state.services;
    let actor = &viewer.actor;
    // The letter page has already checked that the viewer may see this letter.
    let (assignments, endorsements) = services.journey_of(letter).await?;
    let groups_of_me = &viewer.groups;
    let mine = |a: &&crate::store::journey::Assignment| {
        a.to_user_id == Some(actor.user.id)
            || a.to_group_id
                .as_ref()
                .is_some_and(|g| groups_of_me.contains(g))
    };
    let given_to_me = assignments.iter().any(|a| mine(&a));
    let open = !letter.is_cancelled();
    let (people, groups) = services.distribution_targets(actor).await?;
    Ok(JourneyView {
        assignments: assignments.iter().map(AssignmentRow::from).collect(),
        endorsements: endorsements.iter().map(EndorsementRow::from).collect(),
        can_pass_on: open && (distributes_everything(actor.user.role) || given_to_me),
        can_endorse: open && may_endorse(actor.user.role),
        can_acknowledge: assignments
            .iter()
            .filter(mine)
            .any(|a| a.acknowledged_at.is_none()),
        can_mark_done: open
            && assignments.iter().filter(mine).any(|a| {
                a.done_at.is_none() && a.kind != crate::domain::journey::AssignmentKind::Return
            }),
        can_return: open
            && assignments
                .iter()
                .filter(mine)
                .any(|a| a.kind != crate::domain::journey::AssignmentKind::Return),
        executives: people
            .iter()
            .filter(|u| matches!(u.role, Role::Director | Role::Deputy))
            .map(|u| {
                (
                    u.username.clone(),
                    format!("{} ({})", u.display_name(), u.role.label()),
                )
            })
            .collect(),
        people: people
            .iter()
            .map(|u| {
                (
                    u.username.clone(),
                    format!("{} ({})", u.display_name(), u.role.label()),
                )
            })
            .collect(),
        groups: groups.into_iter().map(|g| (g.id, g.name)).collect(),
        decisions: Decision::ALL
            .iter()
            .map(|d| (d.code(), d.label()))
            .collect(),
        error: String::new(),
    })
}

/// Ticked users (`user`) and groups (`group`) of a journey form, in the order ticked; the names
/// differ per form (`assign_user`, `assign_group` when endorsing).
fn targets(posted: &FormPairs, user: &str, group: &str) -> Vec<TargetInput> {
    posted
        .0
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .filter_map(|(k, v)| {
            if k == user {
                Some(TargetInput {
                    user: Some(v.clone()),
                    group: None,
                })
            } else if k == group {
                Some(TargetInput {
                    user: None,
                    group: Some(v.clone()),
                })
            } else {
                None
            }
        })
        .collect()
}

/// Runs a step; on a form error the letter page comes back with the message (422).
async fn step<F, Fut>(
    state: &AppState,
    viewer: &Nav,
    id: i64,
    posted: FormPairs,
    done: &str,
    run: F,
) -> Result<Response, WebError>
where
    F: FnOnce(FormPairs) -> Fut,
    Fut: std::future::Future<Output = Result<(), ServiceError>>,
{
    match run(posted).await {
        Ok(()) => Ok(Redirect::to(&format!("/letters/{id}?done={done}")).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let letter = state.services.letter(&viewer.actor, id).await?;
            let mut page = super::letters::page_for(state, viewer, letter).await?;
            page.journey.error = errors.summary();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn forward(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let (services, actor) = (&state.services, &viewer.actor);
    step(&state, &viewer, id, posted, "forwarded", |p| async move {
        services
            .forward(
                actor,
                id,
                &targets(&p, "user", "group"),
                &p.one("note"),
                &p.one("due_date"),
            )
            .await
            .map(|_| ())
    })
    .await
}

pub async fn propose(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let (services, actor) = (&state.services, &viewer.actor);
    step(&state, &viewer, id, posted, "proposed", |p| async move {
        services
            .propose(actor, id, &p.one("to"), &p.one("summary"))
            .await
            .map(|_| ())
    })
    .await
}

pub async fn endorse(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let (services, actor) = (&state.services, &viewer.actor);
    step(&state, &viewer, id, posted, "endorsed", |p| async move {
        services
            .endorse(
                actor,
                id,
                &p.one("decision"),
                &p.one("text"),
                &targets(&p, "assign_user", "assign_group"),
                &p.one("acting_as"),
            )
            .await
            .map(|_| ())
    })
    .await
}

pub async fn acknowledge(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let (services, actor) = (&state.services, &viewer.actor);
    step(
        &state,
        &viewer,
        id,
        posted,
        "acknowledged",
        |_| async move { services.acknowledge(actor, id).await.map(|_| ()) },
    )
    .await
}

/// ดำเนินการแล้ว, with an optional note.
pub async fn done(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let (services, actor) = (&state.services, &viewer.actor);
    step(
        &state,
        &viewer,
        id,
        posted,
        "done_step",
        |posted| async move {
            services
                .mark_done(actor, id, &posted.one("done_note"))
                .await
                .map(|_| ())
        },
    )
    .await
}

pub async fn return_letter(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let (services, actor) = (&state.services, &viewer.actor);
    step(&state, &viewer, id, posted, "returned", |p| async move {
        services
            .return_letter(actor, id, &p.one("note"))
            .await
            .map(|_| ())
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoxQuery {
    #[serde(rename = "box")]
    box_: String,
    saved: String,
}

async fn box_page(state: &AppState, viewer: &Nav, which: LetterBox) -> Result<MyBoxPage, WebError> {
    let personal = which != LetterBox::Group;
    let items = state.services.letter_box(&viewer.actor, which).await?;
    let layout = Layout::new(viewer, "my", "หนังสือถึงฉัน");
    let (notify_email, notify_mode) = match state.services.my_notifications(&viewer.actor).await? {
        Some((email, mode)) => (email, mode.code().to_string()),
        None => (String::new(), Notify::Each.code().to_string()),
    };
    Ok(MyBoxPage {
        layout,
        personal,
        items: items.iter().map(BoxRow::from).collect(),
        notify_email,
        notify_mode,
        notify_error: String::new(),
        flash: String::new(),
    })
}

/// `GET /my?box=personal|group`
pub async fn my_box(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<BoxQuery>,
) -> Result<MyBoxPage, WebError> {
    let mut page = box_page(&state, &viewer, LetterBox::from_query(&q.box_)).await?;
    if q.saved == "1" {
        page.flash = "บันทึกการแจ้งเตือนทางอีเมลแล้ว".into();
    }
    Ok(page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NotifyForm {
    email: String,
    notify: String,
}

/// `POST /my/notifications`: my address for e-mail when a letter is given to me.
pub async fn set_notifications(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<NotifyForm, Nav>,
) -> Result<Response, WebError> {
    match state
        .services
        .set_notifications(&viewer.actor, &form.email, &form.notify)
        .await
    {
        Ok(()) => Ok(Redirect::to("/my?saved=1").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = box_page(&state, &viewer, LetterBox::Personal).await?;
            page.notify_error = errors.summary();
            page.notify_email = form.email;
            page.notify_mode = form.notify;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The letter's journey on its page: who had it, the endorsements, and what the viewer may do.
#[derive(Default)]
pub struct JourneyView {
    pub assignments: Vec<AssignmentRow>,
    pub endorsements: Vec<EndorsementRow>,
    /// The viewer may give the letter on (forward, propose).
    pub can_pass_on: bool,
    pub can_endorse: bool,
    /// Something given to the viewer (or their group) waits for their รับทราบ.
    pub can_acknowledge: bool,
    /// Work given to the viewer (or their group) is not marked ดำเนินการแล้ว yet.
    pub can_mark_done: bool,
    /// The viewer was given this letter and may send it back.
    pub can_return: bool,
    /// `(user name, display name and role)` of the office's people.
    pub people: Vec<(String, String)>,
    /// `(user name, display name)` of the director and deputies.
    pub executives: Vec<(String, String)>,
    /// `(group id, name)`
    pub groups: Vec<(String, String)>,
    /// `(code, Thai word)`
    pub decisions: Vec<(&'static str, &'static str)>,
    pub error: String,
}

pub struct AssignmentRow {
    pub kind: &'static str,
    pub from: String,
    pub to: String,
    pub at: String,
    pub note: String,
    pub due: String,
    pub overdue: bool,
    pub acknowledged: String,
    /// ดำเนินการแล้ว: who, when, and the note.
    pub done: String,
}

impl From<&crate::store::journey::Assignment> for AssignmentRow {
    fn from(a: &crate::store::journey::Assignment) -> Self {
        AssignmentRow {
            kind: a.kind.label(),
            from: a.from_name.clone(),
            to: a.to_name.clone(),
            at: thai_date::format_datetime(a.created_at),
            note: a.note.clone(),
            due: a.due_date.map(thai_date::format_short).unwrap_or_default(),
            overdue: crate::domain::journey::is_overdue(
                a.due_date,
                a.done_at.is_some(),
                chrono::Utc::now(),
            ),
            done: match (&a.done_at, &a.done_by) {
                (Some(at), by) => {
                    let note = a
                        .done_note
                        .as_deref()
                        .filter(|n| !n.is_empty())
                        .map(|n| format!(" “{n}”"))
                        .unwrap_or_default();
                    format!(
                        "{} {}{note}",
                        by.clone().unwrap_or_default(),
                        thai_date::format_datetime(*at)
                    )
                }
                _ => String::new(),
            },
            acknowledged: match (&a.acknowledged_at, &a.acknowledged_by) {
                (Some(at), Some(by)) => format!("{by} {}", thai_date::format_datetime(*at)),
                (Some(at), None) => thai_date::format_datetime(*at),
                _ => String::new(),
            },
        }
    }
}

pub struct EndorsementRow {
    pub by: String,
    pub decision: &'static str,
    pub text: String,
    pub acting_as: &'static str,
    pub at: String,
}

impl From<&crate::store::journey::Endorsement> for EndorsementRow {
    fn from(e: &crate::store::journey::Endorsement) -> Self {
        EndorsementRow {
            by: e.user_name.clone(),
            decision: e.decision.label(),
            text: e.text.clone(),
            acting_as: e.acting_as.label(),
            at: thai_date::format_datetime(e.created_at),
        }
    }
}

/// หนังสือถึงฉัน: the personal and group boxes.
#[derive(Template, WebTemplate)]
#[template(path = "my_box.html")]
pub struct MyBoxPage {
    pub layout: Layout,
    pub personal: bool,
    pub items: Vec<BoxRow>,
    /// My notification address and mode (each, daily, off).
    pub notify_email: String,
    pub notify_mode: String,
    pub notify_error: String,
    pub flash: String,
}

pub struct BoxRow {
    pub letter_id: i64,
    pub number: String,
    pub doc_no: String,
    pub subject: String,
    pub sender: String,
    pub kind: &'static str,
    pub from: String,
    pub note: String,
    pub at: String,
    pub due: String,
    pub overdue: bool,
    pub acknowledged: bool,
    pub speed_label: &'static str,
    pub urgent: bool,
    pub speed_code: &'static str,
    pub secrecy_label: &'static str,
    pub secret: bool,
}

impl From<&crate::store::journey::BoxItem> for BoxRow {
    fn from(b: &crate::store::journey::BoxItem) -> Self {
        let a = AssignmentRow::from(&b.assignment);
        let register = crate::domain::register::Register::parse(&b.register);
        BoxRow {
            letter_id: b.assignment.letter_id,
            number: format!(
                "{} {}/{}",
                register.map(|r| r.number_label()).unwrap_or(""),
                b.number,
                b.year_be
            ),
            doc_no: b.doc_no.clone(),
            subject: b.subject.clone(),
            sender: b.sender.clone(),
            kind: a.kind,
            from: a.from,
            note: a.note,
            at: a.at,
            due: a.due,
            overdue: a.overdue,
            acknowledged: b.assignment.acknowledged_at.is_some(),
            speed_label: b.speed.label(),
            urgent: b.speed.is_urgent(),
            speed_code: b.speed.code(),
            secrecy_label: b.secrecy.label(),
            secret: b.secrecy.is_secret(),
        }
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct FollowUpQuery {
    status: String,
}

/// ติดตามงาน: what was given and not acknowledged, what is overdue, what was given to nobody.
pub async fn follow_up(
    State(state): State<AppState>,
    viewer: Nav,
    axum::extract::Query(q): axum::extract::Query<FollowUpQuery>,
) -> Result<FollowUpPage, WebError> {
    use crate::domain::codes::Coded;
    use crate::domain::journey::FollowUp;
    let which = FollowUp::from_code(&q.status).unwrap_or(FollowUp::Unacknowledged);
    let items = state.services.follow_up(&viewer.actor, which).await?;
    let groups = state.services.group_follow_up_counts(&viewer.actor).await?;
    let now = chrono::Utc::now();
    Ok(FollowUpPage {
        layout: Layout::new(&viewer, "follow-up", "ติดตามงาน"),
        status: which.code(),
        tabs: FollowUp::ALL
            .iter()
            .map(|f| (f.code(), f.label()))
            .collect(),
        rows: items
            .iter()
            .map(|i| {
                let register = crate::domain::register::Register::parse(&i.register);
                FollowUpRow {
                    letter_id: i.letter_id,
                    number: format!(
                        "{} {}/{}",
                        register.map(|r| r.number_label()).unwrap_or(""),
                        i.number,
                        i.year_be
                    ),
                    doc_no: i.doc_no.clone(),
                    subject: i.subject.clone(),
                    speed: i.speed.label(),
                    speed_code: i.speed.code(),
                    urgent: i.speed.is_urgent(),
                    secrecy: i.secrecy.label(),
                    secret: i.secrecy.is_secret(),
                    to: i
                        .assignment
                        .as_ref()
                        .map(|a| a.to_name.clone())
                        .unwrap_or_default(),
                    given: i
                        .assignment
                        .as_ref()
                        .map(|a| thai_date::format_datetime(a.created_at))
                        .unwrap_or_else(|| thai_date::format_datetime(i.registered_at)),
                    due: i
                        .assignment
                        .as_ref()
                        .and_then(|a| a.due_date)
                        .map(thai_date::format_short)
                        .unwrap_or_default(),
                    overdue: i.assignment.as_ref().is_some_and(|a| {
                        crate::domain::journey::is_overdue(a.due_date, a.done_at.is_some(), now)
                    }),
                }
            })
            .collect(),
        groups,
    })
}

pub struct FollowUpRow {
    pub letter_id: i64,
    pub number: String,
    pub doc_no: String,
    pub subject: String,
    pub speed: &'static str,
    pub speed_code: &'static str,
    pub urgent: bool,
    pub secrecy: &'static str,
    pub secret: bool,
    pub to: String,
    pub given: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "follow_up.html")]
pub struct FollowUpPage {
    pub layout: Layout,
    pub status: &'static str,
    pub tabs: Vec<(&'static str, &'static str)>,
    pub rows: Vec<FollowUpRow>,
    pub groups: Vec<crate::store::follow_up::GroupCounts>,
}
