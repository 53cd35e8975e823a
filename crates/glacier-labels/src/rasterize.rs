//! Burning polygons onto a grid with the pixel-centre rule.

use glacier_raster::{Grid, Projector};

use crate::outlines::{LabelError, Outlines};

/// A mask on `grid`: 1 where a pixel centre lies inside an outline (even-odd within each polygon,
/// so holes are excluded; union across polygons), else 0.
///
/// # Errors
/// [`LabelError::GridTooLarge`] for a grid over [`glacier_raster::MAX_GRID_PIXELS`],
/// [`LabelError::Projection`] when the outlines' CRS cannot be moved into the grid's.
pub fn rasterize(outlines: &Outlines, grid: &Grid) -> Result<Vec<u8>, LabelError> {
    burn(outlines, grid, 0u8, |_| 1)
}

/// Which feature each pixel of `grid` lies in, by the same pixel-centre rule as [`rasterize`]:
/// `0` outside every outline, else [`Polygon::feature`](crate::Polygon::feature) + 1. Outlines
/// that share an edge split its pixels between them (a centre on the edge goes to the outline
/// on its right or below, as each polygon is filled over `[x0, x1)`); where outlines overlap,
/// the later feature in the file wins.
///
/// # Errors
/// As [`rasterize`].
pub fn rasterize_features(outlines: &Outlines, grid: &Grid) -> Result<Vec<u32>, LabelError> {
    burn(outlines, grid, 0u32, |p| {
        u32::try_from(p.feature + 1).unwrap_or(u32::MAX)
    })
}

/// Fills `value(polygon)` into the pixels whose centre lies in each polygon, `empty` elsewhere.
fn burn<T: Copy>(
    outlines: &Outlines,
    grid: &Grid,
    empty: T,
    value: impl Fn(&crate::Polygon) -> T,
) -> Result<Vec<T>, LabelError> {
    let pixels = grid
        .checked_pixels()
        .map_err(|source| LabelError::GridTooLarge {
            file: outlines.file.clone(),
            source,
        })?;
    let projector =
        Projector::new(&outlines.crs, &grid.crs).map_err(|source| LabelError::Projection {
            file: outlines.file.clone(),
            source,
        })?;
    let (w, h) = (grid.width as usize, grid.height as usize);
    let mut mask = vec![empty; pixels];
    let mut crossings = Vec::new();
    for (number, polygon) in outlines.polygons.iter().enumerate() {
        let fill = value(polygon);
        // Vertices in pixel coordinates of the grid (corner convention). A vertex that cannot be
        // moved is an error: dropping it would reshape the polygon.
        let rings = polygon
            .rings
            .iter()
            .map(|ring| {
                ring.iter()
                    .map(|&(x, y)| to_pixels(&projector, grid, (x, y)))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| unplaceable(outlines, grid, number, ring, &projector))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (min_y, max_y) = rings
            .iter()
            .flatten()
            .fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                (lo.min(p.1), hi.max(p.1))
            });
        if min_y > max_y {
            continue;
        }
        // Clamped to the grid before the casts: an outline may lie anywhere (1e300 too), and
        // an index past the grid must not overflow the arithmetic below.
        let first_row = (min_y - 0.5).ceil().clamp(0.0, h as f64) as usize;
        let last_row = ((max_y - 0.5).floor() as i64).min(h as i64 - 1);
        for row in first_row as i64..=last_row {
            let y = row as f64 + 0.5;
            crossings.clear();
            for ring in &rings {
                for (i, &(x1, y1)) in ring.iter().enumerate() {
                    let (x2, y2) = ring[(i + 1) % ring.len()];
                    if (y1 <= y && y < y2) || (y2 <= y && y < y1) {
                        crossings.push(x1 + (y - y1) / (y2 - y1) * (x2 - x1));
                    }
                }
            }
            crossings.sort_by(f64::total_cmp);
            for pair in crossings.chunks_exact(2) {
                // Columns whose centre c + 0.5 lies in [x0, x1).
                let start = (pair[0] - 0.5).ceil().clamp(0.0, w as f64) as usize;
                let end = ((pair[1] - 0.5).ceil() as i64).clamp(0, w as i64) as usize;
                let line = row as usize * w;
                for cell in mask
                    .iter_mut()
                    .take(line + end.max(start))
                    .skip(line + start)
                {
                    *cell = fill;
                }
            }
        }
    }
    Ok(mask)
}

