//! Burning polygons onto a grid with the pixel-centre rule.

use glacier_raster::{Grid, Projector};

use crate::outlines::{LabelError, Outlines};

/// A mask on `grid`: 1 where a pixel centre lies inside an outline (even-odd within each polygon,
/// so holes are excluded; union across polygons), else 0.
///
/// # Errors
/// [`LabelError::Projection`] when the outlines' CRS cannot be moved into the grid's.
pub fn rasterize(outlines: &Outlines, grid: &Grid) -> Result<Vec<u8>, LabelError> {
    let projector =
        Projector::new(&outlines.crs, &grid.crs).map_err(|source| LabelError::Projection {
            file: outlines.file.clone(),
            source,
        })?;
    let (w, h) = (grid.width as usize, grid.height as usize);
    let mut mask = vec![0u8; w * h];
    let mut crossings = Vec::new();
    for polygon in &outlines.polygons {
        // Vertices in pixel coordinates of the grid (corner convention).
        let rings: Vec<Vec<(f64, f64)>> = polygon
            .rings
            .iter()
            .map(|ring| {
                ring.iter()
                    .filter_map(|&(x, y)| projector.transform(x, y))
                    .filter_map(|(x, y)| grid.transform.invert(x, y))
                    .collect()
            })
            .collect();
        let (min_y, max_y) = rings
            .iter()
            .flatten()
            .fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                (lo.min(p.1), hi.max(p.1))
            });
        if min_y > max_y {
            continue;
        }
        let first_row = (min_y - 0.5).ceil().max(0.0) as usize;
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
                let start = (pair[0] - 0.5).ceil().max(0.0) as usize;
                let end = ((pair[1] - 0.5).ceil() as i64).clamp(0, w as i64) as usize;
                let line = row as usize * w;
                for cell in mask
                    .iter_mut()
                    .take(line + end.max(start))
                    .skip(line + start)
                {
                    *cell = 1;
                }
            }
        }
    }
    Ok(mask)
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
            }],
            crs: Crs::Epsg(32645),
        };
        let mask = rasterize(&outlines, &grid).expect("same CRS");
        assert_eq!(mask.iter().filter(|m| **m == 1).count(), 36 - 4);
        assert_eq!(mask[2 * 6 + 2], 0, "hole");
        assert_eq!(mask[0], 1);
    }
}
