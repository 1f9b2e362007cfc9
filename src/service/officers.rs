//! The officers of an office: adding them with a role the actor may grant, deactivating them,
//! resetting passwords; and the checked creation of offices and users the CLI and demo share.

use crate::domain::doc_no;
use crate::domain::letter::FieldErrors;
use crate::domain::office::{self, OfficeKind};
use crate::domain::user::{self, Role};
use crate::security;
use crate::store::offices::{NewOffice, Office};
use crate::store::users::{NewUser, User};
use crate::store::{Store, StoreError};

use super::{Actor, Result, ServiceError, Services, conflict_message, single};

impl Services {
    pub async fn users(&self, actor: &Actor) -> Result<Vec<User>> {
        if !actor.user.role.can_manage_users() {
            return Err(ServiceError::Forbidden("ท่านไม่มีสิทธิ์จัดการเจ้าหน้าที่".into()));
        }
        Ok(self.store.list_users(&actor.office.id).await?)
    }

    /// Adds an officer to the actor's own office.
    pub async fn add_user(&self, actor: &Actor, input: &NewUserInput) -> Result<User> {
        let role = Role::parse(&input.role);
        match role {
            Some(role) if actor.user.role.can_grant(role) => {}
            Some(role) => {
                return Err(ServiceError::Forbidden(format!(
                    "ท่านไม่มีสิทธิ์เพิ่มผู้ใช้บทบาท {}",
                    role.label()
                )));
            }
            None => {}
        }
        create_user(&self.store, &actor.office.id, input).await
    }

    pub async fn set_user_active(&self, actor: &Actor, user_id: i64, active: bool) -> Result<User> {
        let target = self.own_user(actor, user_id).await?;
        if target.id == actor.user.id && !active {
            return Err(ServiceError::Conflict("ปิดบัญชีของตนเองไม่ได้".into()));
        }
        self.store.set_user_active(target.id, active).await?;
        Ok(self.store.find_user(target.id).await?)
    }

    /// An administrator sets another officer's password (a forgotten one). The officer is logged
    /// out everywhere and their API tokens end: whoever knew the old password may hold one. A
    /// user changes their own password with [`Services::change_own_password`] instead.
    pub async fn reset_password(&self, actor: &Actor, user_id: i64, password: &str) -> Result<()> {
        let target = self.own_user(actor, user_id).await?;
        if target.id == actor.user.id {
            return Err(ServiceError::Forbidden(
                "เปลี่ยนรหัสผ่านของตนเองที่หน้า “เปลี่ยนรหัสผ่าน” (ต้องใส่รหัสผ่านปัจจุบัน)".into(),
            ));
        }
        if actor.user.role != Role::Admin {
            return Err(ServiceError::Forbidden(
                "เฉพาะผู้ดูแลระบบตั้งรหัสผ่านใหม่ให้ผู้อื่นได้".into(),
            ));
        }
        user::check_password(password)
            .map_err(|e| ServiceError::Invalid(single("password", e.to_string())))?;
        let hash = hash_password(password).await?;
        self.store
            .set_password_hash(target.id, &hash, None, true)
            .await?;
        Ok(())
    }

