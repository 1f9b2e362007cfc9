//! `saraban dkim generate|show`: the key an office's outgoing mail is signed with, and the DNS
//! records to publish for it.

use anyhow::bail;
use clap::Subcommand;
use saraban::domain::dns_records::{
    KeyAlgorithm, dkim_name, dkim_text, suggested_dmarc, suggested_spf, zone_line,
};
use saraban::domain::sender_auth::domain_of;
use saraban::service::dkim::DEPLOYMENT;
use saraban::store::dkim_keys::DkimKey;

use super::{Ctx, no_such};

#[derive(Subcommand)]
pub enum DkimCommand {
    /// Make a DKIM key for an office (or, without --office, the deployment's key for --domain)
    /// and print the DNS TXT record to publish. Mail is signed with it from then on.
    Generate {
        #[arg(long)]
        office: Option<String>,
        /// rsa (RSA-2048, checked by every receiver) or ed25519.
        #[arg(long, default_value = "rsa")]
        algorithm: String,
        /// The key's name in DNS; default saraban<Buddhist year>, so a new key gets a new name.
        #[arg(long)]
        selector: Option<String>,
        /// The signing domain; default the domain of the office's sending address.
        #[arg(long)]
        domain: Option<String>,
        /// Replace an existing key (mail is signed with the new key at once: publish it first
        /// under its new selector).
        #[arg(long)]
        replace: bool,
    },
    /// Print the DNS records (DKIM, SPF, DMARC) to publish for an office's mail.
    Show {
        #[arg(long)]
        office: Option<String>,
    },
}

impl DkimCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            DkimCommand::Generate {
                office,
                algorithm,
                selector,
                domain,
                replace,
            } => {
                let Some(algorithm) = KeyAlgorithm::parse(&algorithm) else {
                    bail!("--algorithm must be rsa or ed25519");
                };
                let owner = office.clone().unwrap_or_else(|| DEPLOYMENT.to_string());
                let domain = match (domain, &office) {
                    (Some(d), _) => d.trim().to_ascii_lowercase(),
                    (None, Some(id)) => {
                        let office = ctx
                            .services
                            .office(id)
                            .await
                            .map_err(no_such("office", id))?;
                        domain_of(&ctx.services.sending_address(&office).await?)
                    }
                    (None, None) => bail!("the deployment's key needs --domain"),
                };
                if !replace
                    && ctx
                        .services
                        .signing_keys(&owner)
                        .await?
                        .iter()
                        .any(|k| k.office_id == owner)
                {
                    bail!("a key exists already; --replace makes a new one (publish it first)");
                }
                let selector = selector.unwrap_or_else(|| {
                    let year = saraban::domain::thai_date::be_year_of(chrono::Utc::now());
                    format!("saraban{year}")
                });
                let key =
                    saraban::sender_auth::signing::generate(&owner, &domain, &selector, algorithm)?;
                ctx.services.save_dkim_key(&key).await?;
                println!(
                    "DKIM key made ({}, selector {}, domain {}).",
                    algorithm.code(),
                    key.selector,
                    key.domain
                );
                print_records(ctx, &key, office.as_deref()).await?;
            }
            DkimCommand::Show { office } => {
                let owner = office.clone().unwrap_or_else(|| DEPLOYMENT.to_string());
                match ctx
                    .services
                    .signing_keys(&owner)
                    .await?
                    .into_iter()
                    .find(|k| k.office_id == owner)
                {
                    Some(key) => print_records(ctx, &key, office.as_deref()).await?,
                    None => bail!("no DKIM key yet: saraban dkim generate"),
                }
            }
        }
        Ok(())
    }
}

async fn print_records(ctx: &Ctx, key: &DkimKey, office: Option<&str>) -> anyhow::Result<()> {
    let name = dkim_name(&key.selector, &key.domain);
    let text = dkim_text(key.algorithm, &key.public_key);
    println!("\nPublish in the DNS of {}:", key.domain);
    println!("  DKIM  TXT  {name}\n        {text}");
    println!("        as a zone file line: {}", zone_line(&name, &text));
    let smtp_host = match office {
        Some(id) => ctx
            .services
            .office_smtp_account(id)
            .await?
            .map(|a| a.host)
            .unwrap_or_else(|| ctx.config.smtp.host.clone()),
        None => ctx.config.smtp.host.clone(),
    };
    let report_to = match office {
        Some(id) => {
            let office = ctx.services.office(id).await?;
            ctx.services.sending_address(&office).await?
        }
        None => String::new(),
    };
    println!(
        "  SPF   TXT  {}\n        {}",
        key.domain,
        suggested_spf(Some(&smtp_host))
    );
    println!(
        "  DMARC TXT  _dmarc.{}\n        {}",
        key.domain,
        suggested_dmarc(&report_to)
    );
    println!("(SPF and DMARC: keep the office's own records if it has them.)");
    Ok(())
}
