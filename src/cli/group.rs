//! `saraban group add|member add|list`: an office's work groups (กลุ่มงาน).

use clap::Subcommand;

use super::{Ctx, missing, no_such};

#[derive(Subcommand)]
pub enum GroupCommand {
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
pub enum GroupMemberCommand {
    /// Add a user to a work group.
    Add {
        #[arg(long)]
        group: String,
        #[arg(long)]
        user: String,
    },
}

impl GroupCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            GroupCommand::Add { office, id, name } => {
                ctx.services
                    .create_work_group(&office, &id, &name)
                    .await
                    .map_err(no_such("office", &office))?;
                println!("work group {id} added to {office}: {name}");
            }
            GroupCommand::Member(GroupMemberCommand::Add { group, user }) => {
                ctx.services
                    .add_work_group_member(&group, &user)
                    .await
                    .map_err(missing(|| format!("no work group {group} or user {user}")))?;
                println!("{user} is now a member of {group}");
            }
            GroupCommand::List { office } => {
                for g in ctx.services.office_work_groups(&office).await? {
                    let members: Vec<&str> = g.members.iter().map(|(_, n)| n.as_str()).collect();
                    println!("{}\t{}\t{}", g.id, g.name, members.join(", "));
                }
            }
        }
        Ok(())
    }
}
