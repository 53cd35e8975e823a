//! Inference time of a model per tile and per megapixel, on each backend, on real tiles of a
//! scene (`glacier bench-model`; the same tiles go to ONNX Runtime through [`crate::onnx`]).

use anyhow::{Result, bail};
use glacier_infer::Predictor;
use glacier_inputs::ChannelReader;
use glacier_raster::Window;
use std::time::Instant;

use crate::backend::Backend;

/// One backend's timings.
#[derive(serde::Serialize)]
pub struct Row {
    /// Backend as named on the command line.
    pub backend: String,
    /// What computed: the kernels with their instruction set, or burn's device.
    pub device: String,
    /// First tile: kernel compilation / pipeline creation included, ms.
    pub cold_ms: f64,
    /// Median of the timed tiles, ms.
    pub median_ms: f64,
    /// Fastest timed tile, ms.
    pub min_ms: f64,
    /// Tiles timed after the cold one.
    pub runs: usize,
    /// Milliseconds per megapixel of scene, from the median and the tiling's stride.
    pub ms_per_megapixel: f64,
}

/// Real windows of the scene, `tile × tile`, spread over it (at most `count`).
pub(crate) fn windows(width: u32, height: u32, tile: u32, count: usize) -> Result<Vec<Window>> {
    if width < tile || height < tile {
        bail!("the scene ({width} × {height} px) is smaller than one {tile} px tile");
    }
    let cols = (width / tile).max(1);
    let rows = (height / tile).max(1);
    let mut out = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let x = if cols > 1 {
                c * (width - tile) / (cols - 1)
            } else {
                0
            };
            let y = if rows > 1 {
                r * (height - tile) / (rows - 1)
            } else {
                0
            };
            out.push(Window::new(x, y, tile, tile));
        }
    }
    out.truncate(count.max(1));
    Ok(out)
}

/// Times `runs` tiles (after one cold tile) of the scene behind `reader` on each backend, each
/// from its normalised input to its probabilities
/// (`kernels`: this project's CPU kernels, as `glacier predict` runs on the CPU; `cpu`, `flex`
/// and `wgpu`: burn alone); with `as_stored`, each burn backend a second time with the network
/// as stored ([`Predictor::as_stored`]: batch norms not folded), in a row "BACKEND, as stored".
///
/// # Errors
/// `runs` of 0, read errors, a scene smaller than a tile, a backend that cannot start.
pub fn run(
    bundle: &glacier_infer::ModelBundle,
    reader: &mut ChannelReader<'_>,
    size: (u32, u32),
    backends: &[Backend],
    runs: usize,
    as_stored: bool,
) -> Result<Vec<Row>> {
    if runs == 0 {
        bail!("--runs 0 times nothing: give at least 1 tile to time after the cold one");
    }
    let spec = &bundle.header.input;
    let names = spec.channel_names()?;
    let windows = windows(size.0, size.1, spec.tile, 8)?;
    let tiles = windows
        .iter()
        .map(|w| reader.read(&names, *w))
        .collect::<Result<Vec<_>, _>>()?;
    let stride = f64::from(spec.tile - spec.overlap);
    let tiles_per_megapixel = 1e6 / (stride * stride);
    let mut rows = Vec::new();
    let variants: &[bool] = if as_stored { &[false, true] } else { &[false] };
    // The kernels always run with batch norms folded: no "as stored" row for them.
    let runs_of = backends.iter().flat_map(|b| {
        variants
            .iter()
            .filter(move |stored| !(**stored && matches!(b, Backend::Kernels)))
            .map(move |stored| (b, *stored))
    });
    for (backend, stored) in runs_of {
        let device = backend.device()?;
        // `kernels` is what `glacier predict` runs on the CPU; the other CPU rows are burn's
        // backends alone, for comparison.
        let predictor = match (backend, stored) {
            (_, true) => Predictor::as_stored(bundle, &device)?,
            (Backend::Kernels, false) => Predictor::new(bundle, &device)?,
            (_, false) => Predictor::on_burn(bundle, &device)?,
        };
        let stats = predictor.statistics_for(reader, size.0, size.1)?;
        // The network and the sigmoid on a normalised, padded tile: what ONNX Runtime is timed
        // on (`cargo xtask bench-model`); normalising is outside the timer for both.
        let mut time = |i: usize| -> Result<f64> {
            let input =
                predictor.prepare(&stats, tiles[i % tiles.len()].clone(), spec.tile, spec.tile);
            let start = Instant::now();
            let logits = pollster::block_on(predictor.logit_values(&input))?;
            std::hint::black_box(Predictor::finish(&input, &logits));
            Ok(start.elapsed().as_secs_f64() * 1e3)
        };
        let cold_ms = time(0)?;
        let mut warm = (1..=runs).map(&mut time).collect::<Result<Vec<_>>>()?;
        warm.sort_by(f64::total_cmp);
        let median_ms = warm[warm.len() / 2];
        rows.push(Row {
            backend: format!(
                "{}{}",
                format!("{backend:?}").to_lowercase(),
                if stored { ", as stored" } else { "" }
            ),
            device: predictor.engine(),
            cold_ms,
            median_ms,
            min_ms: warm[0],
            runs,
            ms_per_megapixel: median_ms * tiles_per_megapixel,
        });
    }
    Ok(rows)
}

/// The rows as a Markdown table.
pub fn table(rows: &[Row], tile: u32, overlap: u32) -> String {
    let mut out = format!(
        "| backend | device | cold tile (ms) | median tile (ms) | fastest (ms) | runs | ms per megapixel ({tile} px tiles, {overlap} px overlap) |\n|---|---|---:|---:|---:|---:|---:|\n"
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {} | {:.0} |\n",
            r.backend, r.device, r.cold_ms, r.median_ms, r.min_ms, r.runs, r.ms_per_megapixel
        ));
    }
    out
}
