//! Resampling a raster onto another grid, through a change of CRS.

use glacier_raster::Grid;
use glacier_raster::grid::{GridError, source_positions};

/// How a destination pixel takes its value from the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resampling {
    /// The source pixel containing the destination centre (for masks and classes).
    Nearest,
    /// Bilinear between the four surrounding source centres; nodata neighbours are left out and
    /// the weights renormalised (as GDAL does).
    Bilinear,
}

/// Lattice spacing of the approximate coordinate transform, in destination pixels.
const LATTICE_STEP: u32 = 16;

/// Resamples `src` (row-major on `src_grid`, NaN or `nodata` = missing) onto `dst`.
/// Destination pixels outside the source (or beyond the end of `src`), or with no valid
/// neighbour, are NaN.
///
/// # Errors
/// [`GridError::Projection`] when the two CRSs cannot be related, [`GridError::TooLarge`] when
/// `dst` is over [`glacier_raster::MAX_GRID_PIXELS`].
pub fn resample(
    src: &[f32],
    src_grid: &Grid,
    nodata: Option<f32>,
    dst: &Grid,
    method: Resampling,
) -> Result<Vec<f32>, GridError> {
    let positions = source_positions(dst, src_grid, LATTICE_STEP)?;
    let (w, h) = (src_grid.width as i64, src_grid.height as i64);
    let valid = |v: f32| !v.is_nan() && Some(v) != nodata;
    let at = |c: i64, r: i64| -> Option<f32> {
        if c < 0 || r < 0 || c >= w || r >= h {
            return None;
        }
        let v = *src.get(usize::try_from(r * w + c).ok()?)?;
        valid(v).then_some(v)
    };
    Ok(positions
        .into_iter()
        .map(|pos| {
            let Some((col, row)) = pos else {
                return f32::NAN;
            };
            if col < 0.0 || row < 0.0 || col >= w as f32 || row >= h as f32 {
                return f32::NAN;
            }
            match method {
                Resampling::Nearest => {
                    at(col.floor() as i64, row.floor() as i64).unwrap_or(f32::NAN)
                }
                Resampling::Bilinear => {
                    let (x, y) = (f64::from(col) - 0.5, f64::from(row) - 0.5);
                    let (c0, r0) = (x.floor() as i64, y.floor() as i64);
                    let (fx, fy) = (x - c0 as f64, y - r0 as f64);
                    let mut sum = 0.0;
                    let mut weight = 0.0;
                    for (dc, dr, wgt) in [
                        (0, 0, (1.0 - fx) * (1.0 - fy)),
                        (1, 0, fx * (1.0 - fy)),
                        (0, 1, (1.0 - fx) * fy),
                        (1, 1, fx * fy),
                    ] {
                        if let Some(v) = at(c0 + dc, r0 + dr) {
                            sum += f64::from(v) * wgt;
                            weight += wgt;
                        }
                    }
                    if weight > 1e-9 {
                        (sum / weight) as f32
                    } else {
                        f32::NAN
                    }
                }
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use glacier_raster::{Crs, GeoTransform};

    fn grid(x0: f64, y0: f64, size: f64, w: u32, h: u32) -> Grid {
        Grid {
            width: w,
            height: h,
            transform: GeoTransform {
                x0,
                dx: size,
                rx: 0.0,
                y0,
                ry: 0.0,
                dy: -size,
            },
            crs: Crs::Epsg(32645),
        }
    }

    #[test]
    fn bilinear_halfway_and_nodata_renormalised() {
        let src = grid(0.0, 20.0, 10.0, 2, 2);
        let values = [0.0, 10.0, 20.0, -1.0];
        // One destination pixel centred at (10, 10): the middle of the four source centres.
        let dst = grid(5.0, 15.0, 10.0, 1, 1);
        let out =
            resample(&values, &src, Some(-1.0), &dst, Resampling::Bilinear).expect("same CRS");
        assert!(
            (out[0] - 10.0).abs() < 1e-5,
            "(0 + 10 + 20) / 3, got {}",
            out[0]
        );
        // Centre (12, 12) lies in the source pixel of column 1, row 0.
        let dst = grid(7.0, 17.0, 10.0, 1, 1);
        let near =
            resample(&values, &src, Some(-1.0), &dst, Resampling::Nearest).expect("same CRS");
        assert_eq!(near[0], 10.0);
        let outside = grid(100.0, 100.0, 10.0, 1, 1);
        assert!(
            resample(&values, &src, None, &outside, Resampling::Bilinear).expect("ok")[0].is_nan()
        );
    }

    #[test]
    fn a_destination_grid_over_the_cap_is_an_error_not_an_allocation() {
        // 100 000 × 100 000 px (10 Gpx): the buffer would be 80 GB; in wasm32 the count wraps.
        let src = grid(0.0, 20.0, 10.0, 2, 2);
        let huge = grid(0.0, 20.0, 0.001, 100_000, 100_000);
        let err =
            resample(&[0.0; 4], &src, None, &huge, Resampling::Nearest).expect_err("over the cap");
        assert!(
            matches!(
                err,
                GridError::TooLarge(glacier_raster::GridTooLarge {
                    width: 100_000,
                    height: 100_000
                })
            ),
            "{err}"
        );
        // A source shorter than its grid reads as missing, not as a panic.
        let dst = grid(5.0, 15.0, 10.0, 1, 1);
        let out = resample(&[1.0], &src, None, &dst, Resampling::Bilinear).expect("same CRS");
        assert_eq!(out[0], 1.0);
    }
}
