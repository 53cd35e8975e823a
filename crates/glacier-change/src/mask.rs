//! A glacier mask of one date: 1 glacier, 0 not, [`NO_DATA`] where nothing is known.

use glacier_raster::Grid;

use crate::ChangeError;

/// A mask pixel with no data (cloud, fill, outside the scene).
pub const NO_DATA: u8 = 255;

/// A glacier mask on its grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Mask {
    /// Its file, for messages.
    pub file: String,
    /// Its grid.
    pub grid: Grid,
    /// Row-major: 1 glacier, 0 not, [`NO_DATA`].
    pub values: Vec<u8>,
}

impl Mask {
    /// A mask from a raster band's values (any sample type, as `f64`): 1 and 0 as they are,
    /// `nodata` (the file's declared nodata) and NaN as [`NO_DATA`].
    ///
    /// # Errors
    /// [`ChangeError::NotAMask`] when any other value occurs (probabilities, a 0/255 mask
    /// without declared nodata, classes), naming up to five of them and the first place;
    /// [`ChangeError::Size`] when `values` does not cover the grid.
    pub fn from_values(
        file: &str,
        grid: Grid,
        values: impl ExactSizeIterator<Item = f64>,
        nodata: Option<f64>,
    ) -> Result<Mask, ChangeError> {
        let pixels = grid
            .checked_pixels()
            .map_err(|source| ChangeError::GridTooLarge {
                file: file.to_owned(),
                source,
            })?;
        if values.len() != pixels {
            return Err(ChangeError::Size {
                file: file.to_owned(),
                values: values.len(),
                width: grid.width,
                height: grid.height,
            });
        }
        let mut out = Vec::with_capacity(pixels);
        let mut bad = 0u64;
        let mut first = None;
        let mut examples: Vec<f64> = Vec::new();
        let mut fractional = false;
        for (i, v) in values.enumerate() {
            let class = if v.is_nan() || Some(v) == nodata {
                NO_DATA
            } else if v == 0.0 {
                0
            } else if v == 1.0 {
                1
            } else {
                bad += 1;
                first.get_or_insert(i);
                fractional |= v > 0.0 && v < 1.0;
                if examples.len() < 5 && !examples.contains(&v) {
                    examples.push(v);
                }
                NO_DATA
            };
            out.push(class);
        }
        if let Some(i) = first {
            let width = grid.width as usize;
            let hint = if fractional {
                "; values between 0 and 1 look like probabilities: give them with \
                 --before-probabilities / --after-probabilities and the mask itself as BEFORE / \
                 AFTER"
            } else if examples.contains(&255.0) && nodata.is_none() {
                "; 255 without a declared nodata value: if 255 means glacier, convert the mask \
                 to 0/1 (`gdal_calc.py -A mask.tif --calc=\"A/255\" --outfile mask01.tif`)"
            } else {
                ""
            };
            return Err(ChangeError::NotAMask {
                file: file.to_owned(),
                count: bad,
                examples: examples
                    .iter()
                    .map(f64::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                nodata: nodata.map_or_else(|| "none".to_owned(), |v| v.to_string()),
                column: (i % width) as u32,
                row: (i / width) as u32,
                hint: hint.to_owned(),
            });
        }
        Ok(Mask {
            file: file.to_owned(),
            grid,
            values: out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glacier_raster::{Crs, GeoTransform};

    fn grid(w: u32, h: u32) -> Grid {
        Grid {
            width: w,
            height: h,
            transform: GeoTransform {
                x0: 0.0,
                dx: 30.0,
                rx: 0.0,
                y0: 0.0,
                ry: 0.0,
                dy: -30.0,
            },
            crs: Crs::Epsg(32645),
        }
    }

    #[test]
    fn zeros_ones_and_nodata() {
        let m = Mask::from_values(
            "m.tif",
            grid(2, 2),
            [0.0, 1.0, 255.0, f64::NAN].into_iter(),
            Some(255.0),
        )
        .expect("a mask");
        assert_eq!(m.values, vec![0, 1, NO_DATA, NO_DATA]);
    }

    #[test]
    fn probabilities_are_refused_with_the_fix() {
        let e = Mask::from_values("p.tif", grid(3, 1), [0.0, 0.42, 0.9].into_iter(), None)
            .expect_err("not a mask");
        let text = e.to_string();
        assert!(
            text.starts_with("p.tif: not a glacier mask: 2 pixels"),
            "{text}"
        );
        assert!(
            text.contains("e.g. 0.42, 0.9 (first at column 1, row 0)"),
            "{text}"
        );
        assert!(text.contains("look like probabilities"), "{text}");
    }

    #[test]
    fn a_0_255_mask_without_nodata_is_refused() {
        let e = Mask::from_values("m.tif", grid(2, 1), [0.0, 255.0].into_iter(), None)
            .expect_err("255 undeclared");
        assert!(e.to_string().contains("if 255 means glacier"), "{e}");
        let e = Mask::from_values("m.tif", grid(2, 2), [0.0, 1.0].into_iter(), None)
            .expect_err("too short");
        assert_eq!(e.to_string(), "m.tif: 2 values for a 2 × 2 px grid");
    }
}
