//! `saraban search reindex`: rebuild the text index from the stored letters.

use clap::Subcommand;

use super::{Ctx, describe};

#[derive(Subcommand)]
pub enum SearchCommand {
    /// Rebuild the search index from the stored letters and their files' names (after an import,
    /// a restore or an upgrade). Searches keep working meanwhile.
    Reindex {
        /// Only this office's letters (default: every office, and the whole index).
        #[arg(long)]
        office: Option<String>,
    },
}

impl SearchCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let SearchCommand::Reindex { office } = self;
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} letters {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let done = ctx
            .services
            .reindex_search(office.as_deref(), |p| {
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
            })
            .await
            .map_err(describe)?;
        bar.finish_and_clear();
        println!(
            "search index rebuilt: {} letters read, {} written again{}",
            done.done,
            done.changed,
            match &office {
                Some(o) => format!(" (office {o})"),
                None => " (every office; the index rebuilt whole)".to_string(),
            }
        );
        if done.inbox_changed > 0 {
            println!(
                "{} inbox entries' search text written again",
                done.inbox_changed
            );
        }
        if done.files_queued > 0 {
            println!(
                "{} files queued for reading their words (read by `saraban serve`)",
                done.files_queued
            );
        }
        Ok(())
    }
}
