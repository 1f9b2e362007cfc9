//! ตั้งค่าระบบ: the office's prefix and circular numbering, calendar years, starting numbers, and
//! the officers (กำหนดเจ้าหน้าที่).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::letter::FieldErrors;
use crate::domain::register::{CircularNumbering, Register, Series};
use crate::domain::retention::{Counting, RetentionClass};
use crate::domain::user::Role;
use crate::service::records::RetentionRuleInput;
use crate::service::{NewUserInput, OfficeSettingsInput, ServiceError, settings_year};
use crate::store::users::User;
use crate::web::error::WebError;
use crate::web::forms::CsrfForm;
use crate::web::layout::Nav;
use crate::web::views::{Choice, Layout};
use crate::web::{AppState, Params};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsQuery {
    year: String,
    done: String,
}

fn flash_for(done: &str) -> String {
    match done {
        "office" => "บันทึกข้อมูลหน่วยงานเรียบร้อย",
        "year" => "เพิ่มปีปฏิทินเรียบร้อย",
        "active" => "เปลี่ยนปีที่เปิดใช้งานเรียบร้อย",
        "counter" => "ตั้งเลขเริ่มต้นเรียบร้อย",
        "stamp" => "บันทึกรูปแบบตรารับเรียบร้อย หนังสือที่เปิดดูต่อจากนี้จะใช้ตรารับแบบใหม่",
        "retention" => "บันทึกอายุการเก็บเรียบร้อย หนังสือที่ลงทะเบียนต่อจากนี้จะใช้ค่าใหม่",
        "user" => "เพิ่มเจ้าหน้าที่เรียบร้อย",
        "user-active" => "เปลี่ยนสถานะบัญชีเรียบร้อย",
        "user-edit" => "บันทึกข้อมูลเจ้าหน้าที่เรียบร้อย",
        "user-password" => "ตั้งรหัสผ่านใหม่เรียบร้อย ผู้ใช้ถูกออกจากระบบทุกเครื่องแล้ว",
        _ => "",
    }
    .to_string()
}

