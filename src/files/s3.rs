//! Files in an S3-compatible object store (`storage.backend = "s3"`): SeaweedFS, MinIO, Garage
//! or a commercial S3, through `object_store` on ring. A file stored on its own is one object
//! under `blobs/<first two hex>/<sha256>`; the files of one mail batch are pack objects of at
//! most 1 MB under `packs/` (one PUT each; each file read back with a ranged GET; index in table
//! `object_blobs`). Keys are content-addressed or new random names, so writing twice is
//! harmless and nothing relies on conditional PUT (some servers ignore it). A put or flush
//! returns once the store has the object, so the database row that names it commits after it.
//! Every read is checked against the sha256. Large staged files are uploaded in parts, never
//! whole in memory.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, RetryConfig, WriteMultipart};
use tokio::io::AsyncReadExt;

use super::inventory::{Stored, walk_local};
use super::packs::{PackSink, Packer};
use super::stream::Pieces;
use super::{Copies, FileBackend, FileError, PackHome, PackIndex, Removed};
use crate::config::S3Config;

pub(super) struct S3Files {
    store: Arc<AmazonS3>,
    /// Local folder for files written piece by piece before they are uploaded.
    staging: PathBuf,
    packs: Packer,
}

/// The `packs/` objects of the bucket.
struct S3Packs {
    store: Arc<AmazonS3>,
}

fn pack_key(name: &str) -> Path {
    Path::from(format!("packs/{name}"))
}

/// Packs in the object store stop growing at 1 MB (see [`PackSink::pack_limit`]).
const S3_PACK_LIMIT: u64 = 1024 * 1024;

impl PackSink for S3Packs {
    fn pack_limit(&self) -> u64 {
        S3_PACK_LIMIT
    }

    fn write(&self, name: String, pieces: Vec<Bytes>) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move {
            let payload: object_store::PutPayload = pieces.into_iter().collect();
            self.store
                .put(&pack_key(&name), payload)
                .await
                .map_err(|e| FileError::Store(e.to_string()))?;
            Ok(())
        })
    }

    fn read(
        &self,
        name: String,
        offset: u64,
        size: u64,
    ) -> BoxFuture<'_, Result<Bytes, FileError>> {
        Box::pin(async move {
            self.store
                .get_range(&pack_key(&name), offset..offset + size)
                .await
                .map_err(|e| match e {
                    object_store::Error::NotFound { .. } => FileError::Missing(name),
                    other => FileError::Store(other.to_string()),
                })
        })
    }

    fn open(
        &self,
        name: String,
        offset: u64,
        size: u64,
    ) -> BoxFuture<'_, Result<Pieces, FileError>> {
        Box::pin(async move {
            let range = object_store::GetOptions::new().with_range(Some(offset..offset + size));
            let got = self
                .store
                .get_opts(&pack_key(&name), range)
                .await
                .map_err(|e| store_error(&name, e))?;
            Ok(pieces_of(got))
        })
    }

    fn destroy(&self, name: String) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move {
            match self.store.delete(&pack_key(&name)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(FileError::Store(e.to_string())),
            }
        })
    }
}

/// Parts of this size are uploaded one after another for a large file.
const PART: usize = 8 * 1024 * 1024;

impl S3Files {
    pub(super) fn new(
        config: &S3Config,
        staging: PathBuf,
        index: Arc<dyn PackIndex>,
    ) -> Result<S3Files, FileError> {
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
        let store = Arc::new(store);
        Ok(S3Files {
            packs: Packer::new(
                PackHome::ObjectStore,
                index,
                Box::new(S3Packs {
                    store: store.clone(),
                }),
            ),
            store,
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

/// An object's body as pieces.
fn pieces_of(got: object_store::GetResult) -> Pieces {
    got.into_stream()
        .map(|piece| piece.map_err(|e| FileError::Store(e.to_string())))
        .boxed()
}

fn store_error(sha256: &str, e: object_store::Error) -> FileError {
    match e {
        object_store::Error::NotFound { .. } => FileError::Missing(sha256.to_string()),
        other => FileError::Store(other.to_string()),
    }
}

impl FileBackend for S3Files {
    fn packs(&self) -> &Packer {
        &self.packs
    }

    fn pack_home(&self) -> PackHome {
        PackHome::ObjectStore
    }

    fn inventory(&self) -> BoxStream<'_, Result<Stored, FileError>> {
        let objects = self.store.list(None).filter_map(|meta| async move {
            let meta = match meta {
                Ok(meta) => meta,
                Err(e) => return Some(Err(FileError::Store(e.to_string()))),
            };
            let key = meta.location.as_ref();
            if let Some(rest) = key.strip_prefix("packs/") {
                return Some(Ok(Stored::Pack {
                    name: rest.to_string(),
                    size: meta.size,
                    modified: meta.last_modified,
                }));
            }
            let sha = key.strip_prefix("blobs/")?.rsplit('/').next()?;
            Some(Ok(Stored::File {
                sha256: sha.to_string(),
                size: meta.size,
                modified: meta.last_modified,
            }))
        });
        walk_local(None, self.staging.clone())
            .chain(objects)
            .boxed()
    }

    fn put(&self, sha256: String, data: Bytes) -> BoxFuture<'_, Result<(), FileError>> {
        Box::pin(async move { self.upload(&sha256, data).await })
    }

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
            if let Some(data) = self.packs.get(&sha256).await? {
                return Ok(data);
            }
            let data = self
                .store
                .get(&Self::key(&sha256))
                .await
                .map_err(|e| store_error(&sha256, e))?
                .bytes()
                .await
                .map_err(|e| store_error(&sha256, e))?;
            // Checked against the sha256 by `FileStore::get`, as every backend's reads are.
            Ok(data)
        })
    }

    fn open(&self, sha256: String) -> BoxFuture<'_, Result<(u64, Pieces), FileError>> {
        Box::pin(async move {
            if let Some(opened) = self.packs.open(&sha256).await? {
                return Ok(opened);
            }
            let got = self
                .store
                .get(&Self::key(&sha256))
                .await
                .map_err(|e| store_error(&sha256, e))?;
            let size = got.meta.size;
            Ok((size, pieces_of(got)))
        })
    }

    fn exists(&self, sha256: String) -> BoxFuture<'_, Result<bool, FileError>> {
        Box::pin(async move {
            if self.packs.holds(&sha256).await? {
                return Ok(true);
            }
            match self.store.head(&Self::key(&sha256)).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::NotFound { .. }) => Ok(false),
                Err(e) => Err(FileError::Store(e.to_string())),
            }
        })
    }

    fn remove(
        &self,
        sha256s: Vec<String>,
        copies: Copies,
    ) -> BoxFuture<'_, Result<Removed, FileError>> {
        Box::pin(async move {
            let mut removed = Removed::default();
            let own_files = if copies.own_file() { &sha256s[..] } else { &[] };
            for sha in own_files {
                let key = Self::key(sha);
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
            if copies.packed() {
                removed += self.packs.remove(&sha256s).await?;
            }
            Ok(removed)
        })
    }
}
