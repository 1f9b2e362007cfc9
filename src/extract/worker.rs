//! The file-text reader started by `serve`: claims a queued file with a lease, reads its words
//! without any database transaction open, and stores them with its letters' search columns in
//! one transaction. A reader killed mid-file leaves a lease that runs out; the file is then read
//! again by whoever claims it, and stored once (the lease owner alone may finish it).

use std::time::Duration;

use tokio::sync::watch;

use super::Extractor;
use crate::config::TextConfig;
use crate::service::Services;
use crate::store::file_texts::Claim;

/// Runs until `shutdown` turns true.
pub async fn run(services: Services, config: TextConfig, mut shutdown: watch::Receiver<bool>) {
    let owner = crate::security::worker_id();
    let extractor = Extractor::new(config.clone());
    let abandoned = super::remove_abandoned_work_dirs(&std::env::temp_dir());
    if abandoned > 0 {
        tracing::info!(abandoned, "work folders of killed readers removed");
    }
    let poll = Duration::from_secs(config.poll_secs.max(1));
    loop {
        if *shutdown.borrow() {
            break;
        }
        let woken = services.text_wake.notified();
        match read_next(&services, &extractor, &config, &owner).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "file texts"),
        }
        tokio::select! {
            _ = woken => {}
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Reads one due file, if any. True when one was taken (whatever came of it).
pub async fn read_next(
    services: &Services,
    extractor: &Extractor,
    config: &TextConfig,
    owner: &str,
) -> Result<bool, crate::store::StoreError> {
    let store = services.store();
    let lease = chrono::Duration::seconds(config.lease_secs.max(1) as i64);
    let Some(claim) = store.claim_file_text(owner, lease).await? else {
        return Ok(false);
    };
    let read = match services.files.get(&claim.sha256).await {
        Ok(bytes) => extractor
            .extract(&bytes, &claim.name)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(format!("อ่านไฟล์จากที่เก็บไม่ได้: {e}")),
    };
    match read {
        Ok(text) => {
            // A database hiccup (a deadlock victim on PostgreSQL) must not throw away a read
            // that may have taken minutes of OCR, nor leave the file waiting out its lease.
            let mut tries = 0;
            let stored = loop {
                tries += 1;
                match store
                    .finish_file_text(
                        &claim.sha256,
                        owner,
                        text.method.code(),
                        &text.text,
                        text.pages,
                    )
                    .await
                {
                    Ok(stored) => break stored,
                    Err(e) if tries < 3 => {
                        tracing::warn!(error = %e, sha256 = %claim.sha256, "file text not stored, trying again");
                        tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                    }
                    Err(e) => return Err(e),
                }
            };
            if !stored {
                tracing::info!(sha256 = %claim.sha256, "file text: lease lost, another reader stores it");
            }
        }
        Err(error) => {
            tracing::warn!(sha256 = %claim.sha256, name = %claim.name, %error, "file text not read");
            fail(services, config, &claim, owner, &error).await?;
        }
    }
    Ok(true)
}

async fn fail(
    services: &Services,
    config: &TextConfig,
    claim: &Claim,
    owner: &str,
    error: &str,
) -> Result<(), crate::store::StoreError> {
    let last_try = claim.attempt >= config.max_attempts.max(1);
    // 1, 4, 16 … minutes between tries.
    let retry_in = chrono::Duration::minutes(4_i64.pow(claim.attempt.clamp(1, 5) as u32 - 1));
    services
        .store()
        .fail_file_text(claim, owner, error, last_try, retry_in)
        .await
}
