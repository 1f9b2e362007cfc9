//! Packs: the files of one mail batch written as one pack (a file under `packs/` on disk, or one
//! object under `packs/` in an S3 store) instead of one write per file, found again through a
//! [`PackIndex`] in the database. Each file in a pack is preceded by a line
//! `SARABAN-BLOB <sha256> <size>`, so a pack explains itself without its index. Packs are written
//! once and never changed in place: removing a packed file rewrites the pack's other files into a
//! new pack, moves their index rows in one transaction, then destroys the old pack.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use chrono::{DateTime, NaiveDateTime, Utc};
use futures_util::future::BoxFuture;

use super::stream::{Pieces, one_piece};
use super::{FileError, PackHome, PackIndex, PackedBlob, Removed, random_hex, sha256_hex};

/// Where packs are kept: a folder, or an object store.
pub(super) trait PackSink: Send + Sync {
    /// Writes a new pack made of these pieces, in order, durably.
    fn write(&self, name: String, pieces: Vec<Bytes>) -> BoxFuture<'_, Result<(), FileError>>;
    /// `size` bytes of a pack from `offset`.
    fn read(&self, name: String, offset: u64, size: u64)
    -> BoxFuture<'_, Result<Bytes, FileError>>;
    /// `size` bytes of a pack from `offset`, as pieces.
    fn open(
        &self,
        name: String,
        offset: u64,
        size: u64,
    ) -> BoxFuture<'_, Result<Pieces, FileError>>;
    /// How large a pack should grow before the next one starts. A reader of one file of an
    /// object store's pack may pay for the whole object (SeaweedFS reads a ranged GET's whole
    /// chunk: 3 ms for a 100 KB object, 7–11 ms inside 1 MB, 12–30 ms inside 5 MB, measured here).
    fn pack_limit(&self) -> u64 {
        u64::MAX
    }
    /// Removes a pack for good (a missing one is not an error).
    fn destroy(&self, name: String) -> BoxFuture<'_, Result<(), FileError>>;
}

/// Deferred files not yet in a pack, in the order they came.
#[derive(Default)]
struct Pending {
    blobs: Vec<(String, Bytes)>,
    shas: HashSet<String>,
}

/// Collects deferred files and writes them as packs.
pub(super) struct Packer {
    home: PackHome,
    index: Arc<dyn PackIndex>,
    sink: Box<dyn PackSink>,
    pending: Mutex<Pending>,
    /// Packed, durable, but their index rows not yet committed (see `flush`).
    unindexed: Mutex<HashMap<String, PackedBlob>>,
    /// One flush at a time: a flush that finds nothing pending must still wait for the one that
    /// took its files, or its caller would commit rows naming files not yet written. Rewriting
    /// packs takes it too.
    flushing: tokio::sync::Mutex<()>,
}

/// A new pack's name: when it was written (read back by `saraban storage gc`), and a random
/// part so that two processes never pick the same one.
fn new_pack_name() -> Result<String, FileError> {
    Ok(format!(
        "{}-{}.pack",
        Utc::now().format("%Y%m%dT%H%M%S%3f"),
        random_hex::<6>()?
    ))
}

/// When a pack was written, from its name (`None` for a name this code did not make).
pub fn pack_written_at(name: &str) -> Option<DateTime<Utc>> {
    let stamp = name.get(0..18)?;
    NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%3f")
        .ok()
        .map(|t| t.and_utc())
}

/// A pack name that cannot climb out of the packs folder.
pub(super) fn is_pack_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The pieces of a pack of these files, and where each file will be in it.
fn lay_out(home: PackHome, name: &str, files: &[(String, Bytes)]) -> (Vec<Bytes>, Vec<PackedBlob>) {
    let mut pieces = Vec::with_capacity(files.len() * 3);
    let mut located = Vec::with_capacity(files.len());
    let mut offset = 0u64;
    for (sha, data) in files {
        let header = format!("SARABAN-BLOB {sha} {}\n", data.len());
        offset += header.len() as u64;
        pieces.push(Bytes::from(header));
        pieces.push(data.clone());
        pieces.push(Bytes::from_static(b"\n"));
        located.push(PackedBlob {
            home,
            sha256: sha.clone(),
            pack: name.to_string(),
            offset,
            size: data.len() as u64,
        });
        offset += data.len() as u64 + 1;
    }
    (pieces, located)
}

