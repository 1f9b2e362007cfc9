//! One pass over a folder, as a pipeline: one task fetches bodies in groups, the messages of a
//! group are judged on blocking threads, the group's raw messages and files go into one pack
//! file, and the group commits in one transaction; only then are its UIDs flagged and the
//! folder's position advanced.

use crate::files::PackedBlob;
use crate::service::Services;
use crate::service::ingest::{self, IngestError, Origin, Outcome};
use crate::store::inbox::ReceiptKey;
use crate::store::mailboxes::Mailbox;
use crate::store::offices::Office;
use chrono::Utc;
use futures_util::StreamExt;
use std::time::Duration;

use super::commands::{fetch_bodies, mark_done, take_large, uid_set};
use super::{ImapError, ImapSession, connect, wire_folder, within};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassStats {
    pub fetched: usize,
    pub letters: usize,
    pub duplicates: usize,
    pub notices: usize,
    pub quarantined: usize,
    pub bytes: u64,
}

impl std::ops::AddAssign for PassStats {
    fn add_assign(&mut self, other: PassStats) {
        self.fetched += other.fetched;
        self.letters += other.letters;
        self.duplicates += other.duplicates;
        self.notices += other.notices;
        self.quarantined += other.quarantined;
        self.bytes += other.bytes;
    }
}

/// Settings a pass needs besides the mailbox.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    pub command: Duration,
    pub max_message_bytes: u64,
    /// Messages above this size are fetched in pieces straight to disk, never whole in an IMAP
    /// reply (async-imap keeps a whole FETCH reply in memory).
    pub stream_above_bytes: u64,
}

/// The lease a background pass holds; a long pass renews it as it goes.
#[derive(Debug, Clone)]
pub struct Lease {
    pub holder: String,
    pub ttl: chrono::Duration,
}

/// One pass over one folder: everything above the committed UID, each committed before it is
/// flagged. Returns what it did.
///
/// The pass is a pipeline of four stages joined by short queues, so the mail server, the
/// parsing, the disk and the database work at the same time:
/// 1. this task fetches bodies a group at a time (and, between groups, flags what is committed);
/// 2. a preparing task parses each message of a group in its own task (all cores);
/// 3. a flushing task writes the group's files (one pack) and waits for the disk;
/// 4. a recording task commits the group in one transaction.
///
/// A chunk of UIDs is flagged (or moved) and the folder position advanced only once every
/// group of it is committed.
pub async fn pass_folder(
    services: &Services,
    office: &Office,
    mailbox: &Mailbox,
    session: &mut ImapSession,
    folder: &str,
    limits: FetchLimits,
    lease: Option<&Lease>,
) -> Result<PassStats, ImapError> {
    let selected = within(
        limits.command,
        "SELECT",
        session.select(wire_folder(folder)),
    )
    .await?;
    let uidvalidity = i64::from(selected.uid_validity.unwrap_or(0));
    let last = services
        .store()
        .folder_position(mailbox.id, folder, uidvalidity)
        .await?;
    // The server answers "n:*" with the highest UID even when it is below n: filter ourselves.
    let found = within(
        limits.command,
        "UID SEARCH",
        session.uid_search(format!("UID {}:*", last + 1)),
    )
    .await?;
    let mut uids: Vec<u32> = found.into_iter().filter(|u| i64::from(*u) > last).collect();
    uids.sort_unstable();
    // New mail: the sender checks let this pass go first.
    let _taking_in = (!uids.is_empty())
        .then(|| services.sender_auth.as_ref().map(|a| a.intake.begin()))
        .flatten();

    let (work_tx, work_rx) = tokio::sync::mpsc::channel(WORK_QUEUE);
    let (ready_tx, ready_rx) = tokio::sync::mpsc::channel(1);
    let (flushed_tx, flushed_rx) = tokio::sync::mpsc::channel(1);
    let (done_tx, done_rx) = tokio::sync::mpsc::unbounded_channel();
    let preparer = tokio::spawn(prepare_stage(
        services.clone(),
        office.clone(),
        work_rx,
        ready_tx,
    ));
    let flusher = tokio::spawn(flush_stage(services.clone(), ready_rx, flushed_tx));
    let recorder = tokio::spawn(record_stage(
        services.clone(),
        office.clone(),
        flushed_rx,
        done_tx,
    ));
    let mut pass = FolderPass {
        services,
        office,
        mailbox,
        folder,
        uidvalidity,
        limits,
        lease,
        renewed: std::time::Instant::now(),
        stats: PassStats::default(),
        done: done_rx,
    };
    let fetched = pass.fetch_all(session, &uids, work_tx).await;
    // The fetching side has stopped (the queue to the preparer is closed): the other stages
    // finish what they hold. After a clean fetch every committed chunk is flagged too; after a
    // failure the next pass flags them (their receipts say they are taken).
    let mut finished = Ok(());
    if fetched.is_ok() {
        while let Some(chunk) = pass.done.recv().await {
            if let Err(e) = pass.finish_chunk(session, chunk).await {
                finished = Err(e);
                break;
            }
        }
    }
    let prepared = preparer.await.map_err(stage_failed)?;
    let flushed = flusher.await.map_err(stage_failed)?;
    let recorded = recorder.await.map_err(stage_failed)?;
    // A stage's own error explains a fetch that stopped because that stage was gone.
    let recorded = recorded?;
    flushed?;
    prepared?;
    fetched?;
    finished?;
    let mut stats = pass.stats;
    stats += recorded;
    Ok(stats)
}

