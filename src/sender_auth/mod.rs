//! The checks behind "is the sender who it says?": DKIM (every signature), SPF for the
//! connecting IP of the first trusted hop, DMARC, and ARC, made with `mail-auth` against the
//! configured name servers (hickory's resolver: a time limit per question and its own cache).
//! A trusted receiving server's `Authentication-Results` is used instead when present. Also
//! the thread that checks each mail taken in, and again what DNS trouble left open.

pub mod signing;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use mail_auth::hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts,
};
use mail_auth::{
    AuthenticatedMessage, DkimResult, DmarcResult, MessageAuthenticator, SpfResult, dmarc::Policy,
    dmarc::verify::DmarcParameters, spf::verify::SpfParameters,
};
use thiserror::Error;

use crate::config::SenderAuthConfig;
use crate::domain::sender_auth::{
    Checks, DkimCheck, DmarcCheck, Outcome, SpfCheck, from_authentication_results,
};
use crate::service::Services;
use crate::service::sender_checks::CheckSender;

#[derive(Debug, Error)]
pub enum SenderAuthError {
    #[error("name server {0:?} is not ip:port")]
    NameServer(String),
    #[error("DNS resolver: {0}")]
    Resolver(String),
}

/// The checker, made once and shared (its DNS cache with it).
pub struct SenderChecker {
    auth: MessageAuthenticator,
    config: SenderAuthConfig,
}

impl SenderChecker {
    pub fn new(config: &SenderAuthConfig) -> Result<SenderChecker, SenderAuthError> {
        let mut options = ResolverOpts::default();
        options.timeout = Duration::from_secs(config.dns_timeout_secs.max(1));
        options.attempts = config.dns_attempts.max(1);
        options.cache_size = 4096;
        let auth = if config.name_servers.is_empty() {
            MessageAuthenticator::new_system_conf()
        } else {
            let mut servers = Vec::new();
            for s in &config.name_servers {
                let addr: SocketAddr = s
                    .parse()
                    .map_err(|_| SenderAuthError::NameServer(s.clone()))?;
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                servers.push(NameServerConfig::new(addr.ip(), true, vec![udp, tcp]));
            }
            MessageAuthenticator::new(ResolverConfig::from_parts(None, vec![], servers), options)
        }
        .map_err(|e| SenderAuthError::Resolver(e.to_string()))?;
        Ok(SenderChecker {
            auth,
            config: config.clone(),
        })
    }

    /// The TXT records at `name`, each one's strings joined; empty when there are none.
    pub async fn txt_records(&self, name: &str) -> Result<Vec<String>, String> {
        use mail_auth::hickory_resolver::proto::rr::RData;
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match self.auth.resolver().txt_lookup(fqdn.as_str()).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .filter_map(|record| match &record.data {
                    RData::TXT(txt) => Some(
                        txt.txt_data
                            .iter()
                            .map(|s| String::from_utf8_lossy(s).into_owned())
                            .collect::<String>(),
                    ),
                    _ => None,
                })
                .collect()),
            Err(e) if e.is_no_records_found() => Ok(Vec::new()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Every check of one raw message. Never fails: what cannot be checked says so.
    pub async fn check(&self, raw: &[u8]) -> Checks {
        let headers = Headers::of(raw);
        let from_address = headers.author_address();
        // A trusted receiving server already checked it.
        for value in headers.all("authentication-results") {
            if let Some(checks) = from_authentication_results(
                &value,
                &self.config.trusted_authserv_ids,
                &from_address,
            ) {
                return checks;
            }
        }
        let mut checks = Checks {
            source: "verified here".into(),
            from_address: from_address.clone(),
            ..Default::default()
        };
        let Some(message) = AuthenticatedMessage::parse(raw) else {
            return checks;
        };
        let dkim = self.auth.verify_dkim(&message).await;
        for output in &dkim {
            let (domain, selector) = output
                .signature()
                .map(|s| (s.d.to_ascii_lowercase(), s.s.clone()))
                .unwrap_or_default();
            let (result, reason) = dkim_outcome(output.result());
            checks.dkim.push(DkimCheck {
                domain,
                selector,
                result,
                reason,
            });
        }
        if !message.ams_headers.is_empty() || !message.as_headers.is_empty() {
            let arc = self.auth.verify_arc(&message).await;
            checks.arc = Some(dkim_outcome(arc.result()).0);
        }
        let hop = headers.trusted_hop(&self.config.trusted_receivers);
        let mail_from = headers.return_path();
        let from_domain = checks.from_domain();
        let spf = match &hop {
            Some((ip, helo)) => {
                let sender = if mail_from.is_empty() {
                    format!("postmaster@{helo}")
                } else {
                    mail_from.clone()
                };
                let output = self
                    .auth
                    .verify_spf(SpfParameters::verify_mail_from(
                        *ip, helo, "saraban", &sender,
                    ))
                    .await;
                checks.spf = Some(SpfCheck {
                    domain: output.domain().to_ascii_lowercase(),
                    ip: ip.to_string(),
                    result: spf_outcome(output.result()),
                });
                Some(output)
            }
            None => None,
        };
        if !from_domain.is_empty() {
            let no_spf = mail_auth::SpfOutput::new(String::new());
            let spf_output = spf.as_ref().unwrap_or(&no_spf);
            let mail_from_domain = crate::domain::sender_auth::domain_of(&mail_from);
            let dmarc = self
                .auth
                .verify_dmarc(DmarcParameters::new(
                    &message,
                    &dkim,
                    if mail_from_domain.is_empty() {
                        &from_domain
                    } else {
                        &mail_from_domain
                    },
                    spf_output,
                ))
                .await;
            let published = !matches!(dmarc.policy(), Policy::Unspecified);
            let result = dmarc_outcome(&dmarc.result());
            if published || result != Outcome::None {
                checks.dmarc = Some(DmarcCheck {
                    domain: from_domain.clone(),
                    policy: match dmarc.policy() {
                        Policy::None => "none",
                        Policy::Quarantine => "quarantine",
                        Policy::Reject => "reject",
                        Policy::Unspecified => "",
                    }
                    .into(),
                    result,
                    dkim_aligned: *dmarc.dkim_result() == DmarcResult::Pass,
                    spf_aligned: *dmarc.spf_result() == DmarcResult::Pass,
                });
            }
        }
        checks
    }
}

impl CheckSender for SenderChecker {
    fn check<'a>(
        &'a self,
        raw: &'a [u8],
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Checks> + Send + 'a>> {
        Box::pin(SenderChecker::check(self, raw))
    }
}

