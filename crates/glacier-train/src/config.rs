//! What a training run is told and what it reports: settings ([`TrainConfig`], [`NetKind`]),
//! the per-epoch log, the resumable state, the outcome and the progress callback.

use glacier_infer::ModelBundle;
use glacier_inputs::Normalisation;
use glacier_model::{Architecture, Spectral3dCnnConfig, UNetConfig};
use serde::{Deserialize, Serialize};

/// Which network to train.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetKind {
    /// The U-Net with scSE blocks (`depth`, `base_width`).
    #[default]
    Unet,
    /// The 3D CNN over the spectral axis (`filters`, `layers`).
    Spectral3d,
}

/// Training settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Which network.
    #[serde(default)]
    pub net: NetKind,
    /// 3D CNN: features per 3×3×3 convolution.
    #[serde(default = "default_filters")]
    pub filters: usize,
    /// 3D CNN: number of 3×3×3 convolutions.
    #[serde(default = "default_layers")]
    pub layers: usize,
    /// Most passes over the training chips.
    pub epochs: usize,
    /// Chips per step.
    pub batch_size: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Network depth.
    pub depth: usize,
    /// Network base width.
    pub base_width: usize,
    /// Seed for the initial weights, shuffling and augmentation.
    pub seed: u64,
    /// Stop after this many epochs without a better validation IoU (0: never stop early).
    pub patience: usize,
    /// Where prediction takes normalisation statistics from.
    pub normalisation: Normalisation,
    /// Tile size recorded for prediction (a multiple of `2^depth`).
    pub tile: u32,
    /// Channels to train on, picked by name from the chips (`None`: all of the first set's).
    #[serde(default)]
    pub channels: Option<Vec<String>>,
    /// Relight each training chip: illumination, band gain and haze drawn per chip (see
    /// [`crate::radiometry`]); `false` keeps the flips and rotations only.
    #[serde(default)]
    pub radiometric: bool,
}

fn default_filters() -> usize {
    8
}

fn default_layers() -> usize {
    3
}

impl Default for TrainConfig {
    /// A small configuration that trains in minutes on two CPU cores.
    fn default() -> Self {
        TrainConfig {
            net: NetKind::Unet,
            filters: default_filters(),
            layers: default_layers(),
            epochs: 20,
            batch_size: 8,
            learning_rate: 2e-3,
            depth: 3,
            base_width: 12,
            seed: 7,
            patience: 5,
            normalisation: Normalisation::Scene,
            tile: 256,
            channels: None,
            radiometric: false,
        }
    }
}

/// Per-epoch numbers (a line of `metrics.jsonl`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochLog {
    /// Epoch, from 0.
    pub epoch: usize,
    /// Mean training loss.
    pub train_loss: f32,
    /// Validation loss.
    pub val_loss: f32,
    /// Validation IoU of the glacier class at probability 0.5.
    pub val_iou: f64,
    /// Seconds the epoch took.
    pub seconds: f64,
}

/// Where a run stands (`state.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainState {
    /// Settings of the run.
    pub config: TrainConfig,
    /// Epochs completed.
    pub epochs_done: usize,
    /// Best validation IoU and its epoch.
    pub best: Option<(usize, f64)>,
    /// Generator state, so a resumed run shuffles as an uninterrupted one would.
    pub rng: u64,
    /// Every epoch so far.
    pub history: Vec<EpochLog>,
}

/// What a finished run gives.
pub struct TrainOutcome {
    /// The best model (f32) with its provenance.
    pub best: ModelBundle,
    /// Every epoch.
    pub history: Vec<EpochLog>,
    /// `true` when early stopping ended the run.
    pub stopped_early: bool,
}

/// Receives progress; every method has a no-op default.
pub trait Progress {
    /// After each optimisation step.
    fn step(&mut self, _epoch: usize, _step: usize, _steps: usize, _loss: f32) {}
    /// After each epoch.
    fn epoch(&mut self, _log: &EpochLog) {}
    /// Counted work outside training (`what`: "chips cut", "chips evaluated"): `done` of
    /// `total` items.
    fn items(&mut self, _what: &str, _done: usize, _total: usize) {}
}

/// A [`Progress`] that ignores everything.
pub struct Quiet;
impl Progress for Quiet {}

/// The network `config` asks for, taking `channels` inputs.
pub(crate) fn network(config: &TrainConfig, channels: usize) -> Architecture {
    match config.net {
        NetKind::Unet => Architecture::UNet(
            UNetConfig::new(channels)
                .with_depth(config.depth)
                .with_base_width(config.base_width),
        ),
        NetKind::Spectral3d => Architecture::Spectral3d(
            Spectral3dCnnConfig::new(channels)
                .with_filters(config.filters)
                .with_layers(config.layers),
        ),
    }
}
