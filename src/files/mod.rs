//! File storage (attachments and raw messages), content-addressed by sha256. File names never
//! become paths.
//!
//! [`FileStore`] is the seam: the local directory is the embedded default, and an S3-compatible
//! backend only has to implement the same calls.
//!
//! Locally, a file stored on its own (an upload, a large message) is a file `ab/abcd…`. Files
//! stored in a batch (the messages of one IMAP fetch and their attachments) go into one pack file
//! under `packs/`, found again through a [`PackIndex`]: creating two files per letter cost more
//! than everything else ingestion does. Packs are written once and never changed in place; each
//! file in a pack is preceded by a line `SARABAN-BLOB <sha256> <size>`, so a pack can be read
//! without its index.
//!
//! Lawful destruction removes files for good ([`FileStore::remove`]): a file of its own is
//! overwritten with zeros and unlinked; a pack that holds a destroyed file is rewritten as a new
//! pack of the files it keeps, the index moved to it in one transaction, and the old pack
//! overwritten and unlinked.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use thiserror::Error;

use crate::security::sha256_hex;

mod removal;
mod s3;

#[derive(Debug, Error)]
pub enum FileError {
    #[error("file {0} is not in storage")]
    Missing(String),
    #[error("storage I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored file {0} does not match its sha256")]
    Corrupt(String),
    #[error("pack index: {0}")]
    Index(String),
    #[error("object store: {0}")]
    Store(String),
}

pub trait FileBackend: Send + Sync {
    /// Stores the bytes durably (they survive a crash once this returns).
    fn put(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>>;
    /// Stores the bytes; durable only after the next [`FileBackend::flush`]. Lets a batch pay
    /// for one write instead of one per file.
    fn put_deferred(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>>;
    /// Makes every deferred put durable (also those of other callers that were not yet flushed).
    fn flush(&self) -> BoxFuture<'_, Result<(), FileError>>;
    /// Like [`FileBackend::flush`], but the pack index rows are returned instead of written: the
    /// caller commits them in its own transaction, with the rows that name the files, then
    /// calls [`FileBackend::indexed`]. Until then the backend still finds them, and a plain
    /// flush by anyone writes them too. (A backend without packs flushes and returns none.)
    fn flush_unindexed(&self) -> BoxFuture<'_, Result<Vec<PackedBlob>, FileError>>;
    /// The caller committed these index rows.
    fn indexed(&self, blobs: &[PackedBlob]);
    /// A folder for files being written piece by piece before they are adopted (same filesystem
    /// as the store, so adopting is a rename).
    fn staging_dir(&self) -> PathBuf;
    /// Takes a staged file in under `sha256`, durably.
    fn adopt(&self, sha256: String, staged: PathBuf) -> BoxFuture<'_, Result<(), FileError>>;
    fn get(&self, sha256: String) -> BoxFuture<'_, Result<Bytes, FileError>>;
    fn exists(&self, sha256: String) -> BoxFuture<'_, Result<bool, FileError>>;
    /// Removes these files for good, from packs too; what was removed.
    fn remove(&self, sha256s: Vec<String>) -> BoxFuture<'_, Result<Removed, FileError>>;
    /// Whether files can be written now (for `/readyz`, and at start-up: an object store's
    /// missing bucket is created here). By default a probe file in the staging folder.
    fn ready(&self) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move {
            let dir = self.staging_dir();
            tokio::fs::create_dir_all(&dir).await?;
            let probe = dir.join(format!(".ready-{}", std::process::id()));
            tokio::fs::write(&probe, b"ok").await?;
            tokio::fs::remove_file(&probe).await?;
            Ok(())
        })
    }
}

/// What a removal took away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub files: u64,
    pub bytes: u64,
    /// Packs rewritten without the removed files.
    pub packs_rewritten: u64,
}

/// Where a packed file lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedBlob {
    pub sha256: String,
    /// The pack's file name under `packs/`.
    pub pack: String,
    /// Where the file's bytes start in the pack.
    pub offset: u64,
    pub size: u64,
}

/// The index of packed files (kept in the database, so every process sharing the files sees it).
pub trait PackIndex: Send + Sync {
    fn record(&self, blobs: Vec<PackedBlob>) -> BoxFuture<'_, Result<(), FileError>>;
    fn locate(&self, sha256: String) -> BoxFuture<'_, Result<Option<PackedBlob>, FileError>>;
    /// Which of these are already packed.
    fn known(&self, sha256s: Vec<String>) -> BoxFuture<'_, Result<HashSet<String>, FileError>>;
    /// Every file a pack holds.
    fn in_pack(&self, pack: String) -> BoxFuture<'_, Result<Vec<PackedBlob>, FileError>>;
    /// In one transaction: forgets `removed`, and points `moved` at their new places.
    fn repack(
        &self,
        removed: Vec<String>,
        moved: Vec<PackedBlob>,
    ) -> BoxFuture<'_, Result<(), FileError>>;
}

