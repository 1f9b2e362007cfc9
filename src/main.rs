//! `saraban`: the command line. Everything real lives in the library.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use saraban::config::Config;
use saraban::service::{NewUserInput, ServiceError, create_office, create_user};
use saraban::{app, demo};

/// saraban — ระบบสารบรรณอิเล็กทรอนิกส์: registers for Thai official letters, with a web page for clerks.
#[derive(Parser)]
#[command(name = "saraban", version, about, long_about = None)]
struct Cli {
    /// Configuration file (TOML). Default: config/saraban.toml when it exists. Every setting can
    /// also be given as an environment variable SARABAN__SECTION__KEY.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (applies pending database migrations first).
    Serve {
        /// Create the demo district, schools and users first, and print their logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the demo district, two schools, one user per role and a few letters; print the logins.
    Demo,
    /// Offices: a district office, its schools, or another unit.
    #[command(subcommand)]
    Office(OfficeCommand),
    /// Users who log in to the web pages.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for scripts and other systems.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Saraban mailboxes fetched over IMAP.
    #[command(subcommand)]
    Mailbox(MailboxCommand),
    /// The SMTP account an office sends its letters through.
    #[command(subcommand)]
    Smtp(SmtpCommand),
    /// Work groups (กลุ่มงาน) of an office, to forward letters to.
    #[command(subcommand)]
    Group(GroupCommand),
    /// The letters' history: check its hash chain.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Saved groups of a district's schools, to send a letter to all of them at once.
    #[command(subcommand, name = "school-group")]
    SchoolGroup(SchoolGroupCommand),
    /// Measure speed against real servers on loopback and print the figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Take e-mail files (.eml, or folders of them) into an office's inbox, as if they had
    /// arrived in its saraban mailbox. Unreadable ones go to quarantine; nothing is dropped.
    Ingest {
        /// The office whose inbox receives them.
        #[arg(long)]
        office: String,
        /// .eml files or folders (searched for *.eml).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum OfficeCommand {
    /// Add an office.
    Add(OfficeAdd),
    /// List all offices.
    List,
}

#[derive(Args)]
struct OfficeAdd {
    /// Short id used in URLs and commands, e.g. ubn1 or school-006 (letters, digits, - and _).
    #[arg(long)]
    id: String,
    /// Thai name, e.g. "โรงเรียนอนุบาลอุบลราชธานี".
    #[arg(long)]
    name: String,
    /// Letter-number prefix written before "/", e.g. "ศธ 04183" or "ศธ 04183.006".
    #[arg(long)]
    prefix: String,
    /// district, school or unit.
    #[arg(long)]
    kind: String,
    /// The id of the office above it (a school's district).
    #[arg(long)]
    parent: Option<String>,
    /// The office's saraban e-mail address.
    #[arg(long)]
    email: Option<String>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add(UserAdd),
    /// Where a user gets e-mail when a letter is given to them (or --off for none).
    Notify {
        #[arg(long)]
        user: String,
        #[arg(long)]
        email: String,
        /// each (an e-mail per letter), daily (one digest a day at 07:00) or off.
        #[arg(long, default_value = "each")]
        mode: String,
    },
}

#[derive(Args)]
struct UserAdd {
    /// The office the user works in.
    #[arg(long)]
    office: String,
    /// Login name.
    #[arg(long)]
    username: String,
    /// admin, director, deputy, clerk or staff.
    #[arg(long)]
    role: String,
    /// Full name shown in the registers (Thai).
    #[arg(long, default_value = "")]
    full_name: String,
    /// Read the password from standard input (required, so it never shows in the process list).
    #[arg(long, required = true)]
    password_stdin: bool,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Fill a private Dovecot with generated Thai letters and compare saraban's ingestion with a
    /// plain IMAP download of the same mailbox (needs dovecot-imapd and openssl).
    Ingest {
        /// How many letters.
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// Size of each letter in KB (a PDF makes up most of it).
        #[arg(long, default_value_t = 20)]
        size_kb: usize,
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
}

#[derive(Subcommand)]
enum GroupCommand {
    /// Add a work group to an office.
    Add {
        #[arg(long)]
        office: String,
        /// Short id, e.g. plan or finance (letters, digits, - and _).
        #[arg(long)]
        id: String,
        /// e.g. "กลุ่มนโยบายและแผน".
        #[arg(long)]
        name: String,
    },
    /// Members of a work group.
    #[command(subcommand)]
    Member(GroupMemberCommand),
    /// List an office's work groups and their members.
    List {
        #[arg(long)]
        office: String,
    },
}

#[derive(Subcommand)]
enum GroupMemberCommand {
    /// Add a user to a work group.
    Add {
        #[arg(long)]
        group: String,
        #[arg(long)]
        user: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check every entry of the history against the hash chain; exits non-zero naming the first
    /// broken entry.
    Verify,
}

#[derive(Subcommand)]
enum SchoolGroupCommand {
    /// Save a group of the district's schools.
    Add {
        /// The district.
        #[arg(long)]
        office: String,
        /// e.g. "กลุ่มเครือข่ายที่ 1".
        #[arg(long)]
        name: String,
        /// A school's office id; repeat for each school.
        #[arg(long = "member", required = true)]
        members: Vec<String>,
    },
    /// List the district's school groups with their schools.
    List {
        #[arg(long)]
        office: String,
    },
}

#[derive(Subcommand)]
enum SmtpCommand {
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
struct SmtpSet {
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

#[derive(Subcommand)]
enum MailboxCommand {
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
struct MailboxAdd {
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

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print it (as the last word).
    Create {
        /// The user's login name.
        #[arg(long)]
        user: String,
        /// A note on what the token is for.
        #[arg(long, default_value = "")]
        label: String,
    },
}

/// As [`describe`], with `missing` saying what was not found.
fn describe_missing(e: ServiceError, missing: impl FnOnce() -> String) -> anyhow::Error {
    match e {
        ServiceError::Store(saraban::store::StoreError::NotFound) | ServiceError::NotFound => {
            anyhow::anyhow!("{}", missing())
        }
        other => describe(other),
    }
}

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SARABAN_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // A benchmark brings its own servers and database; the configured ones are not touched.
    match cli.command {
        Command::Bench(BenchCommand::Ingest { count, size_kb }) => {
            let figures = saraban::bench::ingest::run(count, size_kb).await?;
            println!("{}", figures.report());
            return Ok(());
        }
        Command::Bench(BenchCommand::Send {
            count,
            file_mb,
            concurrency,
        }) => {
            let figures = saraban::bench::send::run(count, file_mb, concurrency).await?;
            println!("{}", figures.report());
            return Ok(());
        }
        _ => {}
    }
    let config = Config::load(cli.config.as_deref())?;
    let store = app::open_store(&config)
        .await
        .context("opening the database")?;

    match cli.command {
        Command::Migrate => println!("database is up to date"),
        Command::Demo => print_demo(&app::services(store.clone(), &config)).await?,
        Command::Serve { demo } => {
            if demo {
                print_demo(&app::services(store.clone(), &config)).await?;
            }
            let listener = app::bind(&config.server.listen).await?;
            let addr = listener.local_addr()?;
            println!("saraban is running: http://{addr}/");
            let services = app::services(store.clone(), &config);
            let router = app::router_for(services.clone(), config.clone());
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let workers = app::spawn_workers(services, &config, stop_rx);
            app::serve_on(listener, router, shutdown_signal()).await?;
            let _ = stop_tx.send(true);
            for w in workers {
                let _ = w.await;
            }
        }
        Command::Office(OfficeCommand::Add(a)) => {
            let office = create_office(
                &store,
                &a.id,
                &a.name,
                &a.prefix,
                &a.kind,
                a.parent.as_deref(),
                a.email.as_deref(),
            )
            .await
            .map_err(describe)?;
            println!(
                "office {} added: {} ({})",
                office.id, office.name, office.prefix
            );
        }
        Command::Office(OfficeCommand::List) => {
            for o in store.list_offices().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    o.id,
                    o.kind.code(),
                    o.prefix,
                    o.name,
                    o.parent_id.unwrap_or_default()
                );
            }
        }
        Command::User(UserCommand::Add(u)) => {
            if !u.password_stdin {
                bail!("--password-stdin is required");
            }
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let user = create_user(
                &store,
                &u.office,
                &NewUserInput {
                    username: u.username,
                    full_name: u.full_name,
                    role: u.role,
                    password: password.into(),
                },
            )
            .await
            .map_err(|e| describe_missing(e, || format!("office {} does not exist", u.office)))?;
            println!(
                "user {} added to {} as {}",
                user.username,
                user.office_id,
                user.role.code()
            );
        }
        Command::User(UserCommand::Notify { user, email, mode }) => {
            let services = app::services(store.clone(), &config);
            services
                .set_user_notifications(&user, &email, &mode)
                .await
                .map_err(|e| describe_missing(e, || format!("user {user} does not exist")))?;
            println!("{user}: notification e-mail ({mode}) to {email}");
        }
        Command::Mailbox(cmd) => run_mailbox(&store, &config, cmd).await?,
        Command::Smtp(cmd) => run_smtp(&store, &config, cmd).await?,
        Command::Group(GroupCommand::Add { office, id, name }) => {
            let services = app::services(store.clone(), &config);
            services
                .create_work_group(&office, &id, &name)
                .await
                .map_err(|e| describe_missing(e, || format!("office {office} does not exist")))?;
            println!("work group {id} added to {office}: {name}");
        }
        Command::Group(GroupCommand::Member(GroupMemberCommand::Add { group, user })) => {
            let services = app::services(store.clone(), &config);
            services
                .add_work_group_member(&group, &user)
                .await
                .map_err(|e| {
                    describe_missing(e, || format!("no work group {group} or user {user}"))
                })?;
            println!("{user} is now a member of {group}");
        }
        Command::Group(GroupCommand::List { office }) => {
            for g in store.work_groups(&office).await? {
                let members: Vec<&str> = g.members.iter().map(|(_, n)| n.as_str()).collect();
                println!("{}\t{}\t{}", g.id, g.name, members.join(", "));
            }
        }
        Command::Audit(AuditCommand::Verify) => {
            let services = app::services(store.clone(), &config);
            match services.verify_audit().await.map_err(describe)? {
                saraban::domain::journey::ChainReport::Intact {
                    chained,
                    before_chain,
                } => {
                    println!(
                        "audit chain intact: {chained} entries{}",
                        if before_chain > 0 {
                            format!(" ({before_chain} earlier entries predate the chain)")
                        } else {
                            String::new()
                        }
                    );
                }
                saraban::domain::journey::ChainReport::Broken { id, reason } => {
                    store.close().await;
                    eprintln!("audit chain broken at entry {id}: {reason}");
                    std::process::exit(1);
                }
            }
        }
        Command::SchoolGroup(SchoolGroupCommand::Add {
            office,
            name,
            members,
        }) => {
            let services = app::services(store.clone(), &config);
            let g = services
                .create_school_group(&office, &name, &members)
                .await
                .map_err(|e| describe_missing(e, || format!("office {office} does not exist")))?;
            println!(
                "school group {} of {}: {} ({})",
                g.id,
                g.office_id,
                g.name,
                g.members.join(", ")
            );
        }
        Command::SchoolGroup(SchoolGroupCommand::List { office }) => {
            for g in store.school_groups(&office).await? {
                println!("{}\t{}\t{}", g.id, g.name, g.members.join(", "));
            }
        }
        Command::Bench(_) => unreachable!("handled before the database is opened"),
        Command::Ingest { office, paths } => {
            let services = app::services(store.clone(), &config);
            let office = store
                .find_office(&office)
                .await
                .map_err(|_| anyhow::anyhow!("office {office} does not exist"))?;
            let files = saraban::mail::files::eml_files(&paths)?;
            let bar = indicatif::ProgressBar::new(files.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let mut counts = std::collections::BTreeMap::<&'static str, usize>::new();
            for path in &files {
                let raw =
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                let origin = saraban::mail::ingest::Origin::File(path.display().to_string());
                let outcome =
                    saraban::mail::ingest::ingest(&services, &office, &origin, raw.into(), None)
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
        }
        Command::Token(TokenCommand::Create { user, label }) => {
            let user = store
                .find_user_by_name(&user)
                .await
                .map_err(|_| anyhow::anyhow!("user {user} does not exist"))?;
            if !user.active {
                bail!("user {} is deactivated", user.username);
            }
            let token = store.create_api_token(user.id, &label).await?;
            println!("API token for {}: {token}", user.username);
        }
    }
    store.close().await;
    Ok(())
}

async fn run_smtp(
    store: &saraban::store::Store,
    config: &Config,
    cmd: SmtpCommand,
) -> anyhow::Result<()> {
    use saraban::store::mailboxes::Security;
    use saraban::store::smtp::SmtpAccount;
    let services = app::services(store.clone(), config);
    let office_of = |id: String| async move {
        store
            .find_office(&id)
            .await
            .map_err(|_| anyhow::anyhow!("office {id} does not exist"))
    };
    match cmd {
        SmtpCommand::Set(a) => {
            let security = Security::parse(&a.security)
                .ok_or_else(|| anyhow::anyhow!("--security must be none, starttls or tls"))?;
            let password = match (&a.username, a.password_stdin) {
                (Some(_), false) => bail!("--password-stdin is required with --username"),
                (Some(_), true) => {
                    let mut password = String::new();
                    std::io::stdin()
                        .read_to_string(&mut password)
                        .context("reading the password")?;
                    Some(password.trim_end_matches(['\r', '\n']).into())
                }
                (None, _) => None,
            };
            let office = office_of(a.office).await?;
            services
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
            match store.smtp_account(&office.id).await? {
                Some(a) => println!(
                    "{}: {}:{} ({}){} from {}",
                    office.id,
                    a.host,
                    a.port,
                    a.security.code(),
                    a.username.map(|u| format!(" as {u}")).unwrap_or_default(),
                    a.from_addr
                ),
                None if config.smtp.host.trim().is_empty() => println!(
                    "{}: no account; letters are written as .eml files into {}",
                    office.id,
                    config.smtp.outbox_dir.display()
                ),
                None => println!(
                    "{}: no account; the [smtp] default {}:{} ({})",
                    office.id, config.smtp.host, config.smtp.port, config.smtp.security
                ),
            }
        }
        SmtpCommand::Test { office, to } => {
            let office = office_of(office).await?;
            let account = store.smtp_account(&office.id).await?;
            match saraban::mail::outbox::send_test(&office, account.as_ref(), &config.smtp, &to)
                .await
            {
                Ok(how) => println!("sent to {to} via {how}"),
                Err(e) => bail!("not sent: {e}"),
            }
        }
    }
    Ok(())
}

async fn run_mailbox(
    store: &saraban::store::Store,
    config: &Config,
    cmd: MailboxCommand,
) -> anyhow::Result<()> {
    use saraban::service::mailboxes::{MailboxInput, add_mailbox};
    let services = app::services(store.clone(), config);
    let limits = saraban::mail::poller::limits(&config.mail);
    match cmd {
        MailboxCommand::Add(a) => {
            if !a.password_stdin {
                bail!("--password-stdin is required");
            }
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password")?;
            let input = MailboxInput {
                host: a.host,
                port: a.port.to_string(),
                security: a.security,
                ca_file: a
                    .ca_file
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                username: a.username,
                password: password.trim_end_matches(['\r', '\n']).into(),
                folders: if a.folders.is_empty() {
                    "INBOX".into()
                } else {
                    a.folders.join("\n")
                },
                poll_secs: a.poll_secs.to_string(),
                move_to: a.move_to.unwrap_or_default(),
            };
            let m = add_mailbox(store, &a.office, &input)
                .await
                .map_err(describe)?;
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
            for m in store.list_mailboxes(office.as_deref()).await? {
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
                for f in store.folder_states(m.id).await? {
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
            let m = store
                .find_mailbox(id)
                .await
                .map_err(|_| anyhow::anyhow!("mailbox {id} does not exist"))?;
            let summary = saraban::mail::imap::test_connection(&m, limits.command).await?;
            println!("{summary}");
        }
        MailboxCommand::Poll { id } => {
            let m = store
                .find_mailbox(id)
                .await
                .map_err(|_| anyhow::anyhow!("mailbox {id} does not exist"))?;
            let s = saraban::mail::imap::poll_once(&services, &m, limits).await?;
            println!(
                "fetched {} ({} bytes): letters {}, duplicates {}, notices {}, quarantined {}",
                s.fetched, s.bytes, s.letters, s.duplicates, s.notices, s.quarantined
            );
        }
        MailboxCommand::Remove { id } => {
            store
                .remove_mailbox(id)
                .await
                .map_err(|_| anyhow::anyhow!("mailbox {id} does not exist"))?;
            println!("mailbox {id} removed");
        }
    }
    Ok(())
}

async fn print_demo(services: &saraban::service::Services) -> anyhow::Result<()> {
    let logins = demo::create(services).await.map_err(describe)?;
    println!("Demo logins (password for all: {}):", demo::DEMO_PASSWORD);
    for l in logins {
        println!("  {:<16} {:<9} office {}", l.username, l.role, l.office);
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
