//! Landsat 8/9 scenes: which file is which, what the MTL says, and the physics that turns
//! digital numbers into reflectance and temperature.
//!
//! - [`names`]: recognise Landsat file names (Collection 2 Level-1/Level-2, Collection 1,
//!   pre-collection, HLS L30).
//! - [`channel`]: model input channels and the Landsat 8/9 band numbers they come from.
//! - [`mtl`]: parse MTL metadata in ODL text (`_MTL.txt`) and JSON (`_MTL.json`), groups kept apart.
//! - [`calibration`]: the scene's calibration constants, read from the right MTL groups.
//! - [`radiometry`]: DN → TOA reflectance (sun-elevation corrected), DN → brightness temperature,
//!   Level-2 scale factors; fill → NaN.
//! - [`qa`]: Collection 2 QA_PIXEL bits and the cloud/fill mask (snow never masks glaciers).
//!
//! No file I/O here: callers hand in text and samples, so the page and the CLI share it.

pub mod calibration;
pub mod channel;
pub mod error;
pub mod mtl;
pub mod names;
pub mod qa;
pub mod radiometry;

pub use calibration::{Calibration, Level, SceneMetadata};
pub use channel::Channel;
pub use error::LandsatError;
pub use mtl::Mtl;
pub use names::{FileKind, LandsatFileName, date_in_name};
pub use qa::{QaMaskRules, QaPixel};
