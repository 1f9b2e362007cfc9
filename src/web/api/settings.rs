//! Settings, calendar years, starting numbers and officers through the API.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{ApiJson, Writer};
use crate::domain::register::Series;
use crate::service::{NewUserInput, OfficeSettingsInput, settings_year};
use crate::store::offices::Office;
use crate::store::users::User;
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

#[derive(Serialize)]
pub struct OfficeJson {
    id: String,
    name: String,
    kind: &'static str,
    parent_id: Option<String>,
    prefix: String,
    email: Option<String>,
    circular_numbering: &'static str,
    active_year_be: Option<i32>,
    auto_register: bool,
    stamp: StampJson,
}

/// The receipt stamp's settings.
#[derive(Serialize)]
pub struct StampJson {
    corner: &'static str,
    font_size: u8,
    filled: bool,
}

impl From<&Office> for OfficeJson {
    fn from(o: &Office) -> Self {
        OfficeJson {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: o.kind.code(),
            parent_id: o.parent_id.clone(),
            prefix: o.prefix.clone(),
            email: o.email.clone(),
            circular_numbering: o.circular_numbering.code(),
            active_year_be: o.active_year_be,
            auto_register: o.auto_register,
            stamp: StampJson {
                corner: o.stamp.corner.code(),
                font_size: o.stamp.font_size,
                filled: o.stamp.filled,
            },
        }
    }
}

#[derive(Serialize)]
pub struct UserJson {
    id: i64,
    username: String,
    full_name: String,
    role: &'static str,
    active: bool,
    office_id: String,
}

