//! Setting the office up from a browser or a script: work groups and their members, and the
//! district's school groups. (Officers are under `/users`, in [`super::settings`].)

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiJson, Writer};
use crate::store::work_groups::WorkGroup;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

fn group_json(g: &WorkGroup) -> Value {
    json!({
        "id": g.id, "name": g.name,
        "members": g.members.iter().map(|(id, name)| json!({"user_id": id, "name": name})).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewGroup {
    id: String,
    name: String,
}

/// `POST /api/v1/work-groups {id, name}`
pub async fn add_work_group(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(body): ApiJson<NewGroup>,
) -> Result<Response, WebError> {
    let group = state
        .services
        .add_work_group(&viewer.actor, &body.id, &body.name)
        .await?;
    Ok((StatusCode::CREATED, Json(group_json(&group))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GroupPatch {
    name: String,
}

/// `PATCH /api/v1/work-groups/{id} {name}`
pub async fn rename_work_group(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<String>,
    ApiJson(body): ApiJson<GroupPatch>,
) -> Result<Json<Value>, WebError> {
    let group = state
        .services
        .rename_work_group(&viewer.actor, &id, &body.name)
        .await?;
    Ok(Json(group_json(&group)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Members {
    users: Vec<String>,
}

/// `PUT /api/v1/work-groups/{id}/members {"users": ["login", …]}`: the whole list.
pub async fn set_members(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<String>,
    ApiJson(body): ApiJson<Members>,
) -> Result<Json<Value>, WebError> {
    let group = state
        .services
        .set_work_group_members(&viewer.actor, &id, &body.users)
        .await?;
    Ok(Json(group_json(&group)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewSchoolGroup {
    name: String,
    members: Vec<String>,
}

/// `POST /api/v1/school-groups {name, members: [office id, …]}`
pub async fn add_school_group(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(body): ApiJson<NewSchoolGroup>,
) -> Result<Response, WebError> {
    let g = state
        .services
        .add_school_group(&viewer.actor, &body.name, &body.members)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": g.id, "name": g.name, "members": g.members})),
    )
        .into_response())
}

/// `DELETE /api/v1/school-groups/{id}`
pub async fn remove_school_group(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Response, WebError> {
    state
        .services
        .remove_school_group(&viewer.actor, id)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
