//! A mask's summary and exports: pixel counts, scores against outlines, the GeoTIFF and the
//! GeoJSON, each step reported so a page can paint between them.

use glacier_infer::Confusion;
use glacier_raster::{Grid, RasterError, RasterSpec, WriteSample, write_geotiff};
use std::io::{Seek, Write};

use crate::progress::{Classifier, Reporter, Stage, Step};
use crate::request::Keep;
use crate::result::{Classification, Exports};
use crate::{MapError, Sampling};

/// Steps of [`classification`] (GeoTIFF; GeoJSON; scores).
const EXPORT_STEPS: usize = 3;

/// Writes one band on `grid` (a uint8 mask, float32 probabilities) as a GeoTIFF (DEFLATE,
/// strip by strip), described as `description`; `name` is the output's name in error messages.
///
/// # Errors
/// [`RasterError`] when `values` do not cover the grid or the writer fails.
pub fn write_band<T: WriteSample, W: Write + Seek>(
    name: &str,
    writer: W,
    grid: &Grid,
    nodata: Option<f64>,
    description: &str,
    values: &[T],
) -> Result<(), RasterError> {
    let spec = RasterSpec {
        width: grid.width,
        height: grid.height,
        bands: 1,
        transform: grid.transform,
        crs: Some(grid.crs.clone()),
        nodata,
        descriptions: vec![description.into()],
        colours: Vec::new(),
    };
    let width = grid.width as usize;
    write_geotiff(name, writer, &spec, |row, rows, bands: &mut [Vec<T>]| {
        let start = row as usize * width;
        let end = start + rows as usize * width;
        let strip = values.get(start..end).ok_or_else(|| RasterError::Usage {
            file: name.to_owned(),
            detail: format!("the band has {} pixels, the grid more", values.len()),
        })?;
        bands[0].copy_from_slice(strip);
        Ok(())
    })
}

/// Scores of `mask` against the outlines rasterised on the same grid (`truth`, 1 inside), on
/// the pixels with data.
fn scores(mask: &[u8], truth: &[u8]) -> glacier_infer::Scores {
    let mut c = Confusion::default();
    for (m, t) in mask.iter().zip(truth) {
        if *m != 255 {
            c.add(*m == 1, *t == 1);
        }
    }
    c.scores()
}

/// Everything a classification of `mask` holds, as `keep` asks.
pub(crate) struct Context<'a> {
    pub grid: &'a Grid,
    pub keep: Keep,
    pub sampling: Option<Sampling>,
    pub truth: Option<&'a [u8]>,
}

/// The classification of `mask` under `label`: counts, scores, preview samples and the exports
/// `keep` asks for, reporting [`Stage::Exports`] steps.
pub(crate) async fn classification<F, Fut>(
    of: Classifier,
    label: String,
    mask: Vec<u8>,
    cx: &Context<'_>,
    report: &mut Reporter<F>,
) -> Result<Classification, MapError>
where
    F: FnMut(Step) -> Fut,
    Fut: Future<Output = bool>,
{
    let stage = Stage::Exports { of };
    let (w, h) = (cx.grid.width, cx.grid.height);
    let mut exports = None;
    if cx.keep.exports {
        report.step(&stage, 0, EXPORT_STEPS).await?;
        let mut tiff = std::io::Cursor::new(Vec::new());
        write_band(
            "glacier_mask.tif",
            &mut tiff,
            cx.grid,
            Some(255.0),
            &label,
            &mask,
        )?;
        report.step(&stage, 1, EXPORT_STEPS).await?;
        let patches = glacier_labels::polygonize(&mask, w, h, |v| v == 1);
        let geojson = glacier_labels::to_geojson(&patches, cx.grid, "glacier_mask.geojson")
            .map_err(|e| format!("No GeoJSON export: {e}"));
        drop(patches);
        report.step(&stage, 2, EXPORT_STEPS).await?;
        exports = Some(Exports {
            geotiff: tiff.into_inner(),
            geojson,
        });
    }
    let classified = Classification {
        label,
        device: None,
        glacier: mask.iter().filter(|v| **v == 1).count() as u64,
        valid: mask.iter().filter(|v| **v != 255).count() as u64,
        scores: cx.truth.map(|t| scores(&mask, t)),
        rule: None,
        preview_mask: cx.sampling.map(|s| s.sample(&mask, w, h)),
        mask: cx.keep.masks.then_some(mask),
        probabilities: None,
        exports,
    };
    if cx.keep.exports {
        report.step(&stage, EXPORT_STEPS, EXPORT_STEPS).await?;
    }
    Ok(classified)
}
