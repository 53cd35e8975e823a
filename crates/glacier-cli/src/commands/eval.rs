//! `glacier eval`: a model on held-out chips beside the NDSI baseline, or a predicted mask
//! against outlines or a reference mask.

use anyhow::{Context, Result, bail};
use glacier_infer::{Confusion, Predictor};
use glacier_labels::rasterize;
use glacier_raster::GeoTiffReader;
use glacier_train::Split;
use glacier_train::eval::{Evaluation, evaluate_reporting};
use std::path::{Path, PathBuf};

use crate::backend::{Backend, read_model};
use crate::outlines::read_outlines;
use crate::output::{ItemsBar, print_out, write_json};

/// Evaluate a model on held-out chips beside the NDSI baseline (same pixels), or a predicted
/// mask against outlines or a reference mask.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  glacier eval --model run/best.glcm --chips chips/\n  glacier eval --pred mask.tif --truth rgi60.gpkg --json scores.json"
)]
pub struct Args {
    /// Model file (with --chips).
    #[arg(long, requires = "chips")]
    model: Option<PathBuf>,
    /// Chip directory (with --model).
    #[arg(long)]
    chips: Option<PathBuf>,
    /// Which split of the chips.
    #[arg(long, default_value = "test", value_parser = parse_split)]
    split: Split,
    /// A predicted mask GeoTIFF (with --truth).
    #[arg(long, requires = "truth", conflicts_with = "model")]
    pred: Option<PathBuf>,
    /// Outlines (.shp, .geojson, .gpkg) or a reference mask GeoTIFF on the same grid.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Also write the numbers as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Compute backend.
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
}

fn parse_split(s: &str) -> Result<Split, String> {
    match s {
        "train" => Ok(Split::Train),
        "validation" => Ok(Split::Validation),
        "test" => Ok(Split::Test),
        _ => Err(format!("{s:?}: use train, validation or test")),
    }
}

/// Runs `glacier eval`.
pub fn run(args: Args) -> Result<()> {
    let json = args.json.as_deref();
    match (args.model, args.chips, args.pred, args.truth) {
        (Some(model), Some(dir), None, _) => {
            let e = chips(&model, &dir, args.split, args.backend)?;
            print!("{}", e.table());
            write_json(json, &e)
        }
        (None, None, Some(pred), Some(truth)) => {
            let c = masks(&pred, &truth)?;
            let s = c.scores();
            print_out(&format!(
                "IoU {:.4}  F1 {:.4}  precision {:.4}  recall {:.4}  pixels {}",
                s.iou, s.f1, s.precision, s.recall, s.pixels
            ))?;
            write_json(json, &serde_json::json!({"confusion": c, "scores": s}))
        }
        _ => bail!("give --model with --chips, or --pred with --truth"),
    }
}

/// Evaluates `model` on `split` of `chips`.
fn chips(model: &Path, chips: &Path, split: Split, backend: Backend) -> Result<Evaluation> {
    let bundle = read_model(model)?;
    let predictor = Predictor::new(&bundle, &backend.device()?)?;
    Ok(evaluate_reporting(
        &predictor,
        chips,
        split,
        &mut ItemsBar::new("glacier"),
    )?)
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
fn masks(pred: &Path, truth: &Path) -> Result<Confusion> {
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