/// The storage handed around the application.
#[derive(Clone)]
pub struct FileStore {
    backend: Arc<dyn FileBackend>,
}

impl FileStore {
    /// Files in an S3-compatible object store; `staging` is a local folder for files written
    /// piece by piece before they are uploaded.
    pub fn s3(config: &crate::config::S3Config, staging: PathBuf) -> Result<FileStore, FileError> {
        Ok(FileStore {
            backend: Arc::new(s3::S3Files::new(config, staging)?),
        })
    }

    pub fn local(root: impl Into<PathBuf>, index: Arc<dyn PackIndex>) -> FileStore {
        FileStore {
            backend: Arc::new(LocalFiles {
                root: root.into(),
                index,
                pending: Mutex::new(Pending::default()),
                unindexed: Mutex::new(HashMap::new()),
                flushing: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Stores bytes and returns their sha256 (hex). Storing the same bytes twice is a no-op.
    pub async fn put(&self, data: Bytes) -> Result<String, FileError> {
        let sha = sha256_hex(&data);
        if !self.backend.exists(sha.clone()).await? {
            self.backend.put(sha.clone(), data).await?;
        }
        Ok(sha)
    }

    /// Whether a file is stored under `sha256`.
    pub async fn exists(&self, sha256: &str) -> Result<bool, FileError> {
        self.backend.exists(sha256.to_string()).await
    }

    /// Like [`FileStore::put`], durable only after [`FileStore::flush`]: for batches that flush
    /// once before they commit. (Bytes already stored are not stored again.)
    pub async fn put_deferred(&self, data: Bytes) -> Result<String, FileError> {
        let sha = sha256_hex(&data);
        self.backend.put_deferred(sha.clone(), data).await?;
        Ok(sha)
    }

    /// [`FileStore::put_deferred`] for bytes whose sha256 the caller already computed. (A
    /// wrong one is caught on reading: [`FileStore::get`] checks every file against its name.)
    pub async fn put_deferred_hashed(&self, sha256: String, data: Bytes) -> Result<(), FileError> {
        if !is_sha256_hex(&sha256) {
            return Err(FileError::Corrupt(sha256));
        }
        self.backend.put_deferred(sha256, data).await
    }

    pub async fn flush(&self) -> Result<(), FileError> {
        self.backend.flush().await
    }

    /// Makes every deferred put durable and returns the pack index rows, which the caller must
    /// commit (see [`crate::store::Store::record_mail_batch`]). Until then the files are on disk
    /// but cannot be found.
    pub async fn flush_unindexed(&self) -> Result<Vec<PackedBlob>, FileError> {
        self.backend.flush_unindexed().await
    }

    /// Index rows from [`FileStore::flush_unindexed`] are committed.
    pub fn indexed(&self, blobs: &[PackedBlob]) {
        self.backend.indexed(blobs)
    }

    /// A new, empty staging file and its path, for bytes that arrive in pieces.
    pub async fn staging_file(&self) -> Result<(tokio::fs::File, PathBuf), FileError> {
        let dir = self.backend.staging_dir();
        tokio::fs::create_dir_all(&dir).await?;
        let path = dir.join(format!("{}.part", random_hex::<12>()?));
        Ok((tokio::fs::File::create(&path).await?, path))
    }

    /// Takes a staged file in under its sha256 (which the caller computed while writing it).
    pub async fn adopt(&self, sha256: &str, staged: PathBuf) -> Result<(), FileError> {
        if !is_sha256_hex(sha256) {
            return Err(FileError::Corrupt(sha256.to_string()));
        }
        self.backend.adopt(sha256.to_string(), staged).await
    }

    /// The bytes stored under `sha256`, checked against it.
    /// Removes files for good (lawful destruction): see the module's notes.
    pub async fn remove(&self, sha256s: Vec<String>) -> Result<Removed, FileError> {
        self.backend.remove(sha256s).await
    }

    /// Whether files can be written now (for `/readyz` and at start-up).
    pub async fn ready(&self) -> Result<(), FileError> {
        self.backend.ready().await
    }

    pub async fn get(&self, sha256: &str) -> Result<Bytes, FileError> {
        if !is_sha256_hex(sha256) {
            return Err(FileError::Missing(sha256.to_string()));
        }
        let data = self.backend.get(sha256.to_string()).await?;
        if sha256_hex(&data) != sha256 {
            return Err(FileError::Corrupt(sha256.to_string()));
        }
        Ok(data)
    }
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn random_hex<const N: usize>() -> Result<String, FileError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| FileError::Io(std::io::Error::other(e.to_string())))?;
    Ok(hex::encode(bytes))
}

fn join_error(e: tokio::task::JoinError) -> FileError {
    FileError::Io(std::io::Error::other(e.to_string()))
}

/// Deferred files not yet in a pack, in the order they came.
#[derive(Default)]
struct Pending {
    blobs: Vec<(String, Bytes)>,
    shas: HashSet<String>,
}

/// Files under a directory: single files as `ab/abcd…` (256 folders keep each one small
/// without creating a folder for almost every new file), batches as `packs/*.pack`.
struct LocalFiles {
    root: PathBuf,
    index: Arc<dyn PackIndex>,
    pending: Mutex<Pending>,
    /// Packed, durable, but their index rows not yet committed (see `flush_unindexed`).
    unindexed: Mutex<HashMap<String, PackedBlob>>,
    /// One flush at a time: a flush that finds nothing pending must still wait for the one that
    /// took its files, or its caller would commit rows naming files not yet on disk.
    flushing: tokio::sync::Mutex<()>,
}

impl LocalFiles {
    fn path_of(&self, sha: &str) -> PathBuf {
        self.root.join(&sha[0..2]).join(sha)
    }

    fn packs_dir(&self) -> PathBuf {
        self.root.join("packs")
    }

    fn pending_copy(&self, sha256: &str) -> Option<Bytes> {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if !pending.shas.contains(sha256) {
            return None;
        }
        pending
            .blobs
            .iter()
            .find(|(s, _)| s == sha256)
            .map(|(_, d)| d.clone())
    }

    /// Writes beside the final name and renames: a crash never leaves half a file under the
    /// real name (the sha256 check on reading would catch it anyway).
    /// One trip to the blocking pool for the whole write.
    async fn write(&self, sha256: &str, data: Bytes) -> Result<(), FileError> {
        let path = self.path_of(sha256);
        // Unique per write: two writers of the same bytes at once must not share a temporary file
        // (the second rename would find it gone). Renaming over an identical file is harmless.
        let tmp_name = format!(".{sha256}.{}.tmp", random_hex::<8>()?);
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            if path.exists() {
                return Ok(());
            }
            let dir = path.parent().unwrap_or(Path::new("."));
            if !dir.exists() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = dir.join(tmp_name);
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&data)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            sync_dir(dir)
        })
        .await
        .map_err(join_error)??;
        Ok(())
    }

