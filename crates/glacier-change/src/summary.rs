//! The whole grid's change in numbers (the JSON `glacier change` prints) and the change raster.

use glacier_raster::{RasterSpec, write_geotiff};
use serde::{Deserialize, Serialize};
use std::io::{Seek, Write};

use crate::align::crs_name;
use crate::compare::{CLASS_COLOURS, Comparison, class};
use crate::{ChangeError, rounded};

/// How the uncertainty is computed, with its sources (printed with every summary).
pub const UNCERTAINTY_METHOD: &str = "buffer method: each date's glacier boundary (edges between \
    glacier and not-glacier pixels with data on both dates) times a band of ± half a pixel, i.e. \
    one pixel area per boundary edge; the change's uncertainty is the two dates' in quadrature \
    (Granshaw and Fountain 2006, J. Glaciol. 52(177); Paul et al. 2013, Ann. Glaciol. 54(63))";

/// Areas in km².
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Areas {
    /// Glacier on both dates.
    pub stable: f64,
    /// Glacier before, not after.
    pub lost: f64,
    /// Glacier after, not before.
    pub gained: f64,
    /// Glacier on neither date.
    pub no_glacier: f64,
    /// Glacier before (stable + lost).
    pub before: f64,
    /// Glacier after (stable + gained).
    pub after: f64,
    /// After − before.
    pub net_change: f64,
}

/// Pixel counts of each class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pixels {
    /// Glacier on both dates.
    pub stable: u64,
    /// Glacier before, not after.
    pub lost: u64,
    /// Glacier after, not before.
    pub gained: u64,
    /// Glacier on neither date.
    pub no_glacier: u64,
    /// No data on either date.
    pub no_data: u64,
}

/// Uncertainties in km² ([`UNCERTAINTY_METHOD`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Uncertainty {
    /// Of the area before.
    pub before: f64,
    /// Of the area after.
    pub after: f64,
    /// Of the net change.
    pub change: f64,
    /// How they are computed.
    pub method: String,
}

/// The change over the whole grid. Areas count only pixels with data on both dates, so
/// before and after are comparable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// BEFORE's file.
    pub before: String,
    /// AFTER's file.
    pub after: String,
    /// How AFTER was brought onto BEFORE's grid.
    pub alignment: String,
    /// BEFORE's grid: CRS.
    pub crs: String,
    /// BEFORE's grid: width and height in pixels.
    pub size: [u32; 2],
    /// The area of a pixel in m² (the middle row's on a lon/lat grid).
    pub pixel_area_m2: f64,
    /// Areas in km².
    pub km2: Areas,
    /// Net change in % of the area before (null when there was none).
    pub net_change_percent: Option<f64>,
    /// The share of BEFORE's grid with no data on either date.
    pub no_data_share: f64,
    /// Uncertainties.
    pub uncertainty_km2: Uncertainty,
    /// Area whose probability lay between 0.3 and 0.7 on either date, when both dates'
    /// probabilities were given.
    pub ambiguous_km2: Option<f64>,
    /// Pixel counts.
    pub pixels: Pixels,
}

impl Summary {
    /// The summary of `c`.
    pub fn of(c: &Comparison) -> Summary {
        let t = c.tally();
        let km2 = |m2: f64| rounded(m2 / 1e6, 4);
        let before = t.before_m2();
        let net = t.after_m2() - before;
        let pixels = t.class_pixels.iter().sum::<u64>() + t.no_data_pixels;
        Summary {
            before: c.before_file.clone(),
            after: c.after_file.clone(),
            alignment: c.alignment.to_string(),
            crs: crs_name(&c.grid.crs),
            size: [c.grid.width, c.grid.height],
            pixel_area_m2: c.area.typical(),
            km2: Areas {
                stable: km2(t.class_m2[class::STABLE as usize]),
                lost: km2(t.class_m2[class::LOST as usize]),
                gained: km2(t.class_m2[class::GAINED as usize]),
                no_glacier: km2(t.class_m2[class::NO_GLACIER as usize]),
                before: km2(before),
                after: km2(t.after_m2()),
                net_change: km2(net),
            },
            net_change_percent: (before > 0.0).then(|| rounded(100.0 * net / before, 2)),
            no_data_share: rounded(t.no_data_pixels as f64 / pixels.max(1) as f64, 4),
            uncertainty_km2: Uncertainty {
                before: km2(t.buffer_before_m2),
                after: km2(t.buffer_after_m2),
                change: km2(t.change_uncertainty_m2()),
                method: UNCERTAINTY_METHOD.into(),
            },
            ambiguous_km2: c.ambiguous.as_ref().map(|_| km2(t.ambiguous_m2)),
            pixels: Pixels {
                stable: t.class_pixels[class::STABLE as usize],
                lost: t.class_pixels[class::LOST as usize],
                gained: t.class_pixels[class::GAINED as usize],
                no_glacier: t.class_pixels[class::NO_GLACIER as usize],
                no_data: t.no_data_pixels,
            },
        }
    }
}

/// Writes the change classes as a uint8 GeoTIFF on BEFORE's grid (DEFLATE, nodata 255, a
/// colour table of [`CLASS_COLOURS`], band description naming the classes).
///
/// # Errors
/// [`ChangeError::Raster`] when writing fails; `file` names the output in it.
pub fn write_change_geotiff<W: Write + Seek>(
    file: &str,
    writer: W,
    c: &Comparison,
) -> Result<(), ChangeError> {
    let spec = RasterSpec {
        width: c.grid.width,
        height: c.grid.height,
        bands: 1,
        transform: c.grid.transform,
        crs: Some(c.grid.crs.clone()),
        nodata: Some(f64::from(class::NO_DATA)),
        descriptions: vec!["glacier change: 0 no glacier, 1 stable, 2 lost, 3 gained".into()],
        colours: CLASS_COLOURS.to_vec(),
    };
    let width = c.grid.width as usize;
    write_geotiff(file, writer, &spec, |row, rows, bands: &mut [Vec<u8>]| {
        let start = row as usize * width;
        bands[0].copy_from_slice(&c.classes[start..start + rows as usize * width]);
        Ok(())
    })?;
    Ok(())
}
