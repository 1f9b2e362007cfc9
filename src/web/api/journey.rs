//! The letter's journey through the API: forward, propose, endorse, acknowledge, return, and
//! who has it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiJson, Writer};
use crate::domain::journey::{FollowUp, is_overdue};
use crate::service::journey::TargetInput;
use crate::store::follow_up::FollowUpItem;
use crate::store::journey::{Assignment, BoxItem, Endorsement, Notify};
use crate::store::{date_to_db, time_to_db};
use crate::web::auth::Viewer;
use crate::web::error::WebError;
use crate::web::{AppState, Params};

pub fn assignment_json(a: &Assignment) -> Value {
    let now = chrono::Utc::now();
    json!({
        "id": a.id, "kind": a.kind, "from": a.from_name,
        "to": match (&a.to_user_id, &a.to_group_id) {
            (Some(u), _) => json!({"user_id": u, "name": a.to_name}),
            (None, Some(g)) => json!({"group": g, "name": a.to_name}),
            _ => Value::Null,
        },
        "note": a.note, "due_date": a.due_date.map(date_to_db),
        "given_at": time_to_db(a.created_at),
        "acknowledged_at": a.acknowledged_at.map(time_to_db),
        "acknowledged_by": a.acknowledged_by,
        "done_at": a.done_at.map(time_to_db),
        "done_by": a.done_by,
        "done_note": a.done_note,
        "overdue": is_overdue(a.due_date, a.done_at.is_some(), now),
    })
}

fn endorsement_json(e: &Endorsement) -> Value {
    json!({
        "id": e.id, "by": e.user_name, "decision": e.decision.code(), "decision_label": e.decision.label(),
        "text": e.text, "acting_as": e.acting_as.code(), "at": time_to_db(e.created_at),
    })
}

