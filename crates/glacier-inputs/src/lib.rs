//! From scene files to the tensors a model takes, identically in the page and the CLI.
//!
//! - [`archive`]: a scene archive (`.tar` as USGS delivers it, `.tar.gz`) as the files it holds.
//! - [`source`]: where file bytes come from (a path natively, memory in the browser).
//! - [`pieces`]: a file of which only some ranges are at hand, for reading a GeoTIFF's header
//!   without its pixels.
//! - [`recognise`]: what a file is from its name alone (the page's list of dropped files).
//! - [`dates`]: a drop's files by the acquisition date their names tell (two dates: a change).
//! - [`scene`]: assemble a scene from Landsat-named files, explicit band mappings or a stacked
//!   GeoTIFF; check that it is one scene on one grid; every error names the file.
//! - [`channels`]: build named input channels window by window (reflectance, brightness
//!   temperature, elevation, slope, NDSI/NDWI/NDVI) in bounded memory.
//! - [`spec`]: a model's input channels with their normalisation statistics, tile and overlap.
//! - [`tiling`]: overlapping tiles over a scene and seamless blending of their predictions.
//! - [`baseline`]: the NDSI-threshold glacier classifier every network must beat.
//! - [`plausibility`]: where glacier can physically be (NDSI > 0, NIR > 0.11), to keep the
//!   network's glacier to it.

pub mod archive;
pub mod baseline;
pub mod channels;
pub mod dates;
pub mod error;
pub mod pieces;
pub mod plausibility;
pub mod recognise;
pub mod scene;
pub mod scene_bytes;
pub mod source;
pub mod spec;
pub mod tiling;

pub use archive::{ArchiveFormat, Unpacked, unpack};
pub use channels::{ChannelName, ChannelReader};
pub use error::InputError;
pub use scene::{BandSource, Scene, SceneBuilder};
pub use source::{BytesSource, FileSource, ReadSeek};
pub use spec::{
    ChannelStats, InputSpec, Normalisation, StatisticsPass, StatsAccumulator, Units,
    scene_statistics,
};
