//! Glacier outlines as labels: read polygons (ESRI shapefile, GeoJSON, and natively GeoPackage), move them into the scene's
//! CRS and burn them onto its grid with the pixel-centre rule (a pixel is glacier when its centre
//! lies inside an outline and outside its holes), as `gdal_rasterize` does without `-at`.
//! Each feature keeps its attributes (RGI ids and names), and can be burnt by feature.
//! And back: a mask's glacier patches as polygons on pixel edges, written as GeoJSON; outlines
//! themselves as GeoJSON (`Outlines::to_geojson`).

pub mod attributes;
pub mod export;
#[cfg(not(target_family = "wasm"))]
pub mod geopackage;
pub mod outlines;
pub mod rasterize;
mod shp_records;
pub mod vectorize;

pub use attributes::Attributes;
pub use outlines::{LabelError, Outlines, Polygon};
pub use rasterize::{rasterize, rasterize_features};
pub use vectorize::{PixelPolygon, polygonize, to_geojson};
