//! The files behind the records: `saraban storage verify` reads back every file a kept record
//! names, checking its sha256, and keeps the alarms the admin sees for those missing or damaged.

use futures_util::StreamExt;

use super::{Actor, Result, Services};
use crate::files::{Copies, FileError};
use crate::store::file_alarms::FileAlarm;

/// A file that could not be read, in the words of its alarm.
fn problem_of(e: &FileError) -> String {
    match e {
        FileError::Missing(_) => "ไม่พบไฟล์ในที่เก็บ".to_string(),
        FileError::Corrupt(_) => "ไฟล์เสียหาย (SHA-256 ไม่ตรง)".to_string(),
        other => format!("อ่านไฟล์ไม่ได้: {other}"),
    }
}

/// Raises the admin's alarm for a file a record names that could not be read whole, and logs it
/// (a failure to record the alarm is logged too).
async fn raise_alarm(store: &crate::store::Store, sha256: &str, named_in: &str, e: &FileError) {
    let problem = problem_of(e);
    if let Err(alarm) = store.raise_file_alarm(sha256, named_in, &problem).await {
        tracing::error!(error = %alarm, "file alarm not recorded");
    }
    tracing::error!(sha256, named_in, %problem, "a stored file could not be read");
}

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub checked: u64,
    /// (sha256, the table that names it, what went wrong)
    pub problems: Vec<(String, String, String)>,
}

/// What a migration did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateReport {
    pub copied: u64,
    pub already_there: u64,
    /// (sha256, why) for files that could not be copied: nothing is lost, run it again.
    pub failed: Vec<(String, String)>,
}

/// Files smaller than this are packed when they are migrated.
const MIGRATE_PACKED_BELOW: usize = 1024 * 1024;

impl Services {
    pub async fn count_named_files(&self) -> Result<u64> {
        Ok(self.store.count_named_files().await?.max(0) as u64)
    }

