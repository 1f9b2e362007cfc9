//! Removing files for good from the local disk (lawful destruction): a file of its own is
//! overwritten with zeros and unlinked; a pack holding a removed file is rewritten without it
//! (see `packs`), and the old pack overwritten and unlinked.

use std::path::Path;

use super::{Copies, FileError, LocalFiles, Removed, is_sha256_hex, join_error, sync_dir};

/// Overwrites a file with zeros, syncs, and unlinks it; its size, or `None` when there was none.
pub(super) fn shred(path: &Path) -> std::io::Result<Option<u64>> {
    use std::io::Write;
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    {
        let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
        let zeros = vec![0u8; 1 << 16];
        let mut left = size;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            file.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        file.sync_all()?;
    }
    std::fs::remove_file(path)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(Some(size))
}

impl LocalFiles {
    pub(super) async fn remove_files(
        &self,
        sha256s: Vec<String>,
        copies: Copies,
    ) -> Result<Removed, FileError> {
        let sha256s: Vec<String> = sha256s.into_iter().filter(|s| is_sha256_hex(s)).collect();
        let mut removed = Removed::default();
        let own_files = if copies.own_file() { &sha256s[..] } else { &[] };
        for sha in own_files {
            let path = self.path_of(sha);
            if let Some(size) = tokio::task::spawn_blocking(move || shred(&path))
                .await
                .map_err(join_error)??
            {
                removed.files += 1;
                removed.bytes += size;
            }
        }
        if copies.packed() {
            removed += self.packs.remove(&sha256s).await?;
        }
        Ok(removed)
    }
}
