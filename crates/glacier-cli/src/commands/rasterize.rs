//! `glacier rasterize OUTLINES --like GRID.tif --out MASK.tif`.

use anyhow::{Context, Result};
use glacier_labels::rasterize;
use glacier_map::exports::write_band;
use glacier_raster::GeoTiffReader;
use std::path::PathBuf;

use crate::outlines::read_outlines;

/// Burn glacier outlines (shapefile, GeoJSON, GeoPackage) onto the grid of a GeoTIFF (pixel centres).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  glacier rasterize rgi60.gpkg --like LC08_…_B5.TIF --out mask.tif"
)]
pub struct Args {
    /// Outlines: .shp (its .prj beside it gives the CRS; without one, lon/lat is assumed),
    /// .geojson or .gpkg.
    outlines: PathBuf,
    /// A GeoTIFF whose grid the mask takes.
    #[arg(long)]
    like: PathBuf,
    /// Output mask GeoTIFF (uint8, 1 = glacier).
    #[arg(long)]
    out: PathBuf,
}

/// Runs `glacier rasterize`.
pub fn run(args: Args) -> Result<()> {
    let outlines = read_outlines(&args.outlines)?;
    let info = GeoTiffReader::open(&args.like)?.info().clone();
    let grid = info.grid().with_context(|| {
        format!(
            "{}: not georeferenced, cannot serve as the grid",
            args.like.display()
        )
    })?;
    let mask = rasterize(&outlines, &grid)?;
    let out = &args.out;
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_band(
        &out.display().to_string(),
        std::io::BufWriter::new(file),
        &grid,
        None,
        "glacier",
        &mask,
    )?;
    let glacier = mask.iter().filter(|m| **m == 1).count();
    eprintln!("wrote {} ({glacier} glacier pixels)", out.display());
    Ok(())
}
