//! The outbox worker started by `serve`: claims due e-mails with a lease, builds each message once
//! (stored by sha256, so every retry sends exactly the same bytes with the same Message-ID), sends
//! it without any database transaction open, and records what happened: sent, retry later with
//! backoff (4xx, timeouts, refused connections), or failed (5xx, or too long undelivered).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use thiserror::Error;
use tokio::sync::{Mutex, watch};

use crate::config::SmtpConfig;
use crate::domain::exchange::{
    self, AcceptNotice, Attempt, DeliveryKind, FileFacts, LetterFacts, Party,
};
use crate::message::compose::{self, FactsPart, OutgoingFile, OutgoingMail};
use crate::service::Services;
use crate::store::deliveries::Delivery;
use crate::store::letters::Letter;
use crate::store::offices::Office;
use crate::store::smtp::SmtpAccount;

mod route;
pub use route::{Route, route_for, send_test};

#[derive(Debug, Error)]
pub enum OutboxError {
    #[error("ตั้งค่า SMTP ไม่ถูกต้อง: {0}")]
    Config(String),
    #[error("{0}")]
    Compose(#[from] compose::ComposeError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Files(#[from] crate::files::FileError),
}

/// Runs until `shutdown` turns true.
pub async fn run(services: Services, config: SmtpConfig, mut shutdown: watch::Receiver<bool>) {
    let owner = crate::security::worker_id();
    let worker = Worker::new(services.clone(), config.clone(), owner);
    let poll = Duration::from_secs(config.poll_secs.max(1));
    let batch = (config.concurrency.max(1) * 4) as i64;
    loop {
        if *shutdown.borrow() {
            break;
        }
        // Take the wake-up before looking, so a letter queued while we look is not missed.
        let woken = services.outbox_wake.notified();
        let local = crate::domain::thai_date::to_bangkok(chrono::Utc::now());
        if chrono::Timelike::hour(&local) >= config.digest_hour {
            match services.store().queue_digests(local.date()).await {
                Ok(n) if n > 0 => tracing::info!(digests = n, "daily digests queued"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "daily digests"),
            }
        }
        match services.store().queue_loan_reminders(local.date()).await {
            Ok(n) if n > 0 => tracing::info!(reminders = n, "overdue loan reminders queued"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "overdue loan reminders"),
        }
        match worker.round(batch).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "outbox"),
        }
        tokio::select! {
            _ = woken => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// A receiving domain within one round: whether it is paused.
#[derive(Default)]
struct DomainTurn {
    paused_until: Option<chrono::DateTime<Utc>>,
    /// Its pause (if any) was cleared by a delivery this round.
    cleared: bool,
}

/// The domain of an address, lower case.
fn domain_of(address: &str) -> String {
    crate::domain::sender_auth::domain_of(address)
}

/// The batch reordered so that domains take turns: the first letter of each domain, then the
/// second of each, and so on (each domain's own order kept).
fn interleave_by_domain(claimed: Vec<Delivery>) -> Vec<Delivery> {
    let mut rank: HashMap<String, usize> = HashMap::new();
    let mut keyed: Vec<(usize, usize, Delivery)> = claimed
        .into_iter()
        .enumerate()
        .map(|(at, d)| {
            let seen = rank
                .entry(domain_of(d.recipient_email.as_deref().unwrap_or_default()))
                .or_insert(0);
            *seen += 1;
            (*seen, at, d)
        })
        .collect();
    keyed.sort_by_key(|(turn, at, _)| (*turn, *at));
    keyed.into_iter().map(|(_, _, d)| d).collect()
}

/// A route with what it was built from (the office's account and e-mail address).
type CachedRoute = (Option<SmtpAccount>, Option<String>, Arc<Route>);

pub struct Worker {
    services: Services,
    config: SmtpConfig,
    owner: String,
    /// Transports by office, rebuilt when the office's account changes (pooled connections).
    routes: Mutex<HashMap<String, CachedRoute>>,
    /// When the next message to each receiving domain may go (`smtp.per_domain_interval_ms`).
    paces: std::sync::Mutex<HashMap<String, tokio::time::Instant>>,
}

impl Worker {
    pub fn new(services: Services, config: SmtpConfig, owner: String) -> Worker {
        Worker {
            services,
            config,
            owner,
            routes: Mutex::new(HashMap::new()),
            paces: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Claims and sends one batch of due e-mails; how many were claimed. The batch is sent
    /// domain by domain in turn (so a slow or paced domain does not hold the others back); a
    /// domain whose letter is answered "try later" (4xx) is paused for every process, and the
    /// rest of its letters in the batch are handed back untried.
    pub async fn round(&self, batch: i64) -> Result<usize, OutboxError> {
        use futures_util::StreamExt;
        let lease = chrono::Duration::seconds(self.config.lease_secs.max(1) as i64);
        let claimed = self
            .services
            .store()
            .claim_due(&self.owner, lease, batch)
            .await?;
        let n = claimed.len();
        let domains = Mutex::new(HashMap::<String, DomainTurn>::new());
        futures_util::stream::iter(interleave_by_domain(claimed))
            .for_each_concurrent(self.config.concurrency.max(1), |d| {
                let domains = &domains;
                async move {
                    if let Err(e) = self.attempt_paced(d, domains).await {
                        tracing::warn!(error = %e, "outbox attempt");
                    }
                }
            })
            .await;
        Ok(n)
    }

    /// One claimed e-mail, within its domain's pace and pause.
    async fn attempt_paced(
        &self,
        d: Delivery,
        domains: &Mutex<HashMap<String, DomainTurn>>,
    ) -> Result<(), OutboxError> {
        let store = self.services.store();
        let domain = domain_of(d.recipient_email.as_deref().unwrap_or_default());
        let interval = Duration::from_millis(self.config.per_domain_interval_ms);
        let paused = domains
            .lock()
            .await
            .get(&domain)
            .and_then(|t| t.paused_until);
        if let Some(until) = paused {
            store.release_untried(d.id, &self.owner, until).await?;
            return Ok(());
        }
        if !interval.is_zero() {
            let slot = {
                let mut paces = self.paces.lock().unwrap_or_else(|e| e.into_inner());
                let now = tokio::time::Instant::now();
                if paces.len() > 10_000 {
                    paces.retain(|_, next| *next > now);
                }
                let next = paces.entry(domain.clone()).or_insert(now);
                let slot = (*next).max(now);
                *next = slot + interval;
                slot
            };
            tokio::time::sleep_until(slot).await;
        }
        let trouble = self.attempt(d).await?;
        if domain.is_empty() {
            return Ok(());
        }
        let mut map = domains.lock().await;
        let turn = map.entry(domain.clone()).or_default();
        match trouble {
            Some(reason) if turn.paused_until.is_none() => {
                let policy = self.config.retry_policy();
                let until = store
                    .pause_domain(&domain, &reason, Utc::now(), |n| policy.domain_pause(n))
                    .await?;
                tracing::info!(%domain, %until, %reason, "receiving domain paused");
                turn.paused_until = Some(until);
            }
            Some(_) => {}
            None if !turn.cleared => {
                store.clear_domain_pause(&domain).await?;
                turn.cleared = true;
            }
            None => {}
        }
        Ok(())
    }

    async fn route(&self, office: &Office) -> Result<Arc<Route>, OutboxError> {
        let account = self.services.store().smtp_account(&office.id).await?;
        let mut routes = self.routes.lock().await;
        if let Some((a, email, route)) = routes.get(&office.id)
            && *a == account
            && *email == office.email
        {
            return Ok(route.clone());
        }
        let route = Arc::new(route_for(office, account.as_ref(), &self.config)?);
        routes.insert(
            office.id.clone(),
            (account, office.email.clone(), route.clone()),
        );
        Ok(route)
    }

    /// Tries one e-mail and records the result; the server's words when it answered "try
    /// later" (4xx: the recipient domain's trouble, not the letter's). A server that cannot be
    /// reached is the route's trouble: each letter backs off on its own.
    async fn attempt(&self, d: Delivery) -> Result<Option<String>, OutboxError> {
        let store = &self.services.store();
        let attempts = d.attempts + 1;
        let office = store.find_office(&d.office_id).await?;
        let mut domain_trouble = None;
        let outcome = match self.route(&office).await {
            Err(e) => Attempt::Transient(e.to_string()),
            Ok(route) => match self.message(&d, &office, &route).await {
                Err(OutboxError::Compose(e)) => Attempt::Permanent(e.to_string()),
                Err(e) => Attempt::Transient(e.to_string()),
                Ok(raw) => {
                    let to = d.recipient_email.clone().unwrap_or_default();
                    let limit = Duration::from_secs(self.config.timeout_secs.max(1) * 2);
                    match tokio::time::timeout(limit, route.send(&to, &raw)).await {
                        Ok(Attempt::Deferred(reason)) => {
                            domain_trouble = Some(reason.clone());
                            Attempt::Deferred(reason)
                        }
                        Ok(a) => a,
                        Err(_) => Attempt::Transient("หมดเวลาระหว่างส่ง".into()),
                    }
                }
            },
        };
        let mut jitter = [0u8; 1];
        let _ = getrandom::fill(&mut jitter);
        let step = self.config.retry_policy().next_step(
            outcome,
            attempts,
            d.queued_at.unwrap_or(d.updated_at),
            Utc::now(),
            f64::from(jitter[0]) / 255.0,
        );
        if !store
            .finish_attempt(d.id, &self.owner, &step, attempts)
            .await?
        {
            tracing::warn!(
                delivery = d.id,
                "outbox lease lost before the result was saved"
            );
        }
        Ok(domain_trouble)
    }

    /// The message's bytes: the stored ones, or built now, stored, and recorded as the bytes.
    async fn message(
        &self,
        d: &Delivery,
        office: &Office,
        route: &Route,
    ) -> Result<Bytes, OutboxError> {
        let files = &self.services.files;
        if let Some(sha) = &d.raw_sha256 {
            return Ok(files.get(sha).await?);
        }
        let letter = self
            .services
            .store()
            .find_letter(&office.id, d.letter_id)
            .await?;
        let env = Addressed {
            office,
            route,
            to: d.recipient_email.clone().unwrap_or_default(),
        };
        let (message_id, raw) = match d.kind {
            DeliveryKind::Digest => self.digest_mail(d, &env).await?,
            DeliveryKind::Notification => self.notification_mail(d, &letter, &env).await?,
            DeliveryKind::Notice => notice_mail(d, &letter, &env)?,
            DeliveryKind::LoanReminder => self.loan_reminder_mail(d, &letter, &env).await?,
            DeliveryKind::Letter => self.letter_mail(d, &letter, &env).await?,
        };
        let raw = Bytes::from(self.signed(office, &route.from_addr, raw).await);
        let sha = files.put(raw.clone()).await?;
        self.services
            .store()
            .set_built(d.id, &self.owner, &sha, &message_id)
            .await?;
        Ok(raw)
    }

    /// The message with the DKIM signature of the office's key (or the deployment's) for its
    /// From domain. A key that cannot be used is logged and the mail goes unsigned: a letter is
    /// never held back for its signature. Signed before it is stored, so retries send the same
    /// signed bytes.
    async fn signed(&self, office: &Office, from_addr: &str, raw: Vec<u8>) -> Vec<u8> {
        match self.services.signing_key(&office.id, from_addr).await {
            Ok(Some(key)) => match crate::sender_auth::signing::sign(&key, &raw) {
                Ok(signed) => signed,
                Err(e) => {
                    tracing::error!(office = %office.id, error = %e, "DKIM signing");
                    raw
                }
            },
            Ok(None) => raw,
            Err(e) => {
                tracing::error!(office = %office.id, error = %e, "DKIM key");
                raw
            }
        }
    }

    /// A page of the web UI at `path`, when the public address is configured.
    fn link(&self, path: &str) -> Option<String> {
        let base = &self.services.public_url;
        (!base.is_empty()).then(|| format!("{base}{path}"))
    }

    /// A person's daily list of letters given to them and not yet acknowledged.
    async fn digest_mail(
        &self,
        d: &Delivery,
        env: &Addressed<'_>,
    ) -> Result<(String, Vec<u8>), OutboxError> {
        let store = &self.services.store();
        let user = store.find_user(d.user_id.unwrap_or_default()).await?;
        let groups = store.groups_of(user.id).await?;
        let mut items = store
            .box_items(&env.office.id, user.id, &groups, true)
            .await?;
        items.extend(
            store
                .box_items(&env.office.id, user.id, &groups, false)
                .await?,
        );
        let now = chrono::Utc::now();
        let lines: Vec<crate::domain::journey::DigestLine> = items
            .iter()
            .filter(|b| b.assignment.acknowledged_at.is_none())
            .map(|b| crate::domain::journey::DigestLine {
                number_label: format!(
                    "{} {}/{}",
                    crate::domain::register::Register::parse(&b.register)
                        .map(|r| r.number_label())
                        .unwrap_or(""),
                    b.number,
                    b.year_be
                ),
                doc_no: b.doc_no.clone(),
                subject: b.subject.clone(),
                speed: b.speed,
                secrecy: b.secrecy,
                from: b.assignment.from_name.clone(),
                due: b.assignment.due_date,
                overdue: crate::domain::journey::is_overdue(b.assignment.due_date, false, now),
            })
            .collect();
        let link = self.link("/my");
        let (subject, body) = crate::domain::journey::digest(
            &env.office.name,
            crate::domain::thai_date::to_bangkok(now).date(),
            &lines,
            link.as_deref(),
        );
        env.plain_mail(subject, body)
    }

    /// Tells a person a letter was given (proposed, assigned, returned) to them.
    async fn notification_mail(
        &self,
        d: &Delivery,
        letter: &Letter,
        env: &Addressed<'_>,
    ) -> Result<(String, Vec<u8>), OutboxError> {
        let a = self
            .services
            .store()
            .find_assignment(d.assignment_id.unwrap_or_default())
            .await?;
        let number_label = format!(
            "{} {}/{}",
            letter.register.number_label(),
            letter.number,
            letter.year_be
        );
        let verb = a.kind.mail_verb();
        let link = self.link(&format!("/letters/{}", letter.id));
        let (subject, body) =
            crate::domain::journey::notification(&crate::domain::journey::NotificationFacts {
                office: &env.office.name,
                number_label: &number_label,
                doc_no: &letter.doc_no,
                subject: &letter.subject,
                sender: &letter.sender,
                speed: letter.speed,
                secrecy: letter.secrecy,
                verb,
                from: &a.from_name,
                note: &a.note,
                due: a.due_date,
                link,
            });
        env.plain_mail(subject, body)
    }

    /// An overdue loan's reminder.
    async fn loan_reminder_mail(
        &self,
        d: &Delivery,
        letter: &Letter,
        env: &Addressed<'_>,
    ) -> Result<(String, Vec<u8>), OutboxError> {
        let loan = self
            .services
            .store()
            .find_loan(&env.office.id, d.loan_id.unwrap_or_default())
            .await?;
        let what = format!(
            "{} {}/{} ที่ {} เรื่อง {}",
            letter.register.number_label(),
            letter.number,
            letter.year_be,
            letter.doc_no,
            letter.subject
        );
        let (subject, body) =
            crate::domain::filing::reminder(&crate::domain::filing::ReminderFacts {
                office: &env.office.name,
                item: &loan.item,
                letter: &what,
                borrower: &loan.borrower_name,
                borrowed_on: loan.borrowed_on,
                due_on: loan.due_on,
                link: self.link("/loans?status=overdue"),
            });
        env.plain_mail(subject, body)
    }

    /// The registered letter itself, with its files and its facts for a receiving saraban.
    async fn letter_mail(
        &self,
        d: &Delivery,
        letter: &Letter,
        env: &Addressed<'_>,
    ) -> Result<(String, Vec<u8>), OutboxError> {
        let files = &self.services.files;
        let message_id = d
            .message_id
            .clone()
            .unwrap_or_else(|| compose::new_message_id(&env.route.from_addr));
        let mut outgoing = Vec::with_capacity(letter.attachments.len());
        let mut file_facts = Vec::with_capacity(letter.attachments.len());
        for a in &letter.attachments {
            let data = files.get(&a.sha256).await?;
            file_facts.push(FileFacts {
                file_name: a.name.clone(),
                description: a.description.clone(),
                mime_code: a.kind.mime().to_string(),
                size: a.size,
                sha256: a.sha256.clone(),
            });
            outgoing.push(OutgoingFile {
                name: a.name.clone(),
                mime: a.kind.mime().to_string(),
                data: data.to_vec(),
            });
        }
        let facts = LetterFacts {
            version: exchange::VERSION,
            id: letter.doc_no.clone(),
            correspondence_date: letter.doc_date,
            subject: letter.subject.clone(),
            speed_code: letter.speed.ecms_code().into(),
            secret_code: letter.secrecy.ecms_code().into(),
            letter_type: letter.letter_type.code().into(),
            sender_party: env.sender(),
            receiver_party: Party {
                organization_id: String::new(),
                name: if letter.recipient.trim().is_empty() {
                    env.to.clone()
                } else {
                    letter.recipient.clone()
                },
                doc_prefix: String::new(),
                email: env.to.clone(),
            },
            sender_register_number: letter.number,
            sender_register_year: letter.year_be,
            attachments: file_facts,
        };
        let raw = compose::build(OutgoingMail {
            from_addr: &env.route.from_addr,
            from_name: &env.office.name,
            to_addr: &env.to,
            message_id: &message_id,
            subject: exchange::letter_subject(&letter.doc_no, letter.doc_date, &letter.subject),
            body: exchange::letter_body(&facts),
            facts: FactsPart {
                media_type: exchange::LETTER_MEDIA_TYPE,
                file_name: exchange::FACTS_FILE_NAME,
                json: facts.to_json(),
            },
            files: outgoing,
            kind: "letter",
            auto_submitted: false,
            in_reply_to: None,
        })?;
        Ok((message_id, raw))
    }
}

/// Where a built message goes, and from whom.
struct Addressed<'a> {
    office: &'a Office,
    route: &'a Route,
    to: String,
}

impl Addressed<'_> {
    /// A plain-text mail from the office to the addressee, with a new Message-ID.
    fn plain_mail(&self, subject: String, body: String) -> Result<(String, Vec<u8>), OutboxError> {
        let message_id = compose::new_message_id(&self.route.from_addr);
        let raw = compose::build_plain(compose::PlainMail {
            from_addr: &self.route.from_addr,
            from_name: &self.office.name,
            to_addr: &self.to,
            message_id: &message_id,
            subject,
            body,
        })?;
        Ok((message_id, raw))
    }

    /// The sending office as the e-CMS facts name it.
    fn sender(&self) -> Party {
        Party {
            organization_id: self.office.id.clone(),
            name: self.office.name.clone(),
            doc_prefix: self.office.prefix.clone(),
            email: self.route.from_addr.clone(),
        }
    }
}

/// The acceptance notice to the saraban that sent us a letter we registered.
fn notice_mail(
    d: &Delivery,
    letter: &Letter,
    env: &Addressed<'_>,
) -> Result<(String, Vec<u8>), OutboxError> {
    let answers = d.answers_message_id.clone().unwrap_or_default();
    let notice = AcceptNotice {
        version: exchange::VERSION,
        notifier: exchange::ACCEPT_NOTIFIER.into(),
        letter_message_id: answers.clone(),
        letter_id: letter.doc_no.clone(),
        accept_id: letter.number,
        accept_year: letter.year_be,
        accept_time: letter.registered_at,
        receiver_party: env.sender(),
    };
    let message_id = compose::new_message_id(&env.route.from_addr);
    let raw = compose::build(OutgoingMail {
        from_addr: &env.route.from_addr,
        from_name: &env.office.name,
        to_addr: &env.to,
        message_id: &message_id,
        subject: exchange::notice_subject(&notice),
        body: exchange::notice_body(&notice),
        facts: FactsPart {
            media_type: exchange::NOTICE_MEDIA_TYPE,
            file_name: exchange::NOTICE_FILE_NAME,
            json: notice.to_json(),
        },
        files: Vec::new(),
        kind: "notice",
        auto_submitted: true,
        in_reply_to: (!answers.is_empty()).then_some(answers.as_str()),
    })?;
    Ok((message_id, raw))
}
