//! What a file store holds, listed for `saraban storage gc`: files of their own, packs, and
//! leftovers of interrupted writes, each with when it was last written.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::{FileError, is_sha256_hex, packs::is_pack_name};

/// One thing in a file store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// A file stored on its own, under its sha256.
    File {
        sha256: String,
        size: u64,
        modified: DateTime<Utc>,
    },
    /// A pack of a batch's files.
    Pack {
        name: String,
        size: u64,
        modified: DateTime<Utc>,
    },
    /// A temporary or staged file an interrupted write left behind (on the local disk).
    Leftover {
        path: PathBuf,
        size: u64,
        modified: DateTime<Utc>,
    },
}

impl Stored {
    pub fn modified(&self) -> DateTime<Utc> {
        match self {
            Stored::File { modified, .. }
            | Stored::Pack { modified, .. }
            | Stored::Leftover { modified, .. } => *modified,
        }
    }

    pub fn size(&self) -> u64 {
        match self {
            Stored::File { size, .. }
            | Stored::Pack { size, .. }
            | Stored::Leftover { size, .. } => *size,
        }
    }
}

fn modified_of(meta: &std::fs::Metadata) -> DateTime<Utc> {
    DateTime::<Utc>::from(meta.modified().unwrap_or(SystemTime::UNIX_EPOCH))
}

/// Lists a folder tree on a blocking thread, handing entries over as they are found (millions of
/// files need not be in memory at once).
/// `root` is the local store's folder (`None` for an object store, which has only staging).
pub(super) fn walk_local(
    root: Option<PathBuf>,
    staging: PathBuf,
) -> BoxStream<'static, Result<Stored, FileError>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Stored, FileError>>(1024);
    tokio::task::spawn_blocking(move || {
        let send = |item: Result<Stored, FileError>| tx.blocking_send(item).is_ok();
        if let Err(e) = walk_into(root.as_deref(), &staging, &send) {
            send(Err(e.into()));
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
    .boxed()
}

fn read_dir_or_empty(dir: &Path) -> std::io::Result<Vec<std::fs::DirEntry>> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

fn walk_into(
    root: Option<&Path>,
    staging: &Path,
    send: &dyn Fn(Result<Stored, FileError>) -> bool,
) -> std::io::Result<()> {
    // Staged pieces (the local store's own `.incoming`, or an object store's staging folder).
    for entry in read_dir_or_empty(staging)? {
        let meta = entry.metadata()?;
        if meta.is_file()
            && !send(Ok(Stored::Leftover {
                path: entry.path(),
                size: meta.len(),
                modified: modified_of(&meta),
            }))
        {
            return Ok(());
        }
    }
    let Some(root) = root else {
        return Ok(());
    };
    for entry in read_dir_or_empty(&root.join("packs"))? {
        let meta = entry.metadata()?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if meta.is_file()
            && is_pack_name(&name)
            && !send(Ok(Stored::Pack {
                name,
                size: meta.len(),
                modified: modified_of(&meta),
            }))
        {
            return Ok(());
        }
    }
    for dir in read_dir_or_empty(root)? {
        let dir_name = dir.file_name().to_string_lossy().into_owned();
        let is_fan_out = dir_name.len() == 2 && dir_name.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_fan_out || !dir.file_type()?.is_dir() {
            continue;
        }
        for entry in read_dir_or_empty(&dir.path())? {
            let meta = entry.metadata()?;
            if !meta.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let item = if is_sha256_hex(&name) {
                Stored::File {
                    sha256: name,
                    size: meta.len(),
                    modified: modified_of(&meta),
                }
            } else if name.starts_with('.') && name.ends_with(".tmp") {
                Stored::Leftover {
                    path: entry.path(),
                    size: meta.len(),
                    modified: modified_of(&meta),
                }
            } else {
                continue;
            };
            if !send(Ok(item)) {
                return Ok(());
            }
        }
    }
    Ok(())
}
