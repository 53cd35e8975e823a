//! Training a [`UNet`] on chips: masked BCE + Dice, flips/rot90 augmentation, Adam, validation
//! IoU each epoch, early stopping, checkpoints and resuming.
//!
//! One run may train on the chips of several scenes ([`load_training_set`]): each scene's chips
//! are normalised with that scene's own statistics (as prediction does with
//! [`Normalisation::Scene`]), then pooled; validation IoU is over the pooled validation chips.
//!
//! Runs on any burn device with autodiff (ndarray on CPU here; wgpu where a GPU is present).
//!
//! # Checkpoint directory
//! - `last.glcm`, `best.glcm`: f32 model files (see `glacier_infer::bundle`) after the latest
//!   epoch and at the best validation IoU so far;
//! - `metrics.jsonl`: one [`EpochLog`] per line;
//! - `state.json`: [`TrainState`] — where a resumed run continues. Adam's moment estimates are
//!   not saved: a resumed run restarts them (its first steps are less smooth, nothing else).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use glacier_infer::{InferError, ModelBundle};
use glacier_inputs::{ChannelName, InputSpec, Normalisation, StatsAccumulator};
use glacier_model::{Architecture, Precision, SegNet, Spectral3dCnnConfig, UNetConfig};
use serde::{Deserialize, Serialize};

use crate::chips::{ChipError, ChipSet};
use crate::split::Split;

/// Why training could not run.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The chips could not be read.
    #[error(transparent)]
    Chips(#[from] ChipError),
    /// A model file could not be made or read.
    #[error(transparent)]
    Model(#[from] InferError),
    /// A checkpoint file could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The checkpoint directory cannot be resumed with these settings.
    #[error("cannot resume from {dir}: {detail}")]
    Resume {
        /// Checkpoint directory.
        dir: String,
        /// What does not fit.
        detail: String,
    },
    /// Several chip sets that cannot be pooled into one run.
    #[error("{dirs}: {detail}")]
    Mixed {
        /// The chip directories.
        dirs: String,
        /// What does not fit together, and what to do.
        detail: String,
    },
    /// The training split is empty.
    #[error(
        "{dir}: no training chips; make chips from a larger scene or with a smaller --size/--block"
    )]
    NoChips {
        /// Chip directory.
        dir: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> TrainError + '_ {
    move |source| TrainError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One split's chips in memory.
pub struct ChipData {
    /// Channels, `[n, c, s, s]`: physical values (NaN = no data) or normalised (NaN → 0).
    pub x: Vec<f32>,
    /// Labels, `[n, s, s]`: 1, 0, or 255 (ignore).
    pub y: Vec<u8>,
    /// Number of chips.
    pub n: usize,
    /// Channels.
    pub c: usize,
    /// Chip size.
    pub s: usize,
}

/// Reads `chips.json` of a chip directory.
///
/// # Errors
/// [`ChipError::Io`] when it is missing or not a chip description.
pub fn read_chip_set(dir: &Path) -> Result<ChipSet, ChipError> {
    let path = dir.join("chips.json");
    let err = |source| ChipError::Io {
        path: path.display().to_string(),
        source,
    };
    let text = std::fs::read_to_string(&path).map_err(err)?;
    serde_json::from_str(&text).map_err(|e| {
        err(std::io::Error::other(format!(
            "not a chip description ({e}); make chips with `glacier chips`"
        )))
    })
}

impl ChipData {
    /// Loads `split` from a chip directory, values as stored (physical, NaN = no data).
    ///
    /// # Errors
    /// [`ChipError::Io`] when the files are missing or their sizes do not match `chips.json`.
    pub fn load(dir: &Path, set: &ChipSet, split: Split) -> Result<ChipData, ChipError> {
        let n = set.counts.get(split.name()).copied().unwrap_or(0);
        let (c, s) = (set.channels.len(), set.options.size as usize);
        if n == 0 {
            return Ok(ChipData {
                x: Vec::new(),
                y: Vec::new(),
                n,
                c,
                s,
            });
        }
        let read = |name: String| {
            let path = dir.join(&name);
            std::fs::read(&path).map_err(|source| ChipError::Io {
                path: path.display().to_string(),
                source,
            })
        };
        let xb = read(format!("{}_x.f32", split.name()))?;
        let y = read(format!("{}_y.u8", split.name()))?;
        if xb.len() != n * c * s * s * 4 || y.len() != n * s * s {
            return Err(ChipError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::other(format!(
                    "{} chips do not match chips.json ({n} × {c} × {s}²); make the chips again",
                    split.name()
                )),
            });
        }
        let x = xb
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(ChipData { x, y, n, c, s })
    }

    /// One chip's channels, one `Vec` per channel.
    pub fn chip(&self, i: usize) -> Vec<Vec<f32>> {
        let plane = self.s * self.s;
        let start = i * self.c * plane;
        self.x[start..start + self.c * plane]
            .chunks(plane)
            .map(<[f32]>::to_vec)
            .collect()
    }

    /// One chip's labels.
    pub fn labels(&self, i: usize) -> &[u8] {
        let plane = self.s * self.s;
        &self.y[i * plane..(i + 1) * plane]
    }

    /// A copy holding only the channels at `positions` (indices into this data's channels), in
    /// that order.
    pub fn select(&self, positions: &[usize]) -> ChipData {
        let plane = self.s * self.s;
        let mut x = Vec::with_capacity(self.n * positions.len() * plane);
        for i in 0..self.n {
            let start = i * self.c * plane;
            for &k in positions {
                x.extend_from_slice(&self.x[start + k * plane..start + (k + 1) * plane]);
            }
        }
        ChipData {
            x,
            y: self.y.clone(),
            n: self.n,
            c: positions.len(),
            s: self.s,
        }
    }

    /// Appends `other`'s chips (same channels and chip size).
    fn append(&mut self, other: ChipData) {
        debug_assert!(other.n == 0 || (other.c == self.c && other.s == self.s));
        self.x.extend(other.x);
        self.y.extend(other.y);
        self.n += other.n;
    }

    /// A copy normalised with `spec` (NaN → 0).
    pub fn normalised(&self, spec: &InputSpec) -> ChipData {
        let mut x = Vec::with_capacity(self.x.len());
        for i in 0..self.n {
            let mut channels = self.chip(i);
            spec.normalise(&mut channels);
            channels.into_iter().for_each(|c| x.extend(c));
        }
        ChipData {
            x,
            y: self.y.clone(),
            n: self.n,
            c: self.c,
            s: self.s,
        }
    }
}

