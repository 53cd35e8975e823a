//! What a run reports while it works: the stage, and how far into it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A stage of [`crate::map_scene`], in the order they run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Reading the scene's headers and rasterising the outlines (one step).
    Headers,
    /// Building the network on the first device (one step).
    ModelOntoDevice,
    /// The first pass, strip by strip: the preview's bands, the NDSI baseline when asked for,
    /// and where the plausibility rule holds.
    ReadingBands {
        /// Whether the NDSI baseline is computed in this pass.
        ndsi: bool,
    },
    /// One classifier's exports (GeoTIFF, then GeoJSON, then scores).
    Exports {
        /// Which classifier.
        of: Classifier,
    },
    /// The network, tile by tile (the scene statistics pass reports 0 tiles done).
    Network {
        /// The device, in the caller's words (e.g. `GPU (WebGPU)`).
        device: String,
    },
}

/// The two classifiers a run can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Classifier {
    /// The trained network.
    Network,
    /// The NDSI-threshold baseline.
    Ndsi,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stage::Headers => f.write_str("scene headers and outlines"),
            Stage::ModelOntoDevice => f.write_str("model onto the device"),
            Stage::ReadingBands { ndsi: true } => f.write_str("reading bands, NDSI baseline"),
            Stage::ReadingBands { ndsi: false } => f.write_str("reading bands"),
            Stage::Exports {
                of: Classifier::Ndsi,
            } => f.write_str("NDSI baseline exports"),
            Stage::Exports {
                of: Classifier::Network,
            } => f.write_str("network exports"),
            Stage::Network { device } => write!(f, "network on {device}"),
        }
    }
}

/// One report: `done` of `total` steps of `stage` are finished. Each stage reports `done = 0`
/// when it starts, so a caller can time stages by when the next one begins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The stage.
    pub stage: Stage,
    /// Steps finished.
    pub done: usize,
    /// Steps in the stage.
    pub total: usize,
}

/// Sends `Step`s to the caller's callback; its answer `false` becomes
/// [`crate::MapError::Cancelled`].
pub(crate) struct Reporter<F>(pub F);

impl<F, Fut> Reporter<F>
where
    F: FnMut(Step) -> Fut,
    Fut: Future<Output = bool>,
{
    /// Reports a step; `Err(Cancelled)` when the caller wants to stop.
    pub async fn step(
        &mut self,
        stage: &Stage,
        done: usize,
        total: usize,
    ) -> Result<(), crate::MapError> {
        let step = Step {
            stage: stage.clone(),
            done,
            total,
        };
        if (self.0)(step).await {
            Ok(())
        } else {
            Err(crate::MapError::Cancelled)
        }
    }
}
