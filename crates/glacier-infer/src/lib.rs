//! Running an exported glacier model, identically in the page and the CLI.
//!
//! - [`bundle`]: the model file: magic, JSON header (network config, input spec, threshold,
//!   provenance, a reference check) and int8/f32 weights; read from and written to bytes.
//! - [`predict`]: normalise a window's channels, run the network tile by tile with overlap, and
//!   blend the probabilities without seams, strip by strip over a whole scene in bounded memory.
//! - [`metrics`]: confusion counts and IoU, F1, precision, recall.
//!
//! Nothing here touches files or clocks; sources of bytes come from the caller.

pub mod bundle;
pub mod error;
pub mod metrics;
pub mod predict;
mod sizes;

pub use bundle::{ModelBundle, ModelHeader, ReferenceCheck};
pub use error::InferError;
pub use metrics::{Confusion, Scores};
pub use predict::{Predictor, PreparedInput, ScenePrediction};
