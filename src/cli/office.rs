//! `saraban office add|list`.

use clap::{Args, Subcommand};
use saraban::service::operator::NewOfficeInput;

use super::{Ctx, describe};

#[derive(Subcommand)]
pub enum OfficeCommand {
    /// Add an office.
    Add(OfficeAdd),
    /// List all offices.
    List,
}

#[derive(Args)]
pub struct OfficeAdd {
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

impl OfficeCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            OfficeCommand::Add(a) => {
                let input = NewOfficeInput {
                    id: a.id,
                    name: a.name,
                    prefix: a.prefix,
                    kind: a.kind,
                    parent: a.parent,
                    email: a.email,
                };
                let office = ctx.services.add_office(&input).await.map_err(describe)?;
                println!(
                    "office {} added: {} ({})",
                    office.id, office.name, office.prefix
                );
            }
            OfficeCommand::List => {
                for o in ctx.services.offices().await? {
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
        }
        Ok(())
    }
}
