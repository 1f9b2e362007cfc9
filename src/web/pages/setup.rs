//! Setting the office up in the browser: editing officers and setting their passwords, work
//! groups and their members, the district's school groups, and one's own password.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::letter::FieldErrors;
use crate::service::{NewUserInput, OfficerEdit, ServiceError};
use crate::web::auth::session_token;
use crate::web::error::WebError;
use crate::web::forms::{CsrfForm, FormPairs};
use crate::web::layout::Nav;
use crate::web::views::Layout;
use crate::web::{AppState, Params};

use super::settings::users_page;

/// Shows the officers' page again with `errors` on officer `id`'s row.
async fn users_with_row_error(
    state: &AppState,
    viewer: &Nav,
    id: i64,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let mut page = users_page(
        state,
        viewer,
        NewUserInput::default(),
        FieldErrors::default(),
        String::new(),
    )
    .await?;
    page.row_errors = (id, errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    full_name: String,
    role: String,
    email: String,
}

/// Saves an officer's name, role and e-mail.
pub async fn edit_user(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<EditForm, Nav>,
) -> Result<Response, WebError> {
    let edit = OfficerEdit {
        full_name: Some(form.full_name),
        role: Some(form.role),
        email: Some(form.email),
    };
    match state
        .services
        .update_officer(&viewer.actor, id, &edit)
        .await
    {
        Ok(_) => Ok(Redirect::to("/settings/users?done=user-edit").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            users_with_row_error(&state, &viewer, id, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    password: crate::security::Secret,
}

/// An administrator sets another officer's password (they are logged out everywhere).
pub async fn reset_password(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, form): CsrfForm<ResetForm, Nav>,
) -> Result<Response, WebError> {
    match state
        .services
        .reset_password(&viewer.actor, id, form.password.expose())
        .await
    {
        Ok(()) => Ok(Redirect::to("/settings/users?done=user-password").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            users_with_row_error(&state, &viewer, id, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GroupsQuery {
    done: String,
}

/// กลุ่มงาน and กลุ่มโรงเรียน.
pub async fn groups(
    State(state): State<AppState>,
    viewer: Nav,
    Query(q): Query<GroupsQuery>,
) -> Result<GroupsPage, WebError> {
    let flash = match q.done.as_str() {
        "group" => "เพิ่มกลุ่มงานเรียบร้อย",
        "members" => "บันทึกสมาชิกกลุ่มงานเรียบร้อย",
        "school-group" => "เพิ่มกลุ่มโรงเรียนเรียบร้อย",
        "school-group-removed" => "ลบกลุ่มโรงเรียนเรียบร้อย",
        _ => "",
    };
    groups_page(&state, &viewer, flash.to_string(), FieldErrors::default()).await
}

async fn groups_page(
    state: &AppState,
    viewer: &Nav,
    flash: String,
    errors: FieldErrors,
) -> Result<GroupsPage, WebError> {
    let services = &state.services;
    let actor = &viewer.actor;
    if !actor.user.role.can_manage_settings() {
        return Err(WebError::Forbidden(
            "เฉพาะผู้บริหาร เจ้าหน้าที่ธุรการ และผู้ดูแลระบบ จัดกลุ่มงานได้".into(),
        ));
    }
    let people = services.users(actor).await.unwrap_or_default();
    let people: Vec<(i64, String, String)> = people
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id, u.username.clone(), u.display_name().to_string()))
        .collect();
    let groups = services
        .work_groups_of_office(actor)
        .await?
        .into_iter()
        .map(|g| GroupRow {
            members: people
                .iter()
                .map(|(id, username, name)| {
                    (
                        username.clone(),
                        name.clone(),
                        g.members.iter().any(|(m, _)| m == id),
                    )
                })
                .collect(),
            id: g.id,
            name: g.name,
        })
        .collect();
    let is_district = actor.office.kind == crate::domain::office::OfficeKind::District;
    let (schools, school_groups) = if is_district {
        let schools: Vec<(String, String)> = services
            .own_schools(actor)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let groups = services
            .school_groups(actor)
            .await?
            .into_iter()
            .map(|g| {
                let names = g
                    .members
                    .iter()
                    .map(|m| {
                        schools
                            .iter()
                            .find(|(id, _)| id == m)
                            .map(|(_, n)| n.clone())
                            .unwrap_or_else(|| m.clone())
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                (g.id, g.name, names)
            })
            .collect();
        (schools, groups)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(GroupsPage {
        layout: Layout::new(viewer, "groups", "กลุ่มงานและกลุ่มโรงเรียน"),
        flash,
        errors,
        groups,
        is_district,
        schools,
        school_groups,
    })
}

async fn groups_error(
    state: &AppState,
    viewer: &Nav,
    e: ServiceError,
) -> Result<Response, WebError> {
    match e {
        ServiceError::Invalid(errors) => {
            let page = groups_page(state, viewer, String::new(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        other => Err(other.into()),
    }
}

/// Adds a work group.
pub async fn add_group(
    State(state): State<AppState>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    match state
        .services
        .add_work_group(&viewer.actor, &posted.one("id"), &posted.one("name"))
        .await
    {
        Ok(_) => Ok(Redirect::to("/settings/groups?done=group").into_response()),
        Err(e) => groups_error(&state, &viewer, e).await,
    }
}

/// Saves a work group's name and members (the ticked boxes).
pub async fn save_group(
    State(state): State<AppState>,
    Params(id): Params<String>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    let services = &state.services;
    let members: Vec<String> = posted.all("member").map(str::to_string).collect();
    let saved = async {
        services
            .rename_work_group(&viewer.actor, &id, &posted.one("name"))
            .await?;
        services
            .set_work_group_members(&viewer.actor, &id, &members)
            .await
    };
    match saved.await {
        Ok(_) => Ok(Redirect::to("/settings/groups?done=members").into_response()),
        Err(e) => groups_error(&state, &viewer, e).await,
    }
}

/// Adds a school group (the ticked schools).
pub async fn add_school_group(
    State(state): State<AppState>,
    CsrfForm(viewer, posted): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    match state
        .services
        .add_school_group(
            &viewer.actor,
            &posted.one("name"),
            &posted.all("school").map(str::to_string).collect::<Vec<_>>(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/settings/groups?done=school-group").into_response()),
        Err(e) => groups_error(&state, &viewer, e).await,
    }
}

pub async fn remove_school_group(
    State(state): State<AppState>,
    Params(id): Params<i64>,
    CsrfForm(viewer, _): CsrfForm<FormPairs, Nav>,
) -> Result<Response, WebError> {
    state
        .services
        .remove_school_group(&viewer.actor, id)
        .await?;
    Ok(Redirect::to("/settings/groups?done=school-group-removed").into_response())
}

pub struct GroupRow {
    pub id: String,
    pub name: String,
    /// (login name, display name, member?)
    pub members: Vec<(String, String, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "groups.html")]
pub struct GroupsPage {
    pub layout: Layout,
    pub flash: String,
    pub errors: FieldErrors,
    pub groups: Vec<GroupRow>,
    pub is_district: bool,
    /// (office id, name)
    pub schools: Vec<(String, String)>,
    /// (id, name, member names)
    pub school_groups: Vec<(i64, String, String)>,
}

impl GroupsPage {
    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordQuery {
    done: String,
}

/// เปลี่ยนรหัสผ่าน: one's own, with the current one.
pub async fn password_form(
    viewer: Nav,
    Query(q): Query<PasswordQuery>,
) -> Result<PasswordPage, WebError> {
    Ok(PasswordPage {
        layout: Layout::new(&viewer, "account", "เปลี่ยนรหัสผ่าน"),
        errors: FieldErrors::default(),
        done: q.done == "1",
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: crate::security::Secret,
    password: crate::security::Secret,
    confirm: crate::security::Secret,
}

pub async fn change_password(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    CsrfForm(viewer, form): CsrfForm<PasswordForm, Nav>,
) -> Result<Response, WebError> {
    let shown = |errors: FieldErrors| PasswordPage {
        layout: Layout::new(&viewer, "account", "เปลี่ยนรหัสผ่าน"),
        errors,
        done: false,
    };
    if form.password != form.confirm {
        let mut errors = FieldErrors::default();
        errors.add("confirm", "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, shown(errors)).into_response());
    }
    let session = session_token(&headers);
    match state
        .services
        .change_own_password(
            &viewer.actor,
            &form.current_password,
            &form.password,
            session.as_deref(),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/account/password?done=1").into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown(errors)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "account_password.html")]
pub struct PasswordPage {
    pub layout: Layout,
    pub errors: FieldErrors,
    pub done: bool,
}

impl PasswordPage {
    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }
}