/// How many entries the checks take at a time.
const CHECK_BATCH: i64 = 200;

/// How long the checks wait at most for mail being taken in before they go on alongside it.
const CHECKS_YIELD: Duration = Duration::from_secs(30);

/// Starts the sender checks' own thread: it checks every mail taken in (woken by the poller
/// through [`crate::service::sender_checks::SenderAuth::wake`]) and again what DNS trouble left
/// open, then registers on arrival what passes, for offices that ask for it.
///
/// A check costs about as much CPU as taking the mail in (mostly the signature's verification,
/// ~200 µs here), so with the checks inline a burst of mail came in 2–2.6× slower. Here mail
/// being taken in goes first: the checks wait while a pass over a mailbox is taking new mail in
/// (for at most [`CHECKS_YIELD`]; a longer burst is checked alongside from then on), and the thread
/// runs at the lowest CPU priority (nice 19). A verdict follows its mail by a moment (after a
/// burst, by the time the burst takes to check), and until it is there the mail waits in the
/// inbox: it is not registered on arrival unchecked.
pub fn spawn_checks(
    services: Services,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let runtime = tokio::runtime::Handle::current();
    std::thread::Builder::new()
        .name("sender-checks".into())
        .spawn(move || {
            lowest_cpu_priority();
            // The database and DNS sockets stay with the runtime's own threads; only the
            // checks' CPU work runs here.
            runtime.block_on(check_loop(services, shutdown));
        })
}

async fn check_loop(services: Services, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let Some((wake, intake)) = services
        .sender_auth
        .as_ref()
        .map(|a| (a.wake.clone(), a.intake.clone()))
    else {
        return;
    };
    // Since when mail has waited for its checks: they yield to mail being taken in for at most
    // CHECKS_YIELD from then, and go on alongside it after that.
    let mut waiting_since: Option<tokio::time::Instant> = None;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let since = *waiting_since.get_or_insert_with(tokio::time::Instant::now);
        tokio::select! {
            _ = intake.settled(since + CHECKS_YIELD) => {}
            _ = shutdown.changed() => break,
        }
        match services.check_due_senders(CHECK_BATCH).await {
            Ok(n) if n as i64 == CHECK_BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sender checks"),
        }
        waiting_since = None;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            _ = wake.notified() => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Lowers the calling thread (alone: on Linux a nice value set for a thread id is that thread's)
/// to the lowest CPU priority.
fn lowest_cpu_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: both calls take plain integers and touch no memory of this program.
        let status = unsafe {
            let thread = libc::gettid();
            libc::setpriority(libc::PRIO_PROCESS, thread as libc::id_t, 19)
        };
        if status != 0 {
            tracing::warn!(
                error = %std::io::Error::last_os_error(),
                "sender checks keep the normal CPU priority"
            );
        }
    }
}

