//! `saraban storage verify`: every file the records name, read back and checked.

use clap::Subcommand;

use super::{Ctx, describe};

#[derive(Subcommand)]
pub enum StorageCommand {
    /// Read back every file a kept record names (attachments, raw e-mails, stamped copies,
    /// closed registers, sent messages) and check it against its sha256. Missing or damaged
    /// files are listed, raised as alarms on the admin's settings page and in /metrics, and the
    /// command exits with an error.
    Verify {
        /// Files read at the same time.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
}

impl StorageCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let StorageCommand::Verify { concurrency } = self;
        let total = ctx.services.count_named_files().await.map_err(describe)?;
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let report = ctx
            .services
            .verify_files(concurrency, |done| bar.set_position(done))
            .await
            .map_err(describe)?;
        bar.finish_and_clear();
        for (sha, table, problem) in &report.problems {
            println!("{sha}  {table}: {problem}");
        }
        println!(
            "{} files checked, {} whole, {} missing or damaged",
            report.checked,
            report.checked - report.problems.len() as u64,
            report.problems.len()
        );
        if report.problems.is_empty() {
            Ok(())
        } else {
            anyhow::bail!("{} files missing or damaged", report.problems.len())
        }
    }
}
