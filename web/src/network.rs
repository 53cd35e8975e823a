//! The network over a whole scene in the browser: tiles with overlap, read back asynchronously
//! (WebGPU cannot block), blended strip by strip into a mask.

use glacier_infer::predict::mask;
use glacier_infer::{Predictor, ScenePrediction};
use glacier_inputs::ChannelReader;
use glacier_raster::Window;

/// Rows blended per step.
const STRIP_ROWS: u32 = 64;

/// Why a network run stopped.
pub enum NetworkError {
    /// The scene could not be read (a problem of the files; another device would not help).
    Input(String),
    /// The backend failed (the CPU may still succeed).
    Backend(String),
    /// The visitor pressed Cancel.
    Cancelled,
}

/// Classifies the `width × height` scene behind `reader` with `predictor`; returns the mask
/// (1 glacier, 0 not, 255 no data), row-major. `progress(done, total)` is awaited after every tile
/// so the page can paint and show how far it got; it answers whether to go on.
///
/// # Errors
/// [`NetworkError`] saying whether the input or the backend failed.
pub async fn classify<F, Fut>(
    predictor: &Predictor,
    reader: &mut ChannelReader<'_>,
    width: u32,
    height: u32,
    mut progress: F,
) -> Result<Vec<u8>, NetworkError>
where
    F: FnMut(usize, usize) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    // The scene's statistics a band of rows at a time, pausing between bands as between tiles.
    let mut pass = predictor.statistics_pass(width, height);
    if let Some(pass) = &mut pass {
        while pass
            .step(reader, predictor.names())
            .map_err(|e| NetworkError::Input(e.to_string()))?
        {
            if !progress(0, 1).await {
                return Err(NetworkError::Cancelled);
            }
        }
    }
    let stats = predictor.statistics_from(pass.as_ref());
    let mut run = ScenePrediction::new(predictor, stats, width, height);
    let total = run.tile_count();
    let threshold = predictor.header().threshold;
    // Checked, not `width * height`: in wasm32 a large header's product wraps.
    let pixels = glacier_raster::grid_pixels(width, height)
        .map_err(|e| NetworkError::Input(e.to_string()))?;
    let mut out = Vec::with_capacity(pixels);
    let mut row = 0;
    while row < height {
        let rows = STRIP_ROWS.min(height - row);
        for tile in run.pending(row, rows) {
            let channels = reader
                .read(predictor.names(), tile)
                .map_err(|e| NetworkError::Input(e.to_string()))?;
            let prepared = predictor.prepare(run.statistics(), channels, tile.width, tile.height);
            let logits = predictor
                .logits(&prepared)
                .into_data_async()
                .await
                .map_err(|e| NetworkError::Backend(format!("reading the result back: {e:?}")))?
                .try_into_vec::<f32>()
                .map_err(|e| NetworkError::Backend(format!("unexpected result type: {e:?}")))?;
            run.insert(tile, Predictor::finish(&prepared, &logits));
            if !progress(run.tiles_done(), total).await {
                return Err(NetworkError::Cancelled);
            }
        }
        let masked = reader
            .qa_mask(Window::new(0, row, width, rows))
            .map_err(|e| NetworkError::Input(e.to_string()))?;
        out.extend(mask(&run.blend(row, rows, &masked), threshold));
        row += rows;
    }
    Ok(out)
}
