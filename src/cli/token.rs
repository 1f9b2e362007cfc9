//! `saraban token create|list|revoke`.

use clap::Subcommand;

use super::{Ctx, no_such};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it (as the last word).
    Create {
        /// The user's login name.
        #[arg(long)]
        user: String,
        /// A note on what the token is for.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List API tokens (never the tokens themselves): id, user, label, created, revoked.
    List {
        /// Only this user's tokens.
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token by the id `token list` shows.
    Revoke {
        /// The id from `token list`.
        id: String,
    },
}

impl TokenCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            TokenCommand::Create { user, label } => {
                let (user, token) = ctx
                    .services
                    .issue_api_token(&user, &label)
                    .await
                    .map_err(no_such("user", &user))?;
                println!("API token for {}: {token}", user.username);
            }
            TokenCommand::List { user } => {
                let name = user.as_deref().unwrap_or("");
                let tokens = ctx
                    .services
                    .list_api_tokens(user.as_deref())
                    .await
                    .map_err(no_such("user", &name))?;
                if tokens.is_empty() {
                    println!("no API tokens");
                }
                for t in tokens {
                    let revoked = match t.revoked_at {
                        Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                        None => "active".to_string(),
                    };
                    println!(
                        "{}\t{}\t{}\t{}\t{revoked}",
                        t.id,
                        t.username,
                        if t.label.is_empty() { "-" } else { &t.label },
                        t.created_at.format("%Y-%m-%d %H:%M")
                    );
                }
            }
            TokenCommand::Revoke { id } => {
                ctx.services
                    .revoke_any_api_token(&id)
                    .await
                    .map_err(no_such("active token", &id))?;
                println!("token {id} revoked");
            }
        }
        Ok(())
    }
}
