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

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use thiserror::Error;

use crate::security::sha256_hex;

mod inventory;
mod packs;
mod removal;
mod reuse;
mod s3;
mod stream;

pub use inventory::Stored;
pub use packs::pack_written_at;
pub use stream::{FileContent, Pieces, READ_WHOLE_UP_TO};

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

/// What a place for files must do. Both backends keep a batch's files in packs, so the calls
/// about deferred files are answered by their [`packs::Packer`] here, once.
trait FileBackend: Send + Sync {
    /// Stores the bytes durably (they survive a crash once this returns).
    fn put(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>>;
    /// The packs this backend writes a batch's files into.
    fn packs(&self) -> &packs::Packer;
    /// Stores the bytes; durable only after the next [`FileBackend::flush`]. Lets a batch pay
    /// for one write instead of one per file.
    fn put_deferred(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>> {
        self.packs().defer(sha256, data);
        Box::pin(async { Ok(()) })
    }
    /// Makes every deferred put durable (also those of other callers that were not yet flushed).
    fn flush(&self) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.packs().flush(true).await.map(|_| ()) })
    }
    /// Like [`FileBackend::flush`], but the pack index rows are returned instead of written: the
    /// caller commits them in its own transaction, with the rows that name the files, then
    /// calls [`FileBackend::indexed`]. Until then the backend still finds them, and a plain
    /// flush by anyone writes them too.
    fn flush_unindexed(&self) -> BoxFuture<'_, Result<Vec<PackedBlob>, FileError>> {
        Box::pin(self.packs().flush(false))
    }
    /// The caller committed these index rows.
    fn indexed(&self, blobs: &[PackedBlob]) {
        self.packs().indexed(blobs)
    }
    /// A folder for files being written piece by piece before they are adopted (same filesystem
    /// as the store, so adopting is a rename).
    fn staging_dir(&self) -> PathBuf;
    /// Takes a staged file in under `sha256`, durably.
    fn adopt(&self, sha256: String, staged: PathBuf) -> BoxFuture<'_, Result<(), FileError>>;
    fn get(&self, sha256: String) -> BoxFuture<'_, Result<Bytes, FileError>>;
    /// The file's size and its pieces, not yet checked ([`FileStore::open`] checks them).
    fn open(&self, sha256: String) -> BoxFuture<'_, Result<(u64, Pieces), FileError>>;
    fn exists(&self, sha256: String) -> BoxFuture<'_, Result<bool, FileError>>;
    /// Removes these files' `copies` for good; what was removed.
    fn remove(
        &self,
        sha256s: Vec<String>,
        copies: Copies,
    ) -> BoxFuture<'_, Result<Removed, FileError>>;
    /// Which packs this backend writes (and so which index it uses).
    fn pack_home(&self) -> PackHome;
    /// Everything stored, as it is found (for `saraban storage gc`).
    fn inventory(&self) -> BoxStream<'_, Result<Stored, FileError>>;
    /// Destroys a pack that no index row names; false (and nothing done) when one does.
    fn destroy_unnamed_pack(&self, name: String) -> BoxFuture<'_, Result<bool, FileError>> {
        Box::pin(async move { self.packs().destroy_unnamed(&name).await })
    }
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

/// Which copies of a file a removal takes: a file may be stored on its own and in a pack at
/// once (the same bytes stored twice by different paths).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copies {
    /// Every copy (lawful destruction).
    All,
    /// Only the file stored on its own (gc found that one old and unnamed).
    OwnFile,
    /// Only the packed copy (gc found that one old and unnamed).
    Packed,
}

impl Copies {
    fn own_file(self) -> bool {
        self != Copies::Packed
    }
    fn packed(self) -> bool {
        self != Copies::OwnFile
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

/// Which backend's packs: each has its own index, so that moving files from one backend to the
/// other never takes one's packs for the other's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackHome {
    /// `packs/` under the storage root (table `stored_blobs`).
    Disk,
    /// `packs/` in the S3 bucket (table `object_blobs`).
    ObjectStore,
}

impl std::ops::AddAssign for Removed {
    fn add_assign(&mut self, more: Removed) {
        self.files += more.files;
        self.bytes += more.bytes;
        self.packs_rewritten += more.packs_rewritten;
    }
}

/// Where a packed file lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedBlob {
    pub home: PackHome,
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
    /// Records, committed, that these stored files are about to be named again; which of them
    /// are being removed or were removed lately (see `reuse`). None by default (no remover).
    fn claim_reuse(
        &self,
        _sha256s: Vec<String>,
    ) -> BoxFuture<'_, Result<HashSet<String>, FileError>> {
        Box::pin(async { Ok(HashSet::new()) })
    }
    /// Which of these files are being removed right now.
    fn removals_under_way(
        &self,
        _sha256s: Vec<String>,
    ) -> BoxFuture<'_, Result<HashSet<String>, FileError>> {
        Box::pin(async { Ok(HashSet::new()) })
    }
}

