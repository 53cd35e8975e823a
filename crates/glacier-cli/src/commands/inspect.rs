//! `glacier inspect FILE…`: structure, georeferencing and statistics of GeoTIFFs as JSON.

use anyhow::Result;
use glacier_raster::{GeoTiffReader, RasterInfo, Window};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

use crate::output::print_out;

/// Print a raster's structure, georeferencing and per-band statistics as JSON.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  glacier inspect LC08_L2SP_204023_20200927_20201006_02_T1_SR_B5.TIF\n  glacier inspect dem.tif mask.tif | jq '.[].crs'"
)]
pub struct Args {
    /// GeoTIFF files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Runs `glacier inspect`: one JSON object for one file, an array for several.
pub fn run(args: Args) -> Result<()> {
    let reports = args
        .files
        .iter()
        .map(|f| inspect(f))
        .collect::<Result<Vec<_>>>()?;
    let out = if reports.len() == 1 {
        reports.into_iter().next().unwrap_or_default()
    } else {
        Value::Array(reports)
    };
    print_out(&serde_json::to_string_pretty(&out)?)
}

/// Per-band statistics over valid (not nodata, not NaN) pixels.
#[derive(Debug, Default, PartialEq)]
pub struct BandStats {
    /// Smallest valid value.
    pub min: Option<f64>,
    /// Largest valid value.
    pub max: Option<f64>,
    /// Mean of valid values.
    pub mean: Option<f64>,
    /// Number of valid pixels.
    pub valid: u64,
}

/// Statistics of one band, read in strips of rows so memory stays bounded.
fn band_stats<R: std::io::Read + std::io::Seek>(
    reader: &mut GeoTiffReader<R>,
    band: usize,
) -> Result<BandStats> {
    let info = reader.info().clone();
    let rows_per_read = info.chunk_size.1.max(1);
    let (mut min, mut max, mut sum, mut valid) = (f64::MAX, f64::MIN, 0.0, 0u64);
    let mut row = 0;
    while row < info.height {
        let h = rows_per_read.min(info.height - row);
        let samples = reader.read_window(band, Window::new(0, row, info.width, h))?;
        for i in 0..samples.len() {
            let Some(v) = samples.get_f64(i) else {
                continue;
            };
            if v.is_nan() || info.nodata == Some(v) {
                continue;
            }
            min = min.min(v);
            max = max.max(v);
            sum += v;
            valid += 1;
        }
        row += h;
    }
    Ok(if valid == 0 {
        BandStats::default()
    } else {
        BandStats {
            min: Some(min),
            max: Some(max),
            mean: Some(sum / valid as f64),
            valid,
        }
    })
}

fn crs_json(info: &RasterInfo) -> Value {
    match &info.crs {
        None => Value::Null,
        Some(crs) => json!({
            "epsg": crs.epsg(),
            "proj4": crs.to_proj4(),
            "name": crs.to_string(),
            "vertical_epsg": info.vertical_crs,
        }),
    }
}

/// The JSON report for one file.
pub fn inspect(path: &Path) -> Result<Value> {
    let mut reader = GeoTiffReader::open(path)?;
    let info = reader.info().clone();
    let mut bands = Vec::with_capacity(info.bands);
    for band in 0..info.bands {
        let stats = band_stats(&mut reader, band)?;
        let meta = &info.band_metadata[band];
        bands.push(json!({
            "band": band + 1,
            "description": meta.description,
            "scale": meta.scale,
            "offset": meta.offset,
            "min": stats.min,
            "max": stats.max,
            "mean": stats.mean,
            "valid_pixels": stats.valid,
        }));
    }
    Ok(json!({
        "file": path.display().to_string(),
        "width": info.width,
        "height": info.height,
        "band_count": info.bands,
        "sample_type": info.sample_type.name(),
        "compression": info.compression,
        "predictor": info.predictor,
        "tiled": info.tiled,
        "block_size": [info.chunk_size.0, info.chunk_size.1],
        "interleave": if info.planar { "band" } else { "pixel" },
        "bigtiff": info.bigtiff,
        "overviews": info.overviews,
        "crs": crs_json(&info),
        "transform": info.transform.map(|t| t.to_gdal()),
        "bounds": info.transform.map(|t| {
            let (a, b, c, d) = t.bounds(info.width, info.height);
            [a, b, c, d]
        }),
        "pixel_is": match info.raster_type {
            glacier_raster::RasterType::PixelIsArea => "area",
            glacier_raster::RasterType::PixelIsPoint => "point",
        },
        "nodata": info.nodata,
        "bands": bands,
    }))
}
