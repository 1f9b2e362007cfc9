//! `saraban token create`.

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
}

impl TokenCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let TokenCommand::Create { user, label } = self;
        let (user, token) = ctx
            .services
            .issue_api_token(&user, &label)
            .await
            .map_err(no_such("user", &user))?;
        println!("API token for {}: {token}", user.username);
        Ok(())
    }
}
