//! หน้าหลัก: counts per register for the year and the latest entries.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::service::current_year;
use crate::store::letters::LetterQuery;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::layout::Nav;
use crate::web::views::{Layout, LetterRow};

pub async fn show(State(state): State<AppState>, viewer: Nav) -> Result<DashboardPage, WebError> {
    let services = &state.services;
    let actor = &viewer.actor;
    let year_be = current_year(&actor.office);
    let counts = services
        .dashboard(actor, year_be)
        .await?
        .into_iter()
        .map(|(register, count, cancelled)| CountRow {
            register: register.code(),
            label: register.label(),
            count,
            cancelled,
        })
        .collect();
    let (recent, _) = services
        .list_letters(
            actor,
            LetterQuery {
                year_be: Some(year_be),
                page: 1,
                per_page: 10,
                ..Default::default()
            },
        )
        .await?;
    // Read with the menu's badge (zero for those who do not read the inbox, who are not shown it).
    let (waiting, quarantined) = (viewer.inbox_waiting, viewer.quarantined);
    let groups = if crate::domain::journey::distributes_everything(actor.user.role) {
        services.group_follow_up_counts(actor).await?
    } else {
        Vec::new()
    };
    let layout = Layout::new(&viewer, "dashboard", "หน้าหลัก");
    // งานสิ้นปี: in the first weeks of the year, what the regulation asks of last year.
    let today = crate::domain::thai_date::to_bangkok(chrono::Utc::now()).date();
    let last_year = crate::domain::disposal::year_be_of(today) - 1;
    let year_end = (actor.user.role.can_cancel()
        && crate::domain::disposal::in_survey_window(
            last_year,
            today,
            state.services.records.survey_window_days,
        ))
    .then_some(last_year);
    Ok(DashboardPage {
        year_end,
        layout,
        waiting,
        quarantined,
        year_be,
        counts,
        recent: recent.iter().map(LetterRow::from).collect(),
        groups,
        can_register: actor
            .user
            .role
            .can_register(crate::domain::register::Register::Inbound),
    })
}

pub struct CountRow {
    pub register: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub cancelled: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub layout: Layout,
    /// งานสิ้นปี: the year that just ended, while its survey is due (January–February).
    pub year_end: Option<i32>,
    pub waiting: i64,
    pub quarantined: i64,
    pub year_be: i32,
    pub counts: Vec<CountRow>,
    /// Per work group: given and not acknowledged, overdue (for those who follow up).
    pub groups: Vec<crate::store::follow_up::GroupCounts>,
    pub recent: Vec<LetterRow>,
    pub can_register: bool,
}