/// Files in groups of at most `limit` bytes, in order; a file larger than `limit` is a group
/// of its own.
fn group_by_size(files: Vec<(String, Bytes)>, limit: u64) -> Vec<Vec<(String, Bytes)>> {
    let mut groups: Vec<Vec<(String, Bytes)>> = Vec::new();
    let mut size = 0u64;
    for file in files {
        let len = file.1.len() as u64;
        match groups.last_mut() {
            Some(group) if size.saturating_add(len) <= limit => {
                size += len;
                group.push(file);
            }
            _ => {
                size = len;
                groups.push(vec![file]);
            }
        }
    }
    groups
}

impl Packer {
    pub(super) fn new(
        home: PackHome,
        index: Arc<dyn PackIndex>,
        sink: Box<dyn PackSink>,
    ) -> Packer {
        Packer {
            home,
            index,
            sink,
            pending: Mutex::new(Pending::default()),
            unindexed: Mutex::new(HashMap::new()),
            flushing: tokio::sync::Mutex::new(()),
        }
    }

    pub(super) fn defer(&self, sha256: String, data: Bytes) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.shas.insert(sha256.clone()) {
            pending.blobs.push((sha256, data));
        }
    }

    pub(super) fn pending_copy(&self, sha256: &str) -> Option<Bytes> {
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

    /// Packs what is pending; with `index_now`, also commits the index rows of everything
    /// packed so far (this flush's and any still waiting for their caller's transaction).
    /// Without, returns those rows for the caller to commit with its records.
    pub(super) async fn flush(&self, index_now: bool) -> Result<Vec<PackedBlob>, FileError> {
        let _one_at_a_time = self.flushing.lock().await;
        let taken = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut *pending)
        };
        if !taken.blobs.is_empty() {
            let located = match self.write_fresh(&taken.blobs).await {
                Ok(located) => located,
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
            };
            let mut unindexed = self.unindexed.lock().unwrap_or_else(|e| e.into_inner());
            for blob in &located {
                unindexed.insert(blob.sha256.clone(), blob.clone());
            }
        }
        // This flush's rows, and those of earlier flushes whose callers have not committed yet.
        let waiting: Vec<PackedBlob> = {
            let unindexed = self.unindexed.lock().unwrap_or_else(|e| e.into_inner());
            unindexed.values().cloned().collect()
        };
        if !index_now {
            // All of them, not only this flush's: a caller whose files another caller's flush
            // took (a batch of another mailbox) commits their rows with its own records. Were
            // the rows left to the other caller, a process killed between the two commits would
            // leave records naming files whose rows never come. Rows committed twice change
            // nothing (see `insert_blobs`).
            return Ok(waiting);
        }
        if !waiting.is_empty() {
            self.index.record(waiting.clone()).await?;
            self.indexed(&waiting);
        }
        Ok(Vec::new())
    }

    /// The database side of these packs (and of every stored file's reuse).
    pub(super) fn index(&self) -> &dyn PackIndex {
        &*self.index
    }

    pub(super) fn indexed(&self, blobs: &[PackedBlob]) {
        let mut unindexed = self.unindexed.lock().unwrap_or_else(|e| e.into_inner());
        for blob in blobs {
            unindexed.remove(&blob.sha256);
        }
    }

    fn unindexed_copy(&self, sha256: &str) -> Option<PackedBlob> {
        let unindexed = self.unindexed.lock().unwrap_or_else(|e| e.into_inner());
        unindexed.get(sha256).cloned()
    }

    pub(super) async fn locate(&self, sha256: &str) -> Result<Option<PackedBlob>, FileError> {
        match self.unindexed_copy(sha256) {
            Some(blob) => Ok(Some(blob)),
            None => self.index.locate(sha256.to_string()).await,
        }
    }

    /// Whether a file is pending or packed.
    pub(super) async fn holds(&self, sha256: &str) -> Result<bool, FileError> {
        Ok(self.pending_copy(sha256).is_some() || self.locate(sha256).await?.is_some())
    }

    /// The file's bytes when it is pending or packed (not checked: the caller does).
    pub(super) async fn get(&self, sha256: &str) -> Result<Option<Bytes>, FileError> {
        if let Some(data) = self.pending_copy(sha256) {
            return Ok(Some(data));
        }
        match self.locate(sha256).await? {
            Some(blob) => Ok(Some(self.read(&blob).await?)),
            None => Ok(None),
        }
    }

    /// The file's size and pieces when it is pending or packed (not checked: the caller does).
    pub(super) async fn open(&self, sha256: &str) -> Result<Option<(u64, Pieces)>, FileError> {
        if let Some(data) = self.pending_copy(sha256) {
            return Ok(Some((data.len() as u64, one_piece(data))));
        }
        let Some(blob) = self.locate(sha256).await? else {
            return Ok(None);
        };
        if !is_pack_name(&blob.pack) {
            return Err(FileError::Corrupt(blob.sha256));
        }
        let pieces = self.sink.open(blob.pack, blob.offset, blob.size).await?;
        Ok(Some((blob.size, pieces)))
    }

    async fn read(&self, blob: &PackedBlob) -> Result<Bytes, FileError> {
        if !is_pack_name(&blob.pack) {
            return Err(FileError::Corrupt(blob.sha256.clone()));
        }
        let data = self
            .sink
            .read(blob.pack.clone(), blob.offset, blob.size)
            .await?;
        if data.len() as u64 != blob.size {
            return Err(FileError::Corrupt(blob.sha256.clone()));
        }
        Ok(data)
    }

    /// One pack for the files not yet packed; where each one is.
    async fn write_fresh(&self, blobs: &[(String, Bytes)]) -> Result<Vec<PackedBlob>, FileError> {
        let mut known = self
            .index
            .known(blobs.iter().map(|(s, _)| s.clone()).collect())
            .await?;
        // Named again without being stored again: recorded first, so no removal takes them
        // meanwhile; those a removal touched are looked for again.
        let touched = super::reuse::claim(&*self.index, known.iter().cloned().collect()).await?;
        if !touched.is_empty() {
            let still = self.index.known(touched.iter().cloned().collect()).await?;
            known.retain(|s| !touched.contains(s) || still.contains(s));
        }
        let fresh: Vec<(String, Bytes)> = blobs
            .iter()
            .filter(|(s, _)| !known.contains(s) && self.unindexed_copy(s).is_none())
            .cloned()
            .collect();
        self.write_pack(fresh).await
    }

    /// Writes these files into new packs of at most the sink's limit each (a larger file alone),
    /// a few at a time, durably; where each file is.
    async fn write_pack(&self, files: Vec<(String, Bytes)>) -> Result<Vec<PackedBlob>, FileError> {
        use futures_util::{StreamExt, TryStreamExt};
        let groups = group_by_size(files, self.sink.pack_limit());
        let written: Vec<Vec<PackedBlob>> = futures_util::stream::iter(groups)
            .map(|group| async move {
                let name = new_pack_name()?;
                let (pieces, located) = lay_out(self.home, &name, &group);
                self.sink.write(name, pieces).await?;
                Ok::<_, FileError>(located)
            })
            .buffer_unordered(4)
            .try_collect()
            .await?;
        Ok(written.into_iter().flatten().collect())
    }

    /// Removes these files from the packs that hold them: each such pack is rewritten without
    /// them, the index moved in one transaction, and the old pack destroyed.
    pub(super) async fn remove(&self, sha256s: &[String]) -> Result<Removed, FileError> {
        let _one_at_a_time = self.flushing.lock().await;
        let mut removed = Removed::default();
        let mut by_pack: HashMap<String, HashSet<String>> = HashMap::new();
        for sha in sha256s {
            if let Some(blob) = self.index.locate(sha.clone()).await? {
                by_pack.entry(blob.pack).or_default().insert(sha.clone());
            }
        }
        for (pack, gone) in by_pack {
            if !is_pack_name(&pack) {
                return Err(FileError::Corrupt(pack));
            }
            let blobs = self.index.in_pack(pack.clone()).await?;
            let mut kept = Vec::new();
            for blob in blobs.iter().filter(|b| !gone.contains(&b.sha256)) {
                let data = self.read(blob).await?;
                if sha256_hex(&data) != blob.sha256 {
                    return Err(FileError::Corrupt(blob.sha256.clone()));
                }
                kept.push((blob.sha256.clone(), data));
            }
            let moved = self.write_pack(kept).await?;
            self.index
                .repack(gone.iter().cloned().collect(), moved)
                .await?;
            for blob in blobs.iter().filter(|b| gone.contains(&b.sha256)) {
                removed.files += 1;
                removed.bytes += blob.size;
            }
            removed.packs_rewritten += 1;
            self.sink.destroy(pack).await?;
        }
        Ok(removed)
    }

    /// Destroys a pack no index row names (a batch whose transaction never committed).
    pub(super) async fn destroy_unnamed(&self, pack: &str) -> Result<bool, FileError> {
        let _one_at_a_time = self.flushing.lock().await;
        if !is_pack_name(pack) || !self.index.in_pack(pack.to_string()).await?.is_empty() {
            return Ok(false);
        }
        if self
            .unindexed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .any(|b| b.pack == pack)
        {
            return Ok(false);
        }
        self.sink.destroy(pack.to_string()).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pack_name_says_when_it_was_written() {
        let name = new_pack_name().unwrap();
        assert!(is_pack_name(&name));
        let at = pack_written_at(&name).unwrap();
        assert!((Utc::now() - at).num_seconds().abs() < 5);
        assert_eq!(pack_written_at("notes.pack"), None);
        assert!(!is_pack_name("../x.pack"));
        assert!(!is_pack_name(".hidden"));
        assert!(!is_pack_name("a/b"));
    }

    /// An index in memory.
    #[derive(Default)]
    struct MemoryIndex(Mutex<Vec<PackedBlob>>);

    impl PackIndex for MemoryIndex {
        fn record(&self, blobs: Vec<PackedBlob>) -> BoxFuture<'_, Result<(), FileError>> {
            self.0.lock().unwrap().extend(blobs);
            Box::pin(async { Ok(()) })
        }
        fn locate(&self, sha: String) -> BoxFuture<'_, Result<Option<PackedBlob>, FileError>> {
            let found = self
                .0
                .lock()
                .unwrap()
                .iter()
                .find(|b| b.sha256 == sha)
                .cloned();
            Box::pin(async move { Ok(found) })
        }
        fn known(&self, _: Vec<String>) -> BoxFuture<'_, Result<HashSet<String>, FileError>> {
            Box::pin(async { Ok(HashSet::new()) })
        }
        fn in_pack(&self, _: String) -> BoxFuture<'_, Result<Vec<PackedBlob>, FileError>> {
            Box::pin(async { Ok(Vec::new()) })
        }
        fn repack(
            &self,
            _: Vec<String>,
            _: Vec<PackedBlob>,
        ) -> BoxFuture<'_, Result<(), FileError>> {
            Box::pin(async { Ok(()) })
        }
    }

    /// A sink whose writes wait for the test to let them finish.
    struct GatedSink {
        started: Arc<tokio::sync::Notify>,
        gate: Arc<tokio::sync::Semaphore>,
    }

    impl PackSink for GatedSink {
        fn write(&self, _: String, _: Vec<Bytes>) -> BoxFuture<'_, Result<(), FileError>> {
            Box::pin(async move {
                self.started.notify_one();
                let _pass = self.gate.acquire().await.unwrap();
                Ok(())
            })
        }
        fn read(&self, _: String, _: u64, _: u64) -> BoxFuture<'_, Result<Bytes, FileError>> {
            Box::pin(async { Ok(Bytes::new()) })
        }
        fn open(&self, _: String, _: u64, _: u64) -> BoxFuture<'_, Result<Pieces, FileError>> {
            Box::pin(async { Ok(one_piece(Bytes::new())) })
        }
        fn destroy(&self, _: String) -> BoxFuture<'_, Result<(), FileError>> {
            Box::pin(async { Ok(()) })
        }
    }

    #[tokio::test]
    async fn a_flush_waits_for_the_earlier_one_that_took_its_files() {
        use futures_util::FutureExt;
        let started = Arc::new(tokio::sync::Notify::new());
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        let packer = Arc::new(Packer::new(
            PackHome::ObjectStore,
            Arc::new(MemoryIndex::default()),
            Box::new(GatedSink {
                started: started.clone(),
                gate: gate.clone(),
            }),
        ));
        // My file is deferred; another caller's flush takes it and is still writing …
        packer.defer("a".repeat(64), Bytes::from_static(b"my file"));
        let theirs = tokio::spawn({
            let packer = packer.clone();
            async move { packer.flush(false).await }
        });
        started.notified().await;
        // … so my flush, finding nothing pending, does not return before that write is done.
        let mine = packer.flush(true);
        tokio::pin!(mine);
        assert!((&mut mine).now_or_never().is_none(), "still waiting");
        gate.add_permits(1);
        assert_eq!(theirs.await.unwrap().unwrap().len(), 1);
        mine.await.unwrap();
        assert!(packer.locate(&"a".repeat(64)).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_caller_whose_files_another_flush_took_gets_their_rows_to_commit() {
        let gate = Arc::new(tokio::sync::Semaphore::new(10));
        let packer = Packer::new(
            PackHome::ObjectStore,
            Arc::new(MemoryIndex::default()),
            Box::new(GatedSink {
                started: Arc::new(tokio::sync::Notify::new()),
                gate,
            }),
        );
        let (theirs, mine) = ("a".repeat(64), "b".repeat(64));
        packer.defer(theirs.clone(), Bytes::from_static(b"their file"));
        packer.defer(mine.clone(), Bytes::from_static(b"my file"));
        // Their flush packs both; they have not committed yet.
        let their_rows = packer.flush(false).await.unwrap();
        assert_eq!(their_rows.len(), 2);
        // My flush finds nothing pending, yet gives me my file's row to commit with my records.
        let my_rows = packer.flush(false).await.unwrap();
        assert!(my_rows.iter().any(|b| b.sha256 == mine), "{my_rows:?}");
        // Once committed (by either), a row is no longer handed out.
        packer.indexed(&my_rows);
        assert!(packer.flush(false).await.unwrap().is_empty());
    }

    #[test]
    fn packs_stay_under_their_limit() {
        let file = |n: usize| ("a".repeat(64), Bytes::from(vec![0u8; n]));
        let sizes = |groups: Vec<Vec<(String, Bytes)>>| -> Vec<Vec<usize>> {
            groups
                .iter()
                .map(|g| g.iter().map(|(_, d)| d.len()).collect())
                .collect()
        };
        let files = vec![file(400), file(400), file(400), file(2000), file(100)];
        assert_eq!(
            sizes(group_by_size(files.clone(), 1000)),
            vec![vec![400, 400], vec![400], vec![2000], vec![100]]
        );
        assert_eq!(sizes(group_by_size(files, u64::MAX)).len(), 1);
        assert!(group_by_size(Vec::new(), 10).is_empty());
    }

    #[test]
    fn the_layout_points_at_each_file() {
        let files = vec![
            ("a".repeat(64), Bytes::from_static(b"first")),
            ("b".repeat(64), Bytes::from_static(b"second file")),
        ];
        let (pieces, located) = lay_out(PackHome::Disk, "p.pack", &files);
        let whole: Vec<u8> = pieces.iter().flat_map(|p| p.to_vec()).collect();
        for (blob, (_, data)) in located.iter().zip(&files) {
            let start = blob.offset as usize;
            assert_eq!(&whole[start..start + blob.size as usize], &data[..]);
        }
        assert!(whole.starts_with(format!("SARABAN-BLOB {} 5\n", "a".repeat(64)).as_bytes()));
    }
}
