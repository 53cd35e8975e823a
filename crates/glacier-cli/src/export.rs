//! `glacier export`: quantise a trained checkpoint to int8, evaluate f32 and int8 on the
//! held-out chips, record a reference tile, and write the model file and its card.

use anyhow::{Context, Result};
use glacier_infer::{ModelBundle, Predictor, ReferenceCheck};
use glacier_inputs::ChannelReader;
use glacier_model::Precision;
use glacier_raster::Window;
use glacier_train::Split;
use glacier_train::eval::{Evaluation, evaluate};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::backend::read_model;
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

/// One chip set's evaluation of both models on one split.
struct SetEvaluation {
    /// The chip directory's name.
    set: String,
    split: Split,
    f32: Evaluation,
    int8: Evaluation,
}

fn set_name(dir: &Path) -> String {
    dir.file_name()
        .and_then(|n| n.to_str())
        .map_or_else(|| dir.display().to_string(), str::to_owned)
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
    let mut evals = Vec::new();
    let mut metrics = serde_json::Map::new();
    for dir in args.chips {
        let mut per_split = serde_json::Map::new();
        for split in [Split::Validation, Split::Test] {
            let e = SetEvaluation {
                set: set_name(dir),
                split,
                f32: evaluate(&p32, dir, split)?,
                int8: evaluate(&p8, dir, split)?,
            };
            // A scene held out whole has test chips only.
            if e.f32.chips == 0 {
                continue;
            }
            per_split.insert(
                split.name().to_owned(),
                serde_json::json!({"f32": e.f32, "int8": e.int8}),
            );
            evals.push(e);
        }
        metrics.insert(set_name(dir), serde_json::Value::Object(per_split));
    }
    int8.header.metrics = serde_json::Value::Object(metrics);
    if let Some((scene_args, window, description)) = &args.check {
        int8.header.check = Some(record_check(&p8, scene_args, *window, description.clone())?);
    }
    let bytes = int8.to_bytes();
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let text = card_text(args, &int8, &f32_bundle, &evals, bytes.len(), &sha256, out);
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

fn card_text(
    args: &ExportArgs,
    int8: &ModelBundle,
    f32_bundle: &ModelBundle,
    evals: &[SetEvaluation],
    size: usize,
    sha256: &str,
    out: &Path,
) -> String {
    let h = &int8.header;
    let t = &h.training;
    let mut s = format!("# Model card: `{}`\n\n", h.name);
    s.push_str(&format!(
        "- File: `{}` — {} bytes ({:.1} KiB), SHA-256 `{sha256}`\n",
        out.file_name().and_then(|n| n.to_str()).unwrap_or(""),
        size,
        size as f64 / 1024.0
    ));
    let architecture = match (&h.unet, &h.spectral3d) {
        (Some(u), _) => format!(
            "U-Net with scSE after every encoder and decoder block; depth {}, base width {}, batch norm {}, scSE reduction {} ({:?})",
            u.depth, u.base_width, u.batch_norm, u.scse_reduction, u.scse_combine
        ),
        (None, Some(c)) => format!(
            "3D CNN over the spectral axis: {} 3×3×3 convolutions of {} features, batch norm {}, scSE reduction {} ({:?}) before a 1×1 head",
            c.layers, c.filters, c.batch_norm, c.scse_reduction, c.scse_combine
        ),
        (None, None) => h.architecture.clone(),
    };
    s.push_str(&format!(
        "- Architecture: {architecture}; {} parameters; f32 checkpoint {} bytes of weights, int8 file {} bytes of weights\n",
        int8.parameters(),
        f32_bundle.weight_bytes(),
        int8.weight_bytes()
    ));
    let names: Vec<&str> = h.input.channels.iter().map(|c| c.name.as_str()).collect();
    s.push_str(&format!(
        "- Input channels: {} — normalisation `{:?}`; tile {} px, overlap {} px; glacier at probability ≥ {}\n",
        names.join(", "),
        h.input.normalisation,
        h.input.tile,
        h.input.overlap,
        h.threshold
    ));
    s.push_str(&format!(
        "- Quantisation: weight-only int8, symmetric per slice along the first dimension (`glacier_model::quantize`); rank-1 tensors (biases, batch-norm) f32; arithmetic f32\n- Made by: `{}`\n- Date: {}\n\n",
        args.command,
        today()
    ));
    if !h.summary.is_empty() {
        s.push_str(&format!("{}\n\n", h.summary));
    }
    s.push_str("## Data and split\n\n");
    let field =
        |v: &serde_json::Value, key: &str| v.get(key).map(|x| x.to_string()).unwrap_or_default();
    // One entry per scene's chip set (older checkpoints recorded one set at the top level).
    let sets: Vec<&serde_json::Value> = match t.get("chip_sets").and_then(|v| v.as_array()) {
        Some(sets) => sets.iter().collect(),
        None => vec![t],
    };
    for set in sets {
        s.push_str(&format!(
            "- Chips `{}`: sources {}; {} — counts {}, glacier share {}\n",
            set.get("dir")
                .or_else(|| t.get("chips"))
                .and_then(|d| d.as_str())
                .unwrap_or(""),
            field(set, "sources"),
            field(set, "chip_options"),
            field(set, "chip_counts"),
            field(set, "glacier_share"),
        ));
    }
    s.push_str(&format!("- Training: {}\n\n", field(t, "config")));
    s.push_str("## Metrics (glacier class, labelled pixels of held-out chips)\n\n");
    s.push_str("\"called\": the share of the pixels the method calls glacier (on a scene without ice, all of it is wrong).\n\n");
    s.push_str("| chips | split | method | IoU | F1 | precision | recall | called | pixels |\n|---|---|---|---|---|---|---|---|---|\n");
    for e in evals {
        for m in e.f32.methods.iter().take(1).chain(e.int8.methods.iter()) {
            let x = m.scores;
            s.push_str(&format!(
                "| {} | {} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {} |\n",
                e.set,
                e.split.name(),
                m.method,
                x.iou,
                x.f1,
                x.precision,
                x.recall,
                m.called_glacier(),
                x.pixels
            ));
        }
    }
    let mut notes: Vec<String> = Vec::new();
    for e in evals {
        for n in &e.int8.notes {
            let line = format!("{}: {n}", e.set);
            if !notes.contains(&line) {
                notes.push(line);
            }
        }
    }
    if !notes.is_empty() {
        s.push('\n');
        for n in notes {
            s.push_str(&format!("_{n}_\n"));
        }
    }
    let deltas: Vec<String> = evals
        .iter()
        .filter(|e| e.split == Split::Test)
        .map(|e| {
            let d = (e.int8.methods[0].scores.iou - e.f32.methods[0].scores.iou) * 100.0;
            format!("{} {d:+.3}", e.set)
        })
        .collect();
    s.push_str(&format!(
        "\nint8 − f32 test IoU, percentage points: {}.\n",
        deltas.join("; ")
    ));
    if let Some(c) = &h.check {
        s.push_str(&format!(
            "\n## Reference tile\n\n{} window {:?}: {} glacier pixels; {} probabilities (every {}th pixel) are stored in the file's header and checked by `crates/glacier-infer/tests/shipped_model.rs`.\n",
            c.scene,
            c.window,
            c.glacier_pixels,
            c.probabilities.len(),
            c.step
        ));
    }
    s
}

fn today() -> String {
    // Days since the Unix epoch → civil date (Howard Hinnant's algorithm).
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
