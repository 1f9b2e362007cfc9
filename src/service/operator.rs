//! What the deployment's operator does from the command line (`saraban office|user|mailbox|…`).
//! The operator runs on the server itself and is trusted with every office, so these use cases
//! take no [`super::Actor`]; they still validate every value through the same rules as the pages.

use super::mailboxes::{MailboxInput, add_mailbox};
use super::{NewUserInput, Result, ServiceError, Services, create_office, create_user};
use crate::store::journey::WorkGroup;
use crate::store::mailboxes::{FolderState, Mailbox};
use crate::store::offices::Office;
use crate::store::school_groups::SchoolGroup;
use crate::store::smtp::SmtpAccount;
use crate::store::users::{ApiToken, User};

/// `saraban office add`.
#[derive(Debug, Clone, Default)]
pub struct NewOfficeInput {
    pub id: String,
    pub name: String,
    pub prefix: String,
    /// district, school or unit
    pub kind: String,
    pub parent: Option<String>,
    pub email: Option<String>,
}

impl Services {
    /// Closes the database pool, letting pending writes finish.
    pub async fn close(&self) {
        self.store.close().await;
    }

    pub async fn add_office(&self, input: &NewOfficeInput) -> Result<Office> {
        create_office(
            &self.store,
            &input.id,
            &input.name,
            &input.prefix,
            &input.kind,
            input.parent.as_deref(),
            input.email.as_deref(),
        )
        .await
    }

    pub async fn offices(&self) -> Result<Vec<Office>> {
        Ok(self.store.list_offices().await?)
    }

    /// Any office of the deployment, by its id.
    pub async fn office(&self, id: &str) -> Result<Office> {
        Ok(self.store.find_office(id.trim()).await?)
    }

    /// Adds an officer to any office.
    pub async fn add_user_to(&self, office_id: &str, input: &NewUserInput) -> Result<User> {
        let office = self.office(office_id).await?;
        create_user(&self.store, &office.id, input).await
    }

    pub async fn office_work_groups(&self, office_id: &str) -> Result<Vec<WorkGroup>> {
        Ok(self.store.work_groups(office_id).await?)
    }

    pub async fn office_school_groups(&self, office_id: &str) -> Result<Vec<SchoolGroup>> {
        Ok(self.store.school_groups(office_id).await?)
    }

    /// Every API token, or those of one user, for `saraban token list`.
    pub async fn list_api_tokens(&self, username: Option<&str>) -> Result<Vec<ApiToken>> {
        match username {
            Some(name) => {
                let user = self.store.find_user_by_name(name).await?;
                Ok(self
                    .store
                    .list_api_tokens(&user.office_id, Some(user.id))
                    .await?)
            }
            None => Ok(self.store.list_api_tokens("", None).await?),
        }
    }

    /// `saraban token revoke ID`.
    pub async fn revoke_any_api_token(&self, id: &str) -> Result<()> {
        match self.store.revoke_api_token("", None, id.trim()).await? {
            true => Ok(()),
            false => Err(ServiceError::NotFound),
        }
    }

    /// A new API token for an active user; the token itself is shown only now.
    pub async fn issue_api_token(&self, username: &str, label: &str) -> Result<(User, String)> {
        let user = self.store.find_user_by_name(username.trim()).await?;
        if !user.active {
            return Err(ServiceError::Conflict(format!(
                "user {} is deactivated",
                user.username
            )));
        }
        let token = self.store.create_api_token(user.id, label).await?;
        Ok((user, token))
    }

    /// The office's own SMTP account, if it has one.
    pub async fn office_smtp_account(&self, office_id: &str) -> Result<Option<SmtpAccount>> {
        Ok(self.store.smtp_account(office_id).await?)
    }

    /// Adds a mailbox to any office.
    pub async fn add_mailbox_to(&self, office_id: &str, input: &MailboxInput) -> Result<Mailbox> {
        let office = self.office(office_id).await?;
        add_mailbox(&self.store, &office.id, input).await
    }

    /// Every mailbox of the deployment, or of one office.
    pub async fn all_mailboxes(&self, office_id: Option<&str>) -> Result<Vec<Mailbox>> {
        Ok(self.store.list_mailboxes(office_id).await?)
    }

    pub async fn any_mailbox(&self, id: i64) -> Result<Mailbox> {
        Ok(self.store.find_mailbox(id).await?)
    }

    /// What each folder of a mailbox has given so far.
    pub async fn mailbox_folders(&self, mailbox_id: i64) -> Result<Vec<FolderState>> {
        Ok(self.store.folder_states(mailbox_id).await?)
    }

    pub async fn remove_any_mailbox(&self, id: i64) -> Result<()> {
        Ok(self.store.remove_mailbox(id).await?)
    }
}