async fn settings_page(
    state: &AppState,
    viewer: &Nav,
    selected_year: Option<i32>,
    office_input: Option<OfficeSettingsInput>,
    errors: FieldErrors,
    flash: String,
) -> Result<SettingsPage, WebError> {
    let actor = &viewer.actor;
    if !actor.user.role.can_manage_settings() {
        return Err(WebError::Forbidden("ท่านไม่มีสิทธิ์ตั้งค่าระบบ".into()));
    }
    let office = &actor.office;
    let selected_year = selected_year.unwrap_or_else(|| settings_year(office));
    let mut years = state.services.years(actor).await?;
    if !years.contains(&selected_year) {
        years.push(selected_year);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    let states = state.services.series_states(actor, selected_year).await?;
    let (counting, rules) = state.services.retention_settings(actor).await?;
    let retention_rows = retention_rows(&rules);
    let type_rules = rules
        .iter()
        .filter(|(_, t, _)| t.is_some())
        .map(|(r, t, ret)| {
            format!(
                "{} · {} → {}",
                r.map(|r| r.label()).unwrap_or("ทุกทะเบียน"),
                t.as_deref()
                    .and_then(crate::domain::letter::LetterType::parse)
                    .map(|t| t.label())
                    .unwrap_or(""),
                ret.label()
            )
        })
        .collect();
    // Only admins see the file alarms (a deputy who manages settings does not run storage).
    let (file_alarm_count, file_alarms) =
        state.services.file_alarms(actor).await.unwrap_or_default();
    Ok(SettingsPage {
        file_alarm_count,
        file_alarms: file_alarms
            .into_iter()
            .map(|a| {
                (
                    a.sha256,
                    a.named_in,
                    a.problem,
                    crate::domain::thai_date::format_datetime(a.found_at),
                )
            })
            .collect(),
        retention_countings: <Counting as crate::domain::codes::Coded>::ALL
            .iter()
            .map(|c| (c.code(), c.label(), *c == counting))
            .collect(),
        retention_rows,
        type_rules,
        layout: Layout::new(viewer, "settings", "ตั้งค่าระบบ"),
        auto_register: office.auto_register,
        stamp_corners: <crate::domain::stamp::StampCorner as crate::domain::codes::Coded>::ALL
            .iter()
            .map(|c| (c.code(), c.label(), *c == office.stamp.corner))
            .collect(),
        stamp_font_size: office.stamp.font_size,
        stamp_filled: office.stamp.filled,
        office: office_input.unwrap_or_else(|| OfficeSettingsInput {
            name: office.name.clone(),
            prefix: office.prefix.clone(),
            email: office.email.clone().unwrap_or_default(),
            circular_numbering: office.circular_numbering.code().into(),
        }),
        errors,
        years,
        active_year: office.active_year_be,
        selected_year,
        counters: SettingsPage::counter_rows(
            &states,
            office.circular_numbering == CircularNumbering::Separate,
        ),
        flash,
    })
}

fn year_of(text: &str) -> Option<i32> {
    crate::domain::numbering::parse_year_be(text).ok()
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<SettingsQuery>,
) -> Result<SettingsPage, WebError> {
    settings_page(
        &state,
        &viewer,
        year_of(&q.year),
        None,
        FieldErrors::default(),
        flash_for(&q.done),
    )
    .await
}

/// Answers a settings form: back to the page on success, the page with the error otherwise.
async fn after<T>(
    state: &AppState,
    viewer: &Nav,
    year: Option<i32>,
    result: Result<T, ServiceError>,
    done: &str,
    office_input: Option<OfficeSettingsInput>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => {
            let year = year.map(|y| format!("&year={y}")).unwrap_or_default();
            Ok(Redirect::to(&format!("/settings?done={done}{year}")).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let page =
                settings_page(state, viewer, year, office_input, errors, String::new()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(ServiceError::Conflict(message)) => {
            // The office form's only conflict is the circular series; the counters' is a start.
            let field = match done {
                "office" => "circular_numbering",
                _ => "start_number",
            };
            let mut errors = FieldErrors::default();
            errors.add(field, message);
            let page =
                settings_page(state, viewer, year, office_input, errors, String::new()).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OfficeForm {
    auto_register: String,
    #[serde(flatten)]
    input: OfficeSettingsInput,
}

pub async fn office(
    State(state): State<AppState>,
    CsrfForm(mut viewer, form): CsrfForm<OfficeForm, Nav>,
) -> Result<Response, WebError> {
    let result = state
        .services
        .update_office(&viewer.actor, &form.input)
        .await;
    if let Ok(office) = &result {
        viewer.viewer.actor.office = office.clone();
    }
    after(&state, &viewer, None, result, "office", Some(form.input)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StampForm {
    stamp_corner: String,
    stamp_font_size: String,
    stamp_filled: String,
}

/// ตรารับหนังสือ: where the stamp sits, its size, and whether its box is filled.
pub async fn stamp(
    State(state): State<AppState>,
    CsrfForm(mut viewer, form): CsrfForm<StampForm, Nav>,
) -> Result<Response, WebError> {
    let result = state
        .services
        .set_stamp_settings(
            &viewer.actor,
            Some(&form.stamp_corner),
            Some(&form.stamp_font_size),
            Some(crate::domain::letter::is_yes(&form.stamp_filled)),
        )
        .await;
    if let Ok(stamp) = &result {
        viewer.viewer.actor.office.stamp = *stamp;
    }
    after(&state, &viewer, None, result, "stamp", None).await
}

/// One register's default retention on the settings page (`register` empty: all registers).
pub struct RetentionRow {
    pub register: &'static str,
    pub label: &'static str,
    /// `(class code or "" for none, label, chosen)`
    pub options: Vec<(&'static str, &'static str, bool)>,
    pub years: String,
}

fn retention_rows(rules: &[crate::domain::retention::RetentionRule]) -> Vec<RetentionRow> {
    let registers: Vec<(Option<Register>, &'static str, &'static str)> =
        std::iter::once((None, "", "ทุกทะเบียน"))
            .chain(
                Register::ALL
                    .iter()
                    .map(|r| (Some(*r), r.code(), r.label())),
            )
            .collect();
    registers
        .into_iter()
        .map(|(register, code, label)| {
            let rule = rules
                .iter()
                .find(|(r, t, _)| *r == register && t.is_none())
                .map(|(_, _, ret)| *ret);
            let mut options = vec![("", "ไม่กำหนด (ใช้ค่าทั่วไป)", rule.is_none())];
            options.extend(
                <RetentionClass as crate::domain::codes::Coded>::ALL
                    .iter()
                    .map(|c| (c.code(), c.label(), rule.is_some_and(|r| r.class == *c))),
            );
            RetentionRow {
                register: code,
                label,
                options,
                years: rule
                    .and_then(|r| r.years)
                    .map(|y| y.to_string())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// อายุการเก็บ: how "เก็บถึง" is counted and the default of each register. Defaults for a
/// letter type (set through the API) are kept as they are.
pub async fn retention(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<crate::web::forms::FormPairs, Nav>,
) -> Result<Response, WebError> {
    let value = |key: &str| form.one(key);
    let (_, existing) = state.services.retention_settings(&viewer.actor).await?;
    let mut rules: Vec<RetentionRuleInput> = existing
        .iter()
        .filter(|(_, t, _)| t.is_some())
        .map(|(r, t, ret)| RetentionRuleInput {
            register: r.map(|r| r.code().to_string()).unwrap_or_default(),
            letter_type: t.clone().unwrap_or_default(),
            class: ret.class.code().to_string(),
            years: ret.years,
        })
        .collect();
    for register in std::iter::once("").chain(Register::ALL.iter().map(|r| r.code())) {
        let class = value(&format!("class_{register}"));
        if class.is_empty() {
            continue;
        }
        let years = crate::domain::digits::to_arabic(&value(&format!("years_{register}")))
            .trim()
            .parse()
            .ok();
        rules.push(RetentionRuleInput {
            register: register.to_string(),
            letter_type: String::new(),
            class,
            years,
        });
    }
    let counting = value("retention_counting");
    let result = state
        .services
        .set_retention_settings(&viewer.actor, Some(&counting), Some(&rules))
        .await;
    after(&state, &viewer, None, result, "retention", None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearForm {
    year_be: String,
}

pub async fn add_year(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<YearForm, Nav>,
) -> Result<Response, WebError> {
    let result = state.services.add_year(&viewer.actor, &form.year_be).await;
    let year = result.as_ref().ok().copied();
    after(&state, &viewer, year, result, "year", None).await
}

pub async fn active_year(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<YearForm, Nav>,
) -> Result<Response, WebError> {
    let result = state
        .services
        .set_active_year(&viewer.actor, &form.year_be)
        .await;
    after(&state, &viewer, None, result, "active", None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CounterForm {
    series: String,
    year_be: String,
    start_number: String,
}

pub async fn counter(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<CounterForm, Nav>,
) -> Result<Response, WebError> {
    let series =
        Series::parse(&form.series).ok_or_else(|| WebError::BadRequest("ไม่รู้จักชุดเลขนี้".into()))?;
    let year =
        year_of(&form.year_be).ok_or_else(|| WebError::BadRequest("ปี พ.ศ. ไม่ถูกต้อง".into()))?;
    let result = state
        .services
        .set_start_number(&viewer.actor, series, year, &form.start_number)
        .await;
    after(&state, &viewer, Some(year), result, "counter", None).await
}

pub(crate) async fn users_page(
    state: &AppState,
    viewer: &Nav,
    input: NewUserInput,
    errors: FieldErrors,
    flash: String,
) -> Result<UsersPage, WebError> {
    let users = state.services.users(&viewer.actor).await?;
    let mut rows = UsersPage::rows(&users, viewer);
    for (row, user) in rows.iter_mut().zip(&users) {
        row.email = state.services.officer_email(user.id).await?;
        row.roles = UsersPage::role_choices(viewer, user.role.code());
    }
    let role = if input.role.is_empty() {
        "staff".to_string()
    } else {
        input.role.clone()
    };
    Ok(UsersPage {
        layout: Layout::new(viewer, "users", "กำหนดเจ้าหน้าที่"),
        users: rows,
        can_reset: viewer.actor.user.role == Role::Admin,
        row_errors: (0, FieldErrors::default()),
        roles: UsersPage::role_choices(viewer, &role),
        input: NewUserInput {
            password: Default::default(),
            ..input
        },
        errors,
        flash,
    })
}

pub async fn users(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<SettingsQuery>,
) -> Result<UsersPage, WebError> {
    users_page(
        &state,
        &viewer,
        NewUserInput::default(),
        FieldErrors::default(),
        flash_for(&q.done),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserForm {
    #[serde(flatten)]
    input: NewUserInput,
}

pub async fn add_user(
    State(state): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<UserForm, Nav>,
) -> Result<Response, WebError> {
    match state.services.add_user(&viewer.actor, &form.input).await {
        Ok(_) => Ok(Redirect::to("/settings/users?done=user").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            let page = users_page(&state, &viewer, form.input, errors, String::new()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    active: String,
}

pub async fn user_active(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<ActiveForm, Nav>,
) -> Result<Response, WebError> {
    state
        .services
        .set_user_active(&viewer.actor, id, form.active == "1")
        .await?;
    Ok(Redirect::to("/settings/users?done=user-active").into_response())
}

pub struct CounterRow {
    pub series: &'static str,
    pub label: &'static str,
    pub start: i64,
    pub next: i64,
    pub issued: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub layout: Layout,
    /// Files missing or damaged in the file store (admins only): how many, and the latest as
    /// (sha256, where named, problem, when found).
    pub file_alarm_count: i64,
    pub file_alarms: Vec<(String, String, String, String)>,
    /// How "เก็บถึง" is counted: `(code, label, chosen)`.
    pub retention_countings: Vec<(&'static str, &'static str, bool)>,
    /// The default retention of all registers, then of each.
    pub retention_rows: Vec<RetentionRow>,
    /// Defaults for a letter type (set through the API), one line each.
    pub type_rules: Vec<String>,
    pub auto_register: bool,
    /// `(code, Thai label, chosen)`
    pub stamp_corners: Vec<(&'static str, &'static str, bool)>,
    pub stamp_font_size: u8,
    pub stamp_filled: bool,
    pub office: OfficeSettingsInput,
    pub errors: FieldErrors,
    pub years: Vec<i32>,
    pub active_year: Option<i32>,
    pub selected_year: i32,
    pub counters: Vec<CounterRow>,
    pub flash: String,
}

impl SettingsPage {
    pub fn is_active(&self, year: &i32) -> bool {
        self.active_year == Some(*year)
    }

    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }

    pub fn counter_rows(
        states: &[crate::store::settings::SeriesState],
        circular_separate: bool,
    ) -> Vec<CounterRow> {
        states
            .iter()
            .filter(|s| circular_separate || s.series != Series::Circular)
            .map(|s| CounterRow {
                series: s.series.code(),
                label: s.series.label(),
                start: s.counter.start(),
                next: s.counter.next(),
                issued: s.counter.issued(),
            })
            .collect()
    }
}

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: &'static str,
    pub active: bool,
    pub manageable: bool,
    pub is_self: bool,
    /// Notification e-mail.
    pub email: String,
    /// The roles the viewer may give this officer, the current one selected.
    pub roles: Vec<Choice>,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub users: Vec<UserRow>,
    /// Only an administrator sets another officer's password.
    pub can_reset: bool,
    /// The officer whose edit or reset failed, and the messages.
    pub row_errors: (i64, FieldErrors),
    pub input: NewUserInput,
    pub errors: FieldErrors,
    pub roles: Vec<Choice>,
    pub flash: String,
}

impl UsersPage {
    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }

    /// The error of `field` on officer `id`'s row, or "".
    pub fn row_error(&self, id: &i64, field: &str) -> String {
        if self.row_errors.0 == *id {
            self.row_errors.1.get(field).unwrap_or("").to_string()
        } else {
            String::new()
        }
    }

    pub fn rows(users: &[User], viewer: &Nav) -> Vec<UserRow> {
        users
            .iter()
            .map(|u| UserRow {
                id: u.id,
                username: u.username.clone(),
                full_name: u.full_name.clone(),
                role: u.role.label(),
                active: u.active,
                manageable: viewer.actor.user.role.can_grant(u.role)
                    && u.id != viewer.actor.user.id,
                is_self: u.id == viewer.actor.user.id,
                email: String::new(),
                roles: Vec::new(),
            })
            .collect()
    }

    pub fn role_choices(viewer: &Nav, current: &str) -> Vec<Choice> {
        Role::ALL
            .iter()
            .filter(|r| viewer.actor.user.role.can_grant(**r))
            .map(|r| {
                (
                    r.code().to_string(),
                    r.label().to_string(),
                    r.code() == current,
                )
            })
            .collect()
    }
}
