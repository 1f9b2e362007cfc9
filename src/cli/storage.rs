//! `saraban storage verify` (every file the records name, read back and checked), `saraban
//! storage migrate --to s3|fs` (moved to the other backend) and `saraban storage gc` (what no
//! record names, removed).

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
    /// Remove what the file store holds that no record names: files left by a batch whose
    /// transaction never committed, files of records removed by hand, pieces of interrupted
    /// uploads. Only what is older than the grace period is touched (a file is written just
    /// before the record that names it). Packs holding such files are rewritten without them.
    Gc {
        /// Leave alone anything written in the last this many hours.
        #[arg(long, default_value_t = 24)]
        grace_hours: u32,
        /// Only count what would be removed.
        #[arg(long)]
        dry_run: bool,
    },
}

impl StorageCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let concurrency = match self {
            StorageCommand::Migrate { to, concurrency } => {
                return migrate(ctx, &to, concurrency).await;
            }
            StorageCommand::Gc {
                grace_hours,
                dry_run,
            } => return gc(ctx, grace_hours, dry_run).await,
            StorageCommand::Verify { concurrency } => concurrency,
        };
        let total = ctx.services.count_named_files().await.map_err(describe)?;
        let bar = files_bar(total);
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
    let bar = files_bar(total);
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

async fn gc(ctx: &Ctx, grace_hours: u32, dry_run: bool) -> anyhow::Result<()> {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos} looked at {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let report = ctx
        .services
        .collect_garbage(
            chrono::Duration::hours(i64::from(grace_hours)),
            dry_run,
            |done| bar.set_position(done),
        )
        .await
        .map_err(describe)?;
    bar.finish_and_clear();
    let verb = if dry_run { "would remove" } else { "removed" };
    println!(
        "{} looked at; {verb} {} files, {} packs, {} leftovers ({} bytes); {} packs rewritten; \
         {} unnamed but younger than {grace_hours} h left alone",
        report.looked_at,
        report.files,
        report.packs,
        report.leftovers,
        report.bytes,
        report.packs_rewritten,
        report.young
    );
    if report.named_meanwhile.is_empty() {
        Ok(())
    } else {
        for sha in &report.named_meanwhile {
            println!("{sha}: a record began to name it while it was removed (alarm raised)");
        }
        anyhow::bail!(
            "{} files removed while being named",
            report.named_meanwhile.len()
        )
    }
}

/// A progress bar counting files.
fn files_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
