//! `glacier`: the project's native command line.

mod inspect;
mod prepare;
mod rasterize;

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
    /// Write a scene's model input channels as a float32 GeoTIFF on the scene grid.
    Prepare {
        /// Scene files recognised by their Landsat names (band GeoTIFFs, QA_PIXEL, MTL).
        files: Vec<PathBuf>,
        /// A band under any name: NAME=FILE, or NAME=FILE:K for band K of a multi-band file.
        #[arg(long = "band", value_name = "NAME=FILE[:K]")]
        bands: Vec<String>,
        /// One stacked GeoTIFF holding several bands (give their order with --order).
        #[arg(long, requires = "order")]
        stack: Option<PathBuf>,
        /// Band order of --stack, e.g. green,red,nir,swir1,swir2,tir (- skips a band).
        #[arg(long)]
        order: Option<String>,
        /// A DEM in any supported CRS, resampled onto the scene grid.
        #[arg(long)]
        dem: Option<PathBuf>,
        /// Channels in output order (default: everything the inputs allow), e.g.
        /// green,red,nir,swir1,swir2,tir,elevation,slope,ndsi,ndwi,ndvi.
        #[arg(long)]
        channels: Option<String>,
        /// Output GeoTIFF.
        #[arg(long)]
        out: PathBuf,
    },
    /// Burn glacier outlines (shapefile, GeoJSON, GeoPackage) onto the grid of a GeoTIFF (pixel centres).
    Rasterize {
        /// Outlines: .shp (with .shx/.dbf/.prj), .geojson or .gpkg.
        outlines: PathBuf,
        /// A GeoTIFF whose grid the mask takes.
        #[arg(long)]
        like: PathBuf,
        /// Output mask GeoTIFF (uint8, 1 = glacier).
        #[arg(long)]
        out: PathBuf,
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
        Command::Prepare {
            files,
            bands,
            stack,
            order,
            dem,
            channels,
            out,
        } => {
            let args = prepare::SceneArgs {
                files: &files,
                bands: &bands,
                stack: stack.as_deref().zip(order.as_deref()),
            };
            let written = prepare::run(&args, dem.as_deref(), channels.as_deref(), &out)?;
            let names: Vec<&str> = written.iter().map(|n| n.name()).collect();
            eprintln!("wrote {} ({})", out.display(), names.join(", "));
        }
        Command::Rasterize {
            outlines,
            like,
            out,
        } => {
            let glacier = rasterize::run(&outlines, &like, &out)?;
            eprintln!("wrote {} ({glacier} glacier pixels)", out.display());
        }
    }
    Ok(())
}