/// The storage handed around the application.
#[derive(Clone)]
pub struct FileStore {
    backend: Arc<dyn FileBackend>,
}

impl FileStore {
    /// Files in an S3-compatible object store; `staging` is a local folder for files written
    /// piece by piece before they are uploaded.
    /// `index` is the index of the packs kept in the object store (not of those on disk).
    pub fn s3(
        config: &crate::config::S3Config,
        staging: PathBuf,
        index: Arc<dyn PackIndex>,
    ) -> Result<FileStore, FileError> {
        Ok(FileStore {
            backend: Arc::new(s3::S3Files::new(config, staging, index)?),
        })
    }

    pub fn local(root: impl Into<PathBuf>, index: Arc<dyn PackIndex>) -> FileStore {
        FileStore {
            backend: Arc::new({
                let root = root.into();
                LocalFiles {
                    packs: packs::Packer::new(
                        PackHome::Disk,
                        index,
                        Box::new(LocalPacks {
                            dir: root.join("packs"),
                        }),
                    ),
                    root,
                }
            }),
        }
    }

    /// Stores bytes and returns their sha256 (hex). Storing the same bytes twice is a no-op.
    pub async fn put(&self, data: Bytes) -> Result<String, FileError> {
        let sha = sha256_hex(&data);
        if !self.still_stored(&sha).await? {
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
        if self.still_stored(sha256).await? {
            return self.remove_leftover(&staged).await;
        }
        self.backend.adopt(sha256.to_string(), staged).await
    }

    /// Whether the bytes named `sha256` are stored and can be named again without storing them:
    /// when they are, the reuse is recorded first (see `reuse`), and they are looked for again
    /// if a removal touched them.
    async fn still_stored(&self, sha256: &str) -> Result<bool, FileError> {
        if !self.backend.exists(sha256.to_string()).await? {
            // Stored afresh: a remover that listed an older copy has removed it already (it
            // was missing), and gc removes only the copy it found (see `Copies`).
            return Ok(false);
        }
        let touched = reuse::claim(self.backend.packs().index(), vec![sha256.to_string()]).await?;
        if touched.is_empty() {
            return Ok(true);
        }
        self.backend.exists(sha256.to_string()).await
    }

    /// The bytes stored under `sha256`, checked against it.
    /// Removes files for good (lawful destruction): see the module's notes.
    pub async fn remove(&self, sha256s: Vec<String>) -> Result<Removed, FileError> {
        self.backend.remove(sha256s, Copies::All).await
    }

    /// Removes only these copies of the files (see [`Copies`]).
    pub async fn remove_copies(
        &self,
        sha256s: Vec<String>,
        copies: Copies,
    ) -> Result<Removed, FileError> {
        self.backend.remove(sha256s, copies).await
    }

    /// Which packs this store writes: the index `saraban storage gc` looks at.
    pub fn pack_home(&self) -> PackHome {
        self.backend.pack_home()
    }

    /// Everything stored, as it is found.
    pub fn inventory(&self) -> BoxStream<'_, Result<Stored, FileError>> {
        self.backend.inventory()
    }

    /// Destroys a pack that no index row names (a batch whose transaction never committed);
    /// false when one does.
    pub async fn destroy_unnamed_pack(&self, name: &str) -> Result<bool, FileError> {
        self.backend.destroy_unnamed_pack(name.to_string()).await
    }

