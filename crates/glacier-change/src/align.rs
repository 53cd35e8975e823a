//! Bringing the second date onto the first date's grid: the same grid as it is, a whole-pixel
//! offset shifted exactly, anything else (another UTM zone, another pixel size, a part-pixel
//! offset) by nearest-neighbour reprojection.

use glacier_raster::{Crs, Grid};
use glacier_terrain::{Resampling, resample};

use crate::mask::NO_DATA;

/// How the second date's values were brought onto the first date's grid.
#[derive(Clone, Debug, PartialEq)]
pub enum Alignment {
    /// The two grids are the same.
    SameGrid,
    /// Same CRS and pixel size, origin a whole number of pixels away: moved exactly.
    Shifted {
        /// AFTER's column of BEFORE's column 0.
        columns: i64,
        /// AFTER's row of BEFORE's row 0.
        rows: i64,
    },
    /// Nearest-neighbour reprojection (the value of the AFTER pixel containing each BEFORE
    /// pixel centre).
    Reprojected {
        /// AFTER's CRS and pixel size, as text.
        from: String,
    },
}

impl std::fmt::Display for Alignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Alignment::SameGrid => write!(f, "same grid"),
            Alignment::Shifted { columns, rows } => write!(
                f,
                "shifted exactly: BEFORE's pixel (0, 0) is AFTER's ({columns}, {rows})"
            ),
            Alignment::Reprojected { from } => {
                write!(f, "nearest-neighbour reprojection from {from}")
            }
        }
    }
}

/// Tolerance for "the same" pixel size and "a whole number" of pixels, in pixels.
const PIXEL_TOLERANCE: f64 = 1e-3;

/// How `src` relates to `dst`: [`Alignment::SameGrid`], [`Alignment::Shifted`] or, where
/// neither holds, [`Alignment::Reprojected`].
pub fn alignment(src: &Grid, dst: &Grid) -> Alignment {
    if src.same_as(dst) {
        return Alignment::SameGrid;
    }
    let (s, d) = (src.transform, dst.transform);
    let axis_aligned = s.rx == 0.0 && s.ry == 0.0 && d.rx == 0.0 && d.ry == 0.0;
    let same_size = (s.dx - d.dx).abs() <= PIXEL_TOLERANCE * d.dx.abs()
        && (s.dy - d.dy).abs() <= PIXEL_TOLERANCE * d.dy.abs();
    if src.crs == dst.crs && axis_aligned && same_size {
        let columns = (d.x0 - s.x0) / s.dx;
        let rows = (d.y0 - s.y0) / s.dy;
        if (columns - columns.round()).abs() <= PIXEL_TOLERANCE
            && (rows - rows.round()).abs() <= PIXEL_TOLERANCE
        {
            return Alignment::Shifted {
                columns: columns.round() as i64,
                rows: rows.round() as i64,
            };
        }
    }
    Alignment::Reprojected {
        from: format!(
            "{} at {} × {} m",
            crs_name(&src.crs),
            s.dx.abs(),
            s.dy.abs()
        ),
    }
}

/// A CRS as gdalwarp's `-t_srs` takes it: `EPSG:n`, else its PROJ.4 text.
pub fn crs_name(crs: &Crs) -> String {
    match crs.epsg() {
        Some(code) => format!("EPSG:{code}"),
        None => crs
            .to_proj4()
            .unwrap_or_else(|| "a user-defined CRS".to_owned()),
    }
}