fn stage_failed(e: tokio::task::JoinError) -> ImapError {
    ImapError::Protocol(format!("ingestion stage failed: {e}"))
}

/// Messages fetched together, on their way to the preparer.
type FetchedGroup = Vec<(Origin, Vec<u8>, Option<chrono::DateTime<Utc>>)>;

/// What the fetching side hands on: a group of bodies, or the end of a chunk of UIDs.
enum Work {
    Group(FetchedGroup),
    ChunkEnd(ChunkDone),
}

/// What the preparer hands on: a group judged and its files queued, or the end of a chunk.
enum Ready {
    Batch(Vec<(Origin, ingest::Prepared)>),
    ChunkEnd(ChunkDone),
}

/// What the flusher hands on: a group whose files are on disk, with the pack index rows to
/// commit with it.
enum Flushed {
    Batch(Vec<(Origin, ingest::Prepared)>, Vec<PackedBlob>),
    ChunkEnd(ChunkDone),
}

/// A chunk of UIDs whose every message is committed: flag these, then advance to `last`.
struct ChunkDone {
    to_flag: Vec<u32>,
    last: u32,
}

/// The fetching side of a folder pass.
struct FolderPass<'a> {
    services: &'a Services,
    office: &'a Office,
    mailbox: &'a Mailbox,
    folder: &'a str,
    uidvalidity: i64,
    limits: FetchLimits,
    lease: Option<&'a Lease>,
    renewed: std::time::Instant,
    stats: PassStats,
    done: tokio::sync::mpsc::UnboundedReceiver<ChunkDone>,
}