/// A vertex in the grid's pixel coordinates; `None` when it has no finite position there.
fn to_pixels(projector: &Projector, grid: &Grid, (x, y): (f64, f64)) -> Option<(f64, f64)> {
    let (px, py) = projector
        .transform(x, y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .and_then(|(a, b)| grid.transform.invert(a, b))?;
    (px.is_finite() && py.is_finite()).then_some((px, py))
}

/// The error for polygon `number` (0-based), naming its first vertex that cannot be placed.
fn unplaceable(
    outlines: &Outlines,
    grid: &Grid,
    number: usize,
    ring: &[(f64, f64)],
    projector: &Projector,
) -> LabelError {
    let (x, y) = ring
        .iter()
        .copied()
        .find(|&p| to_pixels(projector, grid, p).is_none())
        .unwrap_or((f64::NAN, f64::NAN));
    LabelError::Projection {
        file: outlines.file.clone(),
        source: glacier_raster::ProjectionError {
            from: outlines.crs.to_string(),
            to: grid.crs.to_string(),
            reason: format!(
                "vertex ({x}, {y}) of outline {} has no place on the scene's grid; check that \
                 the outlines' coordinate system is right (a shapefile's .prj; GeoJSON is \
                 longitude, latitude)",
                number + 1
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outlines::Polygon;
    use glacier_raster::{Crs, GeoTransform};

    #[test]
    fn square_with_a_hole() {
        let grid = Grid {
            width: 6,
            height: 6,
            transform: GeoTransform {
                x0: 0.0,
                dx: 1.0,
                rx: 0.0,
                y0: 6.0,
                ry: 0.0,
                dy: -1.0,
            },
            crs: Crs::Epsg(32645),
        };
        let outer = vec![(0.2, 0.2), (5.8, 0.2), (5.8, 5.8), (0.2, 5.8)];
        let hole = vec![(2.2, 2.2), (3.8, 2.2), (3.8, 3.8), (2.2, 3.8)];
        let outlines = Outlines {
            file: "t".into(),
            polygons: vec![Polygon {
                rings: vec![outer, hole],
                feature: 0,
            }],
            crs: Crs::Epsg(32645),
            attributes: Vec::new(),
        };
        let mask = rasterize(&outlines, &grid).expect("same CRS");
        assert_eq!(mask.iter().filter(|m| **m == 1).count(), 36 - 4);
        assert_eq!(mask[2 * 6 + 2], 0, "hole");
        assert_eq!(mask[0], 1);
    }

    #[test]
    fn outlines_sharing_an_edge_split_its_pixels() {
        let grid = Grid {
            width: 6,
            height: 4,
            transform: GeoTransform {
                x0: 0.0,
                dx: 1.0,
                rx: 0.0,
                y0: 4.0,
                ry: 0.0,
                dy: -1.0,
            },
            crs: Crs::Epsg(32645),
        };
        // Two rectangles sharing the edge x = 3.5, which passes through the centres of column 3.
        let left = vec![(0.0, 0.0), (3.5, 0.0), (3.5, 4.0), (0.0, 4.0)];
        let right = vec![(3.5, 0.0), (6.0, 0.0), (6.0, 4.0), (3.5, 4.0)];
        let outlines = Outlines {
            file: "t".into(),
            polygons: vec![
                Polygon {
                    rings: vec![left],
                    feature: 0,
                },
                Polygon {
                    rings: vec![right],
                    feature: 1,
                },
            ],
            crs: Crs::Epsg(32645),
            attributes: Vec::new(),
        };
        let ids = rasterize_features(&outlines, &grid).expect("same CRS");
        // Every pixel in exactly one: columns 0–2 the first, 3–5 the second (centre on the edge
        // goes right).
        for row in 0..4 {
            assert_eq!(&ids[row * 6..row * 6 + 6], &[1, 1, 1, 2, 2, 2], "row {row}");
        }
        assert_eq!(
            rasterize(&outlines, &grid).expect("same CRS"),
            vec![1u8; 24],
            "the union covers all"
        );
    }

    #[test]
    fn a_grid_over_the_cap_is_an_error_not_an_allocation() {
        // 100 000 × 100 000 px: 10 GB of mask natively; in wasm32 `w * h` wrapped.
        let mut grid = Grid {
            width: 100_000,
            height: 100_000,
            transform: GeoTransform {
                x0: 0.0,
                dx: 1.0,
                rx: 0.0,
                y0: 0.0,
                ry: 0.0,
                dy: -1.0,
            },
            crs: Crs::Epsg(32645),
        };
        let outlines = Outlines {
            file: "rgi.shp".into(),
            polygons: Vec::new(),
            crs: Crs::Epsg(32645),
            attributes: Vec::new(),
        };
        let err = rasterize(&outlines, &grid).expect_err("over the cap");
        let expected = glacier_raster::GridTooLarge {
            width: 100_000,
            height: 100_000,
        };
        assert!(
            matches!(&err, LabelError::GridTooLarge { source, .. } if *source == expected),
            "{err}"
        );
        assert!(
            err.to_string().starts_with(
                "rgi.shp: cannot rasterise the outlines: a 100000 × 100000 px grid is over the \
                 limit"
            ),
            "{err}"
        );
        grid.height = 10;
        assert_eq!(rasterize(&outlines, &grid).expect("1 Mpx").len(), 1_000_000);
    }

    #[test]
    fn a_vertex_that_cannot_be_projected_is_an_error_not_dropped() {
        let grid = Grid {
            width: 10,
            height: 10,
            transform: GeoTransform {
                x0: 500_000.0,
                dx: 30.0,
                rx: 0.0,
                y0: 3_100_000.0,
                ry: 0.0,
                dy: -30.0,
            },
            crs: Crs::Epsg(32645),
        };
        let square = |lat: f64| Outlines {
            file: "rgi.geojson".into(),
            polygons: vec![
                Polygon {
                    rings: vec![vec![(87.0, 28.0), (87.001, 28.0), (87.001, 28.001)]],
                    feature: 0,
                },
                Polygon {
                    rings: vec![vec![(87.0, 28.0), (87.001, lat), (87.001, 28.001)]],
                    feature: 1,
                },
            ],
            crs: Crs::Epsg(4326),
            attributes: Vec::new(),
        };
        assert!(rasterize(&square(28.0), &grid).is_ok());
        // Latitude 200° (a file in another CRS read as lon/lat) has no place in UTM.
        let e = rasterize(&square(200.0), &grid).expect_err("no place for the vertex");
        let text = e.to_string();
        assert!(text.starts_with("rgi.geojson: "), "{text}");
        assert!(
            text.contains("vertex (87.001, 200) of outline 2 has no place"),
            "{text}"
        );
    }
}
