//! `saraban user add|notify`.

use clap::{Args, Subcommand};
use saraban::service::NewUserInput;

use super::{Ctx, no_such, password_from_stdin};

#[derive(Subcommand)]
pub enum UserCommand {
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
pub struct UserAdd {
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

impl UserCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            UserCommand::Add(u) => {
                let input = NewUserInput {
                    username: u.username,
                    full_name: u.full_name,
                    role: u.role,
                    password: password_from_stdin(u.password_stdin)?,
                };
                let office = u.office;
                let user = ctx
                    .services
                    .add_user_to(&office, &input)
                    .await
                    .map_err(no_such("office", &office))?;
                println!(
                    "user {} added to {} as {}",
                    user.username,
                    user.office_id,
                    user.role.code()
                );
            }
            UserCommand::Notify { user, email, mode } => {
                ctx.services
                    .set_user_notifications(&user, &email, &mode)
                    .await
                    .map_err(no_such("user", &user))?;
                println!("{user}: notification e-mail ({mode}) to {email}");
            }
        }
        Ok(())
    }
}