/// The input spec for a chip set: its training statistics, or for [`Normalisation::Scene`] the
/// statistics of all its chips (label-free; what prediction computes on a whole scene).
///
/// # Errors
/// [`ChipError`] when chips cannot be read or a channel name is unknown.
pub fn input_spec(
    dir: &Path,
    set: &ChipSet,
    normalisation: Normalisation,
    tile: u32,
) -> Result<InputSpec, ChipError> {
    let channels = match normalisation {
        Normalisation::Training => set.stats.clone(),
        Normalisation::Scene => {
            let names = set
                .channels
                .iter()
                .map(|n| {
                    ChannelName::parse(n).ok_or_else(|| ChipError::Io {
                        path: dir.display().to_string(),
                        source: std::io::Error::other(format!("unknown channel {n:?}")),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut acc = StatsAccumulator::default();
            for split in [Split::Train, Split::Validation, Split::Test] {
                let data = ChipData::load(dir, set, split)?;
                for i in 0..data.n {
                    acc.add(&data.chip(i));
                }
            }
            acc.finish(&names)
        }
    };
    Ok(InputSpec {
        channels,
        tile,
        overlap: tile / 8,
        normalisation,
    })
}

/// The positions of `names` among `set`'s channels, in the order of `names`.
///
/// # Errors
/// [`ChipError::MissingChannel`] when a channel is not in the chips.
pub fn channel_positions(
    dir: &Path,
    set: &ChipSet,
    names: &[String],
) -> Result<Vec<usize>, ChipError> {
    names
        .iter()
        .map(|name| {
            set.channels
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| ChipError::MissingChannel {
                    dir: dir.display().to_string(),
                    have: set.channels.clone(),
                    missing: name.clone(),
                    wanted: names.join(","),
                })
        })
        .collect()
}

/// `spec` reduced to the channels at `positions`.
pub fn select_spec(spec: &InputSpec, positions: &[usize]) -> InputSpec {
    InputSpec {
        channels: positions
            .iter()
            .filter_map(|&k| spec.channels.get(k).cloned())
            .collect(),
        ..spec.clone()
    }
}

/// The chips of one or more scenes, normalised and pooled for one training run.
pub struct TrainingSet {
    /// Training chips, normalised.
    pub train: ChipData,
    /// Validation chips, normalised.
    pub validation: ChipData,
    /// The channels trained on.
    pub channels: Vec<String>,
    /// The input spec the model records (the first scene's statistics; with
    /// [`Normalisation::Scene`] prediction computes each scene's own).
    pub spec: InputSpec,
    /// Per chip set: directory, channels, options, counts, glacier share, sources.
    pub provenance: Vec<serde_json::Value>,
}

/// Loads the training and validation chips of `dirs` (one directory per scene), keeping
/// `channels` (default: the first set's), each scene normalised with its own statistics.
///
/// # Errors
/// [`TrainError::Mixed`] when several sets are given with [`Normalisation::Training`] or their
/// chip sizes differ; [`TrainError::Chips`] when a set cannot be read or lacks a channel.
pub fn load_training_set(
    dirs: &[PathBuf],
    channels: Option<&[String]>,
    normalisation: Normalisation,
    tile: u32,
) -> Result<TrainingSet, TrainError> {
    let joined = || {
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mixed = |detail: String| TrainError::Mixed {
        dirs: joined(),
        detail,
    };
    let Some(first_dir) = dirs.first() else {
        return Err(mixed("no chip directory given; pass --chips DIR".into()));
    };
    if dirs.len() > 1 && normalisation == Normalisation::Training {
        return Err(mixed(
            "chips of several scenes train with --normalisation scene (each scene normalised with its own statistics); one set of training statistics cannot describe several scenes"
                .into(),
        ));
    }
    let first = read_chip_set(first_dir)?;
    let names: Vec<String> = channels.map_or_else(|| first.channels.clone(), <[String]>::to_vec);
    let mut parts: Option<(ChipData, ChipData, InputSpec)> = None;
    let mut provenance = Vec::new();
    for dir in dirs {
        let set = read_chip_set(dir)?;
        if set.options.size != first.options.size {
            return Err(mixed(format!(
                "chips of {} px and of {} px cannot share a batch; make them with the same --size",
                first.options.size, set.options.size
            )));
        }
        let positions = channel_positions(dir, &set, &names)?;
        let spec = select_spec(&input_spec(dir, &set, normalisation, tile)?, &positions);
        let train = ChipData::load(dir, &set, Split::Train)?
            .select(&positions)
            .normalised(&spec);
        let validation = ChipData::load(dir, &set, Split::Validation)?
            .select(&positions)
            .normalised(&spec);
        provenance.push(serde_json::json!({
            "dir": dir.display().to_string(),
            "channels": set.channels,
            "chip_options": set.options,
            "chip_counts": set.counts,
            "glacier_share": set.glacier_share,
            "sources": set.sources,
        }));
        match &mut parts {
            None => parts = Some((train, validation, spec)),
            Some((t, v, _)) => {
                t.append(train);
                v.append(validation);
            }
        }
    }
    let (train, validation, spec) = parts.ok_or_else(|| mixed("no chips".into()))?;
    if train.n == 0 {
        return Err(TrainError::NoChips { dir: joined() });
    }
    Ok(TrainingSet {
        train,
        validation,
        channels: names,
        spec,
        provenance,
    })
}

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
}

/// A [`Progress`] that ignores everything.
pub struct Quiet;
impl Progress for Quiet {}

/// A small deterministic generator (xorshift) for shuffling and augmentation.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Flips and rotates one chip's square plane in place by `op` (0..8: rot90ᵏ, then optional flip).
fn augment(plane: &mut [f32], s: usize, op: u64, scratch: &mut Vec<f32>) {
    if op == 0 {
        return;
    }
    scratch.clear();
    scratch.extend_from_slice(plane);
    for r in 0..s {
        for c in 0..s {
            let (mut rr, mut cc) = (r, c);
            for _ in 0..op % 4 {
                (rr, cc) = (cc, s - 1 - rr);
            }
            if op >= 4 {
                cc = s - 1 - cc;
            }
            plane[rr * s + cc] = scratch[r * s + c];
        }
    }
}

/// Builds a batch: inputs `[b, c, s, s]`, targets and weights `[b, 1, s, s]`.
fn batch(
    data: &ChipData,
    ids: &[usize],
    rng: Option<&mut Rng>,
    device: &Device,
) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
    let (c, s) = (data.c, data.s);
    let mut x = Vec::with_capacity(ids.len() * c * s * s);
    let mut y = Vec::with_capacity(ids.len() * s * s);
    let mut w = Vec::with_capacity(ids.len() * s * s);
    let mut scratch = Vec::new();
    let ops: Vec<u64> = match rng {
        Some(rng) => ids.iter().map(|_| rng.next() % 8).collect(),
        None => vec![0; ids.len()],
    };
    for (&i, &op) in ids.iter().zip(&ops) {
        for ch in 0..c {
            let start = (i * c + ch) * s * s;
            let mut plane = data.x[start..start + s * s].to_vec();
            augment(&mut plane, s, op, &mut scratch);
            x.extend(plane);
        }
        let labels = data.labels(i);
        let mut t: Vec<f32> = labels.iter().map(|l| f32::from(*l == 1)).collect();
        let mut m: Vec<f32> = labels.iter().map(|l| f32::from(*l != 255)).collect();
        augment(&mut t, s, op, &mut scratch);
        augment(&mut m, s, op, &mut scratch);
        y.extend(t);
        w.extend(m);
    }
    let b = ids.len();
    (
        Tensor::from_data(TensorData::new(x, [b, c, s, s]), device),
        Tensor::from_data(TensorData::new(y, [b, 1, s, s]), device),
        Tensor::from_data(TensorData::new(w, [b, 1, s, s]), device),
    )
}

/// Masked binary cross-entropy (from logits) plus soft Dice, over pixels with weight 1.
pub fn loss(logits: Tensor<4>, target: Tensor<4>, weight: Tensor<4>) -> Tensor<1> {
    let count = weight.clone().sum().add_scalar(1e-6);
    let bce = (logits.clone().clamp_min(0.0) - logits.clone() * target.clone()
        + logits.clone().abs().neg().exp().add_scalar(1.0).log())
        * weight.clone();
    let bce = bce.sum() / count;
    let p = sigmoid(logits) * weight.clone();
    let t = target * weight;
    let intersection = (p.clone() * t.clone()).sum();
    let dice = (intersection.mul_scalar(2.0).add_scalar(1.0)) / (p.sum() + t.sum()).add_scalar(1.0);
    bce + dice.neg().add_scalar(1.0)
}

fn scalar(t: Tensor<1>) -> f32 {
    t.into_data()
        .try_into_vec::<f32>()
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or(f32::NAN)
}

/// Validation loss and IoU of the glacier class at probability 0.5 over labelled pixels
/// (`data` normalised).
pub fn validate(model: &SegNet, data: &ChipData, device: &Device) -> (f32, f64) {
    let (mut inter, mut union) = (0u64, 0u64);
    let (mut total, mut batches) = (0.0f32, 0usize);
    let ids: Vec<usize> = (0..data.n).collect();
    let s2 = data.s * data.s;
    for chunk in ids.chunks(16) {
        let (x, y, w) = batch(data, chunk, None, device);
        let logits = model.forward(x);
        let values = logits
            .clone()
            .into_data()
            .try_into_vec::<f32>()
            .unwrap_or_default();
        total += scalar(loss(logits, y, w));
        batches += 1;
        for (k, &i) in chunk.iter().enumerate() {
            for (p, &label) in data.labels(i).iter().enumerate() {
                if label == 255 {
                    continue;
                }
                let pred = values.get(k * s2 + p).is_some_and(|z| *z > 0.0);
                let truth = label == 1;
                inter += u64::from(pred && truth);
                union += u64::from(pred || truth);
            }
        }
    }
    let iou = if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    };
    (total / batches.max(1) as f32, iou)
}

fn network(config: &TrainConfig, channels: usize) -> Architecture {
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

fn save_bundle(path: &Path, bundle: &ModelBundle) -> Result<(), TrainError> {
    // Write then rename, so an interrupted run never leaves half a checkpoint.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bundle.to_bytes()).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

/// Trains a network on the chips in `chips` (one directory per scene, see
/// [`load_training_set`]). With `out`, writes checkpoints there (see the [module docs](self));
/// with `resume`, continues the run recorded in `out`.
///
/// # Errors
/// [`TrainError`] when chips or checkpoints cannot be read or written.
pub fn train(
    chips: &[PathBuf],
    config: &TrainConfig,
    device: &Device,
    out: Option<&Path>,
    resume: bool,
    progress: &mut dyn Progress,
) -> Result<TrainOutcome, TrainError> {
    let TrainingSet {
        train: train_data,
        validation: val_data,
        channels,
        spec,
        provenance: chip_sets,
    } = load_training_set(
        chips,
        config.channels.as_deref(),
        config.normalisation,
        config.tile,
    )?;
    let unet = network(config, train_data.c);
    let ad = device.clone().autodiff();
    // The initial weights come from the backend's generator: seed it, so `seed` fixes the whole
    // run (burn's CPU backends keep one generator per process).
    ad.seed(config.seed);
    let mut model = unet.init(&ad);
    let mut state = TrainState {
        config: config.clone(),
        epochs_done: 0,
        best: None,
        rng: config.seed.max(1),
        history: Vec::new(),
    };
    let provenance = |state: &TrainState| {
        serde_json::json!({
            "chips": chips.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
            "channels": channels,
            "chip_sets": chip_sets,
            "config": state.config,
            "history": state.history,
            "best": state.best,
        })
    };
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        if resume {
            let state_path = dir.join("state.json");
            let text = std::fs::read_to_string(&state_path).map_err(io_err(&state_path))?;
            let saved: TrainState =
                serde_json::from_str(&text).map_err(|e| TrainError::Resume {
                    dir: dir.display().to_string(),
                    detail: format!("state.json does not parse: {e}"),
                })?;
            let same_net = saved.config.net == config.net
                && saved.config.depth == config.depth
                && saved.config.base_width == config.base_width
                && saved.config.filters == config.filters
                && saved.config.layers == config.layers
                && saved.config.normalisation == config.normalisation
                && saved.config.channels == config.channels;
            if !same_net {
                return Err(TrainError::Resume {
                    dir: dir.display().to_string(),
                    detail: format!(
                        "it was trained as {:?} with depth {}, width {}, filters {}, layers {}, normalisation {:?}, channels {:?}; give the same settings or start a new run",
                        saved.config.net,
                        saved.config.depth,
                        saved.config.base_width,
                        saved.config.filters,
                        saved.config.layers,
                        saved.config.normalisation,
                        saved.config.channels
                    ),
                });
            }
            let last_path = dir.join("last.glcm");
            let bytes = std::fs::read(&last_path).map_err(io_err(&last_path))?;
            let last = ModelBundle::from_bytes(&last_path.display().to_string(), &bytes)?;
            model = glacier_model::import_weights(model, &last.tensors, &ad).map_err(|source| {
                InferError::Weights {
                    file: last_path.display().to_string(),
                    source,
                }
            })?;
            state = TrainState {
                config: config.clone(),
                ..saved
            };
        }
    }
    let mut optim = AdamConfig::new().init();
    let mut rng = Rng(state.rng);
    let mut stopped_early = false;
    let mut best_bundle: Option<ModelBundle> = None;
    if let (Some(dir), true) = (out, resume) {
        let best_path = dir.join("best.glcm");
        if let Ok(bytes) = std::fs::read(&best_path) {
            best_bundle = Some(ModelBundle::from_bytes(
                &best_path.display().to_string(),
                &bytes,
            )?);
        }
    }
    for epoch in state.epochs_done..config.epochs {
        if let Some((best_epoch, _)) = state.best
            && config.patience > 0
            && epoch >= best_epoch + 1 + config.patience
        {
            stopped_early = true;
            break;
        }
        let started = Instant::now();
        let mut order: Vec<usize> = (0..train_data.n).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        let steps = order.len().div_ceil(config.batch_size.max(1));
        let mut total = 0.0f32;
        for (step, ids) in order.chunks(config.batch_size.max(1)).enumerate() {
            let (x, y, w) = batch(&train_data, ids, Some(&mut rng), &ad);
            let l = loss(model.forward(x), y, w);
            let value = scalar(l.clone());
            total += value;
            let grads = GradientsParams::from_grads(l.backward(), &model);
            model = optim.step(config.learning_rate, model, grads);
            progress.step(epoch, step + 1, steps, value);
        }
        let valid = model.valid();
        let (val_loss, val_iou) = validate(&valid, &val_data, device);
        let log = EpochLog {
            epoch,
            train_loss: total / steps.max(1) as f32,
            val_loss,
            val_iou,
            seconds: started.elapsed().as_secs_f64(),
        };
        progress.epoch(&log);
        state.history.push(log.clone());
        state.epochs_done = epoch + 1;
        state.rng = rng.0;
        let improved = state.best.is_none_or(|(_, b)| val_iou > b);
        if improved {
            state.best = Some((epoch, val_iou));
        }
        let needs_bundle = improved || out.is_some();
        if needs_bundle {
            let mut bundle = ModelBundle::from_net(
                "checkpoint",
                &valid,
                unet.clone(),
                spec.clone(),
                Precision::F32,
            )?;
            bundle.header.training = provenance(&state);
            if let Some(dir) = out {
                save_bundle(&dir.join("last.glcm"), &bundle)?;
                if improved {
                    save_bundle(&dir.join("best.glcm"), &bundle)?;
                }
                let metrics = dir.join("metrics.jsonl");
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&metrics)
                    .map_err(io_err(&metrics))?;
                writeln!(f, "{}", serde_json::to_string(&log).unwrap_or_default())
                    .map_err(io_err(&metrics))?;
                let state_path = dir.join("state.json");
                std::fs::write(
                    &state_path,
                    serde_json::to_string_pretty(&state).unwrap_or_default(),
                )
                .map_err(io_err(&state_path))?;
            }
            if improved {
                best_bundle = Some(bundle);
            }
        }
    }
    let mut best = match best_bundle {
        Some(b) => b,
        None => ModelBundle::from_net("checkpoint", &model.valid(), unet, spec, Precision::F32)?,
    };
    best.header.training = provenance(&state);
    Ok(TrainOutcome {
        best,
        history: state.history,
        stopped_early,
    })
}

/// Paths of a checkpoint directory's files.
pub fn checkpoint_paths(dir: &Path) -> [PathBuf; 4] {
    [
        dir.join("best.glcm"),
        dir.join("last.glcm"),
        dir.join("metrics.jsonl"),
        dir.join("state.json"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn augmentations_are_the_eight_symmetries_of_the_square() {
        let s = 3;
        let base: Vec<f32> = (0..9).map(|v| v as f32).collect();
        let mut seen = Vec::new();
        let mut scratch = Vec::new();
        for op in 0..8 {
            let mut p = base.clone();
            augment(&mut p, s, op, &mut scratch);
            let mut sorted = p.clone();
            sorted.sort_by(f32::total_cmp);
            assert_eq!(sorted, base, "a permutation");
            assert!(!seen.contains(&p), "op {op} repeats another");
            seen.push(p);
        }
        // op 1 rotates: the top-left corner goes to the top-right.
        let mut p = base.clone();
        augment(&mut p, s, 1, &mut scratch);
        assert_eq!(p[2], 0.0);
    }

    /// Writes a chip set of `n` training chips of `size`² px, channels `names`, where chip `i`,
    /// channel `k`, pixel `p` holds `100·i + 10·k + p`.
    fn tiny_set(dir: &Path, names: &[&str], n: usize, size: u32) -> ChipSet {
        std::fs::create_dir_all(dir).expect("dir");
        let plane = (size * size) as usize;
        let mut x = Vec::new();
        for i in 0..n {
            for k in 0..names.len() {
                for p in 0..plane {
                    x.extend(((100 * i + 10 * k + p) as f32).to_le_bytes());
                }
            }
        }
        std::fs::write(dir.join("train_x.f32"), x).expect("x");
        std::fs::write(dir.join("train_y.u8"), vec![0u8; n * plane]).expect("y");
        let set = ChipSet {
            channels: names.iter().map(|s| (*s).to_owned()).collect(),
            options: crate::ChipOptions {
                size,
                ..crate::ChipOptions::default()
            },
            counts: [("train".to_owned(), n)].into_iter().collect(),
            glacier_share: Default::default(),
            stats: Vec::new(),
            sources: vec!["tiny".into()],
        };
        let json = serde_json::to_string(&set).expect("json");
        std::fs::write(dir.join("chips.json"), json).expect("chips.json");
        set
    }

    #[test]
    fn channels_are_picked_by_name_and_scenes_pooled_each_with_its_own_statistics() {
        let root = std::env::temp_dir().join(format!("glacier_pool_{}", std::process::id()));
        let (a, b) = (root.join("a"), root.join("b"));
        let set_a = tiny_set(&a, &["green", "red", "nir"], 2, 2);
        tiny_set(&b, &["nir", "green"], 1, 2);
        let data = ChipData::load(&a, &set_a, Split::Train).expect("loads");
        // nir then green of chip 1: 110+20.., 100+0..
        let picked = data.select(&[2, 0]);
        assert_eq!((picked.n, picked.c), (2, 2));
        assert_eq!(picked.chip(1)[0], vec![120.0, 121.0, 122.0, 123.0]);
        assert_eq!(picked.chip(1)[1], vec![100.0, 101.0, 102.0, 103.0]);

        let names = ["green".to_owned(), "nir".to_owned()];
        let pooled = load_training_set(
            &[a.clone(), b.clone()],
            Some(&names),
            Normalisation::Scene,
            64,
        )
        .expect("pools");
        assert_eq!((pooled.train.n, pooled.train.c), (3, 2));
        assert_eq!(pooled.channels, names);
        // Set b's one chip is normalised with b's own statistics: each channel's four values
        // 0..3 (+ offset) have mean 1.5 and population std √1.25.
        let z = |v: f32| (v - 1.5) / 1.25f32.sqrt();
        let b_green = &pooled.train.chip(2)[0];
        for (p, v) in b_green.iter().enumerate() {
            assert!((v - z(p as f32)).abs() < 1e-5, "{b_green:?}");
        }
        assert_eq!(pooled.provenance.len(), 2);

        // What cannot be pooled is refused with the fix.
        let err = load_training_set(&[a.clone(), b.clone()], None, Normalisation::Training, 64)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("--normalisation scene"), "{err}");
        let err = load_training_set(
            &[b.clone(), a.clone()],
            Some(&["swir1".to_owned()]),
            Normalisation::Scene,
            64,
        )
        .err()
        .expect("refused");
        assert!(
            matches!(&err, TrainError::Chips(ChipError::MissingChannel { missing, .. }) if missing == "swir1"),
            "{err}"
        );
        assert!(err.to_string().contains("--channels swir1"), "{err}");
        let c = root.join("c");
        tiny_set(&c, &["green", "nir"], 1, 4);
        let err = load_training_set(&[a, c], Some(&names), Normalisation::Scene, 64)
            .err()
            .expect("refused");
        assert!(err.to_string().contains("same --size"), "{err}");
        std::fs::remove_dir_all(&root).ok();
    }
}
