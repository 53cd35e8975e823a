//! `glacier eval`: a model on held-out chips beside the NDSI baseline, or a predicted mask
//! against outlines or a reference mask.

use anyhow::{Context, Result, bail};
use glacier_infer::{Confusion, Predictor};
use glacier_labels::rasterize;
use glacier_raster::GeoTiffReader;
use glacier_train::Split;
use glacier_train::eval::{Evaluation, evaluate};
use std::path::Path;

use crate::backend::{Backend, read_model};
use crate::rasterize::read_outlines;

/// Evaluates `model` on `split` of `chips`.
pub fn chips(model: &Path, chips: &Path, split: Split, backend: Backend) -> Result<Evaluation> {
    let bundle = read_model(model)?;
    let predictor = Predictor::new(&bundle, &backend.device()?)?;
    Ok(evaluate(&predictor, chips, split)?)
}

fn read_mask(path: &Path) -> Result<(glacier_raster::Grid, Vec<Option<bool>>)> {
    let mut reader = GeoTiffReader::open(path)?;
    let grid = reader
        .info()
        .grid()
        .with_context(|| format!("{}: not georeferenced", path.display()))?;
    let samples = reader.read_band(0)?;
    let values = (0..samples.len())
        .map(|i| match samples.get_f64(i) {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        })
        .collect();
    Ok((grid, values))
}

/// Compares a predicted mask (1 glacier, 0 not, anything else ignored) with outlines or a
/// reference mask on the same grid.
pub fn masks(pred: &Path, truth: &Path) -> Result<Confusion> {
    let (grid, predicted) = read_mask(pred)?;
    let is_raster = truth
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("tif") || e.eq_ignore_ascii_case("tiff"));
    let truth_values: Vec<Option<bool>> = if is_raster {
        let (tgrid, values) = read_mask(truth)?;
        if !tgrid.same_as(&grid) {
            bail!(
                "{} and {} are on different grids; rasterize the truth onto the prediction's grid (glacier rasterize OUTLINES --like {})",
                truth.display(),
                pred.display(),
                pred.display()
            );
        }
        values
    } else {
        let outlines = read_outlines(truth)?;
        rasterize(&outlines, &grid)?
            .into_iter()
            .map(|v| Some(v == 1))
            .collect()
    };
    let mut c = Confusion::default();
    c.add_all(&predicted, &truth_values);
    Ok(c)
}
