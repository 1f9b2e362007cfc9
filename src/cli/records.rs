//! `saraban records survey`: the yearly survey of letters whose keeping has ended.

use clap::Subcommand;

use super::{Ctx, describe};

#[derive(Subcommand)]
pub enum RecordsCommand {
    /// List the letters whose keeping ended by the end of a past year as a draft destruction
    /// list (บัญชีหนังสือขอทำลาย, แบบ 25), for the committee to review in the web pages or the API.
    Survey {
        /// The office's id.
        #[arg(long)]
        office: String,
        /// The Buddhist-era year that has ended (e.g. 2568).
        #[arg(long)]
        year: String,
        /// The officer the survey is credited to (default: the office's first administrator,
        /// director or clerk).
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: Option<String>,
    },
}

impl RecordsCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let RecordsCommand::Survey {
            office,
            year,
            as_user,
        } = self;
        let year_be = saraban::domain::numbering::parse_year_be(&year)?;
        let list = ctx
            .services
            .survey_as(&office, as_user.as_deref(), year_be)
            .await
            .map_err(describe)?;
        println!(
            "destruction list {} for {year_be}: {} letters (draft; the director appoints the committee next)",
            list.id,
            list.items.len()
        );
        for item in &list.items {
            println!(
                "  {:>4}. {}/{} {} {}",
                item.item_no, item.number, item.letter_year_be, item.doc_no, item.subject
            );
        }
        Ok(())
    }
}
