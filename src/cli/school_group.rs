//! `saraban school-group add|list`: saved groups of a district's schools.

use clap::Subcommand;

use super::{Ctx, no_such};

#[derive(Subcommand)]
pub enum SchoolGroupCommand {
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

impl SchoolGroupCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            SchoolGroupCommand::Add {
                office,
                name,
                members,
            } => {
                let g = ctx
                    .services
                    .create_school_group(&office, &name, &members)
                    .await
                    .map_err(no_such("office", &office))?;
                println!(
                    "school group {} of {}: {} ({})",
                    g.id,
                    g.office_id,
                    g.name,
                    g.members.join(", ")
                );
            }
            SchoolGroupCommand::List { office } => {
                for g in ctx.services.office_school_groups(&office).await? {
                    println!("{}\t{}\t{}", g.id, g.name, g.members.join(", "));
                }
            }
        }
        Ok(())
    }
}