    /// Packs what is pending; with `index_now`, also commits the index rows of everything
    /// packed so far (this flush's and any still waiting for their caller's transaction).
    async fn flush_pending(&self, index_now: bool) -> Result<Vec<PackedBlob>, FileError> {
        let _one_at_a_time = self.flushing.lock().await;
        let taken = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *pending)
        };
        let mut located = Vec::new();
        if !taken.blobs.is_empty() {
            match self.write_pack(&taken.blobs).await {
                Ok(l) => located = l,
                Err(e) => {
                    // Put them back: another caller may be counting on this flush for its files.
                    let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                    for (sha, data) in taken.blobs {
                        if pending.shas.insert(sha.clone()) {
                            pending.blobs.push((sha, data));
                        }
                    }
                    return Err(e);
                }
            }
            let mut unindexed = self.unindexed.lock().unwrap_or_else(|e| e.into_inner());
            for blob in &located {
                unindexed.insert(blob.sha256.clone(), blob.clone());
            }
        }
        if !index_now {
            return Ok(located);
        }
        let waiting: Vec<PackedBlob> = {
            let unindexed = self.unindexed.lock().unwrap_or_else(|e| e.into_inner());
            unindexed.values().cloned().collect()
        };
        if !waiting.is_empty() {
            self.index.record(waiting.clone()).await?;
            self.indexed(&waiting);
        }
        Ok(Vec::new())
    }

    fn unindexed_copy(&self, sha256: &str) -> Option<PackedBlob> {
        let unindexed = self.unindexed.lock().unwrap_or_else(|e| e.into_inner());
        unindexed.get(sha256).cloned()
    }

    async fn locate(&self, sha256: &str) -> Result<Option<PackedBlob>, FileError> {
        match self.unindexed_copy(sha256) {
            Some(blob) => Ok(Some(blob)),
            None => self.index.locate(sha256.to_string()).await,
        }
    }

    /// One pack for the files not yet stored, synced; returns where each one is.
    async fn write_pack(&self, blobs: &[(String, Bytes)]) -> Result<Vec<PackedBlob>, FileError> {
        let known = self
            .index
            .known(blobs.iter().map(|(s, _)| s.clone()).collect())
            .await?;
        let fresh: Vec<(String, Bytes)> = blobs
            .iter()
            .filter(|(s, _)| !known.contains(s) && self.unindexed_copy(s).is_none())
            .cloned()
            .collect();
        self.write_new_pack(fresh).await
    }

    /// Writes these files into a new pack, synced; returns where each one is.
    async fn write_new_pack(
        &self,
        fresh: Vec<(String, Bytes)>,
    ) -> Result<Vec<PackedBlob>, FileError> {
        if fresh.is_empty() {
            return Ok(Vec::new());
        }
        let dir = self.packs_dir();
        let name = format!(
            "{}-{}.pack",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%3f"),
            random_hex::<6>()?
        );
        let located = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<PackedBlob>> {
            use std::io::Write;
            std::fs::create_dir_all(&dir)?;
            let file = std::fs::File::create(dir.join(&name))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            let mut offset = 0u64;
            let mut located = Vec::with_capacity(fresh.len());
            for (sha, data) in &fresh {
                let header = format!("SARABAN-BLOB {sha} {}\n", data.len());
                out.write_all(header.as_bytes())?;
                offset += header.len() as u64;
                out.write_all(data)?;
                out.write_all(b"\n")?;
                located.push(PackedBlob {
                    sha256: sha.clone(),
                    pack: name.clone(),
                    offset,
                    size: data.len() as u64,
                });
                offset += data.len() as u64 + 1;
            }
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            sync_dir(&dir)?;
            Ok(located)
        })
        .await
        .map_err(join_error)??;
        Ok(located)
    }

    async fn read_packed(&self, blob: PackedBlob) -> Result<Bytes, FileError> {
        if blob.pack.contains('/') || blob.pack.starts_with('.') {
            return Err(FileError::Corrupt(blob.sha256));
        }
        let path = self.packs_dir().join(&blob.pack);
        let size =
            usize::try_from(blob.size).map_err(|_| FileError::Corrupt(blob.sha256.clone()))?;
        tokio::task::spawn_blocking(move || -> Result<Bytes, FileError> {
            use std::os::unix::fs::FileExt;
            let file = std::fs::File::open(&path)?;
            let mut data = vec![0u8; size];
            file.read_exact_at(&mut data, blob.offset)?;
            Ok(Bytes::from(data))
        })
        .await
        .map_err(join_error)?
    }
}

