//! `saraban ingest --office ID FILES…`: e-mail files into an office's inbox.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use saraban::mail::files::eml_files;
use saraban::service::ingest::Origin;

use super::{Ctx, no_such};

#[derive(Args)]
pub struct IngestArgs {
    /// The office whose inbox receives them.
    #[arg(long)]
    office: String,
    /// .eml files or folders (searched for *.eml).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

impl IngestArgs {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let office_id = self.office;
        let office = ctx
            .services
            .office(&office_id)
            .await
            .map_err(no_such("office", &office_id))?;
        let files = eml_files(&self.paths)?;
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let mut counts = BTreeMap::<&'static str, usize>::new();
        for path in &files {
            let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let origin = Origin::File(path.display().to_string());
            let outcome = ctx
                .services
                .ingest(&office, &origin, raw.into(), None)
                .await?;
            *counts.entry(outcome.label()).or_default() += 1;
            bar.set_message(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            bar.inc(1);
        }
        bar.finish_and_clear();
        let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("{} files: {}", files.len(), summary.join(", "));
        Ok(())
    }
}
