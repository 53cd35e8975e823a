//! The training loop: a network trained on chips with masked BCE + Dice ([`loss`]),
//! flips/rot90 augmentation (and relighting with [`TrainConfig::radiometric`]), Adam, validation IoU each epoch, early stopping, checkpoints and
//! resuming.
//!
//! One run may train on the chips of several scenes ([`load_training_set`]): each scene's chips
//! are normalised with that scene's own statistics (as prediction does with
//! [`Normalisation::Scene`](glacier_inputs::Normalisation::Scene)), then pooled; validation IoU
//! is over the pooled validation chips.
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
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::Device;
use glacier_infer::{InferError, ModelBundle};
use glacier_inputs::InputSpec;
use glacier_model::{Architecture, Precision, SegNet};

use crate::augment::{Augmentation, Rng, batch};
use crate::config::network;
use crate::data::ChipData;
use crate::loss::{scalar, validate};

pub use crate::config::{
    EpochLog, NetKind, Progress, Quiet, TrainConfig, TrainOutcome, TrainState,
};
pub use crate::error::TrainError;
pub use crate::loss::loss;
pub use crate::training_set::{TrainingSet, load_training_set};

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> TrainError + '_ {
    move |source| TrainError::Io {
        path: path.display().to_string(),
        source,
    }
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
    let record = Record {
        chips,
        channels,
        chip_sets,
        network: network(config, train_data.c),
        spec,
    };
    let ad = device.clone().autodiff();
    // The initial weights come from the backend's generator: seed it, so `seed` fixes the whole
    // run (burn's CPU backends keep one generator per process).
    ad.seed(config.seed);
    let mut model = record.network.init(&ad);
    let mut state = TrainState {
        config: config.clone(),
        epochs_done: 0,
        best: None,
        rng: config.seed.max(1),
        history: Vec::new(),
    };
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        if resume {
            (model, state) = resume_run(dir, config, model, &ad)?;
        }
    }
    let mut learner = Learner {
        model,
        optim: AdamConfig::new().init(),
        rng: Rng(state.rng),
    };
    let mut stopped_early = false;
    let mut best_bundle = match (out, resume) {
        (Some(dir), true) => read_best(dir)?,
        _ => None,
    };
    for epoch in state.epochs_done..config.epochs {
        if patience_spent(&state, config, epoch) {
            stopped_early = true;
            break;
        }
        let started = Instant::now();
        let train_loss;
        (learner, train_loss) = learner.epoch(&train_data, config, &ad, epoch, progress);
        let valid = learner.model.valid();
        let (val_loss, val_iou) = validate(&valid, &val_data, device);
        let log = EpochLog {
            epoch,
            train_loss,
            val_loss,
            val_iou,
            seconds: started.elapsed().as_secs_f64(),
        };
        progress.epoch(&log);
        let improved = end_epoch(&mut state, &log, learner.rng.0);
        if improved || out.is_some() {
            let bundle = record.bundle(&valid, &state)?;
            if let Some(dir) = out {
                write_checkpoint(dir, &bundle, improved, &log, &state)?;
            }
            if improved {
                best_bundle = Some(bundle);
            }
        }
    }
    let mut best = match best_bundle {
        Some(b) => b,
        None => record.bundle(&learner.model.valid(), &state)?,
    };
    best.header.training = record.provenance(&state);
    Ok(TrainOutcome {
        best,
        history: state.history,
        stopped_early,
    })
}

/// What every model file of a run records beside its weights.
struct Record<'a> {
    /// The chip directories.
    chips: &'a [PathBuf],
    /// The channels trained on.
    channels: Vec<String>,
    /// Per chip set: what [`TrainingSet::provenance`] holds.
    chip_sets: Vec<serde_json::Value>,
    /// The network trained.
    network: Architecture,
    /// The input spec prediction uses.
    spec: InputSpec,
}

impl Record<'_> {
    /// The header's `training` entry: chips, channels, settings, history and best epoch.
    fn provenance(&self, state: &TrainState) -> serde_json::Value {
        serde_json::json!({
            "chips": self.chips.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
            "channels": self.channels,
            "chip_sets": self.chip_sets,
            "config": state.config,
            "history": state.history,
            "best": state.best,
        })
    }

    /// An f32 model file of `model` with the run's provenance.
    fn bundle(&self, model: &SegNet, state: &TrainState) -> Result<ModelBundle, TrainError> {
        let mut bundle = ModelBundle::from_net(
            "checkpoint",
            model,
            self.network.clone(),
            self.spec.clone(),
            Precision::F32,
        )?;
        bundle.header.training = self.provenance(state);
        Ok(bundle)
    }
}

