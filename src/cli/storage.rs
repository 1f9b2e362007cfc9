//! `saraban storage verify` (every file the records name, read back and checked) and `saraban
//! storage migrate --to s3|fs` (moved to the other backend).

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
    /// Copy every file the records name into the other backend (`--to s3` from files on disk,
    /// `--to fs` back), checking each; files already there are skipped, so a stopped migration
    /// resumes. Then set `storage.backend` to the new one and restart.
    Migrate {
        /// s3 or fs.
        #[arg(long)]
        to: String,
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
    },
}

impl StorageCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let concurrency = match self {
            StorageCommand::Migrate { to, concurrency } => {
                return migrate(ctx, &to, concurrency).await;
            }
            StorageCommand::Verify { concurrency } => concurrency,
        };
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

async fn migrate(ctx: &Ctx, to: &str, concurrency: usize) -> anyhow::Result<()> {
    let to = to.trim().to_ascii_lowercase();
    if to != "s3" && to != "fs" {
        anyhow::bail!("--to must be s3 or fs");
    }
    if to == ctx.config.storage.backend.trim() {
        anyhow::bail!("storage.backend is {to} already: nothing to move");
    }
    let destination = saraban::app::open_backend_of(&ctx.services, &ctx.config, &to).await?;
    let total = ctx.services.count_named_files().await.map_err(describe)?;
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = ctx
        .services
        .migrate_files(&destination, concurrency, |done| bar.set_position(done))
        .await
        .map_err(describe)?;
    bar.finish_and_clear();
    for (sha, why) in &report.failed {
        println!("{sha}: {why}");
    }
    println!(
        "{} files copied to {to}, {} there already, {} failed",
        report.copied,
        report.already_there,
        report.failed.len()
    );
    if report.failed.is_empty() {
        println!("now set storage.backend = \"{to}\" and restart saraban");
        Ok(())
    } else {
        anyhow::bail!(
            "{} files not copied: run the command again",
            report.failed.len()
        )
    }
}