impl FolderPass<'_> {
    async fn fetch_all(
        &mut self,
        session: &mut ImapSession,
        uids: &[u32],
        work: tokio::sync::mpsc::Sender<Work>,
    ) -> Result<(), ImapError> {
        for chunk in uids.chunks(CHUNK_UIDS) {
            self.fetch_chunk(session, chunk, &work).await?;
        }
        Ok(())
    }

    /// Hands a piece of work on, flagging what was committed meanwhile, and keeps the lease
    /// (a chunk of large messages may take longer than the lease lasts).
    async fn hand_on(
        &mut self,
        session: &mut ImapSession,
        work: &tokio::sync::mpsc::Sender<Work>,
        item: Work,
    ) -> Result<(), ImapError> {
        work.send(item)
            .await
            .map_err(|_| ImapError::Protocol("ingestion stopped".into()))?;
        while let Ok(chunk) = self.done.try_recv() {
            self.finish_chunk(session, chunk).await?;
        }
        self.renew_lease().await
    }

    async fn fetch_chunk(
        &mut self,
        session: &mut ImapSession,
        chunk: &[u32],
        work: &tokio::sync::mpsc::Sender<Work>,
    ) -> Result<(), ImapError> {
        let limit = self.limits.command;
        let set = uid_set(chunk);
        // Sizes and arrival times first: a message over the limit is never downloaded.
        let mut meta = std::collections::HashMap::new();
        {
            let mut stream = within(
                limit,
                "UID FETCH",
                session.uid_fetch(&set, "(UID RFC822.SIZE INTERNALDATE)"),
            )
            .await?;
            while let Some(item) = within(limit, "UID FETCH", async {
                stream.next().await.transpose()
            })
            .await?
            {
                if let Some(uid) = item.uid {
                    meta.insert(
                        uid,
                        (
                            item.size.unwrap_or(0),
                            item.internal_date().map(|d| d.with_timezone(&Utc)),
                        ),
                    );
                }
            }
        }
        // Messages already committed (a crash or a lost connection between commit and flag)
        // are only flagged; oversized ones are recorded without being fetched.
        let mut to_flag: Vec<u32> = Vec::new();
        let mut wanted: Vec<(u32, u32, Option<chrono::DateTime<Utc>>)> = Vec::new();
        let (first, last) = (
            chunk.first().copied().unwrap_or(0),
            chunk.last().copied().unwrap_or(0),
        );
        let taken = self
            .services
            .store()
            .taken_uids(
                self.mailbox.id,
                self.folder,
                self.uidvalidity,
                i64::from(first),
                i64::from(last),
            )
            .await?;
        for uid in chunk {
            let (size, arrived) = meta.get(uid).copied().unwrap_or((0, None));
            let key = self.key(*uid);
            if let Some(flaggable) = taken.get(&i64::from(*uid)) {
                if *flaggable {
                    to_flag.push(*uid);
                }
            } else if u64::from(size) > self.limits.max_message_bytes {
                let outcome = ingest::refuse_oversized(
                    self.services,
                    self.office,
                    key,
                    u64::from(size),
                    self.limits.max_message_bytes,
                )
                .await?;
                count(&mut self.stats, &outcome);
            } else if u64::from(size) > self.limits.stream_above_bytes {
                let outcome = take_large(
                    self.services,
                    self.office,
                    session,
                    key,
                    *uid,
                    arrived,
                    limit,
                )
                .await?;
                if let Some(outcome) = outcome {
                    self.stats.fetched += 1;
                    self.stats.bytes += u64::from(size);
                    count(&mut self.stats, &outcome);
                }
                to_flag.push(*uid);
            } else {
                wanted.push((*uid, size, arrived));
            }
        }
        // Bodies come a group at a time (few round trips), each group held in memory at most
        // once: async-imap keeps a whole FETCH reply, so groups stay under BODY_GROUP_BYTES.
        let mut group: Vec<(u32, Option<chrono::DateTime<Utc>>)> = Vec::new();
        let mut group_bytes = 0u64;
        let mut groups = Vec::new();
        for (uid, size, arrived) in wanted {
            if !group.is_empty()
                && (group_bytes + u64::from(size) > BODY_GROUP_BYTES
                    || group.len() >= BODY_GROUP_COUNT)
            {
                groups.push(std::mem::take(&mut group));
                group_bytes = 0;
            }
            group_bytes += u64::from(size);
            group.push((uid, arrived));
        }
        if !group.is_empty() {
            groups.push(group);
        }
        for group in groups {
            let uids: Vec<u32> = group.iter().map(|(u, _)| *u).collect();
            let mut bodies = fetch_bodies(session, &uids, limit).await?;
            let mut jobs = Vec::with_capacity(group.len());
            for (uid, arrived) in &group {
                // A message expunged meanwhile has no body: nothing to take.
                let Some(body) = bodies.remove(uid) else {
                    continue;
                };
                self.stats.fetched += 1;
                self.stats.bytes += body.len() as u64;
                jobs.push((Origin::Mailbox(self.key(*uid)), body, *arrived));
            }
            to_flag.extend(uids);
            self.hand_on(session, work, Work::Group(jobs)).await?;
        }
        to_flag.sort_unstable();
        self.hand_on(session, work, Work::ChunkEnd(ChunkDone { to_flag, last }))
            .await
    }

    /// Committed: now tell the server, the whole chunk at once, then move the position on.
    async fn finish_chunk(
        &mut self,
        session: &mut ImapSession,
        chunk: ChunkDone,
    ) -> Result<(), ImapError> {
        if !chunk.to_flag.is_empty() {
            mark_done(session, self.mailbox, &chunk.to_flag, self.limits.command).await?;
        }
        self.services
            .store()
            .advance_folder(
                self.mailbox.id,
                self.folder,
                self.uidvalidity,
                i64::from(chunk.last),
            )
            .await?;
        Ok(())
    }

    async fn renew_lease(&mut self) -> Result<(), ImapError> {
        if let Some(l) = self.lease
            && self.renewed.elapsed().as_secs_f64() * 3.0 > l.ttl.num_seconds() as f64
        {
            if !self
                .services
                .store()
                .acquire_lease(self.mailbox.id, &l.holder, l.ttl)
                .await?
            {
                return Err(ImapError::Protocol("lease taken by another process".into()));
            }
            self.renewed = std::time::Instant::now();
        }
        Ok(())
    }

    fn key(&self, uid: u32) -> ReceiptKey {
        receipt_key(self.mailbox, self.folder, self.uidvalidity, uid)
    }
}

