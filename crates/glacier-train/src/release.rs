//! Releasing a trained model: both precisions evaluated on every chip set's held-out splits
//! ([`evaluate_sets`]) and the model card written from those numbers ([`card_text`]).
//! `glacier export` quantises, records the reference tile, writes the file and calls these.

use std::path::{Path, PathBuf};

use glacier_infer::{ModelBundle, Predictor};

use crate::chips::ChipError;
use crate::eval::{Evaluation, evaluate_reporting};
use crate::split::Split;

/// One chip set's evaluation of both models on one split.
pub struct SetEvaluation {
    /// The chip directory's name.
    pub set: String,
    /// The split evaluated.
    pub split: Split,
    /// The f32 model.
    pub f32: Evaluation,
    /// The int8 model.
    pub int8: Evaluation,
}

/// A chip set's name on the card: its directory's name (the whole path if it has none).
pub fn set_name(dir: &Path) -> String {
    dir.file_name()
        .and_then(|n| n.to_str())
        .map_or_else(|| dir.display().to_string(), str::to_owned)
}

/// Evaluates the f32 and int8 models on the validation and test splits of each chip set in
/// `chips` (one directory per scene), reporting each chip to `progress`. Returns the evaluations of the splits that have chips (a
/// scene held out whole has test chips only) and the metrics a model header records:
/// `{set: {split: {"f32": …, "int8": …}}}`.
///
/// # Errors
/// [`ChipError`] when chips cannot be read or lack a channel the model takes.
pub fn evaluate_sets(
    f32: &Predictor,
    int8: &Predictor,
    chips: &[PathBuf],
    progress: &mut dyn crate::Progress,
) -> Result<(Vec<SetEvaluation>, serde_json::Value), ChipError> {
    let mut evals = Vec::new();
    let mut metrics = serde_json::Map::new();
    for dir in chips {
        let mut per_split = serde_json::Map::new();
        for split in [Split::Validation, Split::Test] {
            let e = SetEvaluation {
                set: set_name(dir),
                split,
                f32: evaluate_reporting(f32, dir, split, progress)?,
                int8: evaluate_reporting(int8, dir, split, progress)?,
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
    Ok((evals, serde_json::Value::Object(metrics)))
}

/// The released file and how it was made, as the card states them.
pub struct Release<'a> {
    /// Where the model file was written (the card names the file).
    pub file: &'a Path,
    /// Its size in bytes.
    pub bytes: usize,
    /// Its SHA-256, hex.
    pub sha256: &'a str,
    /// The command line that made it.
    pub command: &'a str,
    /// The date it was made (`YYYY-MM-DD`; see [`today`]).
    pub date: &'a str,
}

/// The model card (Markdown) of the released `int8` model, made from the `f32` checkpoint:
/// file, architecture, inputs, quantisation, provenance, chip sets, metrics per set and split
/// (the f32 network, then every int8 method), the int8 − f32 test IoU and the reference tile.
pub fn card_text(
    int8: &ModelBundle,
    f32_bundle: &ModelBundle,
    evals: &[SetEvaluation],
    release: &Release,
) -> String {
    let h = &int8.header;
    let t = &h.training;
    let (size, sha256) = (release.bytes, release.sha256);
    let mut s = format!("# Model card: `{}`\n\n", h.name);
    s.push_str(&format!(
        "- File: `{}` — {} bytes ({:.1} KiB), SHA-256 `{sha256}`\n",
        release
            .file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(""),
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
        release.command, release.date
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

/// Today's date (UTC), `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_date(secs)
}

/// The UTC date of `secs` seconds after the Unix epoch, `YYYY-MM-DD`.
fn civil_date(secs: u64) -> String {
    // Days since the Unix epoch → civil date (Howard Hinnant's algorithm).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_across_leap_days_and_centuries() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(86_399), "1970-01-01");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
        assert_eq!(civil_date(951_868_800), "2000-03-01");
        assert_eq!(civil_date(1_700_000_000), "2023-11-14");
        assert_eq!(civil_date(4_107_542_400), "2100-03-01");
        assert_eq!(today().len(), 10);
    }

    #[test]
    fn a_set_is_named_by_its_directory() {
        assert_eq!(set_name(Path::new("/data/chips/everest")), "everest");
        assert_eq!(set_name(Path::new("/")), "/");
    }
}
