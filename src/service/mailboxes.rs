//! Managing saraban mailboxes (admin): add with checks, list, test, remove.

use super::{Actor, Result, ServiceError, Services};
use crate::domain::letter::FieldErrors;
use crate::store::Store;
use crate::store::mailboxes::{FolderState, Mailbox, NewMailbox, Security};

/// The add-mailbox form (and `saraban mailbox add`).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct MailboxInput {
    pub host: String,
    pub port: String,
    pub security: String,
    pub ca_file: String,
    pub username: String,
    pub password: crate::security::Secret,
    /// One folder a line (or comma-separated in the form).
    pub folders: String,
    pub poll_secs: String,
    pub move_to: String,
}

pub async fn add_mailbox(store: &Store, office_id: &str, input: &MailboxInput) -> Result<Mailbox> {
    let mut errors = FieldErrors::default();
    let host = input.host.trim();
    if host.is_empty() || host.contains(char::is_whitespace) {
        errors.add("host", "กรุณากรอกชื่อเครื่องแม่ข่ายอีเมล");
    }
    let port = input.port.trim().parse::<u16>().ok().filter(|p| *p > 0);
    if port.is_none() {
        errors.add("port", "พอร์ตต้องเป็นตัวเลข 1–65535");
    }
    let security = Security::parse(&input.security);
    match security {
        None => errors.add("security", "เลือก none, starttls หรือ tls"),
        Some(Security::None) if !crate::security::is_loopback_host(host) => errors.add(
            "security",
            "การเชื่อมต่อแบบไม่เข้ารหัสใช้ได้เฉพาะเครื่องนี้ (127.0.0.1) ให้เลือก starttls หรือ tls",
        ),
        _ => {}
    }
    let ca_file = input.ca_file.trim();
    if !ca_file.is_empty() && !std::path::Path::new(ca_file).is_file() {
        errors.add("ca_file", "ไม่พบไฟล์ใบรับรอง (CA) นี้บนเครื่องแม่ข่าย");
    }
    if input.username.trim().is_empty() {
        errors.add("username", "กรุณากรอกชื่อผู้ใช้ของกล่องอีเมล");
    }
    if input.password.is_empty() {
        errors.add("password", "กรุณากรอกรหัสผ่านของกล่องอีเมล");
    }
    let mut folders: Vec<String> = input
        .folders
        .split(['\n', ','])
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    if folders.is_empty() {
        folders.push("INBOX".into());
    }
    let poll_secs = match input.poll_secs.trim() {
        "" => Some(60),
        s => s.parse::<i64>().ok().filter(|n| (1..=86_400).contains(n)),
    };
    if poll_secs.is_none() {
        errors.add("poll_secs", "รอบการตรวจต้องเป็นวินาที 1–86400");
    }
    let (Some(port), Some(security), Some(poll_secs)) = (port, security, poll_secs) else {
        return Err(ServiceError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let move_to = input.move_to.trim();
    Ok(store
        .insert_mailbox(&NewMailbox {
            office_id,
            host,
            port,
            security,
            ca_file: (!ca_file.is_empty()).then_some(ca_file),
            username: input.username.trim(),
            password: input.password.expose(),
            folders: &folders,
            poll_secs,
            move_to: (!move_to.is_empty()).then_some(move_to),
        })
        .await?)
}

impl Services {
    pub(crate) fn require_admin(&self, actor: &Actor) -> Result<()> {
        if actor.user.role == crate::domain::user::Role::Admin {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "เฉพาะผู้ดูแลระบบจัดการกล่องอีเมลได้".into(),
            ))
        }
    }

    pub async fn mailboxes(&self, actor: &Actor) -> Result<Vec<Mailbox>> {
        self.require_admin(actor)?;
        Ok(self.store.list_mailboxes(Some(&actor.office.id)).await?)
    }

    pub async fn mailbox(&self, actor: &Actor, id: i64) -> Result<Mailbox> {
        self.require_admin(actor)?;
        let m = self.store.find_mailbox(id).await?;
        if m.office_id != actor.office.id {
            return Err(ServiceError::NotFound);
        }
        Ok(m)
    }

    /// What each folder of one of the office's mailboxes has given so far.
    pub async fn folders_of(&self, actor: &Actor, mailbox: &Mailbox) -> Result<Vec<FolderState>> {
        self.require_admin(actor)?;
        if mailbox.office_id != actor.office.id {
            return Err(ServiceError::NotFound);
        }
        Ok(self.store.folder_states(mailbox.id).await?)
    }

    pub async fn add_mailbox(&self, actor: &Actor, input: &MailboxInput) -> Result<Mailbox> {
        self.require_admin(actor)?;
        add_mailbox(&self.store, &actor.office.id, input).await
    }

    pub async fn remove_mailbox(&self, actor: &Actor, id: i64) -> Result<()> {
        let m = self.mailbox(actor, id).await?;
        Ok(self.store.remove_mailbox(m.id).await?)
    }
}