/// Judges the messages of a group on blocking threads, one share per core, so parsing uses
/// every core while the next group is being fetched without holding up the async tasks (the
/// recorder's database round trips would otherwise queue behind a hundred parses); hands the
/// group on in its order.
async fn prepare_stage(
    services: Services,
    office: Office,
    mut work: tokio::sync::mpsc::Receiver<Work>,
    ready: tokio::sync::mpsc::Sender<Ready>,
) -> Result<(), ImapError> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    while let Some(item) = work.recv().await {
        let next = match item {
            Work::ChunkEnd(chunk) => Ready::ChunkEnd(chunk),
            Work::Group(jobs) => {
                let share = jobs.len().div_ceil(cores).max(1);
                let mut shares = Vec::new();
                let mut jobs = jobs.into_iter().peekable();
                while jobs.peek().is_some() {
                    let part: Vec<_> = jobs.by_ref().take(share).collect();
                    let policy = services.attachments;
                    let office = office.clone();
                    shares.push(tokio::task::spawn_blocking(move || {
                        part.into_iter()
                            .map(|(origin, body, arrived): (Origin, Vec<u8>, _)| {
                                let judged =
                                    ingest::judge(&policy, &office, &origin, body.into(), arrived);
                                (origin, judged)
                            })
                            .collect::<Vec<_>>()
                    }));
                }
                let mut batch = Vec::new();
                for share in shares {
                    for (origin, judged) in share.await.map_err(stage_failed)? {
                        batch.push((origin, ingest::queue_files(&services, judged).await?));
                    }
                }
                Ready::Batch(batch)
            }
        };
        if ready.send(next).await.is_err() {
            // The recorder stopped; its error is the one to report.
            break;
        }
    }
    Ok(())
}

