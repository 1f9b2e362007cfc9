//! The frame around every page after login: the navigation, who is logged in, and the
//! หนังสือถึงฉัน badge. [`Nav`] loads it once per request, so every page shows the same menu.

use std::ops::Deref;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::AppState;
use super::auth::Viewer;
use super::error::WebError;
use crate::domain::register::Register;
use crate::domain::user::Role;

/// A page's viewer with what the menu shows: extract it in every page handler (and as the viewer
/// of a [`super::forms::CsrfForm`] that may show a page again). Derefs to the [`Viewer`].
#[derive(Clone)]
pub struct Nav {
    pub viewer: Viewer,
    /// The work groups the viewer is a member of (the letter page needs them too).
    pub groups: Vec<String>,
    /// Letters given to the viewer (or their groups) not yet acknowledged: the menu's badge.
    pub unacknowledged: i64,
    /// Mail waiting to be registered (for those who read the inbox): the inbox's badge.
    pub inbox_waiting: i64,
    /// Mail held in quarantine (for those who read the inbox), read with the badge's count.
    pub quarantined: i64,
}

impl Deref for Nav {
    type Target = Viewer;

    fn deref(&self) -> &Viewer {
        &self.viewer
    }
}

impl AsRef<Viewer> for Nav {
    fn as_ref(&self) -> &Viewer {
        &self.viewer
    }
}

impl FromRequestParts<AppState> for Nav {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(nav) = parts.extensions.get::<Nav>() {
            return Ok(nav.clone());
        }
        let viewer = Viewer::from_request_parts(parts, state).await?;
        let groups = state.services.groups_of_actor(&viewer.actor).await?;
        let unacknowledged = state
            .services
            .unacknowledged_in(&viewer.actor, &groups)
            .await?;
        let (inbox_waiting, quarantined) = if viewer.actor.user.role.can_read_inbox() {
            state.services.inbox_counts(&viewer.actor).await?
        } else {
            (0, 0)
        };
        let nav = Nav {
            viewer,
            groups,
            unacknowledged,
            inbox_waiting,
            quarantined,
        };
        parts.extensions.insert(nav.clone());
        Ok(nav)
    }
}

/// The frame around every page after login.
pub struct Layout {
    pub title: String,
    pub user_name: String,
    pub role_label: &'static str,
    pub office_name: String,
    pub office_desk: &'static str,
    pub csrf: String,
    pub nav: &'static str,
    pub can_settings: bool,
    pub can_users: bool,
    pub can_inbox: bool,
    /// Filing and lending (งานเก็บหนังสือ).
    pub can_records: bool,
    pub is_admin: bool,
    pub unacknowledged: i64,
    pub inbox_waiting: i64,
}

impl Layout {
    /// The frame of the page `nav` (the menu entry it lights) titled `title`.
    pub fn new(nav: &Nav, active: &'static str, title: impl Into<String>) -> Layout {
        let viewer = &nav.viewer;
        let role = viewer.actor.user.role;
        Layout {
            title: title.into(),
            user_name: viewer.actor.user.display_name().to_string(),
            role_label: role.label(),
            office_name: viewer.actor.office.name.clone(),
            office_desk: viewer.actor.office.kind.saraban_desk(),
            csrf: viewer.csrf.clone(),
            nav: active,
            can_settings: role.can_manage_settings(),
            can_users: role.can_manage_users(),
            can_inbox: role.can_read_inbox(),
            can_records: role.can_cancel(),
            is_admin: role == Role::Admin,
            unacknowledged: nav.unacknowledged,
            inbox_waiting: nav.inbox_waiting,
        }
    }

    /// The inbox's menu entry (see `_nav_inbox.html`).
    pub fn inbox_link(&self) -> InboxLink {
        InboxLink {
            on: self.nav == "inbox",
            waiting: self.inbox_waiting,
        }
    }

    pub fn registers(&self) -> Vec<(&'static str, &'static str)> {
        Register::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect()
    }
}

/// The inbox's menu entry: lit or not, and how many letters wait.
pub struct InboxLink {
    pub on: bool,
    pub waiting: i64,
}