    /// Reads back every file a kept record names, `concurrency` at a time, checking each against
    /// its sha256; raises an alarm for each missing or damaged one, and ends the alarms of
    /// those found whole. `progress` is told how many were checked so far.
    pub async fn verify_files(
        &self,
        concurrency: usize,
        progress: impl Fn(u64),
    ) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let mut named = self.store.named_files().chunks(1000);
        while let Some(chunk) = named.next().await {
            let chunk = chunk
                .into_iter()
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let results: Vec<(String, String, std::result::Result<(), FileError>)> =
                futures_util::stream::iter(chunk)
                    .map(|(sha, table)| async move {
                        let read = self.files.get(&sha).await.map(|_| ());
                        (sha, table, read)
                    })
                    .buffer_unordered(concurrency.max(1))
                    .collect()
                    .await;
            for (sha, table, read) in results {
                report.checked += 1;
                match read {
                    Ok(()) => self.store.clear_file_alarm(&sha).await?,
                    Err(e) => {
                        let problem = problem_of(&e);
                        self.store.raise_file_alarm(&sha, &table, &problem).await?;
                        report.problems.push((sha, table, problem));
                    }
                }
            }
            progress(report.checked);
        }
        Ok(report)
    }

    /// Copies every file a kept record names into `to` (another backend: `saraban storage
    /// migrate`), `concurrency` at a time: each is read here (checked against its sha256),
    /// skipped when `to` has it already (so a stopped migration resumes where it was), written
    /// there and read back to check. `progress` is told how many were done.
    pub async fn migrate_files(
        &self,
        to: &crate::files::FileStore,
        concurrency: usize,
        progress: impl Fn(u64),
    ) -> Result<MigrateReport> {
        let mut report = MigrateReport::default();
        // Small files go into packs (one write per chunk instead of one per file), flushed and
        // indexed at the end of each chunk; larger ones one by one.
        let mut named = self.store.named_files().chunks(64);
        while let Some(chunk) = named.next().await {
            let chunk = chunk
                .into_iter()
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let results: Vec<(String, std::result::Result<bool, FileError>)> =
                futures_util::stream::iter(chunk)
                    .map(|(sha, _)| async move {
                        let copied = async {
                            if to.exists(&sha).await? {
                                return Ok(false);
                            }
                            let data = self.files.get(&sha).await?;
                            if data.len() < MIGRATE_PACKED_BELOW {
                                to.put_deferred_hashed(sha.clone(), data).await?;
                            } else {
                                to.put(data).await?;
                            }
                            Ok(true)
                        }
                        .await;
                        (sha, copied)
                    })
                    .buffer_unordered(concurrency.max(1))
                    .collect()
                    .await;
            let flushed = to.flush().await.map_err(|e| e.to_string());
            for (sha, copied) in results {
                // Each copy is read back from the destination and checked.
                let copied = match (copied, &flushed) {
                    (Ok(true), Err(why)) => Err(why.clone()),
                    (Ok(true), Ok(())) => {
                        to.get(&sha).await.map(|_| true).map_err(|e| e.to_string())
                    }
                    (other, _) => other.map_err(|e| e.to_string()),
                };
                match copied {
                    Ok(true) => report.copied += 1,
                    Ok(false) => report.already_there += 1,
                    Err(why) => report.failed.push((sha, why)),
                }
            }
            progress(report.copied + report.already_there + report.failed.len() as u64);
        }
        Ok(report)
    }

    /// A file a record names, read for someone; a missing or damaged one raises the alarm the
    /// admin sees (the reader gets an error, never wrong bytes).
    pub(crate) async fn read_named_file(
        &self,
        sha256: &str,
        named_in: &str,
    ) -> Result<bytes::Bytes> {
        let read = self.files.get(sha256).await;
        self.alarmed(read, sha256, named_in).await
    }

    /// [`Services::read_named_file`] for a download: a large file comes as pieces checked as
    /// they go by (never whole in memory); one found damaged at its end raises the alarm, and
    /// the download ends in an error instead of its last piece.
    pub(crate) async fn open_named_file(
        &self,
        sha256: &str,
        named_in: &str,
    ) -> Result<crate::files::FileContent> {
        let store = self.store.clone();
        let (sha, table) = (sha256.to_string(), named_in.to_string());
        let on_damage = Box::new(move || {
            tokio::spawn(async move {
                raise_alarm(&store, &sha, &table, &FileError::Corrupt(sha.clone())).await;
            });
        });
        let opened = self.files.open(sha256, on_damage).await;
        self.alarmed(opened, sha256, named_in).await
    }

    /// A read's result, with the alarm raised when the file was missing or damaged.
    async fn alarmed<T>(
        &self,
        read: std::result::Result<T, FileError>,
        sha256: &str,
        named_in: &str,
    ) -> Result<T> {
        if let Err(e @ (FileError::Missing(_) | FileError::Corrupt(_))) = &read {
            raise_alarm(&self.store, sha256, named_in, e).await;
        }
        Ok(read?)
    }

    /// The file alarms for the admin: how many, and the latest.
    pub async fn file_alarms(&self, actor: &Actor) -> Result<(i64, Vec<FileAlarm>)> {
        self.require_admin(actor)?;
        Ok(self.store.file_alarms(20).await?)
    }
}

/// What `saraban storage gc` found, and removed unless it was a dry run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcReport {
    /// Things listed in the store.
    pub looked_at: u64,
    /// Files no row names, older than the grace period (on their own or in packs).
    pub files: u64,
    /// Whole packs no index row names (a batch whose transaction never committed).
    pub packs: u64,
    /// Packs rewritten without their unnamed files.
    pub packs_rewritten: u64,
    /// Pieces of interrupted writes.
    pub leftovers: u64,
    pub bytes: u64,
    /// Unnamed, but younger than the grace period: left alone (they may be about to be named).
    pub young: u64,
    /// Removed, then found named again by a record written meanwhile: raised as file alarms.
    pub named_meanwhile: Vec<String>,
}

/// Files removed in one go.
const GC_BATCH: usize = 500;
/// The name of gc's lease, and how long it holds without a renewal (one is made per batch).
const GC_LEASE: &str = "storage gc";
const GC_LEASE_TTL: chrono::Duration = chrono::Duration::minutes(10);

