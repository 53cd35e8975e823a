//! What a run made: a classification per classifier, the notes, the preview.

use glacier_infer::Scores;
use glacier_raster::Grid;
use serde::{Deserialize, Serialize};

use crate::preview::Preview;

/// The exports of one classification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exports {
    /// The mask as a GeoTIFF (1 glacier, 0 not, 255 no data; DEFLATE), its band described by
    /// the classification's label.
    pub geotiff: Vec<u8>,
    /// The glacier patches as GeoJSON polygons in lon/lat, or why there are none.
    pub geojson: Result<String, String>,
}

/// What the plausibility rule did to the network's mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleEffect {
    /// Glacier pixels it set to not glacier.
    pub removed: u64,
    /// Glacier pixels of the network before it.
    pub before: u64,
}

/// One classifier's map of the scene.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// What computed it, e.g. `network unet-scse-grn on CPU, where NDSI > 0 and NIR > 0.11`.
    pub label: String,
    /// The device it ran on (the network's), in the caller's words.
    pub device: Option<String>,
    /// Glacier pixels.
    pub glacier: u64,
    /// Pixels with data.
    pub valid: u64,
    /// Agreement with the outlines on the pixels with data, when outlines were given.
    pub scores: Option<Scores>,
    /// What the plausibility rule removed, where it ran.
    pub rule: Option<RuleEffect>,
    /// The mask (1 glacier, 0 not, 255 no data), row-major, when kept.
    pub mask: Option<Vec<u8>>,
    /// The network's probabilities (NaN where no data), row-major, when kept.
    pub probabilities: Option<Vec<f32>>,
    /// The mask sampled at the preview's pixels, when a preview was made.
    pub preview_mask: Option<Vec<u8>>,
    /// The GeoTIFF and GeoJSON, when kept.
    pub exports: Option<Exports>,
}

/// The map of a scene.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneMap {
    /// The scene grid.
    pub grid: Grid,
    /// The network's classification, when it ran.
    pub network: Option<Classification>,
    /// The NDSI baseline's, when it ran.
    pub ndsi: Option<Classification>,
    /// What the reader should know: a classifier that did not run and why, a device that
    /// failed, what the plausibility rule removed, caveats of the baseline.
    pub notes: Vec<String>,
    /// Which model ran and why the others did not, when several were offered
    /// ([`crate::choice::explain`]).
    pub model_choice: Option<String>,
    /// The false-colour preview, when asked for.
    pub preview: Option<Preview>,
    /// The outlines' file, when outlines were given and rasterised.
    pub outlines_file: Option<String>,
    /// The outlines rasterised (1 inside) sampled at the preview's pixels.
    pub outlines_preview: Option<Vec<u8>>,
}
