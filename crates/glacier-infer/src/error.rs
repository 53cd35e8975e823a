//! Errors, split by cause: a damaged or foreign model file, a model that does not fit its own
//! config, inputs that cannot be read, or a backend that failed.

use glacier_model::WeightError;

/// Why a model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum InferError {
    /// The bytes are not a glacier model file.
    #[error(
        "{file}: not a glacier model file (it does not start with GLCM); export one with `glacier export`"
    )]
    NotAModel {
        /// File name.
        file: String,
    },
    /// A model file of a format version this program does not read.
    #[error(
        "{file}: model format version {found}, this program reads version {supported}; use a matching release or export the model again"
    )]
    Version {
        /// File name.
        file: String,
        /// Version in the file.
        found: u32,
        /// Version this program reads.
        supported: u32,
    },
    /// The file ends before its header or weights do.
    #[error(
        "{file}: the model file is truncated ({have} bytes, {needed} needed); download or copy it again"
    )]
    Truncated {
        /// File name.
        file: String,
        /// Bytes present.
        have: usize,
        /// Bytes the header promises.
        needed: usize,
    },
    /// The JSON header does not parse.
    #[error("{file}: the model header is not valid: {detail}")]
    Header {
        /// File name.
        file: String,
        /// Parser message.
        detail: String,
    },
    /// The weights do not fit the network the header describes.
    #[error("{file}: {source}")]
    Weights {
        /// File name.
        file: String,
        /// Cause.
        #[source]
        source: WeightError,
    },
    /// Reading the scene's channels failed.
    #[error(transparent)]
    Inputs(#[from] glacier_inputs::InputError),
    /// The backend failed to compute or return a result.
    #[error("the {backend} backend failed: {detail}")]
    Backend {
        /// Which backend.
        backend: String,
        /// What it said.
        detail: String,
    },
}
