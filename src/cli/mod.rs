//! The command line: one module per noun (`office`, `user`, `mailbox`, …), each with its clap
//! types and a `run`. `main.rs` only parses and calls [`Cli::run`]. Everything real is in the
//! library's services; this layer reads arguments and prints.

mod audit;
mod bench;
mod dkim;
mod group;
mod import;
mod ingest;
mod mailbox;
mod office;
mod records;
mod school_group;
mod search;
mod serve;
mod smtp;
mod storage;
mod token;
mod user;

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use saraban::config::Config;
use saraban::security::Secret;
use saraban::service::{ServiceError, Services};

/// saraban — ระบบสารบรรณอิเล็กทรอนิกส์: registers for Thai official letters, with a web page for clerks.
#[derive(Parser)]
#[command(name = "saraban", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (TOML). Default: config/saraban.toml when it exists. Every setting can
    /// also be given as an environment variable SARABAN__SECTION__KEY.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server and the background work (applies pending database migrations first).
    Serve {
        /// Create the demo district, schools and users first, and print their logins.
        #[arg(long)]
        demo: bool,
        /// all: pages, API and background work; web: pages and API only; worker: background
        /// work (mail in, outbox, file texts, sender checks) with only /healthz, /readyz and
        /// /metrics on the listen address. Several of each may share one PostgreSQL.
        #[arg(long, value_enum, default_value_t = serve::Role::All)]
        role: serve::Role,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the demo district, two schools, one user per role and a few letters; print the logins.
    Demo,
    /// Offices: a district office, its schools, or another unit.
    #[command(subcommand)]
    Office(office::OfficeCommand),
    /// Users who log in to the web pages.
    #[command(subcommand)]
    User(user::UserCommand),
    /// API tokens for scripts and other systems.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Saraban mailboxes fetched over IMAP.
    #[command(subcommand)]
    Mailbox(mailbox::MailboxCommand),
    /// The SMTP account an office sends its letters through.
    #[command(subcommand)]
    Smtp(smtp::SmtpCommand),
    /// The DKIM key outgoing mail is signed with, and the DNS records to publish.
    #[command(subcommand)]
    Dkim(dkim::DkimCommand),
    /// Work groups (กลุ่มงาน) of an office, to forward letters to.
    #[command(subcommand)]
    Group(group::GroupCommand),
    /// The letters' history: check its hash chain.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Saved groups of a district's schools, to send a letter to all of them at once.
    #[command(subcommand, name = "school-group")]
    SchoolGroup(school_group::SchoolGroupCommand),
    /// Measure speed against real servers on loopback and print the figures.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Take e-mail files (.eml, or folders of them) into an office's inbox, as if they had
    /// arrived in its saraban mailbox. Unreadable ones go to quarantine; nothing is dropped.
    Ingest(ingest::IngestArgs),
    /// Bring records in from before saraban: an office's earlier registers.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// The record's life: the yearly survey of letters to destroy.
    #[command(subcommand)]
    Records(records::RecordsCommand),
    /// The files behind the records: check them all.
    #[command(subcommand)]
    Storage(storage::StorageCommand),
    /// The search index: rebuild it from the stored letters.
    #[command(subcommand)]
    Search(search::SearchCommand),
}

/// What every command that works on the deployment has: its configuration and its services.
pub struct Ctx {
    pub config: Config,
    pub services: Services,
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        // A benchmark brings its own servers and database; the configured ones are not touched.
        let command = match self.command {
            Command::Bench(bench) => return bench.run().await,
            other => other,
        };
        let config = Config::load(self.config.as_deref())?;
        let store = saraban::app::open_store(&config)
            .await
            .context("opening the database")?;
        let ctx = Ctx {
            services: saraban::app::services(store, &config)
                .await
                .context("opening the file storage")?,
            config,
        };
        let result = match command {
            Command::Migrate => {
                println!("database is up to date");
                Ok(())
            }
            Command::Demo => serve::print_demo(&ctx.services).await,
            Command::Serve { demo, role } => serve::run(&ctx, demo, role).await,
            Command::Office(c) => c.run(&ctx).await,
            Command::User(c) => c.run(&ctx).await,
            Command::Token(c) => c.run(&ctx).await,
            Command::Mailbox(c) => c.run(&ctx).await,
            Command::Smtp(c) => c.run(&ctx).await,
            Command::Dkim(c) => c.run(&ctx).await,
            Command::Group(c) => c.run(&ctx).await,
            Command::Audit(c) => c.run(&ctx).await,
            Command::SchoolGroup(c) => c.run(&ctx).await,
            Command::Ingest(a) => a.run(&ctx).await,
            Command::Import(c) => c.run(&ctx).await,
            Command::Records(c) => c.run(&ctx).await,
            Command::Search(c) => c.run(&ctx).await,
            Command::Storage(c) => c.run(&ctx).await,
            Command::Bench(_) => unreachable!("run before the database is opened"),
        };
        ctx.services.close().await;
        result
    }
}

/// A use case's refusal as the operator reads it: per-field messages one a line.
fn describe(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(fields) => anyhow::anyhow!(
            "{}",
            fields
                .0
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

/// As [`describe`], but "not found" says what was missing. Only "not found" does: a database
/// that cannot be reached is reported as that, never as a missing office.
fn missing(what: impl FnOnce() -> String) -> impl FnOnce(ServiceError) -> anyhow::Error {
    move |e| match e {
        ServiceError::NotFound => anyhow::anyhow!("{}", what()),
        other => describe(other),
    }
}

/// As [`missing`], saying "`what` `name` does not exist" (office, user, mailbox).
fn no_such(
    what: &'static str,
    name: &dyn std::fmt::Display,
) -> impl FnOnce(ServiceError) -> anyhow::Error {
    let name = name.to_string();
    missing(move || format!("{what} {name} does not exist"))
}

/// The password of `--password-stdin`, read whole from standard input without its line end, so
/// it never shows in the process list or the shell history.
fn password_from_stdin(flag_given: bool) -> anyhow::Result<Secret> {
    if !flag_given {
        bail!("--password-stdin is required");
    }
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    Ok(Secret::new(password.trim_end_matches(['\r', '\n'])))
}

#[cfg(test)]
mod tests {
    use saraban::store::StoreError;

    use super::*;

    #[test]
    fn only_not_found_is_reported_as_missing() {
        let said = |e: ServiceError| no_such("office", &"x")(e).to_string();
        assert_eq!(said(ServiceError::NotFound), "office x does not exist");
        let outage = said(ServiceError::Store(StoreError::Db(
            sqlx::Error::PoolTimedOut,
        )));
        assert!(!outage.contains("does not exist"), "{outage}");
        assert!(outage.contains("database error"), "{outage}");
    }
}
