//! Why mapping a scene stopped, by cause.

use glacier_infer::InferError;
use glacier_inputs::InputError;
use glacier_raster::{GridTooLarge, RasterError};

/// Why [`crate::map_scene`] returned no map.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// The caller's progress callback asked to stop.
    #[error("mapping cancelled")]
    Cancelled,
    /// The scene's files could not be read (the message names the file).
    #[error(transparent)]
    Scene(#[from] InputError),
    /// Only the network was asked for and the scene lacks a channel it takes.
    #[error("the network needs the channels {needs}: {source}")]
    MissingChannels {
        /// The model's channels, comma-separated.
        needs: String,
        /// What the reader found missing.
        source: InputError,
    },
    /// Only the network was asked for and the scene's bands are not in the units its
    /// statistics were taken in ([`InputError::UnitsMismatch`]).
    #[error("the network cannot run on this scene: {0}")]
    Units(InputError),
    /// Neither classifier can run on these files; the reasons, in words.
    #[error("Nothing can be mapped with these files: {0} Add the missing bands of the same scene.")]
    NothingToMap(String),
    /// The scene's grid has more pixels than a mask can hold.
    #[error("{file}: {source}")]
    SceneTooLarge {
        /// The file that gave the grid.
        file: String,
        /// How large it is.
        source: GridTooLarge,
    },
    /// The model could not be put on the first device.
    #[error(transparent)]
    Model(#[from] InferError),
    /// The network failed on every device it was given and no baseline was asked for.
    #[error("{0}")]
    NetworkFailed(String),
    /// The scene grid cannot be held, or an export could not be written.
    #[error(transparent)]
    Raster(#[from] RasterError),
}
