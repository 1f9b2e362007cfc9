//! `saraban import register`: an office's earlier register, from CSV or XLSX.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use saraban::domain::register::Register;

use super::{Ctx, describe};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Bring an earlier register (the columns saraban's own export writes) into an office:
    /// every row or none; each bad row is reported in Thai.
    Register(RegisterArgs),
}

#[derive(Args)]
pub struct RegisterArgs {
    /// The office's id.
    #[arg(long)]
    office: String,
    /// inbound, outbound, circular or order.
    #[arg(long)]
    register: String,
    /// The officer the rows are credited to (default: the office's first administrator or clerk).
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: Option<String>,
    /// The file: .csv (UTF-8 or windows-874) or .xlsx.
    file: PathBuf,
}

impl ImportCommand {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let ImportCommand::Register(args) = self;
        let register = Register::parse(&args.register).with_context(|| {
            format!(
                "unknown register {:?} (inbound, outbound, circular or order)",
                args.register
            )
        })?;
        let bytes = std::fs::read(&args.file)
            .with_context(|| format!("reading {}", args.file.display()))?;
        let name = args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let report = ctx
            .services
            .import_register_as(
                &args.office,
                args.as_user.as_deref(),
                register,
                &name,
                &bytes,
            )
            .await
            .map_err(describe)?;
        println!(
            "imported {} rows into {} of office {}",
            report.imported,
            register.code(),
            args.office
        );
        for y in &report.years {
            println!(
                "  {}: {} rows, numbers {}–{}",
                y.year_be, y.rows, y.first, y.last
            );
        }
        if let Some(year) = report.counter_moved {
            println!("  the {year} counter now continues after the imported numbers");
        }
        Ok(())
    }
}
