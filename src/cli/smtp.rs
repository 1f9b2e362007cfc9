//! `saraban smtp set|show|test`: the account an office sends its letters through.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use saraban::store::mailboxes::Security;
use saraban::store::smtp::SmtpAccount;

use super::{Ctx, describe, no_such, password_from_stdin};

#[derive(Subcommand)]
pub enum SmtpCommand {
    /// Set (or replace) an office's SMTP account; with --username the password is read from
    /// standard input.
    Set(SmtpSet),
    /// Show an office's SMTP account, or the deployment default it falls back to.
    Show {
        #[arg(long)]
        office: String,
    },
    /// Send a test e-mail through an office's SMTP account (or the default) now.
    Test {
        #[arg(long)]
        office: String,
        /// Where the test e-mail goes.
        #[arg(long)]
        to: String,
    },
}

#[derive(Args)]
pub struct SmtpSet {
    #[arg(long)]
    office: String,
    #[arg(long)]
    host: String,
    #[arg(long)]
    port: u16,
    /// none (loopback only), starttls or tls.
    #[arg(long)]
    security: String,
    /// PEM file of the CA that signed the server's certificate, when it is not a public one.
    #[arg(long)]
    ca_file: Option<PathBuf>,
    #[arg(long)]
    username: Option<String>,
    /// Read the password from standard input (required with --username).
    #[arg(long)]
    password_stdin: bool,
    /// The office's saraban address: From of the letters it sends.
    #[arg(long)]
    from: String,
}

impl SmtpCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let office_of = |id: String| async move {
            ctx.services
                .office(&id)
                .await
                .map_err(no_such("office", &id))
        };
        match self {
            SmtpCommand::Set(a) => {
                let Some(security) = Security::parse(&a.security) else {
                    bail!("--security must be none, starttls or tls");
                };
                let password = match (&a.username, a.password_stdin) {
                    (Some(_), false) => bail!("--password-stdin is required with --username"),
                    (Some(_), true) => Some(password_from_stdin(true)?),
                    (None, _) => None,
                };
                let office = office_of(a.office).await?;
                ctx.services
                    .set_smtp_account(SmtpAccount {
                        office_id: office.id.clone(),
                        host: a.host.trim().to_string(),
                        port: a.port,
                        security,
                        ca_file: a.ca_file.map(|p| p.display().to_string()),
                        username: a.username,
                        password,
                        from_addr: a.from.trim().to_string(),
                    })
                    .await
                    .map_err(describe)?;
                println!(
                    "SMTP for {}: {}:{} ({}), from {}",
                    office.id,
                    a.host,
                    a.port,
                    security.code(),
                    a.from.trim()
                );
            }
            SmtpCommand::Show { office } => {
                let office = office_of(office).await?;
                let smtp = &ctx.config.smtp;
                match ctx.services.office_smtp_account(&office.id).await? {
                    Some(a) => println!(
                        "{}: {}:{} ({}){} from {}",
                        office.id,
                        a.host,
                        a.port,
                        a.security.code(),
                        a.username.map(|u| format!(" as {u}")).unwrap_or_default(),
                        a.from_addr
                    ),
                    None if smtp.host.trim().is_empty() => println!(
                        "{}: no account; letters are written as .eml files into {}",
                        office.id,
                        smtp.outbox_dir.display()
                    ),
                    None => println!(
                        "{}: no account; the [smtp] default {}:{} ({})",
                        office.id, smtp.host, smtp.port, smtp.security
                    ),
                }
            }
            SmtpCommand::Test { office, to } => {
                let office = office_of(office).await?;
                let account = ctx.services.office_smtp_account(&office.id).await?;
                let keys = ctx.services.signing_keys(&office.id).await?;
                match saraban::mail::outbox::send_test(
                    &office,
                    account.as_ref(),
                    &ctx.config.smtp,
                    &to,
                    &keys,
                )
                .await
                {
                    Ok(how) => println!("sent to {to} via {how}"),
                    Err(e) => bail!("not sent: {e}"),
                }
            }
        }
        Ok(())
    }
}
