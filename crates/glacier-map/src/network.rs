//! The network over a whole scene: tiles with overlap, read back asynchronously (WebGPU in a
//! browser cannot block; natively any executor drives it), blended strip by strip into a mask.

use glacier_infer::predict::mask;
use glacier_infer::{Predictor, ScenePrediction};
use glacier_inputs::ChannelReader;
use glacier_raster::Window;

use crate::MapError;
use crate::progress::{Reporter, Stage, Step};

/// Rows blended per step.
const STRIP_ROWS: u32 = 64;

/// Why a network run stopped.
pub(crate) enum NetworkError {
    /// The scene could not be read (a problem of the files; another device would not help).
    Input(MapError),
    /// The backend failed (another device may still succeed).
    Backend(String),
    /// The caller cancelled.
    Cancelled,
}

impl From<MapError> for NetworkError {
    fn from(e: MapError) -> Self {
        match e {
            MapError::Cancelled => NetworkError::Cancelled,
            e => NetworkError::Input(e),
        }
    }
}

/// The network's mask of a `width × height` scene (1 glacier, 0 not, 255 no data), row-major,
/// and its probabilities when `keep_probabilities`.
pub(crate) async fn classify<F, Fut>(
    predictor: &Predictor,
    reader: &mut ChannelReader<'_>,
    (width, height): (u32, u32),
    keep_probabilities: bool,
    stage: &Stage,
    report: &mut Reporter<F>,
) -> Result<(Vec<u8>, Option<Vec<f32>>), NetworkError>
where
    F: FnMut(Step) -> Fut,
    Fut: Future<Output = bool>,
{
    let input = |e: glacier_inputs::InputError| NetworkError::Input(MapError::Scene(e));
    report.step(stage, 0, 1).await?;
    // The scene's statistics a band of rows at a time, reporting between bands as between tiles.
    let mut pass = predictor.statistics_pass(width, height);
    if let Some(pass) = &mut pass {
        while pass.step(reader, predictor.names()).map_err(input)? {
            report.step(stage, 0, 1).await?;
        }
    }
    let stats = predictor.statistics_from(pass.as_ref());
    let mut run = ScenePrediction::new(predictor, stats, width, height);
    let total = run.tile_count();
    let threshold = predictor.header().threshold;
    // Checked, not `width * height`: in wasm32 a large header's product wraps.
    let pixels = glacier_raster::grid_pixels(width, height).map_err(|source| {
        NetworkError::Input(MapError::SceneTooLarge {
            file: "the scene".into(),
            source,
        })
    })?;
    let mut out = Vec::with_capacity(pixels);
    let mut probabilities = keep_probabilities.then(|| Vec::with_capacity(pixels));
    let mut row = 0;
    while row < height {
        let rows = STRIP_ROWS.min(height - row);
        for tile in run.pending(row, rows) {
            let channels = reader.read(predictor.names(), tile).map_err(input)?;
            let prepared = predictor.prepare(run.statistics(), channels, tile.width, tile.height);
            let logits = predictor
                .logit_values(&prepared)
                .await
                .map_err(|e| NetworkError::Backend(e.to_string()))?;
            run.insert(tile, Predictor::finish(&prepared, &logits));
            report.step(stage, run.tiles_done(), total).await?;
        }
        let masked = reader
            .qa_mask(Window::new(0, row, width, rows))
            .map_err(input)?;
        let strip = run.blend(row, rows, &masked);
        out.extend(mask(&strip, threshold));
        if let Some(p) = probabilities.as_mut() {
            p.extend(strip);
        }
        row += rows;
    }
    Ok((out, probabilities))
}
