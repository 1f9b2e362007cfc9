//! `saraban mailbox add|list|test|poll|remove`: saraban mailboxes fetched over IMAP.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use saraban::service::mailboxes::MailboxInput;

use super::{Ctx, describe, no_such, password_from_stdin};

#[derive(Subcommand)]
pub enum MailboxCommand {
    /// Add a mailbox to fetch; the password is read from standard input.
    Add(MailboxAdd),
    /// List mailboxes with each folder's state (passwords are never shown).
    List {
        /// Only this office's mailboxes.
        #[arg(long)]
        office: Option<String>,
    },
    /// Connect and log in, and say what the folders hold.
    Test {
        /// The mailbox number from `saraban mailbox list`.
        id: i64,
    },
    /// Fetch new mail from a mailbox once, now.
    Poll { id: i64 },
    /// Stop fetching a mailbox (what it brought in stays).
    Remove { id: i64 },
}

#[derive(Args)]
pub struct MailboxAdd {
    /// The office whose inbox receives the mail.
    #[arg(long)]
    office: String,
    /// IMAP server name or address.
    #[arg(long)]
    host: String,
    /// IMAP port (143 for none/starttls, 993 for tls).
    #[arg(long)]
    port: u16,
    /// none (only to 127.0.0.1), starttls or tls.
    #[arg(long)]
    security: String,
    /// A PEM file of the certificate authority to trust instead of the public ones.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    /// The mailbox's login name.
    #[arg(long)]
    username: String,
    /// Read the password from standard input (required).
    #[arg(long, required = true)]
    password_stdin: bool,
    /// A folder to watch; repeat for several (default INBOX).
    #[arg(long = "folder")]
    folders: Vec<String>,
    /// Seconds between reconciliation passes (new mail arrives at once where IDLE works).
    #[arg(long, default_value_t = 60)]
    poll_secs: i64,
    /// Move fetched mail to this folder instead of flagging it $SarabanIngested.
    #[arg(long)]
    move_to: Option<String>,
}

impl MailboxCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let services = &ctx.services;
        let limits = saraban::mail::poller::limits(&ctx.config.mail);
        let mailbox = |id: i64| async move {
            services
                .any_mailbox(id)
                .await
                .map_err(no_such("mailbox", &id))
        };
        match self {
            MailboxCommand::Add(a) => {
                let input = MailboxInput {
                    host: a.host,
                    port: a.port.to_string(),
                    security: a.security,
                    ca_file: a
                        .ca_file
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    username: a.username,
                    password: password_from_stdin(a.password_stdin)?,
                    folders: if a.folders.is_empty() {
                        "INBOX".into()
                    } else {
                        a.folders.join("\n")
                    },
                    poll_secs: a.poll_secs.to_string(),
                    move_to: a.move_to.unwrap_or_default(),
                };
                let office = a.office;
                let m = services
                    .add_mailbox_to(&office, &input)
                    .await
                    .map_err(no_such("office", &office))?;
                println!(
                    "mailbox {} added for {}: {}@{}:{} ({})",
                    m.id,
                    m.office_id,
                    m.username,
                    m.host,
                    m.port,
                    m.security.code()
                );
            }
            MailboxCommand::List { office } => {
                for m in services.all_mailboxes(office.as_deref()).await? {
                    println!(
                        "{}\t{}\t{}@{}:{}\t{}\tevery {}s{}",
                        m.id,
                        m.office_id,
                        m.username,
                        m.host,
                        m.port,
                        m.security.code(),
                        m.poll_secs,
                        m.move_to
                            .as_deref()
                            .map(|t| format!("\tmove to {t}"))
                            .unwrap_or_default()
                    );
                    for f in services.mailbox_folders(m.id).await? {
                        let ok = f
                            .last_success_at
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_else(|| "never".into());
                        println!(
                            "\t{}\tuidvalidity {}\tlast uid {}\tlast success {}\tfailures {}\t{}",
                            f.folder,
                            f.uidvalidity,
                            f.last_uid,
                            ok,
                            f.consecutive_failures,
                            f.last_error.unwrap_or_default()
                        );
                    }
                }
            }
            MailboxCommand::Test { id } => {
                let m = mailbox(id).await?;
                let summary = saraban::mail::imap::test_connection(&m, limits.command).await?;
                println!("{summary}");
            }
            MailboxCommand::Poll { id } => {
                let m = mailbox(id).await?;
                let s = saraban::mail::imap::poll_once(services, &m, limits).await?;
                println!(
                    "fetched {} ({} bytes): letters {}, duplicates {}, notices {}, quarantined {}",
                    s.fetched, s.bytes, s.letters, s.duplicates, s.notices, s.quarantined
                );
            }
            MailboxCommand::Remove { id } => {
                mailbox(id).await?;
                services.remove_any_mailbox(id).await.map_err(describe)?;
                println!("mailbox {id} removed");
            }
        }
        Ok(())
    }
}
