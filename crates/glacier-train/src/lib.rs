//! Training data for the glacier models (native only).
//!
//! - [`split`]: a spatial split of a scene into train / validation / test blocks with a buffer,
//!   so no chip of one split sees pixels next to another split's (never random pixels).
//! - [`chips`]: cut a scene's channels and rasterised outlines into chips and write them in the
//!   documented on-disk format (see [`chips::ChipSet`]).
//! - [`train`]: train the scSE U-Net on chips (masked BCE + Dice, flips/rot90, Adam), with
//!   checkpoints, early stopping and resuming.
//! - [`eval`]: a model on held-out chips beside the NDSI baseline on the same pixels.

pub mod chips;
pub mod eval;
pub mod split;
pub mod train;

pub use chips::{ChipOptions, ChipSet, Labels, write_chips};
pub use split::{SpatialSplit, Split};
