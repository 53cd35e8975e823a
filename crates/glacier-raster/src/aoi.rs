//! An area of interest given in longitude/latitude (`west,south,east,north`, as STAC and
//! `--bbox` take it), and the window of a grid that covers it.

use crate::grid::{Grid, ProjectionError, Projector};
use crate::{Crs, LonLatBounds, Window};

/// Points per edge when the area's outline is moved into a grid's CRS (its edges curve there).
const EDGE_POINTS: usize = 21;

/// Why an area of interest cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AoiError {
    /// The text is not four numbers in range.
    #[error(
        "bad area {text:?}: {why}; give west,south,east,north in degrees, e.g. 86.8,27.9,87.0,28.1"
    )]
    Parse {
        /// What was given.
        text: String,
        /// What is wrong with it.
        why: String,
    },
    /// The area and the grid share no pixel.
    #[error(
        "the area {area} does not overlap the scene, which covers {scene}; pick an area inside it"
    )]
    NoOverlap {
        /// The area, in words.
        area: String,
        /// The scene's bounds, in words.
        scene: String,
    },
    /// The grid's CRS cannot be related to longitude/latitude.
    #[error(transparent)]
    Projection(#[from] ProjectionError),
}

/// Parses `west,south,east,north` in degrees.
///
/// # Errors
/// [`AoiError::Parse`] when it is not four numbers, or west ≥ east, south ≥ north, or out of
/// range.
pub fn parse_bbox(text: &str) -> Result<LonLatBounds, AoiError> {
    let bad = |why: &str| AoiError::Parse {
        text: text.to_owned(),
        why: why.to_owned(),
    };
    let values: Vec<f64> = text
        .split(',')
        .map(|v| v.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("not four numbers separated by commas"))?;
    let [west, south, east, north] = values[..] else {
        return Err(bad(&format!("{} numbers, not four", values.len())));
    };
    if !(-180.0..=180.0).contains(&west) || !(-180.0..=180.0).contains(&east) {
        return Err(bad("longitudes must be within -180..180"));
    }
    if !(-90.0..=90.0).contains(&south) || !(-90.0..=90.0).contains(&north) {
        return Err(bad("latitudes must be within -90..90"));
    }
    if west >= east || south >= north {
        return Err(bad("west must be less than east and south less than north"));
    }
    Ok(LonLatBounds {
        west,
        south,
        east,
        north,
    })
}

/// `b` in words, for messages.
pub fn describe(b: &LonLatBounds) -> String {
    format!(
        "{:.4},{:.4},{:.4},{:.4} (west,south,east,north)",
        b.west, b.south, b.east, b.north
    )
}

/// The smallest window of `grid` holding every pixel the area touches, clipped to the grid.
///
/// # Errors
/// [`AoiError::NoOverlap`] when the area misses the grid, [`AoiError::Projection`] when the
/// grid's CRS cannot be reached from longitude/latitude.
pub fn window_covering(grid: &Grid, area: &LonLatBounds) -> Result<Window, AoiError> {
    let projector = Projector::new(&Crs::Epsg(4326), &grid.crs)?;
    let (mut c0, mut r0, mut c1, mut r1) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    let step = |a: f64, b: f64, i: usize| a + (b - a) * i as f64 / (EDGE_POINTS - 1) as f64;
    for i in 0..EDGE_POINTS {
        let lon = step(area.west, area.east, i);
        let lat = step(area.south, area.north, i);
        for (x, y) in [
            (lon, area.south),
            (lon, area.north),
            (area.west, lat),
            (area.east, lat),
        ] {
            let Some((px, py)) = projector
                .transform(x, y)
                .and_then(|(e, n)| grid.transform.invert(e, n))
            else {
                continue;
            };
            c0 = c0.min(px);
            c1 = c1.max(px);
            r0 = r0.min(py);
            r1 = r1.max(py);
        }
    }
    let (w, h) = (f64::from(grid.width), f64::from(grid.height));
    let col = c0.floor().clamp(0.0, w);
    let row = r0.floor().clamp(0.0, h);
    let right = c1.ceil().clamp(0.0, w);
    let bottom = r1.ceil().clamp(0.0, h);
    if !(right > col && bottom > row) {
        return Err(AoiError::NoOverlap {
            area: describe(area),
            scene: crate::lon_lat_bounds(grid)
                .map(|b| describe(&b))
                .unwrap_or_else(|e| format!("an area whose bounds cannot be computed ({e})")),
        });
    }
    // Within 0..=u32::MAX: clamped to the grid's own size above.
    Ok(Window::new(
        col as u32,
        row as u32,
        (right - col) as u32,
        (bottom - row) as u32,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GeoTransform;

    /// The Everest Landsat 7 crop's grid (800 × 655 px of 30 m, UTM 45N).
    fn everest() -> Grid {
        Grid {
            width: 800,
            height: 655,
            transform: GeoTransform {
                x0: 478_000.0,
                dx: 30.0,
                rx: 0.0,
                y0: 3_108_140.0,
                ry: 0.0,
                dy: -30.0,
            },
            crs: Crs::Epsg(32645),
        }
    }

    #[test]
    fn bbox_text() {
        let b = parse_bbox("86.8, 27.9,87.0,28.1").expect("four numbers");
        assert_eq!((b.west, b.north), (86.8, 28.1));
        for bad in ["1,2,3", "a,b,c,d", "10,0,5,1", "0,95,1,96", "200,0,201,1"] {
            let e = parse_bbox(bad).expect_err(bad).to_string();
            assert!(e.contains("west,south,east,north"), "{e}");
        }
    }

    #[test]
    fn windows_inside_across_and_outside() {
        let grid = everest();
        // The whole crop's bounds give the whole grid.
        let all = crate::lon_lat_bounds(&grid).expect("UTM 45N");
        assert_eq!(
            window_covering(&grid, &all).expect("same area"),
            Window::new(0, 0, 800, 655)
        );
        // UTM 45N (490000, 3098000) is 86.8982872 E, 28.0071628 N (gdaltransform): the pixel
        // (400, 338); a box of ±0.001° around it covers about 7 × 8 pixels there.
        let small = LonLatBounds {
            west: 86.897_287,
            south: 28.006_163,
            east: 86.899_287,
            north: 28.008_163,
        };
        let w = window_covering(&grid, &small).expect("inside");
        assert!(w.col <= 400 && w.col + w.width > 400, "{w:?}");
        assert!(w.row <= 338 && w.row + w.height > 338, "{w:?}");
        assert!(
            (6..=9).contains(&w.width) && (7..=10).contains(&w.height),
            "{w:?}"
        );
        // Half outside: clipped to the grid.
        let west_edge = LonLatBounds {
            west: 86.0,
            ..small
        };
        let w = window_covering(&grid, &west_edge).expect("overlaps");
        assert_eq!(w.col, 0);
        // Elsewhere on Earth: no pixel.
        let alps = parse_bbox("7.9,45.9,8.0,46.0").expect("valid");
        let e = window_covering(&grid, &alps)
            .expect_err("far away")
            .to_string();
        assert!(e.contains("does not overlap the scene"), "{e}");
    }
}