/// The network being trained, its optimiser, and the generator that shuffles and augments.
struct Learner {
    model: SegNet,
    optim: ModuleOptimizer,
    rng: Rng,
}

impl Learner {
    /// One pass over `data` in a shuffled order, each batch augmented; the mean training loss.
    fn epoch(
        mut self,
        data: &ChipData,
        config: &TrainConfig,
        device: &Device,
        epoch: usize,
        progress: &mut dyn Progress,
    ) -> (Learner, f32) {
        let mut order: Vec<usize> = (0..data.n).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (self.rng.next() % (i as u64 + 1)) as usize);
        }
        let steps = order.len().div_ceil(config.batch_size.max(1));
        let mut total = 0.0f32;
        for (step, ids) in order.chunks(config.batch_size.max(1)).enumerate() {
            let augmentation = Augmentation {
                rng: &mut self.rng,
                radiometric: config.radiometric,
            };
            let (x, y, w) = batch(data, ids, Some(augmentation), device);
            let l = loss(self.model.forward(x), y, w);
            let value = scalar(l.clone());
            total += value;
            let grads = GradientsParams::from_grads(l.backward(), &self.model);
            self.model = self.optim.step(config.learning_rate, self.model, grads);
            progress.step(epoch, step + 1, steps, value);
        }
        (self, total / steps.max(1) as f32)
    }
}

/// `true` when `patience` epochs have passed since the best one without a better one.
fn patience_spent(state: &TrainState, config: &TrainConfig, epoch: usize) -> bool {
    matches!(state.best, Some((best_epoch, _))
        if config.patience > 0 && epoch >= best_epoch + 1 + config.patience)
}

/// Records a finished epoch in `state` (history, count, generator); `true` when its validation
/// IoU is the best so far.
fn end_epoch(state: &mut TrainState, log: &EpochLog, rng: u64) -> bool {
    state.history.push(log.clone());
    state.epochs_done = log.epoch + 1;
    state.rng = rng;
    let improved = state.best.is_none_or(|(_, b)| log.val_iou > b);
    if improved {
        state.best = Some((log.epoch, log.val_iou));
    }
    improved
}

/// Continues the run recorded in `dir`: its state (with `config`'s settings) and the weights of
/// its `last.glcm` loaded into `model`.
fn resume_run(
    dir: &Path,
    config: &TrainConfig,
    model: SegNet,
    device: &Device,
) -> Result<(SegNet, TrainState), TrainError> {
    let state_path = dir.join("state.json");
    let text = std::fs::read_to_string(&state_path).map_err(io_err(&state_path))?;
    let saved: TrainState = serde_json::from_str(&text).map_err(|e| TrainError::Resume {
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
    let model = glacier_model::import_weights(model, &last.tensors, device).map_err(|source| {
        InferError::Weights {
            file: last_path.display().to_string(),
            source,
        }
    })?;
    let state = TrainState {
        config: config.clone(),
        ..saved
    };
    Ok((model, state))
}

/// The best model so far of the run in `dir`, if it has written one.
///
/// # Errors
/// [`TrainError::Model`] when `best.glcm` is there but not a model file.
fn read_best(dir: &Path) -> Result<Option<ModelBundle>, TrainError> {
    let best_path = dir.join("best.glcm");
    match std::fs::read(&best_path) {
        Ok(bytes) => Ok(Some(ModelBundle::from_bytes(
            &best_path.display().to_string(),
            &bytes,
        )?)),
        Err(_) => Ok(None),
    }
}

/// Writes an epoch's checkpoint into `dir`: `last.glcm` (and `best.glcm` when `improved`), a
/// line of `metrics.jsonl`, `state.json`.
fn write_checkpoint(
    dir: &Path,
    bundle: &ModelBundle,
    improved: bool,
    log: &EpochLog,
    state: &TrainState,
) -> Result<(), TrainError> {
    save_bundle(&dir.join("last.glcm"), bundle)?;
    if improved {
        save_bundle(&dir.join("best.glcm"), bundle)?;
    }
    let metrics = dir.join("metrics.jsonl");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&metrics)
        .map_err(io_err(&metrics))?;
    writeln!(f, "{}", serde_json::to_string(log).unwrap_or_default()).map_err(io_err(&metrics))?;
    let state_path = dir.join("state.json");
    std::fs::write(
        &state_path,
        serde_json::to_string_pretty(state).unwrap_or_default(),
    )
    .map_err(io_err(&state_path))
}

fn save_bundle(path: &Path, bundle: &ModelBundle) -> Result<(), TrainError> {
    // Write then rename, so an interrupted run never leaves half a checkpoint.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bundle.to_bytes()).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
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
