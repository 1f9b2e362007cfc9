//! The IMAP commands a pass sends: bodies fetched in groups, a large message in pieces straight
//! into the file store, and the flag (or move) that marks what was committed.

use super::{INGESTED_FLAG, ImapError, ImapSession, wire_folder, within};
use crate::service::Services;
use crate::service::ingest::{self, IngestError, Origin, Outcome};
use crate::store::inbox::ReceiptKey;
use crate::store::mailboxes::Mailbox;
use crate::store::offices::Office;
use chrono::Utc;
use futures_util::StreamExt;
use std::time::Duration;

/// The size of each piece of a streamed message.
const PIECE_BYTES: u64 = 4 * 1024 * 1024;

/// A large message: fetched piece by piece into a staging file (hashed as it comes), taken into
/// the file store under its sha256, then read once for parsing. `None` when it was expunged.
pub(super) async fn take_large(
    services: &Services,
    office: &Office,
    session: &mut ImapSession,
    key: ReceiptKey,
    uid: u32,
    arrived: Option<chrono::DateTime<Utc>>,
    limit: Duration,
) -> Result<Option<Outcome>, ImapError> {
    use sha2::Digest;
    use tokio::io::AsyncWriteExt;
    let (mut file, staged) = services
        .files
        .staging_file()
        .await
        .map_err(IngestError::from)?;
    let mut hasher = sha2::Sha256::new();
    let mut offset = 0u64;
    loop {
        let query = format!("(UID BODY.PEEK[]<{offset}.{PIECE_BYTES}>)");
        let mut piece = Vec::new();
        {
            let mut stream = within(
                limit,
                "UID FETCH BODY<piece>",
                session.uid_fetch(uid.to_string(), &query),
            )
            .await?;
            while let Some(item) = within(limit, "UID FETCH BODY<piece>", async {
                stream.next().await.transpose()
            })
            .await?
            {
                if item.uid == Some(uid)
                    && let Some(b) = item.body()
                {
                    piece = b.to_vec();
                }
            }
        }
        if piece.is_empty() {
            break;
        }
        hasher.update(&piece);
        file.write_all(&piece)
            .await
            .map_err(|e| IngestError::from(crate::files::FileError::Io(e)))?;
        offset += piece.len() as u64;
        if (piece.len() as u64) < PIECE_BYTES {
            break;
        }
    }
    drop(file);
    if offset == 0 {
        let _ = tokio::fs::remove_file(&staged).await;
        return Ok(None);
    }
    let sha = hex::encode(hasher.finalize());
    services
        .files
        .adopt(&sha, staged)
        .await
        .map_err(IngestError::from)?;
    // Parsing needs the message in memory once; the file store already holds it.
    let raw = services.files.get(&sha).await.map_err(IngestError::from)?;
    let origin = Origin::Mailbox(key);
    let prepared = ingest::prepare(services, office, &origin, raw, arrived).await?;
    let outcome = ingest::record_batch(services, office, vec![(origin, prepared)]).await?;
    Ok(outcome.into_iter().next())
}

/// UID set syntax with ranges: 1:5,7,9:10
pub(super) fn uid_set(uids: &[u32]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1] == end + 1 {
            i += 1;
            end = uids[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}:{end}")
        });
        i += 1;
    }
    parts.join(",")
}

pub(super) async fn fetch_bodies(
    session: &mut ImapSession,
    uids: &[u32],
    limit: Duration,
) -> Result<std::collections::HashMap<u32, Vec<u8>>, ImapError> {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    let mut stream = within(
        limit,
        "UID FETCH BODY",
        session.uid_fetch(uid_set(&sorted), "(UID BODY.PEEK[])"),
    )
    .await?;
    let mut bodies = std::collections::HashMap::new();
    while let Some(item) = within(limit, "UID FETCH BODY", async {
        stream.next().await.transpose()
    })
    .await?
    {
        if let (Some(uid), Some(body)) = (item.uid, item.body()) {
            bodies.insert(uid, body.to_vec());
        }
    }
    Ok(bodies)
}

pub(super) async fn mark_done(
    session: &mut ImapSession,
    mailbox: &Mailbox,
    uids: &[u32],
    limit: Duration,
) -> Result<(), ImapError> {
    let set = uid_set(uids);
    match &mailbox.move_to {
        Some(target) => {
            within(limit, "UID MOVE", session.uid_mv(&set, wire_folder(target))).await?;
        }
        None => {
            let mut stream = within(
                limit,
                "UID STORE",
                session.uid_store(&set, format!("+FLAGS.SILENT ({INGESTED_FLAG})")),
            )
            .await?;
            while within(limit, "UID STORE", async {
                stream.next().await.transpose()
            })
            .await?
            .is_some()
            {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::uid_set;

    #[test]
    fn uid_sets_use_ranges() {
        assert_eq!(uid_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[]), "");
    }
}