pub fn box_item_json(b: &BoxItem) -> Value {
    let mut v = assignment_json(&b.assignment);
    v["letter_id"] = json!(b.assignment.letter_id);
    v["register"] = json!(b.register);
    v["number"] = json!(b.number);
    v["year_be"] = json!(b.year_be);
    v["doc_no"] = json!(b.doc_no);
    v["subject"] = json!(b.subject);
    v["sender"] = json!(b.sender);
    v["speed"] = json!(b.speed.code());
    v["secrecy"] = json!(b.secrecy.code());
    v
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForwardBody {
    to: Vec<TargetInput>,
    note: String,
    due_date: String,
}

/// `POST /api/v1/letters/{id}/forward`
pub async fn forward(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<ForwardBody>,
) -> Result<Response, WebError> {
    let given = state
        .services
        .forward(&viewer.actor, id, &body.to, &body.note, &body.due_date)
        .await?;
    let items: Vec<Value> = given.iter().map(assignment_json).collect();
    Ok((StatusCode::CREATED, Json(json!({ "assignments": items }))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProposeBody {
    to: String,
    summary: String,
}

/// `POST /api/v1/letters/{id}/propose`
pub async fn propose(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<ProposeBody>,
) -> Result<Response, WebError> {
    let given = state
        .services
        .propose(&viewer.actor, id, &body.to, &body.summary)
        .await?;
    let items: Vec<Value> = given.iter().map(assignment_json).collect();
    Ok((StatusCode::CREATED, Json(json!({ "assignments": items }))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndorseBody {
    decision: String,
    text: String,
    assign_to: Vec<TargetInput>,
    acting_as: String,
}

/// `POST /api/v1/letters/{id}/endorse`
pub async fn endorse(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<EndorseBody>,
) -> Result<Response, WebError> {
    let e = state
        .services
        .endorse(
            &viewer.actor,
            id,
            &body.decision,
            &body.text,
            &body.assign_to,
            &body.acting_as,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(endorsement_json(&e))).into_response())
}

/// `POST /api/v1/letters/{id}/acknowledge`
pub async fn acknowledge(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let n = state.services.acknowledge(&viewer.actor, id).await?;
    Ok(Json(json!({ "acknowledged": n })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneBody {
    note: String,
}

/// `POST /api/v1/letters/{id}/done {note}`: ดำเนินการแล้ว.
pub async fn done(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<DoneBody>,
) -> Result<Json<Value>, WebError> {
    let n = state
        .services
        .mark_done(&viewer.actor, id, &body.note)
        .await?;
    Ok(Json(json!({ "done": n })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FollowUpQuery {
    status: String,
}

/// `GET /api/v1/follow-up?status=unacknowledged|overdue|not_forwarded`
pub async fn follow_up(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<FollowUpQuery>,
) -> Result<Json<Value>, WebError> {
    let which = match q.status.as_str() {
        "" => FollowUp::Unacknowledged,
        code => FollowUp::from_code(code).ok_or_else(|| {
            WebError::BadRequest("status ต้องเป็น unacknowledged, overdue หรือ not_forwarded".into())
        })?,
    };
    let items = state.services.follow_up(&viewer.actor, which).await?;
    let groups = state.services.group_follow_up_counts(&viewer.actor).await?;
    Ok(Json(json!({
        "status": which.code(),
        "total": items.len(),
        "items": items.iter().map(follow_up_json).collect::<Vec<_>>(),
        "groups": groups.iter().map(|g| json!({
            "id": g.id, "name": g.name, "unacknowledged": g.unacknowledged, "overdue": g.overdue,
        })).collect::<Vec<_>>(),
    })))
}

fn follow_up_json(i: &FollowUpItem) -> Value {
    json!({
        "letter_id": i.letter_id, "register": i.register, "number": i.number, "year_be": i.year_be,
        "doc_no": i.doc_no, "subject": i.subject, "sender": i.sender,
        "speed": i.speed.code(), "secrecy": i.secrecy.code(),
        "registered_at": time_to_db(i.registered_at),
        "assignment": i.assignment.as_ref().map(assignment_json),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnBody {
    note: String,
}

/// `POST /api/v1/letters/{id}/return`
pub async fn return_letter(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    Params(id): Params<i64>,
    ApiJson(body): ApiJson<ReturnBody>,
) -> Result<Response, WebError> {
    let given = state
        .services
        .return_letter(&viewer.actor, id, &body.note)
        .await?;
    let items: Vec<Value> = given.iter().map(assignment_json).collect();
    Ok((StatusCode::CREATED, Json(json!({ "assignments": items }))).into_response())
}

/// `GET /api/v1/letters/{id}/journey`: to whom it was given, who acknowledged, endorsements.
pub async fn journey(
    State(state): State<AppState>,
    viewer: Viewer,
    Params(id): Params<i64>,
) -> Result<Json<Value>, WebError> {
    let (assignments, endorsements) = state.services.journey(&viewer.actor, id).await?;
    Ok(Json(json!({
        "assignments": assignments.iter().map(assignment_json).collect::<Vec<_>>(),
        "endorsements": endorsements.iter().map(endorsement_json).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/work-groups`
pub async fn work_groups(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Json<Value>, WebError> {
    let (_, groups) = state.services.distribution_targets(&viewer.actor).await?;
    Ok(Json(json!({
        "items": groups.iter().map(|g| json!({
            "id": g.id, "name": g.name,
            "members": g.members.iter().map(|(id, name)| json!({"user_id": id, "name": name})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NotificationsBody {
    email: String,
    /// each (default), daily or off
    notify: String,
}

/// `PUT /api/v1/me/notifications`: my address for e-mail when a letter is given to me.
pub async fn set_notifications(
    State(state): State<AppState>,
    Writer(viewer): Writer,
    ApiJson(body): ApiJson<NotificationsBody>,
) -> Result<Json<Value>, WebError> {
    state
        .services
        .set_notifications(&viewer.actor, &body.email, &body.notify)
        .await?;
    // Accepted above, so it parses.
    let notify = Notify::parse(&body.notify).unwrap_or(Notify::Each).code();
    Ok(Json(
        json!({ "email": body.email.trim(), "notify": notify }),
    ))
}