    /// Edits an officer: their name, role (one the actor may grant) and e-mail for
    /// notifications. The actor cannot change their own role.
    pub async fn update_officer(
        &self,
        actor: &Actor,
        user_id: i64,
        input: &OfficerEdit,
    ) -> Result<User> {
        let target = self.own_user(actor, user_id).await?;
        let mut errors = FieldErrors::default();
        let full_name = input
            .full_name
            .as_deref()
            .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| target.full_name.clone());
        if full_name.chars().count() > 200 {
            errors.add("full_name", "ชื่อ–สกุลยาวเกิน 200 ตัวอักษร");
        }
        let role = match input.role.as_deref().map(str::trim) {
            None | Some("") => target.role,
            Some(code) => match Role::parse(code) {
                Some(r) if r == target.role => r,
                Some(_) if target.id == actor.user.id => {
                    return Err(ServiceError::Forbidden("เปลี่ยนบทบาทของตนเองไม่ได้".into()));
                }
                Some(r) if actor.user.role.can_grant(r) => r,
                Some(r) => {
                    return Err(ServiceError::Forbidden(format!(
                        "ท่านไม่มีสิทธิ์กำหนดบทบาท {}",
                        r.label()
                    )));
                }
                None => {
                    errors.add("role", "บทบาทไม่ถูกต้อง");
                    target.role
                }
            },
        };
        let email = match input.email.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(String::new()),
            Some(raw) => match office::parse_email(raw) {
                Ok(e) => Some(e),
                Err(e) => {
                    errors.add("email", e.to_string());
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        self.store.update_user(target.id, &full_name, role).await?;
        if let Some(email) = email {
            let notify = self
                .store
                .user_contact(target.id)
                .await?
                .map(|(_, n)| n)
                .unwrap_or(crate::store::journey::Notify::Each);
            self.store
                .set_user_contact(target.id, &email, notify)
                .await?;
        }
        Ok(self.store.find_user(target.id).await?)
    }

    /// An officer's notification e-mail, if they have one.
    pub async fn officer_email(&self, user_id: i64) -> Result<String> {
        Ok(self
            .store
            .user_contact(user_id)
            .await?
            .map(|(e, _)| e)
            .unwrap_or_default())
    }

    /// A user of the actor's office whose role the actor could have granted.
    pub async fn own_user(&self, actor: &Actor, user_id: i64) -> Result<User> {
        let target = self.store.find_user(user_id).await?;
        if target.office_id != actor.office.id {
            return Err(ServiceError::NotFound);
        }
        if !actor.user.role.can_grant(target.role) {
            return Err(ServiceError::Forbidden("ท่านไม่มีสิทธิ์จัดการผู้ใช้นี้".into()));
        }
        Ok(target)
    }
}

/// An edit of an officer; fields left out stay as they are.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OfficerEdit {
    pub full_name: Option<String>,
    pub role: Option<String>,
    pub email: Option<String>,
}

/// The add-officer form (and `saraban user add`).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct NewUserInput {
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub password: security::Secret,
}

pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || security::hash_password(&password))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Creates a user after checking every field (used by the settings screen and the CLI).
pub async fn create_user(store: &Store, office_id: &str, input: &NewUserInput) -> Result<User> {
    let mut errors = FieldErrors::default();
    let username = user::parse_username(&input.username)
        .map_err(|e| errors.add("username", e.to_string()))
        .ok();
    let role = Role::parse(&input.role);
    if role.is_none() {
        errors.add("role", "กรุณาเลือกบทบาท");
    }
    if let Err(e) = user::check_password(input.password.expose()) {
        errors.add("password", e.to_string());
    }
    let full_name = input
        .full_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if full_name.chars().count() > 200 {
        errors.add("full_name", "ชื่อยาวเกินไป");
    }
    let (Some(username), Some(role)) = (username, role) else {
        return Err(ServiceError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let hash = hash_password(input.password.expose()).await?;
    let user = store
        .insert_user(&NewUser {
            office_id,
            username: &username,
            full_name: &full_name,
            role,
            password_hash: &hash,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(c) => {
                ServiceError::Invalid(single("username", conflict_message(&c)))
            }
            other => other.into(),
        })?;
    Ok(user)
}

/// Creates an office after checking every field (used by the CLI and the demo).
pub async fn create_office(
    store: &Store,
    id: &str,
    name: &str,
    prefix: &str,
    kind: &str,
    parent: Option<&str>,
    email: Option<&str>,
) -> Result<Office> {
    let mut errors = FieldErrors::default();
    let id = office::parse_office_id(id)
        .map_err(|e| errors.add("id", e.to_string()))
        .ok();
    let name = office::parse_office_name(name)
        .map_err(|e| errors.add("name", e.to_string()))
        .ok();
    let prefix = doc_no::parse_prefix(prefix)
        .map_err(|e| errors.add("prefix", e.to_string()))
        .ok();
    let kind = OfficeKind::parse(kind);
    if kind.is_none() {
        errors.add("kind", "ประเภทหน่วยงานต้องเป็น district, school หรือ unit");
    }
    let email = email
        .map(|e| office::parse_email(e).map_err(|err| errors.add("email", err.to_string())))
        .transpose()
        .ok()
        .flatten();
    let parent = parent.map(|p| p.trim().to_ascii_lowercase());
    match (id, name, prefix, kind) {
        (Some(id), Some(name), Some(prefix), Some(kind)) if errors.is_empty() => {
            let office = store
                .insert_office(&NewOffice {
                    id: &id,
                    name: &name,
                    kind,
                    parent_id: parent.as_deref(),
                    prefix: &prefix,
                    email: email.as_deref(),
                })
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => {
                        ServiceError::Invalid(single("parent", "ไม่พบหน่วยงานต้นสังกัด"))
                    }
                    other => other.into(),
                })?;
            Ok(office)
        }
        _ => Err(ServiceError::Invalid(errors)),
    }
}
