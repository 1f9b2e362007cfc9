//! Is a mail's sender who it says? Each mail taken in is checked (by the checker the wiring
//! gives, `crate::sender_auth`), judged against the office's directory of known senders, and
//! stored with its verdict; a held mail is never registered on arrival. DNS trouble leaves the
//! verdict pending and the mail is checked again later.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use std::collections::HashMap;

use chrono::Utc;

use super::{Actor, Result, ServiceError, Services};
use crate::domain::sender_auth::{Checks, Judgement, KnownSender, Verdict, judge};
use crate::store::sender_checks::{SenderCheck, ToCheck};

/// Makes the checks of one raw message (DKIM, SPF, DMARC, ARC).
pub trait CheckSender: Send + Sync {
    fn check<'a>(&'a self, raw: &'a [u8]) -> Pin<Box<dyn Future<Output = Checks> + Send + 'a>>;
}

/// The checker and how long a pending check waits before the next try.
#[derive(Clone)]
pub struct SenderAuth {
    pub checker: Arc<dyn CheckSender>,
    pub recheck_after: chrono::Duration,
    /// How long a batch waits for its checks (see `sender_auth.batch_budget_secs`).
    pub batch_budget: std::time::Duration,
}

impl Services {
    /// Checks the sender of inbox entry `entry_id` and stores the verdict. `None` when no checker
    /// is configured or the entry did not come by e-mail.
    pub async fn check_sender(&self, entry_id: i64) -> Result<Option<Judgement>> {
        Ok(self.check_senders(&[entry_id]).await?.remove(&entry_id))
    }

    /// Checks the senders of these entries (those that came by e-mail), a few at a time, and
    /// stores the verdicts in one transaction; the judgements by entry.
    pub async fn check_senders(&self, entry_ids: &[i64]) -> Result<HashMap<i64, Judgement>> {
        let Some(auth) = &self.sender_auth else {
            return Ok(HashMap::new());
        };
        let entries = self.store.entries_to_check_by_ids(entry_ids).await?;
        self.check_entries(auth, entries).await
    }

    async fn check_entries(
        &self,
        auth: &SenderAuth,
        entries: Vec<ToCheck>,
    ) -> Result<HashMap<i64, Judgement>> {
        use futures_util::StreamExt;
        let mut directories: HashMap<String, Vec<KnownSender>> = HashMap::new();
        for e in &entries {
            if !directories.contains_key(&e.office_id) {
                let d = self
                    .store
                    .sender_directory(&e.office_id, &self.default_from)
                    .await?;
                directories.insert(e.office_id.clone(), d);
            }
        }
        // DNS answers are awaited side by side; a message whose raw bytes cannot be read is
        // left for the background pass.
        let deadline = tokio::time::Instant::now() + auth.batch_budget;
        let checked: Vec<(ToCheck, Option<Checks>)> = futures_util::stream::iter(entries)
            .map(|entry| async move {
                match self.files.get(&entry.raw_sha256).await {
                    // Not checked within the batch's time: pending, checked again later.
                    Ok(raw) => Some((
                        entry,
                        tokio::time::timeout_at(deadline, auth.checker.check(&raw))
                            .await
                            .ok(),
                    )),
                    Err(e) => {
                        tracing::warn!(entry_id = entry.entry_id, error = %e, "raw mail unreadable");
                        None
                    }
                }
            })
            .buffer_unordered(8)
            .filter_map(|x| async move { x })
            .collect()
            .await;
        let mut rows = Vec::with_capacity(checked.len());
        let mut out = HashMap::new();
        for (entry, checks) in checked {
            let directory = directories
                .get(&entry.office_id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let (judgement, checks) = match checks {
                Some(checks) => (
                    judge(&checks, directory, &entry.sender, &entry.sender),
                    checks,
                ),
                None => (
                    Judgement {
                        verdict: Verdict::Pending,
                        domain: String::new(),
                        method: String::new(),
                        claimed: None,
                        hold: true,
                    },
                    Checks {
                        source: "not answered in time".into(),
                        ..Default::default()
                    },
                ),
            };
            let next =
                (judgement.verdict == Verdict::Pending).then(|| Utc::now() + auth.recheck_after);
            let json = serde_json::to_string(&checks).unwrap_or_else(|_| "{}".into());
            out.insert(entry.entry_id, judgement.clone());
            rows.push((entry, judgement, json, next));
        }
        self.store.save_sender_checks(&rows).await?;
        Ok(out)
    }

    /// Checks up to `limit` entries never checked or due again; how many were checked.
    pub async fn check_due_senders(&self, limit: i64) -> Result<usize> {
        let Some(auth) = &self.sender_auth else {
            return Ok(0);
        };
        let due = self.store.entries_to_check(Utc::now(), limit).await?;
        Ok(self.check_entries(auth, due).await?.len())
    }

    /// The verdict on an entry the actor may see.
    pub async fn sender_check(&self, actor: &Actor, entry_id: i64) -> Result<Option<SenderCheck>> {
        self.inbox_entry(actor, entry_id).await?;
        Ok(self.store.sender_check(entry_id).await?)
    }

    /// The verdicts of a page of entries (already the actor's).
    pub async fn sender_checks_of(
        &self,
        entry_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, SenderCheck>> {
        Ok(self.store.sender_checks_of(entry_ids).await?)
    }

    /// The verdicts on the mails a page of letters (already the actor's) came by, by letter.
    pub async fn sender_checks_of_letters(
        &self,
        letter_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, SenderCheck>> {
        Ok(self.store.sender_checks_of_letters(letter_ids).await?)
    }

    /// The clerk confirms the entry's sender address as a known sender of the office (under the
    /// name the mail gave), then the entry is judged again.
    pub async fn confirm_sender(&self, actor: &Actor, entry_id: i64) -> Result<Option<Judgement>> {
        if !actor
            .user
            .role
            .can_register(crate::domain::register::Register::Inbound)
        {
            return Err(ServiceError::Forbidden("เฉพาะเจ้าหน้าที่ธุรการยืนยันผู้ส่งได้".into()));
        }
        let entry = self.inbox_entry(actor, entry_id).await?;
        if !entry.sender_email.contains('@') {
            return Err(ServiceError::Conflict("หนังสือนี้ไม่มีที่อยู่อีเมลผู้ส่ง".into()));
        }
        let name = if entry.sender.trim().is_empty() {
            entry.sender_email.clone()
        } else {
            entry.sender.clone()
        };
        self.store
            .add_known_sender(&actor.office.id, &name, &entry.sender_email, actor.user.id)
            .await?;
        self.check_sender(entry_id).await
    }
}
