//! `glacier export`: quantise a trained checkpoint to int8, evaluate f32 and int8 on the
//! held-out chips, record a reference tile, and write the model file and its card.

use anyhow::{Context, Result};
use glacier_infer::{ModelBundle, Predictor, ReferenceCheck};
use glacier_inputs::ChannelReader;
use glacier_model::Precision;
use glacier_raster::Window;
use glacier_train::Split;
use glacier_train::eval::Evaluation;
use glacier_train::release::{Release, card_text, evaluate_sets, today};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::backend::read_model;
use crate::output::ItemsBar;
use crate::scene_args::{SceneArgs, scene};

/// What `export` was asked to do.
pub struct ExportArgs<'a> {
    /// The f32 checkpoint (`best.glcm` of a training run).
    pub checkpoint: &'a Path,
    /// Chips to evaluate on (validation and test splits), one directory per scene.
    pub chips: &'a [PathBuf],
    /// Model name.
    pub name: &'a str,
    /// The scene a reference tile is recorded from, and the window.
    pub check: Option<(SceneArgs<'a>, Window, String)>,
    /// Plain words on what the model was trained on and how far to trust it (the page shows
    /// them).
    pub summary: String,
    /// The command line, for the card.
    pub command: String,
}

/// What was written.
pub struct Exported {
    /// Model file size in bytes.
    pub bytes: usize,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Test-split evaluation of the int8 model, per chip set (named by its directory).
    pub test_int8: Vec<(String, Evaluation)>,
}

fn record_check(
    predictor: &Predictor,
    args: &SceneArgs,
    window: Window,
    description: String,
) -> Result<ReferenceCheck> {
    let scene = scene(args)?;
    let mut reader = ChannelReader::new(&scene, None);
    let stats = predictor.statistics_for(&mut reader, scene.grid.width, scene.grid.height)?;
    let channels = reader.read(predictor.names(), window)?;
    let p = predictor.probabilities(&stats, channels, window.width, window.height)?;
    let step = 7;
    let threshold = predictor.header().threshold;
    Ok(ReferenceCheck {
        scene: description,
        window: [window.col, window.row, window.width, window.height],
        step,
        probabilities: p
            .iter()
            .step_by(step)
            .map(|v| if v.is_nan() { -1.0 } else { *v })
            .collect(),
        glacier_pixels: p.iter().filter(|v| **v >= threshold).count() as u64,
    })
}

/// Runs `glacier export`, writing the model to `out` and its card to `card`.
pub fn run(args: &ExportArgs, out: &Path, card: &Path) -> Result<Exported> {
    let device = glacier_model::devices::cpu();
    let f32_bundle = read_model(args.checkpoint)?;
    let net = f32_bundle.load_net(&device)?;
    let network = f32_bundle
        .header
        .network()
        .context("the checkpoint's header names no network")?;
    let mut int8 = ModelBundle::from_net(
        args.name,
        &net,
        network,
        f32_bundle.header.input.clone(),
        Precision::Int8,
    )?;
    int8.header.training = f32_bundle.header.training.clone();
    int8.header.summary = args.summary.clone();
    // Evaluate the int8 model exactly as it will be loaded: from its bytes.
    let reloaded = ModelBundle::from_bytes(args.name, &int8.to_bytes())?;
    let p32 = Predictor::new(&f32_bundle, &device)?;
    let p8 = Predictor::new(&reloaded, &device)?;
    let (evals, metrics) =
        evaluate_sets(&p32, &p8, args.chips, &mut ItemsBar::new("glacier export:"))?;
    int8.header.metrics = metrics;
    if let Some((scene_args, window, description)) = &args.check {
        int8.header.check = Some(record_check(&p8, scene_args, *window, description.clone())?);
    }
    let bytes = int8.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let release = Release {
        file: out,
        bytes: bytes.len(),
        sha256: &sha256,
        command: &args.command,
        date: &today(),
    };
    let text = card_text(&int8, &f32_bundle, &evals, &release);
    std::fs::write(card, text).with_context(|| format!("cannot write {}", card.display()))?;
    let test_int8 = evals
        .into_iter()
        .filter(|e| e.split == Split::Test)
        .map(|e| (e.set, e.int8))
        .collect();
    Ok(Exported {
        bytes: bytes.len(),
        sha256,
        test_int8,
    })
}
