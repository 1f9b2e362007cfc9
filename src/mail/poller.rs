//! The mail-in worker started by `serve`: one task per mailbox, each holding the mailbox's lease,
//! waiting in IDLE where the server has it with a reconciliation pass every poll interval, and
//! reconnecting with jittered backoff after any failure. Mailboxes added or removed while it
//! runs are noticed within `mail.scan_secs`.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::imap::{self, FetchLimits, ImapError, within};
use crate::config::MailConfig;
use crate::service::Services;
use crate::store::StoreError;

pub fn limits(config: &MailConfig) -> FetchLimits {
    FetchLimits {
        command: Duration::from_secs(config.command_timeout_secs.max(1)),
        max_message_bytes: config.max_message_mb.max(1) * 1024 * 1024,
        stream_above_bytes: 8 * 1024 * 1024,
    }
}

/// Runs until `shutdown` turns true.
pub async fn run(services: Services, config: MailConfig, mut shutdown: watch::Receiver<bool>) {
    let holder = crate::security::worker_id();
    let mut tasks: HashMap<i64, (JoinHandle<()>, watch::Sender<bool>)> = HashMap::new();
    loop {
        if !config.drop_dir.as_os_str().is_empty()
            && let Err(e) = scan_drop_folder(&services, &config.drop_dir).await
        {
            tracing::warn!(error = %e, dir = %config.drop_dir.display(), "drop folder");
        }
        match services.store().list_mailboxes(None).await {
            Ok(mailboxes) => {
                let wanted: Vec<i64> = mailboxes
                    .iter()
                    .filter(|m| m.enabled)
                    .map(|m| m.id)
                    .collect();
                tasks.retain(|id, (handle, stop)| {
                    if !wanted.contains(id) {
                        let _ = stop.send(true);
                    }
                    !handle.is_finished()
                });
                for id in wanted {
                    tasks.entry(id).or_insert_with(|| {
                        let (tx, rx) = watch::channel(false);
                        let handle = tokio::spawn(mailbox_loop(
                            services.clone(),
                            config.clone(),
                            id,
                            holder.clone(),
                            rx,
                        ));
                        (handle, tx)
                    });
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot list mailboxes"),
        }
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = tokio::time::sleep(Duration::from_secs(config.scan_secs.max(1))) => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
    for (_, (handle, stop)) in tasks {
        let _ = stop.send(true);
        let _ = handle.await;
    }
}

/// Takes every `.eml` in `DIR/<office id>/` into that office's inbox, then moves it to `done/`.
/// A crash between the two only means the file is read again next time, and found a duplicate.
pub async fn scan_drop_folder(
    services: &Services,
    dir: &std::path::Path,
) -> std::io::Result<usize> {
    use crate::service::ingest::{Origin, ingest};
    let mut taken = 0;
    let Ok(mut offices) = tokio::fs::read_dir(dir).await else {
        return Ok(0); // no drop folder yet
    };
    while let Some(office_dir) = offices.next_entry().await? {
        if !office_dir.file_type().await?.is_dir() {
            continue;
        }
        let office_id = office_dir.file_name().to_string_lossy().into_owned();
        let Ok(office) = services.store().find_office(&office_id).await else {
            continue;
        };
        let mut files = tokio::fs::read_dir(office_dir.path()).await?;
        while let Some(file) = files.next_entry().await? {
            let path = file.path();
            let is_eml = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("eml"));
            if !is_eml || !file.file_type().await?.is_file() {
                continue;
            }
            let raw = tokio::fs::read(&path).await?;
            let origin = Origin::File(path.display().to_string());
            match ingest(services, &office, &origin, raw.into(), None).await {
                Ok(outcome) => {
                    let done = office_dir.path().join("done");
                    tokio::fs::create_dir_all(&done).await?;
                    tokio::fs::rename(&path, done.join(file.file_name())).await?;
                    tracing::info!(file = %path.display(), outcome = outcome.label(), "drop folder");
                    taken += 1;
                }
                // Left in place: tried again at the next scan.
                Err(e) => tracing::warn!(file = %path.display(), error = %e, "drop folder"),
            }
        }
    }
    Ok(taken)
}

/// Exponential backoff with ±25 % jitter, from 1 s up to 5 minutes.
fn backoff(failures: u32) -> Duration {
    let base = 2u64.saturating_pow(failures.min(9)).min(300);
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    let jitter = (f64::from(byte[0]) / 255.0 - 0.5) * 0.5;
    Duration::from_secs_f64((base as f64 * (1.0 + jitter)).max(0.5))
}

async fn sleep_or_stop(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = stop.changed() => true,
        _ = tokio::time::sleep(d) => *stop.borrow(),
    }
}

async fn mailbox_loop(
    services: Services,
    config: MailConfig,
    id: i64,
    holder: String,
    mut stop: watch::Receiver<bool>,
) {
    let limits = limits(&config);
    let mut failures = 0u32;
    loop {
        if *stop.borrow() {
            break;
        }
        let mailbox = match services.store().find_mailbox(id).await {
            Ok(m) if m.enabled => m,
            Ok(_) | Err(StoreError::NotFound) => break,
            Err(e) => {
                tracing::warn!(mailbox = id, error = %e, "cannot read mailbox");
                if sleep_or_stop(backoff(failures), &mut stop).await {
                    break;
                }
                continue;
            }
        };
        let poll = Duration::from_secs(mailbox.poll_secs.max(1) as u64);
        // Longer than an IDLE wait (at most poll_secs, or 5 minutes); a crashed holder's lease
        // runs out after this long and another process takes over.
        let ttl = chrono::Duration::seconds((mailbox.poll_secs.min(300) * 3).max(20));
        match services.store().acquire_lease(id, &holder, ttl).await {
            Ok(true) => {}
            Ok(false) => {
                // Another process fetches this mailbox; look again later.
                if sleep_or_stop(poll, &mut stop).await {
                    break;
                }
                continue;
            }
            Err(e) => {
                tracing::warn!(mailbox = id, error = %e, "lease");
                if sleep_or_stop(backoff(failures), &mut stop).await {
                    break;
                }
                continue;
            }
        }
        match session_cycle(&services, &mailbox, limits, &holder, ttl, poll, &mut stop).await {
            Ok(()) => break,
            Err(e) => {
                failures += 1;
                tracing::warn!(mailbox = id, failures, error = %e, "mailbox fetch failed; will reconnect");
                for folder in &mailbox.folders {
                    let _ = services
                        .store()
                        .folder_result(id, folder, Some(&e.to_string()))
                        .await;
                }
                if sleep_or_stop(backoff(failures), &mut stop).await {
                    break;
                }
            }
        }
    }
    let _ = services.store().release_lease(id, &holder).await;
}

/// Connected: pass over every folder, then wait (IDLE, or a plain wait) until new mail or the
/// next reconciliation pass. Returns Ok only when asked to stop.
async fn session_cycle(
    services: &Services,
    mailbox: &crate::store::mailboxes::Mailbox,
    limits: FetchLimits,
    holder: &str,
    ttl: chrono::Duration,
    poll: Duration,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), ImapError> {
    let office = services.store().find_office(&mailbox.office_id).await?;
    let mut session = imap::connect(mailbox, limits.command).await?;
    let caps = within(limits.command, "CAPABILITY", session.capabilities()).await?;
    let can_idle = caps.has_str("IDLE");
    loop {
        for folder in &mailbox.folders {
            let lease = imap::Lease {
                holder: holder.to_string(),
                ttl,
            };
            let stats = imap::pass_folder(
                services,
                &office,
                mailbox,
                &mut session,
                folder,
                limits,
                Some(&lease),
            )
            .await?;
            services
                .store()
                .folder_result(mailbox.id, folder, None)
                .await?;
            if stats.fetched > 0 {
                tracing::info!(mailbox = mailbox.id, folder, ?stats, "mail taken in");
            }
        }
        if !services
            .store()
            .acquire_lease(mailbox.id, holder, ttl)
            .await?
        {
            return Err(ImapError::Protocol("lease taken by another process".into()));
        }
        if *stop.borrow() {
            let _ = within(limits.command, "LOGOUT", session.logout()).await;
            return Ok(());
        }
        let first = mailbox
            .folders
            .first()
            .cloned()
            .unwrap_or_else(|| "INBOX".into());
        if can_idle {
            within(
                limits.command,
                "SELECT",
                session.select(imap::wire_folder(&first)),
            )
            .await?;
            let mut idle = session.idle();
            within(limits.command, "IDLE", idle.init()).await?;
            let (wait, interrupt) = idle.wait_with_timeout(poll.min(Duration::from_secs(300)));
            let stopped = tokio::select! {
                r = wait => { r.map_err(ImapError::from)?; false }
                _ = stop.changed() => true,
            };
            drop(interrupt);
            // Whatever ended the IDLE (new mail, timeout, a dropped connection), a pass follows.
            session = within(limits.command, "DONE", idle.done()).await?;
            if stopped {
                let _ = within(limits.command, "LOGOUT", session.logout()).await;
                return Ok(());
            }
        } else if sleep_or_stop(poll, stop).await {
            let _ = within(limits.command, "LOGOUT", session.logout()).await;
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        assert!(
            backoff(1) >= std::time::Duration::from_millis(1400)
                && backoff(1) <= std::time::Duration::from_millis(2600)
        );
        assert!(backoff(30) <= std::time::Duration::from_secs(376));
        assert!(backoff(30) >= std::time::Duration::from_secs(224));
    }
}