fn dkim_outcome(result: &DkimResult) -> (Outcome, String) {
    match result {
        DkimResult::Pass => (Outcome::Pass, String::new()),
        DkimResult::Neutral(e) => (Outcome::Neutral, e.to_string()),
        DkimResult::Fail(e) => (Outcome::Fail, e.to_string()),
        DkimResult::PermError(e) => (Outcome::PermError, e.to_string()),
        DkimResult::TempError(e) => (Outcome::TempError, e.to_string()),
        DkimResult::None => (Outcome::None, String::new()),
    }
}

fn spf_outcome(result: SpfResult) -> Outcome {
    match result {
        SpfResult::Pass => Outcome::Pass,
        SpfResult::Fail => Outcome::Fail,
        SpfResult::SoftFail => Outcome::SoftFail,
        SpfResult::Neutral => Outcome::Neutral,
        SpfResult::TempError => Outcome::TempError,
        SpfResult::PermError => Outcome::PermError,
        SpfResult::None => Outcome::None,
    }
}

fn dmarc_outcome(result: &DmarcResult) -> Outcome {
    match result {
        DmarcResult::Pass => Outcome::Pass,
        DmarcResult::Fail(_) => Outcome::Fail,
        DmarcResult::TempError(_) => Outcome::TempError,
        DmarcResult::PermError(_) => Outcome::PermError,
        DmarcResult::None => Outcome::None,
    }
}

/// The header block of a raw message, unfolded, in order.
struct Headers(Vec<(String, String)>);

impl Headers {
    fn of(raw: &[u8]) -> Headers {
        let end = memchr::memmem::find(raw, b"\r\n\r\n")
            .or_else(|| memchr::memmem::find(raw, b"\n\n"))
            .unwrap_or(raw.len());
        let text = String::from_utf8_lossy(&raw[..end]);
        let mut out: Vec<(String, String)> = Vec::new();
        for line in text.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = out.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((name, value)) = line.split_once(':') {
                out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        Headers(out)
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn first(&self, name: &str) -> String {
        self.all(name).into_iter().next().unwrap_or_default()
    }

    /// The address in `From:` (`Name <a@b>` or `a@b`), lower case.
    fn author_address(&self) -> String {
        address_in(&self.first("from"))
    }

    fn return_path(&self) -> String {
        address_in(&self.first("return-path"))
    }

    /// The connecting IP and HELO name of the first trusted hop: the first `Received` header
    /// written `by` one of `receivers` (the topmost when none is named).
    fn trusted_hop(&self, receivers: &[String]) -> Option<(IpAddr, String)> {
        let received = self.all("received");
        let header = if receivers.is_empty() {
            received.into_iter().next()?
        } else {
            received.into_iter().find(|r| {
                let by = word_after(r, "by").to_ascii_lowercase();
                receivers.iter().any(|t| t.eq_ignore_ascii_case(&by))
            })?
        };
        let helo = word_after(&header, "from");
        let ip = header
            .split('[')
            .skip(1)
            .filter_map(|rest| rest.split(']').next())
            .find_map(|s| s.trim_start_matches("IPv6:").parse::<IpAddr>().ok())?;
        Some((ip, helo))
    }
}

fn word_after(text: &str, key: &str) -> String {
    let mut words = text.split_whitespace();
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case(key) {
            return words.next().unwrap_or_default().to_string();
        }
    }
    String::new()
}

fn address_in(value: &str) -> String {
    let inner = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value,
    };
    inner.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trusted_hop_gives_the_connecting_ip() {
        let raw = b"Return-Path: <saraban@obec.go.th>\r\nReceived: from mail.obec.go.th (mail.obec.go.th [203.0.113.7])\r\n\tby mx.school.go.th (Postfix) with ESMTPS id 1\r\nReceived: from inner (inner [10.0.0.1]) by mail.obec.go.th\r\nFrom: =?utf-8?B?4Liq4Lie4LiQ?= <Saraban@Obec.go.th>\r\n\r\nbody";
        let h = Headers::of(raw);
        assert_eq!(h.author_address(), "saraban@obec.go.th");
        assert_eq!(h.return_path(), "saraban@obec.go.th");
        assert_eq!(
            h.trusted_hop(&[]),
            Some(("203.0.113.7".parse().unwrap(), "mail.obec.go.th".into()))
        );
        assert_eq!(
            h.trusted_hop(&["mail.obec.go.th".into()]),
            Some(("10.0.0.1".parse().unwrap(), "inner".into()))
        );
        assert_eq!(h.trusted_hop(&["elsewhere".into()]), None);
    }
}
