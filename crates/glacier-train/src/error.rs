//! Why training could not run ([`TrainError`]).

use glacier_infer::InferError;

use crate::chips::ChipError;

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
