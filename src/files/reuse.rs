//! Storing bytes that a removal may be taking away at the same moment. A file's name is its
//! sha256, so the bytes a writer is about to name may already be stored, unnamed, and old
//! enough for `storage gc` (or named only by letters being destroyed). Before deciding whether
//! to store anything, a writer records its reuse of those names in the database, committed;
//! a remover records its removal before it looks for what names a file, and leaves alone a
//! file with a recorded reuse. Whichever records first is seen by the other: a writer that
//! finds a removal waits for it to end, then stores again whatever is gone. (Migration 0026.)

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::{FileError, PackIndex};

/// How long a writer waits for a removal of its files to end (gc removes 500 at a time).
const WAIT_AT_MOST: Duration = Duration::from_secs(600);
const POLL_EVERY: Duration = Duration::from_millis(100);

/// Records that `sha256s` are about to be named; returns those a removal touched, once no
/// removal of them is under way: the caller must look again whether they are stored.
pub(super) async fn claim(
    index: &dyn PackIndex,
    sha256s: Vec<String>,
) -> Result<HashSet<String>, FileError> {
    if sha256s.is_empty() {
        return Ok(HashSet::new());
    }
    let touched = index.claim_reuse(sha256s).await?;
    if touched.is_empty() {
        return Ok(touched);
    }
    let deadline = Instant::now() + WAIT_AT_MOST;
    loop {
        let under_way = index
            .removals_under_way(touched.iter().cloned().collect())
            .await?;
        let Some(sha) = under_way.iter().next() else {
            return Ok(touched);
        };
        if Instant::now() > deadline {
            return Err(FileError::Index(format!(
                "file {sha} has been being removed for over {} s",
                WAIT_AT_MOST.as_secs()
            )));
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}
