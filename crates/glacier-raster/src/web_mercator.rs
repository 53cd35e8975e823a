//! Putting a scene on a web map: its footprint in Web Mercator (EPSG:3857), the grid a web map
//! can stretch an image over without distortion, and that grid's bounds in longitude/latitude.
//!
//! Web maps (Leaflet, OpenLayers) place an image between two lon/lat corners and stretch it
//! linearly *in Web Mercator*. A UTM scene is not a rectangle there, so its pixels are resampled
//! onto a Web Mercator grid first ([`web_mercator_grid`] + [`crate::grid::source_positions`]).

use crate::georef::{Crs, GeoTransform};
use crate::grid::{Grid, ProjectionError, Projector};

/// EPSG code of Web Mercator.
pub const WEB_MERCATOR: u32 = 3857;
/// EPSG code of WGS 84 longitude/latitude.
pub const LON_LAT: u32 = 4326;
/// Points per scene edge used to find the footprint (edges bend slightly in Web Mercator).
const EDGE_POINTS: u32 = 64;

/// Bounds in longitude/latitude, degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LonLatBounds {
    /// Westernmost longitude.
    pub west: f64,
    /// Southernmost latitude.
    pub south: f64,
    /// Easternmost longitude.
    pub east: f64,
    /// Northernmost latitude.
    pub north: f64,
}

/// Points along the outline of `grid` (pixel corners), `EDGE_POINTS` per edge, in its own CRS.
fn outline(grid: &Grid) -> Vec<(f64, f64)> {
    let (w, h) = (f64::from(grid.width), f64::from(grid.height));
    let n = f64::from(EDGE_POINTS);
    (0..EDGE_POINTS)
        .flat_map(|i| {
            let t = f64::from(i) / n;
            [(t * w, 0.0), (w, t * h), (w - t * w, h), (0.0, h - t * h)]
        })
        .map(|(c, r)| grid.transform.apply(c, r))
        .collect()
}

/// The north-up Web Mercator grid covering `scene`, with square pixels sized so that its longer
/// side has at most `max_side` pixels.
///
/// # Errors
/// [`ProjectionError`] when the scene's CRS cannot be transformed, or its outline falls outside
/// Web Mercator's domain (beyond ±85°).
pub fn web_mercator_grid(scene: &Grid, max_side: u32) -> Result<Grid, ProjectionError> {
    let mercator = Crs::Epsg(WEB_MERCATOR);
    let to_mercator = Projector::new(&scene.crs, &mercator)?;
    let outside = || ProjectionError {
        from: scene.crs.to_string(),
        to: mercator.to_string(),
        reason: "the scene's outline falls outside Web Mercator (beyond ±85° latitude)".into(),
    };
    let (mut min_x, mut min_y) = (f64::INFINITY, f64::INFINITY);
    let (mut max_x, mut max_y) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (x, y) in outline(scene) {
        let (mx, my) = to_mercator.transform(x, y).ok_or_else(outside)?;
        min_x = min_x.min(mx);
        max_x = max_x.max(mx);
        min_y = min_y.min(my);
        max_y = max_y.max(my);
    }
    let side = (max_x - min_x).max(max_y - min_y);
    if !(side.is_finite() && side > 0.0) {
        return Err(outside());
    }
    let pixel = side / f64::from(max_side.max(1));
    // At least one pixel each way; the grid may extend up to a pixel past the footprint.
    let width = ((max_x - min_x) / pixel).ceil().max(1.0) as u32;
    let height = ((max_y - min_y) / pixel).ceil().max(1.0) as u32;
    Ok(Grid {
        width,
        height,
        transform: GeoTransform {
            x0: min_x,
            dx: pixel,
            rx: 0.0,
            y0: max_y,
            ry: 0.0,
            dy: -pixel,
        },
        crs: mercator,
    })
}

