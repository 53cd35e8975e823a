//! Two dates on one grid: the change classes and what they add up to (areas, boundary buffer,
//! ambiguous probabilities), for the whole grid and for each glacier outline.

use glacier_raster::Grid;

use crate::ChangeError;
use crate::align::{Alignment, crs_name, onto};
use crate::area::PixelArea;
use crate::mask::{Mask, NO_DATA};

/// Change classes of the change raster.
pub mod class {
    /// No glacier on either date.
    pub const NO_GLACIER: u8 = 0;
    /// Glacier on both dates.
    pub const STABLE: u8 = 1;
    /// Glacier before, not after.
    pub const LOST: u8 = 2;
    /// Glacier after, not before.
    pub const GAINED: u8 = 3;
    /// No data on either date (cloud, fill, outside AFTER).
    pub const NO_DATA: u8 = crate::mask::NO_DATA;
}

/// The colour of each class value (0–3), Okabe–Ito colours a colour-blind reader can tell
/// apart: no glacier light grey, stable sky blue, lost vermilion, gained bluish green; no data
/// (255) is past the table, black.
pub const CLASS_COLOURS: [[u8; 3]; 4] =
    [[235, 235, 235], [86, 180, 233], [213, 94, 0], [0, 158, 115]];

/// The change class of a pixel from its two dates' mask values.
pub fn classify(before: u8, after: u8) -> u8 {
    match (before, after) {
        (NO_DATA, _) | (_, NO_DATA) => class::NO_DATA,
        (1, 1) => class::STABLE,
        (1, _) => class::LOST,
        (_, 1) => class::GAINED,
        _ => class::NO_GLACIER,
    }
}

/// Probabilities lower than this and higher than [`AMBIGUOUS_HIGH`] are taken as decided.
pub const AMBIGUOUS_LOW: f32 = 0.3;
/// See [`AMBIGUOUS_LOW`].
pub const AMBIGUOUS_HIGH: f32 = 0.7;

/// The two dates on BEFORE's grid.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// BEFORE's file.
    pub before_file: String,
    /// AFTER's file.
    pub after_file: String,
    /// The grid (BEFORE's).
    pub grid: Grid,
    /// How AFTER was brought onto it.
    pub alignment: Alignment,
    /// BEFORE's mask values.
    pub before: Vec<u8>,
    /// AFTER's mask values on BEFORE's grid.
    pub after: Vec<u8>,
    /// The class of each pixel ([`class`]).
    pub classes: Vec<u8>,
    /// Pixel areas.
    pub area: PixelArea,
    /// Where either date's probability lies in `[0.3, 0.7]`, when both dates' probabilities
    /// were given.
    pub ambiguous: Option<Vec<bool>>,
}

/// A date's glacier probabilities (float32, NaN where no data) on its mask's grid.
#[derive(Clone, Debug)]
pub struct Probabilities {
    /// Their file, for messages.
    pub file: String,
    /// Their grid: must be the mask's.
    pub grid: Grid,
    /// Row-major values.
    pub values: Vec<f32>,
}

