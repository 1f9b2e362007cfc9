//! The text index's upkeep: `saraban search reindex` rebuilds it from the stored letters, batch
//! by batch, so searches (and registrations, between batches) go on meanwhile.

use super::{Result, Services};

/// How far a reindex has come.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReindexProgress {
    pub done: usize,
    pub total: usize,
    /// Letters whose search columns had to be written again.
    pub changed: usize,
}

/// Letters recomputed in one write transaction.
const BATCH: i64 = 500;

impl Services {
    /// Recomputes every letter's search columns (an office's, or every office's) from its
    /// fields and files; with no office, SQLite's trigram index is also rebuilt whole. `progress`
    /// is called after each batch.
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
            ..Default::default()
        };
        let mut after = 0;
        loop {
            let ids = self.store.letter_ids_after(office_id, after, BATCH).await?;
            let Some(last) = ids.last() else { break };
            after = *last;
            let mut tx = self.store.begin_write().await?;
            let done = crate::store::search::refresh_search_columns(&mut tx, &ids).await?;
            crate::store::commit(tx).await?;
            state.done += done.read;
            state.changed += done.changed;
            progress(state);
        }
        if office_id.is_none() {
            self.store.rebuild_text_index().await?;
        }
        Ok(state)
    }
}