/// `values` (row-major on `src`) on the grid `dst`, as [`alignment`] says (on the same grid they
/// are returned as they are); pixels of `dst` outside `src` become `missing`. Reprojection goes
/// through `f32` with `missing` as nodata.
///
/// # Errors
/// [`glacier_raster::GridError`] when the CRSs cannot be related or `dst` is too large.
pub fn onto<T: Copy + Into<f32> + FromF32>(
    values: Vec<T>,
    src: &Grid,
    dst: &Grid,
    missing: T,
) -> Result<(Vec<T>, Alignment), glacier_raster::GridError> {
    let how = alignment(src, dst);
    let out = match &how {
        Alignment::SameGrid => values,
        Alignment::Shifted { columns, rows } => {
            let pixels = dst.checked_pixels()?;
            let (sw, sh) = (i64::from(src.width), i64::from(src.height));
            let mut out = vec![missing; pixels];
            for row in 0..i64::from(dst.height) {
                let r = row + rows;
                if r < 0 || r >= sh {
                    continue;
                }
                // The columns of this row that fall inside `src`.
                let first = (-columns).clamp(0, i64::from(dst.width));
                let last = (sw - columns).clamp(0, i64::from(dst.width));
                if first >= last {
                    continue;
                }
                let at = (row * i64::from(dst.width)) as usize;
                let from = (r * sw + first + columns) as usize;
                let n = (last - first) as usize;
                if let Some(part) = values.get(from..from + n) {
                    out[at + first as usize..at + first as usize + n].copy_from_slice(part);
                }
            }
            out
        }
        Alignment::Reprojected { .. } => {
            let as_f32: Vec<f32> = values.iter().map(|v| (*v).into()).collect();
            let nodata = missing.into();
            let moved = resample(&as_f32, src, Some(nodata), dst, Resampling::Nearest)?;
            moved
                .into_iter()
                .map(|v| if v.is_nan() { missing } else { T::from_f32(v) })
                .collect()
        }
    };
    Ok((out, how))
}

/// Back from `f32` after reprojection (nearest neighbour: the values are the source's own).
pub trait FromF32 {
    /// The value `v` came from.
    fn from_f32(v: f32) -> Self;
}

impl FromF32 for u8 {
    fn from_f32(v: f32) -> u8 {
        if (0.0..=255.0).contains(&v) {
            v as u8
        } else {
            NO_DATA
        }
    }
}

impl FromF32 for f32 {
    fn from_f32(v: f32) -> f32 {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glacier_raster::GeoTransform;

    fn grid(x0: f64, y0: f64, size: f64, w: u32, h: u32, epsg: u32) -> Grid {
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
            crs: Crs::Epsg(epsg),
        }
    }

    #[test]
    fn a_whole_pixel_offset_is_an_exact_shift() {
        let before = grid(1000.0, 2000.0, 30.0, 4, 3, 32645);
        // AFTER starts one column left and one row below BEFORE's origin.
        let after = grid(970.0, 1970.0, 30.0, 4, 3, 32645);
        assert_eq!(
            alignment(&after, &before),
            Alignment::Shifted {
                columns: 1,
                rows: -1
            }
        );
        let values: Vec<u8> = (0..12).collect();
        let (moved, _) = onto(values, &after, &before, NO_DATA).expect("same CRS");
        // BEFORE row 0 lies above AFTER: no data. BEFORE row 1 = AFTER row 0 from column 1.
        assert_eq!(moved, vec![255, 255, 255, 255, 1, 2, 3, 255, 5, 6, 7, 255]);
    }

    #[test]
    fn a_part_pixel_offset_or_another_zone_is_reprojected() {
        let before = grid(1000.0, 2000.0, 30.0, 4, 3, 32645);
        let after = grid(1020.0, 2000.0, 30.0, 4, 3, 32645);
        assert!(matches!(
            alignment(&after, &before),
            Alignment::Reprojected { .. }
        ));
        let values: Vec<u8> = (0..12).collect();
        let (moved, _) = onto(values, &after, &before, NO_DATA).expect("same CRS");
        // BEFORE's centres x = 1015 + 30 c: column 0's lies left of AFTER (from 1020), column c
        // in AFTER's column c − 1.
        assert_eq!(moved, vec![255, 0, 1, 2, 255, 4, 5, 6, 255, 8, 9, 10]);
        let other_zone = grid(1000.0, 2000.0, 30.0, 4, 3, 32644);
        assert_eq!(
            alignment(&other_zone, &before),
            Alignment::Reprojected {
                from: "EPSG:32644 at 30 × 30 m".into()
            }
        );
    }
}
