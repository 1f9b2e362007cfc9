//! Attachment storage, content-addressed by sha256. File names never become paths.
//!
//! [`FileStore`] is the seam: the local directory is the embedded default, and an S3-compatible
//! backend only has to implement the same three calls.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use thiserror::Error;

use crate::security::sha256_hex;

#[derive(Debug, Error)]
pub enum FileError {
    #[error("file {0} is not in storage")]
    Missing(String),
    #[error("storage I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored file {0} does not match its sha256")]
    Corrupt(String),
}

pub trait FileBackend: Send + Sync {
    /// Stores the bytes durably (they survive a crash once this returns).
    fn put(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>>;
    /// Stores the bytes; durable only after the next [`FileBackend::flush`]. Lets a batch pay
    /// for one flush instead of one per file.
    fn put_deferred(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>>;
    /// Makes every deferred put durable.
    fn flush(&self) -> BoxFuture<'_, Result<(), FileError>>;
    /// A folder for files being written piece by piece before they are adopted (same filesystem
    /// as the store, so adopting is a rename).
    fn staging_dir(&self) -> PathBuf;
    /// Takes a staged file in under `sha256` (deferred: durable after the next flush).
    fn adopt(&self, sha256: String, staged: PathBuf) -> BoxFuture<'_, Result<(), FileError>>;
    fn get(&self, sha256: String) -> BoxFuture<'_, Result<Bytes, FileError>>;
    fn exists(&self, sha256: String) -> BoxFuture<'_, Result<bool, FileError>>;
}

/// The storage handed around the application.
#[derive(Clone)]
pub struct FileStore {
    backend: Arc<dyn FileBackend>,
}

impl FileStore {
    pub fn local(root: impl Into<PathBuf>) -> FileStore {
        FileStore {
            backend: Arc::new(LocalFiles { root: root.into() }),
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

    /// Like [`FileStore::put`], durable only after [`FileStore::flush`]: for batches that flush
    /// once before they commit. (The backend skips bytes it already holds.)
    pub async fn put_deferred(&self, data: Bytes) -> Result<String, FileError> {
        let sha = sha256_hex(&data);
        self.backend.put_deferred(sha.clone(), data).await?;
        Ok(sha)
    }

    pub async fn flush(&self) -> Result<(), FileError> {
        self.backend.flush().await
    }

    /// A new, empty staging file and its path, for bytes that arrive in pieces.
    pub async fn staging_file(&self) -> Result<(tokio::fs::File, PathBuf), FileError> {
        let dir = self.backend.staging_dir();
        tokio::fs::create_dir_all(&dir).await?;
        let mut name = [0u8; 12];
        getrandom::fill(&mut name)
            .map_err(|e| FileError::Io(std::io::Error::other(e.to_string())))?;
        let path = dir.join(format!("{}.part", hex::encode(name)));
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

/// Files under a directory, as `ab/abcd…`: 256 folders keep each one small (a million files
/// make ~4 000 a folder, which ext4's hashed directories handle well), without creating a new
/// folder for almost every new file as a deeper layout would.
struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    fn path_of(&self, sha: &str) -> PathBuf {
        self.root.join(&sha[0..2]).join(sha)
    }

    /// Writes beside the final name and renames: a crash never leaves half a file under the
    /// real name (the sha256 check on reading would catch it anyway).
    /// One trip to the blocking pool for the whole write.
    async fn write(&self, sha256: &str, data: Bytes, sync: bool) -> Result<(), FileError> {
        let path = self.path_of(sha256);
        // Unique per write: two writers of the same bytes at once must not share a temporary file
        // (the second rename would find it gone). Renaming over an identical file is harmless.
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce)
            .map_err(|e| FileError::Io(std::io::Error::other(e.to_string())))?;
        let tmp_name = format!(".{sha256}.{}.tmp", hex::encode(nonce));
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
            if sync {
                f.sync_all()?;
            }
            std::fs::rename(&tmp, &path)
        })
        .await
        .map_err(|e| FileError::Io(std::io::Error::other(e.to_string())))??;
        Ok(())
    }
}

impl FileBackend for LocalFiles {
    fn put(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move {
            self.write(&sha256, data, true).await?;
            // The rename must reach the disk too.
            self.flush().await
        })
    }

    fn put_deferred(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.write(&sha256, data, false).await })
    }

    fn staging_dir(&self) -> PathBuf {
        self.root.join(".incoming")
    }

    fn adopt(&self, sha256: String, staged: PathBuf) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move {
            let path = self.path_of(&sha256);
            if let Some(dir) = path.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            if tokio::fs::try_exists(&path).await? {
                tokio::fs::remove_file(&staged).await?;
            } else {
                tokio::fs::rename(&staged, &path).await?;
            }
            Ok(())
        })
    }

    fn flush(&self) -> BoxFuture<'_, Result<(), FileError>> {
        let root = self.root.clone();
        Box::pin(async move {
            tokio::fs::create_dir_all(&root).await?;
            // One syncfs flushes every file and rename of the batch on this filesystem.
            tokio::task::spawn_blocking(move || {
                let dir = std::fs::File::open(&root)?;
                rustix::fs::syncfs(&dir).map_err(std::io::Error::from)
            })
            .await
            .map_err(|e| FileError::Io(std::io::Error::other(e.to_string())))??;
            Ok(())
        })
    }

    fn get(&self, sha256: String) -> BoxFuture<'_, Result<Bytes, FileError>> {
        Box::pin(async move {
            match tokio::fs::read(self.path_of(&sha256)).await {
                Ok(data) => Ok(Bytes::from(data)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(FileError::Missing(sha256))
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    fn exists(&self, sha256: String) -> BoxFuture<'_, Result<bool, FileError>> {
        Box::pin(async move { Ok(tokio::fs::try_exists(self.path_of(&sha256)).await?) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_by_content_and_refuses_odd_keys() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::local(dir.path());
        let sha = files
            .put(Bytes::from_static(b"%PDF-1.4 hello"))
            .await
            .unwrap();
        assert_eq!(sha, sha256_hex(b"%PDF-1.4 hello"));
        assert_eq!(
            files
                .put(Bytes::from_static(b"%PDF-1.4 hello"))
                .await
                .unwrap(),
            sha
        );
        assert_eq!(&files.get(&sha).await.unwrap()[..], b"%PDF-1.4 hello");
        assert!(matches!(
            files.get("../../etc/passwd").await,
            Err(FileError::Missing(_))
        ));
        assert!(dir.path().join(&sha[0..2]).join(&sha).exists());
    }

    #[tokio::test]
    async fn the_same_bytes_written_twice_at_once_both_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::local(dir.path());
        let data = Bytes::from(vec![b'x'; 300_000]);
        let (a, b) = tokio::join!(
            files.put_deferred(data.clone()),
            files.put_deferred(data.clone())
        );
        assert_eq!(a.unwrap(), b.unwrap());
        files.flush().await.unwrap();
        assert_eq!(files.get(&sha256_hex(&data)).await.unwrap(), data);
    }
}