/// Makes a creation or rename in `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

impl FileBackend for LocalFiles {
    fn put(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.write(&sha256, data).await })
    }

    fn put_deferred(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            if pending.shas.insert(sha256.clone()) {
                pending.blobs.push((sha256, data));
            }
            Ok(())
        })
    }

    fn staging_dir(&self) -> PathBuf {
        self.root.join(".incoming")
    }

    fn adopt(&self, sha256: String, staged: PathBuf) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move {
            let path = self.path_of(&sha256);
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                let dir = path.parent().unwrap_or(Path::new("."));
                std::fs::create_dir_all(dir)?;
                if path.exists() {
                    return std::fs::remove_file(&staged);
                }
                std::fs::File::open(&staged)?.sync_all()?;
                std::fs::rename(&staged, &path)?;
                sync_dir(dir)
            })
            .await
            .map_err(join_error)??;
            Ok(())
        })
    }

    fn flush(&self) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.flush_pending(true).await.map(|_| ()) })
    }

    fn flush_unindexed(&self) -> BoxFuture<'_, Result<Vec<PackedBlob>, FileError>> {
        Box::pin(self.flush_pending(false))
    }

    fn indexed(&self, blobs: &[PackedBlob]) {
        let mut unindexed = self.unindexed.lock().unwrap_or_else(|e| e.into_inner());
        for blob in blobs {
            unindexed.remove(&blob.sha256);
        }
    }

    fn get(&self, sha256: String) -> BoxFuture<'_, Result<Bytes, FileError>> {
        Box::pin(async move {
            if let Some(data) = self.pending_copy(&sha256) {
                return Ok(data);
            }
            if let Some(blob) = self.locate(&sha256).await? {
                return self.read_packed(blob).await;
            }
            match tokio::fs::read(self.path_of(&sha256)).await {
                Ok(data) => Ok(Bytes::from(data)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(FileError::Missing(sha256))
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    fn remove(&self, sha256s: Vec<String>) -> BoxFuture<'_, Result<Removed, FileError>> {
        Box::pin(self.remove_files(sha256s))
    }

    fn exists(&self, sha256: String) -> BoxFuture<'_, Result<bool, FileError>> {
        Box::pin(async move {
            if self.pending_copy(&sha256).is_some() || self.locate(&sha256).await?.is_some() {
                return Ok(true);
            }
            Ok(tokio::fs::try_exists(self.path_of(&sha256)).await?)
        })
    }
}

#[cfg(test)]
mod tests;