impl From<&User> for UserJson {
    fn from(u: &User) -> Self {
        UserJson {
            id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            role: u.role.code(),
            active: u.active,
            office_id: u.office_id.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct MeJson {
    user: UserJson,
    office: OfficeJson,
    /// Letters given to me (or my groups) not yet acknowledged.
    unacknowledged: i64,
}

pub async fn me(State(state): State<AppState>, viewer: Viewer) -> Result<Json<MeJson>, WebError> {
    Ok(Json(MeJson {
        user: UserJson::from(&viewer.actor.user),
        office: OfficeJson::from(&viewer.actor.office),
        unacknowledged: state.services.unacknowledged(&viewer.actor).await?,
    }))
}

#[derive(Serialize)]
pub struct CounterJson {
    series: &'static str,
    start_number: i64,
    next_number: i64,
    issued: i64,
}

#[derive(Serialize)]
pub struct SettingsJson {
    office: OfficeJson,
    years: Vec<i32>,
    year_be: i32,
    counters: Vec<CounterJson>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    year_be: String,
}

async fn settings_json(
    state: &AppState,
    viewer: &Viewer,
    office: &Office,
    year: Option<i32>,
) -> Result<SettingsJson, WebError> {
    let year_be = year.unwrap_or_else(|| settings_year(office));
    let states = state.services.series_states(&viewer.actor, year_be).await?;
    Ok(SettingsJson {
        office: OfficeJson::from(office),
        years: state.services.years(&viewer.actor).await?,
        year_be,
        counters: states
            .iter()
            .map(|s| CounterJson {
                series: s.series.code(),
                start_number: s.counter.start(),
                next_number: s.counter.next(),
                issued: s.counter.issued(),
            })
            .collect(),
    })
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<YearQuery>,
) -> Result<Json<SettingsJson>, WebError> {
    let year = crate::domain::numbering::parse_year_be(&q.year_be).ok();
    let office = viewer.actor.office.clone();
    Ok(Json(settings_json(&state, &viewer, &office, year).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsPatch {
    name: Option<String>,
    prefix: Option<String>,
    email: Option<String>,
    circular_numbering: Option<String>,
    auto_register: Option<bool>,
    /// `top_right` (default), `top_left`, `bottom_right`, `bottom_left`.
    stamp_corner: Option<String>,
    /// 8–18 points.
    stamp_font_size: Option<serde_json::Value>,
    stamp_filled: Option<bool>,
}

pub async fn update(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(patch): ApiJson<SettingsPatch>,
) -> Result<Json<SettingsJson>, WebError> {
    let o = &viewer.actor.office;
    let input = OfficeSettingsInput {
        name: patch.name.unwrap_or_else(|| o.name.clone()),
        prefix: patch.prefix.unwrap_or_else(|| o.prefix.clone()),
        email: patch
            .email
            .unwrap_or_else(|| o.email.clone().unwrap_or_default()),
        circular_numbering: patch
            .circular_numbering
            .unwrap_or_else(|| o.circular_numbering.code().into()),
    };
    let mut office = state.services.update_office(&viewer.actor, &input).await?;
    if let Some(on) = patch.auto_register {
        state.services.set_auto_register(&viewer.actor, on).await?;
        office.auto_register = on;
    }
    if patch.stamp_corner.is_some()
        || patch.stamp_font_size.is_some()
        || patch.stamp_filled.is_some()
    {
        let size = year_text(&patch.stamp_font_size);
        office.stamp = state
            .services
            .set_stamp_settings(
                &viewer.actor,
                patch.stamp_corner.as_deref(),
                Some(size.as_str()),
                patch.stamp_filled,
            )
            .await?;
    }
    Ok(Json(settings_json(&state, &viewer, &office, None).await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearBody {
    year_be: Option<serde_json::Value>,
}

fn year_text(v: &Option<serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

pub async fn add_year(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(body): ApiJson<YearBody>,
) -> Result<Response, WebError> {
    let year = state
        .services
        .add_year(&viewer.actor, &year_text(&body.year_be))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"year_be": year})),
    )
        .into_response())
}

/// `{"year_be": 2567}` opens the registers on that year; `{"year_be": null}` follows the calendar.
pub async fn active_year(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(body): ApiJson<YearBody>,
) -> Result<Json<serde_json::Value>, WebError> {
    let year = state
        .services
        .set_active_year(&viewer.actor, &year_text(&body.year_be))
        .await?;
    Ok(Json(serde_json::json!({"active_year_be": year})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CounterBody {
    start_number: Option<serde_json::Value>,
}

pub async fn set_counter(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params((year_be, series)): Params<(i32, String)>,
    ApiJson(body): ApiJson<CounterBody>,
) -> Result<Json<SettingsJson>, WebError> {
    let series = Series::parse(&series).ok_or(WebError::NotFound)?;
    let start = match &body.start_number {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    state
        .services
        .set_start_number(&viewer.actor, series, year_be, &start)
        .await?;
    let office = viewer.actor.office.clone();
    Ok(Json(
        settings_json(&state, &viewer, &office, Some(year_be)).await?,
    ))
}

pub async fn users(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Vec<UserJson>>, WebError> {
    let users = state.services.users(&viewer.actor).await?;
    Ok(Json(users.iter().map(UserJson::from).collect()))
}

pub async fn add_user(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(input): ApiJson<NewUserInput>,
) -> Result<Response, WebError> {
    let user = state.services.add_user(&viewer.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(UserJson::from(&user))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserPatch {
    active: Option<bool>,
    password: Option<crate::security::Secret>,
    #[serde(flatten)]
    edit: crate::service::OfficerEdit,
}

pub async fn update_user(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Json<UserJson>, WebError> {
    if let Some(password) = &patch.password {
        state
            .services
            .reset_password(&viewer.actor, id, password.expose())
            .await?;
    }
    let edited =
        patch.edit.full_name.is_some() || patch.edit.role.is_some() || patch.edit.email.is_some();
    if edited {
        state
            .services
            .update_officer(&viewer.actor, id, &patch.edit)
            .await?;
    }
    let user = match patch.active {
        Some(active) => {
            state
                .services
                .set_user_active(&viewer.actor, id, active)
                .await?
        }
        None => {
            state.services.users(&viewer.actor).await?;
            state.services.own_user(&viewer.actor, id).await?
        }
    };
    Ok(Json(UserJson::from(&user)))
}