/// Compares `before` and `after` on `before`'s grid (both taken, so a scene-sized mask is not
/// copied); `probabilities` (BEFORE's, AFTER's) add the ambiguous area.
///
/// # Errors
/// [`ChangeError::ProbabilitiesGrid`] for probabilities on another grid than their mask,
/// [`ChangeError::Projection`] when AFTER cannot be brought onto BEFORE's grid,
/// [`ChangeError::NoOverlap`] when no pixel has data on both dates.
pub fn compare(
    before: Mask,
    after: Mask,
    probabilities: Option<(Probabilities, Probabilities)>,
) -> Result<Comparison, ChangeError> {
    if let Some((pb, pa)) = &probabilities {
        for (p, m) in [(pb, &before), (pa, &after)] {
            if !p.grid.same_as(&m.grid) || p.values.len() != m.values.len() {
                return Err(ChangeError::ProbabilitiesGrid {
                    probabilities: p.file.clone(),
                    mask: m.file.clone(),
                });
            }
        }
    }
    let grid = before.grid;
    let projection = |source| ChangeError::Projection {
        before: before.file.clone(),
        after: after.file.clone(),
        target: crs_name(&grid.crs),
        source: Box::new(source),
    };
    let (moved, alignment) = onto(after.values, &after.grid, &grid, NO_DATA).map_err(projection)?;
    let classes: Vec<u8> = before
        .values
        .iter()
        .zip(&moved)
        .map(|(b, a)| classify(*b, *a))
        .collect();
    if classes.iter().all(|c| *c == class::NO_DATA) {
        let bounds = |g: &Grid| {
            glacier_raster::lon_lat_bounds(g).map_or_else(
                |_| "(not placeable in lon/lat)".to_owned(),
                |b| {
                    format!(
                        "{:.3}, {:.3}, {:.3}, {:.3}",
                        b.west, b.south, b.east, b.north
                    )
                },
            )
        };
        return Err(ChangeError::NoOverlap {
            before_bounds: bounds(&grid),
            after_bounds: bounds(&after.grid),
            before: before.file,
            after: after.file,
        });
    }
    let ambiguous = match probabilities {
        None => None,
        Some((pb, pa)) => {
            let (pa_moved, _) =
                onto(pa.values, &after.grid, &grid, f32::NAN).map_err(projection)?;
            let unsure = |p: f32| (AMBIGUOUS_LOW..=AMBIGUOUS_HIGH).contains(&p);
            Some(
                pb.values
                    .iter()
                    .zip(&pa_moved)
                    .map(|(b, a)| unsure(*b) || unsure(*a))
                    .collect(),
            )
        }
    };
    Ok(Comparison {
        before_file: before.file,
        after_file: after.file,
        area: PixelArea::of(&grid),
        grid,
        alignment,
        before: before.values,
        after: moved,
        classes,
        ambiguous,
    })
}

/// What a set of pixels adds up to, in m².
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tally {
    /// Area of each class: no glacier, stable, lost, gained.
    pub class_m2: [f64; 4],
    /// Pixels of each class.
    pub class_pixels: [u64; 4],
    /// Area with no data on either date.
    pub no_data_m2: f64,
    /// Pixels with no data on either date.
    pub no_data_pixels: u64,
    /// The ± half-pixel band along BEFORE's glacier boundary (one pixel area per boundary edge).
    pub buffer_before_m2: f64,
    /// The same along AFTER's.
    pub buffer_after_m2: f64,
    /// Area with data on both dates whose probability is ambiguous on either date.
    pub ambiguous_m2: f64,
}

impl Tally {
    /// Glacier area before (stable + lost), on pixels with data on both dates.
    pub fn before_m2(&self) -> f64 {
        self.class_m2[class::STABLE as usize] + self.class_m2[class::LOST as usize]
    }

    /// Glacier area after (stable + gained), on pixels with data on both dates.
    pub fn after_m2(&self) -> f64 {
        self.class_m2[class::STABLE as usize] + self.class_m2[class::GAINED as usize]
    }

    /// The uncertainty of the difference: the two dates' buffer areas in quadrature.
    pub fn change_uncertainty_m2(&self) -> f64 {
        self.buffer_before_m2.hypot(self.buffer_after_m2)
    }

    /// All area counted, with and without data.
    pub fn total_m2(&self) -> f64 {
        self.class_m2.iter().sum::<f64>() + self.no_data_m2
    }
}

impl Comparison {
    /// Adds up every pixel of the grid; boundary edges are those between glacier and
    /// not-glacier pixels that both have data on both dates.
    pub fn tally(&self) -> Tally {
        self.tally_by(None, 0)
            .into_iter()
            .next()
            .unwrap_or_default()
    }

    /// One tally per feature (`features[i]` = 0 outside every outline, else feature + 1, as
    /// `glacier_labels::rasterize_features` gives; `count` features). A glacier's boundary also
    /// runs where its ice meets ice outside it (another outline, or none), as an inventory's
    /// outline does along an ice divide.
    pub fn tally_features(&self, features: &[u32], count: usize) -> Vec<Tally> {
        self.tally_by(Some(features), count)
    }