/// Makes each prepared group's files durable (with whatever else is pending: one pack).
async fn flush_stage(
    services: Services,
    mut ready: tokio::sync::mpsc::Receiver<Ready>,
    flushed: tokio::sync::mpsc::Sender<Flushed>,
) -> Result<(), ImapError> {
    while let Some(item) = ready.recv().await {
        let next = match item {
            Ready::Batch(batch) => {
                // The index rows are committed with the batch: no second write transaction
                // competing with the recorder's.
                let blobs = services
                    .files
                    .flush_unindexed()
                    .await
                    .map_err(IngestError::from)?;
                Flushed::Batch(batch, blobs)
            }
            Ready::ChunkEnd(chunk) => Flushed::ChunkEnd(chunk),
        };
        if flushed.send(next).await.is_err() {
            break;
        }
    }
    Ok(())
}

/// Commits each flushed group in one transaction and reports finished chunks.
async fn record_stage(
    services: Services,
    office: Office,
    mut flushed: tokio::sync::mpsc::Receiver<Flushed>,
    done: tokio::sync::mpsc::UnboundedSender<ChunkDone>,
) -> Result<PassStats, ImapError> {
    let mut stats = PassStats::default();
    while let Some(item) = flushed.recv().await {
        match item {
            Flushed::Batch(batch, blobs) => {
                for outcome in
                    ingest::record_flushed_batch(&services, &office, batch, blobs).await?
                {
                    count(&mut stats, &outcome);
                }
            }
            Flushed::ChunkEnd(chunk) => {
                // The fetching side may have stopped; the chunk is then flagged next pass.
                let _ = done.send(chunk);
            }
        }
    }
    Ok(stats)
}

/// UIDs looked at together: their sizes in one FETCH, then one flag command (or move) and one
/// step of the folder position once all of them are committed.
const CHUNK_UIDS: usize = 1000;
/// Groups of bodies the fetching side may hold ready ahead of the parser (each at most
/// BODY_GROUP_BYTES), so the mail server keeps sending while the cores parse.
const WORK_QUEUE: usize = 3;

/// Bodies fetched in one command are capped at this many bytes and messages.
const BODY_GROUP_BYTES: u64 = 12 * 1024 * 1024;
const BODY_GROUP_COUNT: usize = 500;

fn receipt_key(mailbox: &Mailbox, folder: &str, uidvalidity: i64, uid: u32) -> ReceiptKey {
    ReceiptKey {
        mailbox_id: mailbox.id,
        folder: folder.to_string(),
        uidvalidity,
        uid: i64::from(uid),
    }
}

fn count(stats: &mut PassStats, outcome: &Outcome) {
    match outcome {
        Outcome::Letter { .. } => stats.letters += 1,
        Outcome::Duplicate { .. } => stats.duplicates += 1,
        Outcome::AutoReply { .. } | Outcome::DeliveryReport { .. } | Outcome::Acceptance { .. } => {
            stats.notices += 1
        }
        Outcome::Quarantined { .. } => stats.quarantined += 1,
        Outcome::AlreadyTaken => {}
    }
}

/// One pass over every folder of a mailbox (connect, fetch, log out); records liveness.
pub async fn poll_once(
    services: &Services,
    mailbox: &Mailbox,
    limits: FetchLimits,
) -> Result<PassStats, ImapError> {
    let office = services.store().find_office(&mailbox.office_id).await?;
    let result = async {
        let mut session = connect(mailbox, limits.command).await?;
        let mut total = PassStats::default();
        for folder in &mailbox.folders {
            let s = pass_folder(
                services,
                &office,
                mailbox,
                &mut session,
                folder,
                limits,
                None,
            )
            .await?;
            total += s;
        }
        let _ = within(limits.command, "LOGOUT", session.logout()).await;
        Ok::<_, ImapError>(total)
    }
    .await;
    let error = result.as_ref().err().map(|e| e.to_string());
    for folder in &mailbox.folders {
        services
            .store()
            .folder_result(mailbox.id, folder, error.as_deref())
            .await?;
    }
    result
}
