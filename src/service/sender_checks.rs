//! Is a mail's sender who it says? Each mail taken in is checked (by the checker the wiring
//! gives, `crate::sender_auth`, on a thread of its own after the mail is recorded), judged
//! against the office's directory of known senders, and stored with its verdict; only then is it
//! registered on arrival, and a held mail never is. DNS trouble leaves the verdict pending and the
//! mail is checked again later.

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
    /// Wakes the checks' thread when mail was taken in.
    pub wake: Arc<tokio::sync::Notify>,
    /// Mail being taken in now, which the checks let go first.
    pub intake: Intake,
}

/// How many passes over a mailbox are taking new mail in right now. The sender checks wait for
/// none (for at most a while, see `crate::sender_auth::spawn_checks`): a burst of mail is taken
/// in at full speed and checked after it.
#[derive(Clone)]
pub struct Intake(Arc<tokio::sync::watch::Sender<usize>>);

impl Default for Intake {
    fn default() -> Intake {
        Intake(Arc::new(tokio::sync::watch::Sender::new(0)))
    }
}

impl Intake {
    /// A pass begins taking mail in; it has ended when the guard is dropped.
    pub fn begin(&self) -> IntakeGuard {
        self.0.send_modify(|n| *n += 1);
        IntakeGuard(self.0.clone())
    }

    /// Waits until no pass is taking mail in, or until `deadline`.
    pub async fn settled(&self, deadline: tokio::time::Instant) {
        let mut passes = self.0.subscribe();
        let _ = tokio::time::timeout_at(deadline, passes.wait_for(|n| *n == 0)).await;
    }
}

/// A pass taking mail in (see [`Intake::begin`]).
pub struct IntakeGuard(Arc<tokio::sync::watch::Sender<usize>>);

impl Drop for IntakeGuard {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
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
        Ok(self
            .check_entries(auth, entries)
            .await?
            .into_iter()
            .map(|(entry, judgement)| (entry.entry_id, judgement))
            .collect())
    }

    async fn check_entries(
        &self,
        auth: &SenderAuth,
        entries: Vec<ToCheck>,
    ) -> Result<Vec<(ToCheck, Judgement)>> {
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
        // DNS answers are awaited side by side. What cannot be checked now (DNS too slow for
        // the batch's time, the raw message unreadable) is pending, checked again later.
        let deadline = tokio::time::Instant::now() + auth.batch_budget;
        let checked: Vec<(ToCheck, std::result::Result<Checks, &'static str>)> =
            futures_util::stream::iter(entries)
                .map(|entry| async move {
                    let checks = match self.files.get(&entry.raw_sha256).await {
                        Ok(raw) => tokio::time::timeout_at(deadline, auth.checker.check(&raw))
                            .await
                            .map_err(|_| "not answered in time"),
                        Err(e) => {
                            tracing::warn!(entry_id = entry.entry_id, error = %e, "raw mail unreadable");
                            Err("raw mail unreadable")
                        }
                    };
                    (entry, checks)
                })
                .buffer_unordered(8)
                .collect()
                .await;
        let mut rows = Vec::with_capacity(checked.len());
        let mut out = Vec::with_capacity(checked.len());
        for (entry, checks) in checked {
            let directory = directories
                .get(&entry.office_id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let (judgement, checks) = match checks {
                Ok(checks) => (
                    judge(&checks, directory, &entry.sender, &entry.sender),
                    checks,
                ),
                Err(why) => (
                    Judgement {
                        verdict: Verdict::Pending,
                        domain: String::new(),
                        method: String::new(),
                        claimed: None,
                        hold: true,
                    },
                    Checks {
                        source: why.into(),
                        ..Default::default()
                    },
                ),
            };
            let next =
                (judgement.verdict == Verdict::Pending).then(|| Utc::now() + auth.recheck_after);
            let json = serde_json::to_string(&checks).unwrap_or_else(|_| "{}".into());
            out.push((entry.clone(), judgement.clone()));
            rows.push((entry, judgement, json, next));
        }
        self.store.save_sender_checks(&rows).await?;
        Ok(out)
    }

    /// Checks up to `limit` entries never checked or due again, then registers on arrival those
    /// that pass, for offices that ask for it; how many were checked.
    pub async fn check_due_senders(&self, limit: i64) -> Result<usize> {
        let Some(auth) = &self.sender_auth else {
            return Ok(0);
        };
        let due = self.store.entries_to_check(Utc::now(), limit).await?;
        let judged = self.check_entries(auth, due).await?;
        self.register_checked_on_arrival(&judged).await?;
        Ok(judged.len())
    }

    /// Registration on arrival, which waited for the sender's verdict: each entry not held, of an
    /// office that registers on arrival (`auto_register` leaves alone what a clerk registered or
    /// set aside meanwhile).
    async fn register_checked_on_arrival(&self, judged: &[(ToCheck, Judgement)]) -> Result<()> {
        let mut offices: HashMap<String, Option<crate::store::offices::Office>> = HashMap::new();
        for (entry, judgement) in judged {
            if judgement.hold {
                continue;
            }
            if !offices.contains_key(&entry.office_id) {
                let office = self.store.find_office(&entry.office_id).await?;
                offices.insert(
                    entry.office_id.clone(),
                    Some(office).filter(|o| o.auto_register),
                );
            }
            let Some(Some(office)) = offices.get(&entry.office_id) else {
                continue;
            };
            if let Err(e) = self.auto_register(office, entry.entry_id).await {
                tracing::info!(entry_id = entry.entry_id, error = %e, "left in the inbox for the clerk");
            }
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::Intake;
    use std::time::Duration;
    use tokio::time::{Instant, timeout};

    #[tokio::test]
    async fn the_checks_wait_for_mail_being_taken_in_until_it_ends_or_the_deadline() {
        let intake = Intake::default();
        // Nothing being taken in: no wait.
        timeout(
            Duration::from_secs(30),
            intake.settled(Instant::now() + Duration::from_secs(60)),
        )
        .await
        .expect("no wait when no pass runs");
        // A pass under way: the wait lasts until its deadline.
        let pass = intake.begin();
        let started = Instant::now();
        intake.settled(started + Duration::from_millis(200)).await;
        assert!(started.elapsed() >= Duration::from_millis(200));
        // The wait ends when the last pass under way ends (a second pass ends first here).
        let second = intake.begin();
        drop(second);
        let waiter = tokio::spawn({
            let intake = intake.clone();
            async move {
                intake
                    .settled(Instant::now() + Duration::from_secs(600))
                    .await
            }
        });
        drop(pass);
        timeout(Duration::from_secs(30), waiter)
            .await
            .expect("released when the pass ends")
            .unwrap();
    }
}
