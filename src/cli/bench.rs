//! `saraban bench ingest|send|outputs`: figures against real servers on loopback, and the
//! register exports in memory.

use clap::Subcommand;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Fill a private Dovecot with generated Thai letters and compare saraban's ingestion with a
    /// plain IMAP download of the same mailbox (needs dovecot-imapd and openssl).
    Ingest {
        /// How many letters.
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// Size of each letter in KB (a PDF makes up most of it).
        #[arg(long, default_value_t = 20)]
        size_kb: usize,
        /// Check each letter's sender (DKIM, SPF, DMARC) against a private dnsmasq, as `serve`
        /// does: `on` or `off` (to see what the checks cost).
        #[arg(long, default_value = "on")]
        sender_checks: String,
    },
    /// One and two `serve` processes on one private PostgreSQL and one SeaweedFS: registrations
    /// and ingestion per second, and what S3 costs against files on disk.
    Scale {
        /// Registrations through the API for each of one and two processes.
        #[arg(long, default_value_t = 1000)]
        registrations: usize,
        /// Letters (100 KB each) taken in for each run.
        #[arg(long, default_value_t = 2000)]
        letters: usize,
    },
    /// Register N outbound letters with a file each and send them through saraban's outbox to a
    /// private Postfix, beside a plain SMTP client sending the same bytes (needs postfix,
    /// dovecot-imapd, dovecot-lmtpd and openssl; run as root).
    Send {
        /// How many letters.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Size of each letter's file in MB.
        #[arg(long, default_value_t = 1.0)]
        file_mb: f64,
        /// Messages sent at the same time (both sides).
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
    },
    /// Import an earlier register of N letters (a file each), survey it and destroy what is due
    /// (SQLite in a temporary directory, no servers).
    Records {
        #[arg(long, default_value_t = 100_000)]
        count: usize,
    },
    /// Fill an office with N letters over 10 years and time searches and register pages through
    /// the text index beside the old LIKE scan (SQLite in a temporary directory, or a private
    /// PostgreSQL: needs the postgresql package).
    Search {
        #[arg(long, default_value_t = 1_000_000)]
        letters: usize,
        /// sqlite or postgres.
        #[arg(long, default_value = "sqlite")]
        db: String,
    },
    /// Thai OCR of a generated 2-page A4 scan at 300 dpi: pages per second and peak memory
    /// (needs tesseract-ocr, tesseract-ocr-tha and poppler-utils).
    Ocr,
    /// Export a generated register of N rows as XLSX and CSV, several rounds (no servers).
    Outputs {
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
}

impl BenchCommand {
    #[cfg(feature = "bench")]
    pub async fn run(self) -> anyhow::Result<()> {
        let report = match self {
            BenchCommand::Ingest {
                count,
                size_kb,
                sender_checks,
            } => {
                let on = match sender_checks.as_str() {
                    "on" => true,
                    "off" => false,
                    other => anyhow::bail!("--sender-checks must be on or off, not {other}"),
                };
                saraban::bench::ingest::run(count, size_kb, on)
                    .await?
                    .report()
            }
            BenchCommand::Send {
                count,
                file_mb,
                concurrency,
            } => saraban::bench::send::run(count, file_mb, concurrency)
                .await?
                .report(),
            BenchCommand::Scale {
                registrations,
                letters,
            } => saraban::bench::scale::run(registrations, letters)
                .await?
                .report(),
            BenchCommand::Records { count } => saraban::bench::records::run(count).await?.report(),
            BenchCommand::Search { letters, db } => {
                saraban::bench::search::run(letters, &db).await?.report()
            }
            BenchCommand::Ocr => saraban::bench::ocr::run().await?.report(),
            BenchCommand::Outputs { rows, rounds } => {
                saraban::bench::outputs::run(rows, rounds).await?.report()
            }
        };
        println!("{report}");
        Ok(())
    }

    /// Production builds leave the benchmarks and their test servers out.
    #[cfg(not(feature = "bench"))]
    pub async fn run(self) -> anyhow::Result<()> {
        anyhow::bail!(
            "this saraban was built without benchmarks: build it with \
             `cargo build --release --features bench` (see docs/benchmarks.md)"
        )
    }
}