/// The bounds of `grid` (any CRS) in longitude/latitude: the extremes of its reprojected outline.
///
/// # Errors
/// [`ProjectionError`] when the grid's CRS cannot be transformed.
pub fn lon_lat_bounds(grid: &Grid) -> Result<LonLatBounds, ProjectionError> {
    let lon_lat = Crs::Epsg(LON_LAT);
    let to_lon_lat = Projector::new(&grid.crs, &lon_lat)?;
    let mut b = LonLatBounds {
        west: f64::INFINITY,
        south: f64::INFINITY,
        east: f64::NEG_INFINITY,
        north: f64::NEG_INFINITY,
    };
    for (x, y) in outline(grid) {
        let (lon, lat) = to_lon_lat.transform(x, y).ok_or_else(|| ProjectionError {
            from: grid.crs.to_string(),
            to: lon_lat.to_string(),
            reason: format!("point ({x}, {y}) has no longitude/latitude"),
        })?;
        b.west = b.west.min(lon);
        b.east = b.east.max(lon);
        b.south = b.south.min(lat);
        b.north = b.north.max(lat);
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Everest Landsat 7 crop's grid (800 × 655 px of 30 m, UTM 45N), as its files declare it.
    fn everest() -> Grid {
        Grid {
            width: 800,
            height: 655,
            transform: GeoTransform {
                x0: 478000.0,
                dx: 30.0,
                rx: 0.0,
                y0: 3108140.0,
                ry: 0.0,
                dy: -30.0,
            },
            crs: Crs::Epsg(32645),
        }
    }

    #[test]
    fn mercator_grid_covers_every_scene_corner_within_a_pixel() {
        let scene = everest();
        let merc = web_mercator_grid(&scene, 1024).expect("UTM 45N projects");
        assert_eq!(merc.crs, Crs::Epsg(3857));
        assert!(merc.width.max(merc.height) <= 1024 && merc.width.max(merc.height) >= 1023);
        let p = Projector::new(&scene.crs, &merc.crs).expect("known");
        let (w, h) = (f64::from(scene.width), f64::from(scene.height));
        for (c, r) in [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)] {
            let (x, y) = scene.transform.apply(c, r);
            let (mx, my) = p.transform(x, y).expect("in domain");
            let (col, row) = merc.transform.invert(mx, my).expect("north-up");
            assert!(
                (-1e-6..=f64::from(merc.width) + 1e-6).contains(&col)
                    && (-1e-6..=f64::from(merc.height) + 1e-6).contains(&row),
                "corner ({c}, {r}) at ({col}, {row}) of {}×{}",
                merc.width,
                merc.height
            );
        }
        // Mercator stretches by 1/cos(lat) ≈ 1.134 at 28° N: 24 km of scene become ≈ 27.2 km.
        let span = f64::from(merc.width) * merc.transform.dx;
        assert!((span / 24_000.0 - 1.134).abs() < 0.01, "{span}");
    }

    #[test]
    fn lon_lat_bounds_of_the_everest_crop() {
        // Corners of the crop: (478000, 3108140) is lon 86.776, lat 28.099 (see grid.rs).
        let b = lon_lat_bounds(&everest()).expect("known CRS");
        assert!((b.north - 28.099).abs() < 2e-3, "{b:?}");
        assert!((b.west - 86.776).abs() < 2e-3, "{b:?}");
        // 24 km east at 28° N is ≈ 0.2446° of longitude; 19.65 km south ≈ 0.1775° of latitude.
        assert!((b.east - b.west - 0.2446).abs() < 2e-3, "{b:?}");
        assert!((b.north - b.south - 0.1775).abs() < 2e-3, "{b:?}");
    }

    #[test]
    fn mercator_round_trip_through_lon_lat_bounds() {
        let merc = web_mercator_grid(&everest(), 512).expect("projects");
        let b = lon_lat_bounds(&merc).expect("known");
        let scene = lon_lat_bounds(&everest()).expect("known");
        // The Mercator grid holds the scene, with at most a Mercator pixel (≈ 60 m) to spare.
        let slack = 2.0 * merc.transform.dx / 111_320.0;
        assert!(
            b.west <= scene.west + 1e-9 && b.west > scene.west - slack,
            "{b:?} {scene:?}"
        );
        assert!(b.north >= scene.north - 1e-9 && b.north < scene.north + slack);
        assert!(b.east >= scene.east - 1e-9 && b.east < scene.east + slack);
        assert!(b.south <= scene.south + 1e-9 && b.south > scene.south - slack);
    }
}
