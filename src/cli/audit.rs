//! `saraban audit verify`.

use clap::Subcommand;
use saraban::domain::journey::ChainReport;

use super::{Ctx, describe};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every entry of the history against the hash chain; exits non-zero naming the first
    /// broken entry.
    Verify,
}

impl AuditCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match ctx.services.verify_audit().await.map_err(describe)? {
            ChainReport::Intact {
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
                Ok(())
            }
            ChainReport::Broken { id, reason } => {
                ctx.services.close().await;
                eprintln!("audit chain broken at entry {id}: {reason}");
                std::process::exit(1);
            }
        }
    }
}