    /// Removes what an interrupted write left in the staging folder or beside a file.
    pub async fn remove_leftover(&self, path: &Path) -> Result<(), FileError> {
        match tokio::fs::remove_file(path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether files can be written now (for `/readyz` and at start-up).
    pub async fn ready(&self) -> Result<(), FileError> {
        self.backend.ready().await
    }

    /// The file under `sha256` for reading: whole and checked when small, otherwise as pieces
    /// checked as they go by (`on_damage` is called if the file turns out damaged at the end).
    pub async fn open(
        &self,
        sha256: &str,
        on_damage: Box<dyn FnOnce() + Send>,
    ) -> Result<FileContent, FileError> {
        if !is_sha256_hex(sha256) {
            return Err(FileError::Missing(sha256.to_string()));
        }
        let (size, pieces) = self.backend.open(sha256.to_string()).await?;
        if size > READ_WHOLE_UP_TO {
            return Ok(FileContent::Stream {
                size,
                pieces: stream::checked(sha256.to_string(), size, pieces, on_damage),
            });
        }
        use futures_util::TryStreamExt;
        let parts: Vec<Bytes> = pieces.try_collect().await?;
        let data = if parts.len() == 1 {
            parts.into_iter().next().unwrap_or_default()
        } else {
            Bytes::from(parts.concat())
        };
        Ok(FileContent::Whole(checked_whole(sha256, data)?))
    }

    pub async fn get(&self, sha256: &str) -> Result<Bytes, FileError> {
        if !is_sha256_hex(sha256) {
            return Err(FileError::Missing(sha256.to_string()));
        }
        let data = self.backend.get(sha256.to_string()).await?;
        checked_whole(sha256, data)
    }
}

/// The bytes, when they are those named by `sha256`.
fn checked_whole(sha256: &str, data: Bytes) -> Result<Bytes, FileError> {
    if sha256_hex(&data) != sha256 {
        return Err(FileError::Corrupt(sha256.to_string()));
    }
    Ok(data)
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

/// Files under a directory: single files as `ab/abcd…` (256 folders keep each one small
/// without creating a folder for almost every new file), batches as `packs/*.pack`.
struct LocalFiles {
    root: PathBuf,
    packs: packs::Packer,
}

/// The packs folder of a [`LocalFiles`].
struct LocalPacks {
    dir: PathBuf,
}

impl LocalFiles {
    fn path_of(&self, sha: &str) -> PathBuf {
        self.root.join(&sha[0..2]).join(sha)
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
}

impl packs::PackSink for LocalPacks {
    fn write(&self, name: String, pieces: Vec<Bytes>) -> BoxFuture<'_, Result<(), FileError>> {
        let dir = self.dir.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                use std::io::Write;
                std::fs::create_dir_all(&dir)?;
                let file = std::fs::File::create(dir.join(&name))?;
                let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
                for piece in &pieces {
                    out.write_all(piece)?;
                }
                let file = out.into_inner().map_err(|e| e.into_error())?;
                file.sync_all()?;
                sync_dir(&dir)
            })
            .await
            .map_err(join_error)??;
            Ok(())
        })
    }

    fn read(
        &self,
        name: String,
        offset: u64,
        size: u64,
    ) -> BoxFuture<'_, Result<Bytes, FileError>> {
        let path = self.dir.join(name);
        Box::pin(async move {
            let size = usize::try_from(size)
                .map_err(|_| FileError::Io(std::io::Error::other("pack entry too large")))?;
            tokio::task::spawn_blocking(move || -> Result<Bytes, FileError> {
                use std::os::unix::fs::FileExt;
                let file = std::fs::File::open(&path)?;
                let mut data = vec![0u8; size];
                file.read_exact_at(&mut data, offset)?;
                Ok(Bytes::from(data))
            })
            .await
            .map_err(join_error)?
        })
    }

    fn open(
        &self,
        name: String,
        offset: u64,
        size: u64,
    ) -> BoxFuture<'_, Result<Pieces, FileError>> {
        let path = self.dir.join(name);
        Box::pin(async move {
            use tokio::io::{AsyncReadExt, AsyncSeekExt};
            let mut file = tokio::fs::File::open(&path).await?;
            file.seek(std::io::SeekFrom::Start(offset)).await?;
            Ok(stream::read_pieces(file.take(size)))
        })
    }

    fn destroy(&self, name: String) -> BoxFuture<'_, Result<(), FileError>> {
        let path = self.dir.join(name);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || removal::shred(&path))
                .await
                .map_err(join_error)??;
            Ok(())
        })
    }
}

/// Makes a creation or rename in `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

impl FileBackend for LocalFiles {
    fn packs(&self) -> &packs::Packer {
        &self.packs
    }

    fn pack_home(&self) -> PackHome {
        PackHome::Disk
    }

    fn inventory(&self) -> BoxStream<'_, Result<Stored, FileError>> {
        inventory::walk_local(Some(self.root.clone()), self.staging_dir())
    }

    fn put(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.write(&sha256, data).await })
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

    fn get(&self, sha256: String) -> BoxFuture<'_, Result<Bytes, FileError>> {
        Box::pin(async move {
            if let Some(data) = self.packs.get(&sha256).await? {
                return Ok(data);
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

    fn remove(
        &self,
        sha256s: Vec<String>,
        copies: Copies,
    ) -> BoxFuture<'_, Result<Removed, FileError>> {
        Box::pin(self.remove_files(sha256s, copies))
    }

    fn open(&self, sha256: String) -> BoxFuture<'_, Result<(u64, Pieces), FileError>> {
        Box::pin(async move {
            if let Some(opened) = self.packs.open(&sha256).await? {
                return Ok(opened);
            }
            let file = match tokio::fs::File::open(self.path_of(&sha256)).await {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(FileError::Missing(sha256));
                }
                Err(e) => return Err(e.into()),
            };
            let size = file.metadata().await?.len();
            Ok((size, stream::read_pieces(file)))
        })
    }

    fn exists(&self, sha256: String) -> BoxFuture<'_, Result<bool, FileError>> {
        Box::pin(async move {
            if self.packs.holds(&sha256).await? {
                return Ok(true);
            }
            Ok(tokio::fs::try_exists(self.path_of(&sha256)).await?)
        })
    }
}

#[cfg(test)]
mod tests;
