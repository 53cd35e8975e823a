//! `glacier`: the project's native command line.

mod chips;
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
    /// Cut training chips (channels + labels from outlines) with a spatial train/validation/test
    /// split; see `glacier_train::chips` for the on-disk format.
    Chips {
        /// Scene files recognised by their Landsat names.
        files: Vec<PathBuf>,
        /// A band under any name: NAME=FILE or NAME=FILE:K.
        #[arg(long = "band", value_name = "NAME=FILE[:K]")]
        bands: Vec<String>,
        /// A DEM for elevation and slope.
        #[arg(long)]
        dem: Option<PathBuf>,
        /// Glacier outlines (.shp, .geojson, .gpkg).
        #[arg(long)]
        outlines: PathBuf,
        /// Channels (default: everything the inputs allow).
        #[arg(long)]
        channels: Option<String>,
        /// Chip size in pixels.
        #[arg(long, default_value_t = 64)]
        size: u32,
        /// Step between chips.
        #[arg(long, default_value_t = 32)]
        stride: u32,
        /// Split block size in pixels.
        #[arg(long, default_value_t = 256)]
        block: u32,
        /// Buffer between splits in pixels.
        #[arg(long, default_value_t = 16)]
        buffer: u32,
        /// Label "not glacier" only within this many pixels of an outline (for outlines that
        /// cover part of an icefield); elsewhere pixels are ignored.
        #[arg(long)]
        label_buffer: Option<u32>,
        /// Drop chips with more than this share of ignored pixels (no data, untrusted).
        #[arg(long, default_value_t = 0.2)]
        max_ignored: f32,
        /// Output directory.
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
        Command::Chips {
            files,
            bands,
            dem,
            outlines,
            channels,
            size,
            stride,
            block,
            buffer,
            label_buffer,
            max_ignored,
            out,
        } => {
            let scene_args = prepare::SceneArgs {
                files: &files,
                bands: &bands,
                stack: None,
            };
            let args = chips::ChipArgs {
                outlines: &outlines,
                channels: channels.as_deref(),
                size,
                stride,
                block,
                buffer,
                label_buffer,
                max_ignored,
            };
            let set = chips::run(&scene_args, dem.as_deref(), &args, &out)?;
            eprintln!(
                "wrote {} (chips per split: {:?})",
                out.display(),
                set.counts
            );
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
