//! `glacier rasterize OUTLINES --like GRID.tif --out MASK.tif`.

use anyhow::{Context, Result, bail};
use glacier_labels::{Outlines, rasterize};
use glacier_raster::{GeoTiffReader, Grid, RasterSpec, write_geotiff};
use std::path::Path;

/// Reads outlines from a `.shp` (with its `.prj` beside it), a GeoJSON or a GeoPackage file.
pub fn read_outlines(path: &Path) -> Result<Outlines> {
    let name = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "shp" => {
            let shp = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
            let prj = std::fs::read_to_string(path.with_extension("prj")).ok();
            Ok(Outlines::from_shapefile(&name, &shp, prj.as_deref())?)
        }
        "geojson" | "json" => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
            Ok(Outlines::from_geojson(&name, &text)?)
        }
        "gpkg" => Ok(Outlines::from_geopackage(path)?),
        _ => bail!(
            "{name}: outlines must be a shapefile (.shp, its .prj beside it), GeoJSON (.geojson) or GeoPackage (.gpkg)"
        ),
    }
}

/// Runs `glacier rasterize`; returns the number of glacier pixels.
pub fn run(outlines: &Path, like: &Path, out: &Path) -> Result<usize> {
    let outlines = read_outlines(outlines)?;
    let info = GeoTiffReader::open(like)?.info().clone();
    let grid = info.grid().with_context(|| {
        format!(
            "{}: not georeferenced, cannot serve as the grid",
            like.display()
        )
    })?;
    let mask = rasterize(&outlines, &grid)?;
    write_mask(out, &grid, None, &mask)?;
    Ok(mask.iter().filter(|m| **m == 1).count())
}

/// Writes a one-band uint8 glacier mask on `grid` (DEFLATE, strip by strip).
pub fn write_mask(out: &Path, grid: &Grid, nodata: Option<f64>, mask: &[u8]) -> Result<()> {
    let spec = RasterSpec {
        width: grid.width,
        height: grid.height,
        bands: 1,
        transform: grid.transform,
        crs: Some(grid.crs.clone()),
        nodata,
        descriptions: vec!["glacier".into()],
    };
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let width = grid.width as usize;
    write_geotiff(
        &out.display().to_string(),
        std::io::BufWriter::new(file),
        &spec,
        |row, rows, bands: &mut [Vec<u8>]| {
            let start = row as usize * width;
            bands[0].copy_from_slice(&mask[start..start + rows as usize * width]);
            Ok(())
        },
    )?;
    Ok(())
}
