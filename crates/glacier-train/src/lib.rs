//! Training data, training and evaluation of the glacier models (native only).
//!
//! - [`split`]: a spatial split of a scene into train / validation / test blocks with a buffer,
//!   so no chip of one split sees pixels next to another split's (never random pixels).
//! - [`chips`]: cut a scene's channels and rasterised outlines into chips and write them in the
//!   documented on-disk format (see [`chips::ChipSet`]).
//! - [`data`]: chips read back (one split in memory), the input spec of a chip set, channels
//!   picked by name; what training and evaluation both read.
//! - [`training_set`]: the chips of one or more scenes, each normalised with its own
//!   statistics, pooled for one run.
//! - [`config`]: training settings, the per-epoch log, the resumable state, the outcome and the
//!   progress callback.
//! - `augment` (private): the generator, flips/rot90 and batching.
//! - [`radiometry`]: relighting chips (illumination, band gain, haze) for training.
//! - [`loss`]: masked BCE + Dice, and the validation each epoch ends with.
//! - [`train`]: the loop (Adam, checkpoints, early stopping, resuming).
//! - [`eval`]: a model on held-out chips beside the NDSI baseline on the same pixels; needs
//!   [`data`], not the training loop.
//! - [`release`]: a trained model released: both precisions evaluated per chip set and the
//!   model card.

mod augment;
pub mod chips;
pub mod config;
pub mod data;
mod error;
pub mod eval;
pub mod loss;
pub mod radiometry;
pub mod release;
pub mod split;
pub mod train;
pub mod training_set;

pub use chips::{ChipOptions, ChipScene, ChipSet, Labels, write_chips};
pub use config::{EpochLog, NetKind, Progress, Quiet, TrainConfig, TrainOutcome, TrainState};
pub use error::TrainError;
pub use split::{SpatialSplit, Split};
pub use training_set::{TrainingSet, load_training_set};
