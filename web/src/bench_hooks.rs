//! Entry points for benchmarks that drive the built page from outside
//! (`tests/browser/bench_page.mjs`), exported on `window.wasmBindings` by trunk.

use std::io::Cursor;

use glacier_raster::{GeoTiffReader, Samples};
use wasm_bindgen::prelude::*;

/// Decodes band 1 of a GeoTIFF in memory with the reader the page uses for every band, as a
/// benchmark's unit of work. Returns the number of pixels, or their sum when `checksum` is set
/// (to check the decode against another decoder outside the timed runs).
///
/// # Errors
/// The reader's message when the bytes are not a GeoTIFF it can decode.
#[wasm_bindgen(js_name = decodeGeoTiff)]
pub fn decode_geotiff(bytes: &[u8], checksum: bool) -> Result<f64, JsError> {
    let mut reader = GeoTiffReader::new("benchmark input", Cursor::new(bytes))?;
    let band = reader.read_band(0)?;
    if !checksum {
        return Ok(band.len() as f64);
    }
    Ok(match &band {
        Samples::U8(v) => v.iter().map(|x| f64::from(*x)).sum(),
        Samples::U16(v) => v.iter().map(|x| f64::from(*x)).sum(),
        Samples::I16(v) => v.iter().map(|x| f64::from(*x)).sum(),
        Samples::F32(v) => v.iter().map(|x| f64::from(*x)).sum(),
        other => other.len() as f64,
    })
}

/// Times the network on normalised tiles on the page's CPU path, as a benchmark's unit of work:
/// `engine` "kernels" (what the page runs: this project's kernels) or "flex" (burn's flex, what
/// it ran before). `tiles` holds whole tiles of `channels × side × side` values, already
/// normalised (`glacier bench-model --onnx-dir` writes them, and the ONNX model, for
/// onnxruntime-web in the same page). Returns the milliseconds of one cold tile then `runs`
/// tiles, then the glacier probabilities of the first tile (to compare with another runtime
/// outside the timed runs).
///
/// # Errors
/// The model's or the network's message.
#[wasm_bindgen(js_name = timeNetwork)]
pub fn time_network(
    model: &[u8],
    engine: &str,
    tiles: &[f32],
    channels: usize,
    side: usize,
    runs: usize,
) -> Result<Vec<f64>, JsError> {
    use glacier_infer::{ModelBundle, Predictor, PreparedInput};
    let bundle = ModelBundle::from_bytes("benchmark model", model)?;
    let device = glacier_model::devices::flex();
    let predictor = match engine {
        "kernels" => Predictor::new(&bundle, &device)?,
        "flex" => Predictor::on_burn(&bundle, &device)?,
        other => {
            return Err(JsError::new(&format!(
                "no engine {other:?}: kernels or flex"
            )));
        }
    };
    let per_tile = channels * side * side;
    let count = tiles.len() / per_tile.max(1);
    if count == 0 {
        return Err(JsError::new("no whole tile in the input"));
    }
    let input = |i: usize| PreparedInput {
        values: tiles[(i % count) * per_tile..][..per_tile].to_vec(),
        channels,
        padded_height: side,
        valid: vec![true; side * side],
        size: (side as u32, side as u32),
        padded_width: side,
    };
    let now = crate::timing::now_ms;
    let mut out = Vec::with_capacity(runs + 1 + side * side);
    let mut first = None;
    for i in 0..=runs {
        let prepared = input(i);
        let start = now();
        let logits = predictor
            .logits(&prepared)?
            .into_data()
            .try_into_vec::<f32>()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        out.push(now() - start);
        if i == 0 {
            first = Some(Predictor::finish(&prepared, &logits));
        }
    }
    out.extend(first.unwrap_or_default().into_iter().map(f64::from));
    Ok(out)
}

/// [`time_network`] on WebGPU (burn's wgpu backend, as the page maps with a GPU): the
/// milliseconds of one cold tile then `runs` tiles, each until its logits are read back, then
/// the first tile's probabilities.
///
/// # Errors
/// No WebGPU adapter, or the model's or the network's message.
#[wasm_bindgen(js_name = timeNetworkGpu)]
pub async fn time_network_gpu(
    model: Vec<u8>,
    tiles: Vec<f32>,
    channels: usize,
    side: usize,
    runs: usize,
) -> Result<Vec<f64>, JsError> {
    use glacier_infer::{ModelBundle, Predictor, PreparedInput};
    let bundle = ModelBundle::from_bytes("benchmark model", &model)?;
    let device = crate::self_check::gpu_device()
        .await
        .map_err(|e| JsError::new(&format!("no WebGPU device: {e}")))?;
    let predictor = Predictor::new(&bundle, &device)?;
    let per_tile = channels * side * side;
    let count = tiles.len() / per_tile.max(1);
    if count == 0 {
        return Err(JsError::new("no whole tile in the input"));
    }
    let mut out = Vec::with_capacity(runs + 1 + side * side);
    let mut first = None;
    for i in 0..=runs {
        let prepared = PreparedInput {
            values: tiles[(i % count) * per_tile..][..per_tile].to_vec(),
            channels,
            padded_height: side,
            valid: vec![true; side * side],
            size: (side as u32, side as u32),
            padded_width: side,
        };
        let start = crate::timing::now_ms();
        let logits = predictor.logit_values(&prepared).await?;
        out.push(crate::timing::now_ms() - start);
        if i == 0 {
            first = Some(Predictor::finish(&prepared, &logits));
        }
    }
    out.extend(first.unwrap_or_default().into_iter().map(f64::from));
    Ok(out)
}
