//! Glacier change between two dates: two glacier masks (1 glacier, 0 not, nodata) brought onto
//! one grid, each pixel classed no glacier / stable / lost / gained / no data, the areas with
//! the buffer-method uncertainty, and the same per glacier outline.
//!
//! - [`mask`]: a date's mask from a raster's values, refusing anything that is not 0/1/nodata.
//! - [`align`]: the second date onto the first date's grid (same grid, an exact whole-pixel
//!   shift, else nearest-neighbour reprojection).
//! - [`area`]: pixel areas (projected, or per row on lon/lat grids).
//! - [`compare`]: the classes and their tallies (areas, boundary buffers, ambiguous
//!   probabilities), for the grid and for each outline.
//! - [`glaciers`]: one row per outline, keyed by its RGI id; CSV.
//! - [`one_date`]: one date's glacier area per outline, a time series' row.
//! - [`plot`]: glaciers' areas over the years as an SVG chart with error bars.
//! - [`summary`]: the grid's numbers (serialisable) and the change GeoTIFF with its colours.
//!
//! No files of its own: callers read the rasters and outlines and write what comes out, so the
//! page can use it as the CLI does.

pub mod align;
pub mod area;
pub mod compare;
mod error;
pub mod glaciers;
pub mod mask;
pub mod one_date;
pub mod plot;
pub mod summary;

pub use align::Alignment;
pub use compare::{Comparison, Probabilities, class, compare};
pub use error::ChangeError;
pub use glaciers::{GlacierChange, per_glacier, write_csv};
pub use mask::{Mask, NO_DATA};
pub use one_date::{GlacierArea, per_glacier_area};
pub use summary::{Summary, UNCERTAINTY_METHOD, write_change_geotiff};

/// `x` rounded to `decimals` decimal places (tables and summaries: km² to 0.0001, a ninth of a
/// 30 m pixel; percentages to 0.01; shares to 0.0001).
pub(crate) fn rounded(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}
