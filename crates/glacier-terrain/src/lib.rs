//! Terrain on the scene grid: a DEM in any supported CRS resampled onto the Landsat grid, and its
//! slope.
//!
//! - [`resample`]: nearest or bilinear resampling through a CRS change (UTM, lon/lat, local
//!   Transverse Mercator), nodata-aware.
//! - [`slope`]: slope in degrees with Horn's (1981) 3×3 kernel, as `gdaldem slope -alg Horn
//!   -compute_edges` computes it.

pub mod resample;
pub mod slope;

pub use resample::{Resampling, resample};
pub use slope::{PixelSize, slope_degrees};
