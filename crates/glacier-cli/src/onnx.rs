//! A model file's network as ONNX (`glacier export-onnx`), and the files `bench-model
//! --onnx-dir` leaves for timing ONNX Runtime on the same tiles
//! (`tests/bench/onnx_runtime_timing.py`).

use anyhow::{Context, Result};
use glacier_infer::{ModelBundle, Predictor};
use glacier_inputs::ChannelReader;
use std::path::Path;

use crate::model_timing::{self, Row};

/// The bundle's network as ONNX bytes, its input specification and threshold in the metadata.
///
/// # Errors
/// A network ONNX cannot hold yet (the 3D CNN), weights that do not load.
pub fn model_bytes(bundle: &ModelBundle) -> Result<Vec<u8>> {
    let net = bundle.load_net(&glacier_model::devices::cpu())?;
    let header = &bundle.header;
    let metadata = vec![
        (
            "glacier.input".to_owned(),
            serde_json::to_string(&header.input)?,
        ),
        ("glacier.threshold".to_owned(), header.threshold.to_string()),
        ("glacier.precision".to_owned(), header.precision.clone()),
        (
            "glacier.normalise".to_owned(),
            "input = (channel - mean) / std per channel, with the means and stds of glacier.input \
             (or of the scene, when its normalisation is \"scene\"); no-data pixels 0"
                .to_owned(),
        ),
    ];
    Ok(glacier_model::onnx::to_onnx(&net, &header.name, &metadata)?)
}

/// Writes `bundle` as ONNX to `out`; returns the file size.
///
/// # Errors
/// See [`model_bytes`]; the file cannot be written.
pub fn export(bundle: &ModelBundle, out: &Path) -> Result<usize> {
    let bytes = model_bytes(bundle)?;
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(bytes.len())
}

fn write_f32(path: &Path, values: &[f32]) -> Result<()> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Leaves in `dir`: `model.onnx`; `tiles.f32`, the normalised input of the benchmark's real tiles
/// (`[tiles, channels, tile, tile]`, little-endian); `burn.f32`, burn ndarray's probabilities for
/// them; `meta.json`, their shapes and the burn rows timed on the same tiles.
///
/// # Errors
/// Read errors, an unsupported network, files that cannot be written.
pub fn write_check(
    bundle: &ModelBundle,
    reader: &mut ChannelReader<'_>,
    size: (u32, u32),
    rows: &[Row],
    dir: &Path,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    export(bundle, &dir.join("model.onnx"))?;
    let spec = &bundle.header.input;
    // The reference: burn's ndarray (the kernels are compared with it in their own tests).
    let predictor = Predictor::on_burn(bundle, &glacier_model::devices::cpu())?;
    let stats = predictor.statistics_for(reader, size.0, size.1)?;
    let names = spec.channel_names()?;
    let read = |t: burn::tensor::Tensor<4>| {
        t.into_data()
            .try_into_vec::<f32>()
            .map_err(|e| anyhow::anyhow!("cannot read a tensor back: {e:?}"))
    };
    let windows = model_timing::windows(size.0, size.1, spec.tile, 8)?;
    // What `glacier predict` computes on the CPU: this project's kernels.
    let kernels = Predictor::new(bundle, &glacier_model::devices::cpu())?;
    let (mut inputs, mut probabilities, mut on_kernels) = (Vec::new(), Vec::new(), Vec::new());
    for w in &windows {
        let channels = reader.read(&names, *w)?;
        let input = predictor.prepare(&stats, channels, spec.tile, spec.tile);
        let logits = read(kernels.logits(&input)?)?;
        on_kernels.extend(logits.iter().map(|z| 1.0 / (1.0 + (-z).exp())));
        inputs.extend_from_slice(&input.values);
        let logits = read(predictor.logits(&input)?)?;
        probabilities.extend(logits.iter().map(|z| 1.0 / (1.0 + (-z).exp())));
    }
    write_f32(&dir.join("tiles.f32"), &inputs)?;
    write_f32(&dir.join("burn.f32"), &probabilities)?;
    write_f32(&dir.join("kernels.f32"), &on_kernels)?;
    let meta = serde_json::json!({
        "tiles": windows.len(),
        "channels": names.len(),
        "tile": spec.tile,
        "overlap": spec.overlap,
        "burn": rows.iter().map(|r| serde_json::json!({
            "backend": r.backend, "engine": r.device, "cold_ms": r.cold_ms, "median_ms": r.median_ms,
        })).collect::<Vec<_>>(),
    });
    std::fs::write(dir.join("meta.json"), serde_json::to_string_pretty(&meta)?)?;
    Ok(())
}