impl Services {
    /// Removes what the file store holds that no row names and that is older than `grace`:
    /// files of their own, files in packs (the pack rewritten without them), whole packs of
    /// batches that never committed, and pieces of interrupted writes. A file is always written
    /// before the row that names it commits, so a young unnamed file may be about to be named:
    /// it is left alone. With `dry_run`, only counts. `progress` is told how many things were
    /// looked at.
    /// One runs at a time in the whole deployment (a lease in the database, renewed as it
    /// goes): another gives [`ServiceError::Conflict`](super::ServiceError::Conflict) at once.
    pub async fn collect_garbage(
        &self,
        grace: chrono::Duration,
        dry_run: bool,
        progress: impl Fn(u64),
    ) -> Result<GcReport> {
        if dry_run {
            return self.collect_garbage_held(grace, true, None, progress).await;
        }
        let holder = format!(
            "pid {} {}",
            std::process::id(),
            crate::security::random_token()
                .map_err(|e| super::ServiceError::Internal(e.to_string()))?
        );
        if let Err(other) = self
            .store
            .take_maintenance_lease(GC_LEASE, &holder, GC_LEASE_TTL)
            .await?
        {
            return Err(super::ServiceError::Conflict(format!(
                "มี storage gc อื่นกำลังทำงานอยู่ ({other}) ลองใหม่เมื่อเสร็จแล้ว"
            )));
        }
        let report = self
            .collect_garbage_held(grace, false, Some(&holder), progress)
            .await;
        self.store
            .release_maintenance_lease(GC_LEASE, &holder)
            .await?;
        report
    }

    async fn collect_garbage_held(
        &self,
        grace: chrono::Duration,
        dry_run: bool,
        lease: Option<&str>,
        progress: impl Fn(u64),
    ) -> Result<GcReport> {
        use crate::files::Stored;
        let cutoff = chrono::Utc::now() - grace;
        let home = self.files.pack_home();
        let mut report = GcReport::default();
        if !dry_run {
            self.store.prune_removals().await?;
        }
        let mut listed = self.files.inventory().chunks(GC_BATCH);
        while let Some(chunk) = listed.next().await {
            let chunk = chunk
                .into_iter()
                .collect::<std::result::Result<Vec<_>, _>>()?;
            report.looked_at += chunk.len() as u64;
            let (mut files, mut packs) = (Vec::new(), Vec::new());
            for item in chunk {
                let old = item.modified() < cutoff;
                match item {
                    Stored::File { sha256, size, .. } => files.push((sha256, size, old)),
                    Stored::Pack { name, size, .. } => packs.push((name, size, old)),
                    Stored::Leftover { path, size, .. } if old => {
                        report.leftovers += 1;
                        report.bytes += size;
                        if !dry_run {
                            self.files.remove_leftover(&path).await?;
                        }
                    }
                    Stored::Leftover { .. } => report.young += 1,
                }
            }
            let shas: Vec<String> = files.iter().map(|(s, _, _)| s.clone()).collect();
            let named = self.store.referenced_among(&shas).await?;
            let mut doomed = Vec::new();
            let mut sizes = std::collections::HashMap::new();
            for (sha, size, old) in files.into_iter().filter(|f| !named.contains(&f.0)) {
                if old {
                    report.files += 1;
                    report.bytes += size;
                    sizes.insert(sha.clone(), size);
                    doomed.push(sha);
                } else {
                    report.young += 1;
                }
            }
            if !dry_run {
                let (_, left) = self
                    .remove_unnamed(doomed, Copies::OwnFile, cutoff, &mut report)
                    .await?;
                report.bytes -= left.iter().filter_map(|s| sizes.get(s)).sum::<u64>();
            }
            let names: Vec<String> = packs.iter().map(|(n, _, _)| n.clone()).collect();
            let indexed = self.store.indexed_packs(home, &names).await?;
            for (name, size, old) in packs.into_iter().filter(|p| !indexed.contains(&p.0)) {
                if !old {
                    report.young += 1;
                } else if dry_run || self.files.destroy_unnamed_pack(&name).await? {
                    report.packs += 1;
                    report.bytes += size;
                }
            }
            progress(report.looked_at);
            if let Some(holder) = lease {
                self.renew_gc_lease(holder).await?;
            }
        }
        // Files in packs that no row names any more: their packs are rewritten without them.
        let mut doomed = Vec::new();
        for (sha, pack, size) in self.store.unreferenced_packed(home).await? {
            if crate::files::pack_written_at(&pack).is_some_and(|at| at < cutoff) {
                report.files += 1;
                if dry_run {
                    report.bytes += size;
                }
                doomed.push(sha);
            } else {
                report.young += 1;
            }
        }
        if !dry_run {
            for chunk in doomed.chunks(GC_BATCH) {
                if let Some(holder) = lease {
                    self.renew_gc_lease(holder).await?;
                }
                // Names are looked for again just before (the list above may be minutes old).
                let (removed, _) = self
                    .remove_unnamed(chunk.to_vec(), Copies::Packed, cutoff, &mut report)
                    .await?;
                report.bytes += removed.bytes;
            }
        }
        Ok(report)
    }

