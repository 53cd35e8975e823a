//! `glacier`: the project's native command line.

mod inspect;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Glacier mapping from Landsat scenes.
#[derive(Parser)]
#[command(name = "glacier", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a raster's structure, georeferencing and per-band statistics as JSON.
    Inspect {
        /// GeoTIFF files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Inspect { files } => {
            let reports = files
                .iter()
                .map(|f| inspect::inspect(f))
                .collect::<Result<Vec<_>>>()?;
            let out = if reports.len() == 1 {
                reports.into_iter().next().unwrap_or_default()
            } else {
                serde_json::Value::Array(reports)
            };
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
    }
    Ok(())
}