    fn tally_by(&self, features: Option<&[u32]>, count: usize) -> Vec<Tally> {
        let mut tallies = vec![Tally::default(); if features.is_some() { count } else { 1 }];
        let (w, h) = (self.grid.width as usize, self.grid.height as usize);
        let valid = |i: usize| self.classes[i] != class::NO_DATA;
        let feature_of = |i: usize| features.map_or(1, |f| f.get(i).copied().unwrap_or(0));
        for row in 0..h {
            let area = self.area.row(row);
            for col in 0..w {
                let i = row * w + col;
                let feature = feature_of(i);
                let Some(t) = (feature as usize)
                    .checked_sub(1)
                    .and_then(|k| tallies.get_mut(k))
                else {
                    continue;
                };
                let c = self.classes[i];
                if c == class::NO_DATA {
                    t.no_data_m2 += area;
                    t.no_data_pixels += 1;
                    continue;
                }
                t.class_m2[c as usize] += area;
                t.class_pixels[c as usize] += 1;
                if self.ambiguous.as_ref().is_some_and(|a| a[i]) {
                    t.ambiguous_m2 += area;
                }
                let neighbours = [
                    (col > 0).then(|| i - 1),
                    (col + 1 < w).then(|| i + 1),
                    (row > 0).then(|| i - w),
                    (row + 1 < h).then(|| i + w),
                ];
                for j in neighbours.into_iter().flatten().filter(|j| valid(*j)) {
                    let other = features.is_some() && feature_of(j) != feature;
                    if self.before[i] == 1 && (self.before[j] != 1 || other) {
                        t.buffer_before_m2 += area;
                    }
                    if self.after[i] == 1 && (self.after[j] != 1 || other) {
                        t.buffer_after_m2 += area;
                    }
                }
            }
        }
        tallies
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glacier_raster::{Crs, GeoTransform};

    fn mask(file: &str, w: u32, values: &[u8]) -> Mask {
        Mask {
            file: file.into(),
            grid: Grid {
                width: w,
                height: (values.len() / w as usize) as u32,
                transform: GeoTransform {
                    x0: 0.0,
                    dx: 10.0,
                    rx: 0.0,
                    y0: 0.0,
                    ry: 0.0,
                    dy: -10.0,
                },
                crs: Crs::Epsg(32645),
            },
            values: values.to_vec(),
        }
    }

    /// A 4 × 3 case counted by hand.
    #[test]
    fn classes_areas_and_boundaries_by_hand() {
        #[rustfmt::skip]
        let before = mask("b.tif", 4, &[
            1, 1, 0, 0,
            1, 1, 0, 255,
            0, 0, 0, 0,
        ]);
        #[rustfmt::skip]
        let after = mask("a.tif", 4, &[
            1, 0, 0, 1,
            1, 0, 0, 1,
            0, 0, 0, 0,
        ]);
        let c = compare(before, after, None).expect("same grid");
        assert_eq!(c.alignment, Alignment::SameGrid);
        #[rustfmt::skip]
        assert_eq!(c.classes, vec![
            1, 2, 0, 3,
            1, 2, 0, 255,
            0, 0, 0, 0,
        ]);
        let t = c.tally();
        assert_eq!(t.class_pixels, [6, 2, 2, 1]);
        assert_eq!(t.no_data_pixels, 1);
        assert_eq!(t.before_m2(), 400.0);
        assert_eq!(t.after_m2(), 300.0);
        // BEFORE's 2 × 2 block: right edges 2, bottom edges 2 (left/top are the grid's edge).
        assert_eq!(t.buffer_before_m2, 400.0);
        // AFTER: (0,0)-(1,0) column: right 2, bottom 1; (3,0): left 1, bottom is no data.
        assert_eq!(t.buffer_after_m2, 400.0);
        assert!((t.change_uncertainty_m2() - 400.0 * 2f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn per_feature_tallies_split_and_count_divides() {
        let before = mask("b.tif", 4, &[1, 1, 1, 1]);
        let after = mask("a.tif", 4, &[1, 1, 1, 0]);
        let c = compare(before, after, None).expect("same grid");
        // Two outlines sharing the edge between columns 1 and 2.
        let t = c.tally_features(&[1, 1, 2, 2], 2);
        assert_eq!(t[0].class_pixels, [0, 2, 0, 0]);
        assert_eq!(t[1].class_pixels, [0, 1, 1, 0]);
        // The divide is a boundary of both; AFTER's ice ends inside the second one.
        assert_eq!(
            (t[0].buffer_before_m2, t[1].buffer_before_m2),
            (100.0, 100.0)
        );
        assert_eq!((t[0].buffer_after_m2, t[1].buffer_after_m2), (100.0, 200.0));
        // Per scene, no divide.
        assert_eq!(c.tally().buffer_before_m2, 0.0);
    }

    #[test]
    fn no_common_data_is_an_error() {
        let before = mask("b.tif", 2, &[1, 255]);
        let after = mask("a.tif", 2, &[255, 1]);
        let e = compare(before, after, None).expect_err("nothing in common");
        assert!(
            e.to_string().starts_with("a.tif does not overlap b.tif"),
            "{e}"
        );
    }
}
