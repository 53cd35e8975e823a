//! GeoTIFF reading with georeferencing, for Landsat bands, DEMs and label rasters.
//!
//! Built on the [`tiff`] crate's decoder (strips and tiles; none, LZW, DEFLATE, PackBits; ZSTD through
//! the C library natively and pure-Rust `ruzstd` in wasm; predictors 2 and 3; BigTIFF; chunky and
//! planar samples; LZW and PackBits chunks decompressed by our own faster codecs), extended with what GeoTIFF
//! adds: GeoKeys, the affine transform, nodata, and GDAL's band metadata. Reads are chunk-wise into
//! a window, so a caller can take one window of a full Landsat scene without decoding all of it.
//!
//! [`web_mercator_grid`] and [`lon_lat_bounds`] place a scene on a web map.
//!
//! [`write_geotiff`] writes georeferenced uint8/float32 GeoTIFFs (DEFLATE) strip by strip.
//!
//! Works the same natively and in `wasm32-unknown-unknown`: the reader takes any
//! `Read + Seek` (a file, or bytes in memory in the browser).

pub mod aoi;
mod chunks;
pub mod error;
pub mod gdal_metadata;
pub mod georef;
pub mod grid;
mod limits;
mod lzw;
mod overview;
mod packbits;
#[cfg(not(target_family = "wasm"))]
mod parallel;
pub mod reader;
pub mod samples;
pub mod sniff;
pub mod web_mercator;
pub mod window;
pub mod writer;

pub use aoi::{AoiError, parse_bbox, window_covering};
pub use error::{RasterError, Result};
pub use gdal_metadata::BandMetadata;
pub use georef::{Crs, GeoTransform, RasterType};
pub use grid::{
    Grid, GridError, GridTooLarge, MAX_GRID_PIXELS, ProjectionError, Projector, grid_pixels,
};
pub use reader::{GeoTiffReader, RasterInfo, ReadLimits, Window};
pub use samples::{SampleType, Samples};
pub use web_mercator::{LonLatBounds, lon_lat_bounds, web_mercator_grid};
pub use writer::{RasterSpec, WriteSample, write_geotiff};
