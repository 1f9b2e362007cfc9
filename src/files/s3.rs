//! Files in an S3-compatible object store (`storage.backend = "s3"`): SeaweedFS, MinIO, Garage
//! or a commercial S3, through `object_store` on ring. One object per file under
//! `blobs/<first two hex>/<sha256>`: content-addressed, so writing a file twice is harmless and
//! nothing relies on conditional PUT (some servers ignore it). A put returns once the store has
//! the object, so the database row that names it commits after it. Every read is checked
//! against the sha256. Large staged files are uploaded in parts, never whole in memory.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStoreExt, RetryConfig, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use super::{FileBackend, FileError, PackedBlob, Removed};
use crate::config::S3Config;

pub(super) struct S3Files {
    store: Arc<AmazonS3>,
    /// Local folder for files written piece by piece before they are uploaded.
    staging: PathBuf,
}

/// Parts of this size are uploaded one after another for a large file.
const PART: usize = 8 * 1024 * 1024;

impl S3Files {
    pub(super) fn new(config: &S3Config, staging: PathBuf) -> Result<S3Files, FileError> {
        let store = AmazonS3Builder::new()
            .with_endpoint(config.endpoint.trim_end_matches('/'))
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(config.secret_access_key.expose())
            .with_virtual_hosted_style_request(!config.path_style)
            .with_allow_http(config.endpoint.starts_with("http://"))
            // A dead server must not hang a request for minutes (the default is 10 tries in 3).
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: std::time::Duration::from_secs(20),
                ..Default::default()
            })
            .build()
            .map_err(|e| FileError::Store(e.to_string()))?;
        Ok(S3Files {
            store: Arc::new(store),
            staging,
        })
    }

    fn key(sha256: &str) -> Path {
        let prefix = sha256.get(0..2).unwrap_or("xx");
        Path::from(format!("blobs/{prefix}/{sha256}"))
    }

    /// Creates the bucket when it is missing (a PUT on the bucket, signed by the store's own
    /// signer); an existing bucket is left as it is. Ends with a probe object written.
    async fn ensure_bucket(&self) -> Result<(), FileError> {
        use object_store::signer::Signer;
        let probe = Path::from(".saraban-ready");
        match self.store.head(&probe).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => {
                // The bucket answers; make sure a write works too.
                if self
                    .store
                    .put(&probe, Bytes::from_static(b"ok").into())
                    .await
                    .is_ok()
                {
                    return Ok(());
                }
            }
            Err(_) => {}
        }
        let url = self
            .store
            .signed_url(
                reqwest::Method::PUT,
                &Path::from(""),
                std::time::Duration::from_secs(60),
            )
            .await
            .map_err(|e| FileError::Store(e.to_string()))?;
        let answer = reqwest::Client::new()
            .put(url)
            .send()
            .await
            .map_err(|e| FileError::Store(format!("create bucket: {e}")))?;
        // 409: it exists already (another process made it first).
        if !answer.status().is_success() && answer.status().as_u16() != 409 {
            return Err(FileError::Store(format!(
                "create bucket: HTTP {}",
                answer.status()
            )));
        }
        self.store
            .put(&probe, Bytes::from_static(b"ok").into())
            .await
            .map_err(|e| FileError::Store(e.to_string()))?;
        Ok(())
    }

    async fn upload(&self, sha256: &str, data: Bytes) -> Result<(), FileError> {
        self.store
            .put(&Self::key(sha256), data.into())
            .await
            .map_err(|e| FileError::Store(e.to_string()))?;
        Ok(())
    }
}

fn store_error(sha256: &str, e: object_store::Error) -> FileError {
    match e {
        object_store::Error::NotFound { .. } => FileError::Missing(sha256.to_string()),
        other => FileError::Store(other.to_string()),
    }
}

impl FileBackend for S3Files {
    fn put(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.upload(&sha256, data).await })
    }

    // Every put is durable when it returns: nothing waits for a flush.
    fn put_deferred(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.upload(&sha256, data).await })
    }

    fn flush(&self) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async { Ok(()) })
    }

    fn flush_unindexed(&self) -> BoxFuture<'_, Result<Vec<PackedBlob>, FileError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    fn indexed(&self, _blobs: &[PackedBlob]) {}

    fn staging_dir(&self) -> PathBuf {
        self.staging.clone()
    }

    fn ready(&self) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(self.ensure_bucket())
    }

    fn adopt(&self, sha256: String, staged: PathBuf) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move {
            let upload = self
                .store
                .put_multipart(&Self::key(&sha256))
                .await
                .map_err(|e| FileError::Store(e.to_string()))?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
            let mut file = tokio::fs::File::open(&staged).await?;
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = file.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                writer
                    .wait_for_capacity(2)
                    .await
                    .map_err(|e| FileError::Store(e.to_string()))?;
                writer.write(&buf[..n]);
            }
            writer
                .finish()
                .await
                .map_err(|e| FileError::Store(e.to_string()))?;
            tokio::fs::remove_file(&staged).await?;
            Ok(())
        })
    }

    fn get(&self, sha256: String) -> BoxFuture<'_, Result<Bytes, FileError>> {
        Box::pin(async move {
            let data = self
                .store
                .get(&Self::key(&sha256))
                .await
                .map_err(|e| store_error(&sha256, e))?
                .bytes()
                .await
                .map_err(|e| store_error(&sha256, e))?;
            if hex::encode(Sha256::digest(&data)) != sha256 {
                return Err(FileError::Corrupt(sha256));
            }
            Ok(data)
        })
    }

    fn exists(&self, sha256: String) -> BoxFuture<'_, Result<bool, FileError>> {
        Box::pin(async move {
            match self.store.head(&Self::key(&sha256)).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(FileError::Store(e.to_string())),
            }
        })
    }

    fn remove(&self, sha256s: Vec<String>) -> BoxFuture<'_, Result<Removed, FileError>> {
        Box::pin(async move {
            let mut removed = Removed::default();
            for sha in sha256s {
                let key = Self::key(&sha);
                let size = match self.store.head(&key).await {
                    Ok(meta) => meta.size,
                    Err(object_store::Error::NotFound { .. }) => continue,
                    Err(e) => return Err(FileError::Store(e.to_string())),
                };
                match self.store.delete(&key).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(FileError::Store(e.to_string())),
                }
                removed.files += 1;
                removed.bytes += size;
            }
            Ok(removed)
        })
    }
}
