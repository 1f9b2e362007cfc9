//! The text index's upkeep: `saraban search reindex` rebuilds it from the stored letters, batch
//! by batch, so searches (and registrations, between batches) go on meanwhile; the words inside
//! files (the reader's progress for the admin, where a search's words were found, what a scan
//! proposes for its letter's entry).

use std::collections::HashMap;

use super::{Actor, Result, ServiceError, Services};
use crate::domain::file_text::{self, Found, Proposal};
use crate::domain::search::SearchWords;
use crate::store::letters::Letter;

/// How far a reindex has come.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReindexProgress {
    pub done: usize,
    pub total: usize,
    /// Letters whose search columns had to be written again.
    pub changed: usize,
    /// Files queued for reading that no row of the queue knew.
    pub files_queued: u64,
    /// Inbox entries whose search text had to be written again.
    pub inbox_changed: usize,
}

/// Letters recomputed in one write transaction.
const BATCH: i64 = 500;

impl Services {
    /// Recomputes every letter's search columns (an office's, or every office's) from its
    /// fields and files; then, with no office, SQLite's trigram index is rebuilt whole, and
    /// PostgreSQL's one-byte copy of the text is written again where it differs (the office's,
    /// or every office's). `progress` is called after each batch.
    pub async fn reindex_search(
        &self,
        office_id: Option<&str>,
        mut progress: impl FnMut(ReindexProgress),
    ) -> Result<ReindexProgress> {
        if let Some(office) = office_id {
            self.store.find_office(office).await?;
        }
        let mut state = ReindexProgress {
            total: self.store.count_letters_of(office_id).await? as usize,
            files_queued: self.store.queue_unread_files().await?,
            ..Default::default()
        };
        let mut after = 0;
        loop {
            let ids = self.store.letter_ids_after(office_id, after, BATCH).await?;
            let Some(last) = ids.last() else { break };
            after = *last;
            let mut tx = self.store.begin_write().await?;
            let done = crate::store::search_columns::refresh_search_columns(&mut tx, &ids).await?;
            crate::store::commit(tx).await?;
            state.done += done.read;
            state.changed += done.changed;
            progress(state);
        }
        // The inbox's entries too: their files' names and words.
        let mut after = 0;
        loop {
            let ids = self
                .store
                .inbox_entry_ids_after(office_id, after, BATCH)
                .await?;
            let Some(last) = ids.last() else { break };
            after = *last;
            let mut tx = self.store.begin_write().await?;
            state.inbox_changed += crate::store::inbox_text::refresh_entries(&mut tx, &ids).await?;
            crate::store::commit(tx).await?;
        }
        self.store.rebuild_text_index(office_id).await?;
        Ok(state)
    }

    /// Where the words of search `q` were found in each of `letters` (a page of results): in
    /// the subject, the ที่, a file's name or a line of a file's text, the words marked.
    pub async fn where_found(
        &self,
        letters: &[Letter],
        q: &str,
    ) -> Result<HashMap<i64, Vec<Found>>> {
        let words: Vec<String> = SearchWords::parse(q).all().map(str::to_string).collect();
        if words.is_empty() || letters.is_empty() {
            return Ok(HashMap::new());
        }
        let mut letters = letters.to_vec();
        for l in &mut letters {
            l.attachments.clear();
        }
        self.store.attachments_for(&mut letters).await?;
        let shas: Vec<String> = letters
            .iter()
            .flat_map(|l| l.attachments.iter().map(|a| a.sha256.clone()))
            .collect();
        let texts = self.store.file_texts_of(&shas).await?;
        let mut out = HashMap::new();
        for l in &letters {
            let mut places = vec![
                ("เรื่อง".to_string(), l.subject.clone()),
                ("ที่".to_string(), l.doc_no.clone()),
            ];
            for a in &l.attachments {
                places.push((format!("ชื่อไฟล์ {}", a.name), a.name.clone()));
                if l.destroyed.is_none()
                    && let Some(t) = texts.get(&a.sha256)
                {
                    let how = if t.method == "ocr" {
                        "ภาพสแกน"
                    } else {
                        "ไฟล์"
                    };
                    places.push((format!("เนื้อความใน{how} {}", a.name), t.body.clone()));
                }
            }
            let found = file_text::where_found(&words, &places, 3);
            if !found.is_empty() {
                out.insert(l.id, found);
            }
        }
        Ok(out)
    }

    /// What the text read from a letter's scans proposes for its ที่ / ลงวันที่ / เรื่อง / จาก,
    /// for the clerk to confirm; `None` when nothing was read or nothing proposed.
    pub async fn scan_proposal(&self, letter: &Letter) -> Result<Option<Proposal>> {
        let shas: Vec<String> = letter
            .attachments
            .iter()
            .map(|a| a.sha256.clone())
            .collect();
        let texts = self.store.file_texts_of(&shas).await?;
        Ok(letter
            .attachments
            .iter()
            .filter_map(|a| texts.get(&a.sha256))
            .filter(|t| t.method == "ocr")
            .map(|t| file_text::propose(&t.body))
            .find(|p| !p.is_empty()))
    }

    /// The file reader's progress and its failures, for the admin.
    pub async fn file_text_status(
        &self,
        actor: &Actor,
    ) -> Result<(
        crate::store::file_texts::Progress,
        Vec<crate::store::file_texts::Failure>,
    )> {
        if !actor.user.role.can_manage_settings() {
            return Err(ServiceError::Forbidden("เฉพาะผู้ดูแลระบบ".into()));
        }
        Ok((
            self.store.file_text_progress(&actor.office.id).await?,
            self.store.failed_file_texts(&actor.office.id, 50).await?,
        ))
    }

    /// Queues the files that failed for good again; how many.
    pub async fn retry_file_texts(&self, actor: &Actor) -> Result<u64> {
        if !actor.user.role.can_manage_settings() {
            return Err(ServiceError::Forbidden("เฉพาะผู้ดูแลระบบ".into()));
        }
        let n = self.store.retry_failed_texts(&actor.office.id).await?;
        self.text_wake.notify_one();
        Ok(n)
    }
}