    /// Keeps gc's lease; an error if another took it (this one stalled past its expiry).
    async fn renew_gc_lease(&self, holder: &str) -> Result<()> {
        match self
            .store
            .take_maintenance_lease(GC_LEASE, holder, GC_LEASE_TTL)
            .await?
        {
            Ok(()) => Ok(()),
            Err(other) => Err(super::ServiceError::Conflict(format!(
                "storage gc หยุดนานเกินไป และมีอีกตัวทำงานแทนแล้ว ({other})"
            ))),
        }
    }

    /// Removes files gc found unnamed, unless a writer began to name them meanwhile.
    async fn remove_unnamed(
        &self,
        doomed: Vec<String>,
        copies: Copies,
        cutoff: chrono::DateTime<chrono::Utc>,
        report: &mut GcReport,
    ) -> Result<(crate::files::Removed, Vec<String>)> {
        if doomed.is_empty() {
            return Ok((crate::files::Removed::default(), Vec::new()));
        }
        let removal = self
            .remove_files_no_one_names(doomed, copies, Some(cutoff), "storage gc")
            .await?;
        // Left because a writer is storing them again: counted as young.
        report.files -= removal.left.len() as u64;
        report.young += removal.left.len() as u64;
        report.packs_rewritten += removal.removed.packs_rewritten;
        report.named_meanwhile.extend(removal.lost);
        Ok((removal.removed, removal.left))
    }

    /// Removes these files for good, except those a row names or, with `reused_since`, a
    /// writer said since then it is about to name (left). The removal is recorded first, then
    /// the names are looked for, so a writer storing the same bytes at this moment either is
    /// seen here or sees the removal and stores them again (see `files::reuse`). gc passes the
    /// start of its grace period. Destruction passes `None`: the destroyed letters' own
    /// registration recorded reuses of the same files, which cannot be told from another
    /// writer's. A file a row names once it is gone (a writer that had looked before the removal
    /// began and committed after the names were read) is raised as a file alarm by `remover`.
    pub async fn remove_files_no_one_names(
        &self,
        sha256s: Vec<String>,
        copies: Copies,
        reused_since: Option<chrono::DateTime<chrono::Utc>>,
        remover: &str,
    ) -> Result<Removal> {
        self.store.begin_removals(&sha256s).await?;
        let removal = async {
            let mut named = self.store.referenced_among(&sha256s).await?;
            if let Some(since) = reused_since {
                named.extend(self.store.reused_since(&sha256s, since).await?);
            }
            let (left, gone): (Vec<String>, Vec<String>) =
                sha256s.iter().cloned().partition(|s| named.contains(s));
            let removed = self.files.remove_copies(gone.clone(), copies).await?;
            Ok::<_, super::ServiceError>((removed, left, gone))
        }
        .await;
        // Ended even when the removal failed: a writer waiting for it must not wait forever.
        self.store.finish_removals(&sha256s).await?;
        let (removed, left, gone) = removal?;
        let lost = self.named_meanwhile(&gone, remover).await?;
        Ok(Removal {
            removed,
            left,
            lost,
        })
    }

    /// Files a record names although they were just removed: each an alarm, the admin must
    /// know, never a silent loss. (Not those a writer stored again after the removal.)
    async fn named_meanwhile(&self, removed: &[String], remover: &str) -> Result<Vec<String>> {
        let mut lost = Vec::new();
        for sha in self.store.referenced_among(removed).await? {
            if self.files.exists(&sha).await? {
                continue;
            }
            let problem = problem_of(&FileError::Missing(sha.clone()));
            self.store.raise_file_alarm(&sha, remover, &problem).await?;
            tracing::error!(sha256 = %sha, remover, "a file a record began to name meanwhile was removed");
            lost.push(sha);
        }
        Ok(lost)
    }
}

/// What [`Services::remove_files_no_one_names`] did.
#[derive(Debug, Clone, Default)]
pub struct Removal {
    pub removed: crate::files::Removed,
    /// Named, or about to be: left in place.
    pub left: Vec<String>,
    /// Removed, then found named (alarms raised).
    pub lost: Vec<String>,
}
