//! One date's glacier area per outline, the row of a time series (`glacier run-task` writes it,
//! `glacier collect` adds the years up): counted by the same pixel-centre rule and with the
//! same buffer-method uncertainty as the change between two dates.

use glacier_labels::Outlines;
use serde::{Deserialize, Serialize};

use crate::compare::compare;
use crate::glaciers::outline_tallies;
use crate::{ChangeError, Mask, rounded};

/// One glacier on one date (areas in km², the share 0–1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GlacierArea {
    /// The outline's id (RGI 6.0 `RGIId`, RGI 7.0 `rgi_id`, …).
    pub id: String,
    /// Its name, where the file gives one.
    pub name: String,
    /// The outline's own area, in km².
    pub outline_km2: f64,
    /// Glacier inside the outline, on pixels with data.
    pub glacier_km2: f64,
    /// The buffer-method uncertainty of that area: its glacier boundary times ± half a pixel.
    pub uncertainty_km2: f64,
    /// The share of the outline without data (off the grid, cloud, fill).
    pub no_data_share: f64,
}

/// The glacier area of `mask` inside each outline with at least one pixel centre on its grid,
/// in the file's order.
///
/// # Errors
/// [`ChangeError::NoOverlap`] when the mask has no pixel with data, and those of
/// [`crate::per_glacier`].
pub fn per_glacier_area(
    mask: Mask,
    outlines: &Outlines,
    column: Option<&str>,
) -> Result<Vec<GlacierArea>, ChangeError> {
    let comparison = compare(mask.clone(), mask, None)?;
    let km2 = |m2: f64| rounded(m2 / 1e6, 4);
    Ok(outline_tallies(&comparison, outlines, column)?
        .into_iter()
        .map(|o| GlacierArea {
            no_data_share: o.no_data_share(),
            glacier_km2: km2(o.tally.before_m2()),
            uncertainty_km2: km2(o.tally.buffer_before_m2),
            outline_km2: km2(o.outline_m2),
            id: o.id,
            name: o.name,
        })
        .collect())
}

/// The whole grid as one row, id `whole area` (no outlines given): its glacier, boundary
/// uncertainty and no-data share; the "outline" is the grid's area.
///
/// # Errors
/// [`ChangeError::NoOverlap`] when the mask has no pixel with data.
pub fn whole_area(mask: Mask) -> Result<GlacierArea, ChangeError> {
    let comparison = compare(mask.clone(), mask, None)?;
    let t = comparison.tally();
    let km2 = |m2: f64| rounded(m2 / 1e6, 4);
    Ok(GlacierArea {
        id: WHOLE_AREA.to_owned(),
        name: String::new(),
        outline_km2: km2(t.total_m2()),
        glacier_km2: km2(t.before_m2()),
        uncertainty_km2: km2(t.buffer_before_m2),
        no_data_share: rounded(t.no_data_m2 / t.total_m2().max(f64::MIN_POSITIVE), 4),
    })
}

/// The id of [`whole_area`]'s row.
pub const WHOLE_AREA: &str = "whole area";

/// Writes `rows` as CSV with a header line.
///
/// # Errors
/// [`ChangeError::Csv`] when writing fails; `file` names the table in it.
pub fn write_csv<W: std::io::Write>(
    file: &str,
    writer: W,
    rows: &[GlacierArea],
) -> Result<(), ChangeError> {
    let err = |detail: String| ChangeError::Csv {
        file: file.to_owned(),
        detail,
    };
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(writer);
    w.write_record(HEADER).map_err(|e| err(e.to_string()))?;
    for row in rows {
        w.serialize(row).map_err(|e| err(e.to_string()))?;
    }
    w.flush().map_err(|e| err(e.to_string()))
}

/// The columns of [`write_csv`]'s table, in [`GlacierArea`]'s order.
const HEADER: [&str; 6] = [
    "id",
    "name",
    "outline_km2",
    "glacier_km2",
    "uncertainty_km2",
    "no_data_share",
];

/// Reads a table [`write_csv`] wrote.
///
/// # Errors
/// [`ChangeError::Csv`] when a row does not parse or the header is another table's.
pub fn read_csv<R: std::io::Read>(file: &str, reader: R) -> Result<Vec<GlacierArea>, ChangeError> {
    let err = |detail: String| ChangeError::Csv {
        file: file.to_owned(),
        detail,
    };
    let mut r = csv::Reader::from_reader(reader);
    let header = r.headers().map_err(|e| err(e.to_string()))?;
    if header.iter().ne(HEADER) {
        return Err(err(format!(
            "columns {:?}, not a task's areas ({})",
            header.iter().collect::<Vec<_>>(),
            HEADER.join(",")
        )));
    }
    r.deserialize()
        .map(|row| row.map_err(|e| err(e.to_string())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use glacier_labels::Polygon;
    use glacier_raster::{Crs, GeoTransform, Grid};

    /// A 4 × 3 grid of 30 m pixels; the outline covers the left 2 × 3 block, of which the
    /// glacier fills the top 2 × 2 and the bottom row has no data on one pixel.
    #[test]
    fn area_and_buffer_inside_each_outline() {
        let grid = Grid {
            width: 4,
            height: 3,
            transform: GeoTransform {
                x0: 500_000.0,
                dx: 30.0,
                rx: 0.0,
                y0: 3_000_090.0,
                ry: 0.0,
                dy: -30.0,
            },
            crs: Crs::Epsg(32645),
        };
        #[rustfmt::skip]
        let values = vec![
            1, 1, 0, 1,
            1, 1, 0, 0,
            0, 255, 0, 0,
        ];
        let mask = Mask {
            file: "m.tif".into(),
            grid,
            values,
        };
        let ring = vec![
            (500_000.0, 3_000_000.0),
            (500_060.0, 3_000_000.0),
            (500_060.0, 3_000_090.0),
            (500_000.0, 3_000_090.0),
            (500_000.0, 3_000_000.0),
        ];
        let outlines = Outlines {
            file: "o.geojson".into(),
            polygons: vec![Polygon {
                rings: vec![ring],
                feature: 0,
            }],
            crs: Crs::Epsg(32645),
            attributes: vec![vec![("RGIId".into(), "RGI60-15.00001".into())]],
        };
        let rows = per_glacier_area(mask, &outlines, None).expect("areas");
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.id, "RGI60-15.00001");
        assert_eq!(r.glacier_km2, 0.0036, "four 900 m² pixels");
        assert_eq!(r.outline_km2, 0.0054);
        // Boundary edges of the 2 × 2 glacier inside the outline with data on both sides:
        // right of each top pixel (2), below the bottom-left (1; below-right has no data),
        // and the outline's edge where ice continues outside it does not apply (column 2 is
        // not glacier): 3 edges × 900 m².
        assert_eq!(r.uncertainty_km2, 0.0027);
        assert_eq!(r.no_data_share, 0.1667, "one pixel of six");
        let mut text = Vec::new();
        write_csv("a.csv", &mut text, &rows).expect("writes");
        assert_eq!(read_csv("a.csv", text.as_slice()).expect("reads"), rows);
        let mut empty = Vec::new();
        write_csv("e.csv", &mut empty, &[]).expect("writes");
        assert_eq!(
            String::from_utf8(empty).expect("utf-8").trim_end(),
            HEADER.join(",")
        );
    }
}
