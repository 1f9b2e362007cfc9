//! Removing files for good (lawful destruction): a file of its own is overwritten with zeros and
//! unlinked; a pack holding a removed file is rewritten without it, the index moved in one
//! transaction, and the old pack overwritten and unlinked.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::{FileError, LocalFiles, Removed, is_sha256_hex, join_error, sha256_hex, sync_dir};

/// Overwrites a file with zeros, syncs, and unlinks it; its size, or `None` when there was none.
fn shred(path: &Path) -> std::io::Result<Option<u64>> {
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
    pub(super) async fn remove_files(&self, sha256s: Vec<String>) -> Result<Removed, FileError> {
        // No flush packs files while packs are rewritten.
        let _one_at_a_time = self.flushing.lock().await;
        let mut removed = Removed::default();
        let mut by_pack: HashMap<String, HashSet<String>> = HashMap::new();
        for sha in sha256s.iter().filter(|s| is_sha256_hex(s)) {
            let path = self.path_of(sha);
            if let Some(size) = tokio::task::spawn_blocking(move || shred(&path))
                .await
                .map_err(join_error)??
            {
                removed.files += 1;
                removed.bytes += size;
            }
            if let Some(blob) = self.index.locate(sha.clone()).await? {
                by_pack.entry(blob.pack).or_default().insert(sha.clone());
            }
        }
        for (pack, gone) in by_pack {
            let blobs = self.index.in_pack(pack.clone()).await?;
            let mut kept = Vec::new();
            for blob in blobs.iter().filter(|b| !gone.contains(&b.sha256)) {
                let data = self.read_packed(blob.clone()).await?;
                if sha256_hex(&data) != blob.sha256 {
                    return Err(FileError::Corrupt(blob.sha256.clone()));
                }
                kept.push((blob.sha256.clone(), data));
            }
            let moved = self.write_new_pack(kept).await?;
            self.index
                .repack(gone.iter().cloned().collect(), moved)
                .await?;
            for blob in blobs.iter().filter(|b| gone.contains(&b.sha256)) {
                removed.files += 1;
                removed.bytes += blob.size;
            }
            removed.packs_rewritten += 1;
            if pack.contains('/') || pack.starts_with('.') {
                return Err(FileError::Corrupt(pack));
            }
            let old = self.packs_dir().join(&pack);
            tokio::task::spawn_blocking(move || shred(&old))
                .await
                .map_err(join_error)??;
        }
        Ok(removed)
    }
}
