//! Change per glacier: every outline that reaches the grid, keyed by its id (RGI 6.0 `RGIId`,
//! RGI 7.0 `rgi_id`, as the file names it), counted by the pixel-centre rule of
//! `glacier rasterize`.

use glacier_labels::{Outlines, rasterize_features};
use glacier_raster::Projector;
use serde::{Deserialize, Serialize};

use crate::compare::{Comparison, Tally, class};
use crate::{ChangeError, rounded};

/// Id columns tried in turn (case-insensitively) when none is named: RGI 6.0, RGI 7.0, GLIMS,
/// then a plain `id`.
pub const ID_COLUMNS: [&str; 5] = ["RGIId", "rgi_id", "GLIMSId", "glims_id", "id"];
/// Name columns tried in turn (case-insensitively): RGI 7.0, then RGI 6.0 (and a plain `name`).
pub const NAME_COLUMNS: [&str; 2] = ["glac_name", "Name"];

/// One glacier's change (areas in km², shares in 0–1), a row of the per-glacier table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GlacierChange {
    /// The outline's id.
    pub id: String,
    /// Its name, where the file gives one.
    pub name: String,
    /// The outline's own area (its polygons in the grid's CRS), in km².
    pub outline_km2: f64,
    /// Glacier before, on pixels with data on both dates.
    pub before_km2: f64,
    /// Glacier after, on pixels with data on both dates.
    pub after_km2: f64,
    /// Glacier before, not after.
    pub lost_km2: f64,
    /// Glacier after, not before.
    pub gained_km2: f64,
    /// After − before.
    pub net_km2: f64,
    /// After − before, in % of before (empty where before is 0).
    pub net_percent: Option<f64>,
    /// The buffer-method uncertainty of the net change (see [`crate::UNCERTAINTY_METHOD`]).
    pub uncertainty_km2: f64,
    /// Area whose probability lay between 0.3 and 0.7 on either date (empty without
    /// probabilities).
    pub ambiguous_km2: Option<f64>,
    /// The share of the outline without data on either date: off the grid, cloud, fill.
    /// Distrust rows where it is large.
    pub no_data_share: f64,
}

/// The id column of `outlines`: `column` when given (it must exist), else the first of
/// [`ID_COLUMNS`] any feature has.
///
/// # Errors
/// [`ChangeError::NoIdColumn`] naming the columns the file has.
pub fn id_column(outlines: &Outlines, column: Option<&str>) -> Result<String, ChangeError> {
    let has = |name: &str| {
        outlines
            .attributes
            .iter()
            .flatten()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(k, _)| k.clone())
    };
    let found = match column {
        Some(c) => has(c),
        None => ID_COLUMNS.iter().find_map(|c| has(c)),
    };
    found.ok_or_else(|| {
        let mut columns: Vec<&str> = Vec::new();
        for (k, _) in outlines.attributes.iter().flatten() {
            if !columns.contains(&k.as_str()) {
                columns.push(k);
            }
        }
        ChangeError::NoIdColumn {
            file: outlines.file.clone(),
            columns: if columns.is_empty() {
                "it has none; a shapefile's are in its .dbf, beside the .shp".to_owned()
            } else {
                columns.join(", ")
            },
        }
    })
}

/// The change of every outline with at least one pixel centre on the grid, largest loss first
/// (most negative net change), then by id.
///
/// # Errors
/// [`ChangeError::NoIdColumn`] (see [`id_column`]), [`ChangeError::Outlines`] when the outlines
/// cannot be placed on the grid.
pub fn per_glacier(
    comparison: &Comparison,
    outlines: &Outlines,
    column: Option<&str>,
) -> Result<Vec<GlacierChange>, ChangeError> {
    let km2 = |m2: f64| rounded(m2 / 1e6, 4);
    let mut rows: Vec<GlacierChange> = outline_tallies(comparison, outlines, column)?
        .into_iter()
        .map(|o| {
            let t = &o.tally;
            let before = t.before_m2();
            let net = t.after_m2() - before;
            GlacierChange {
                no_data_share: o.no_data_share(),
                id: o.id,
                name: o.name,
                outline_km2: km2(o.outline_m2),
                before_km2: km2(before),
                after_km2: km2(t.after_m2()),
                lost_km2: km2(t.class_m2[class::LOST as usize]),
                gained_km2: km2(t.class_m2[class::GAINED as usize]),
                net_km2: km2(net),
                net_percent: (before > 0.0).then(|| rounded(100.0 * net / before, 2)),
                uncertainty_km2: km2(t.change_uncertainty_m2()),
                ambiguous_km2: comparison.ambiguous.as_ref().map(|_| km2(t.ambiguous_m2)),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.net_km2.total_cmp(&b.net_km2).then(a.id.cmp(&b.id)));
    Ok(rows)
}

/// One outline that reaches the grid and what its pixels add up to.
pub(crate) struct OutlineTally {
    /// Its id (or `feature N` where it has none).
    pub id: String,
    /// Its name, where the file gives one.
    pub name: String,
    /// Its polygons' own area in the grid's CRS, m².
    pub outline_m2: f64,
    /// Its pixels.
    pub tally: Tally,
}

impl OutlineTally {
    /// The share of the outline without data on either date (off the grid, cloud, fill).
    pub fn no_data_share(&self) -> f64 {
        let with_data = self.tally.class_m2.iter().sum::<f64>();
        rounded(
            (1.0 - with_data / self.outline_m2.max(self.tally.total_m2())).clamp(0.0, 1.0),
            4,
        )
    }
}

/// Every outline with at least one pixel centre on the grid, in the file's order.
pub(crate) fn outline_tallies(
    comparison: &Comparison,
    outlines: &Outlines,
    column: Option<&str>,
) -> Result<Vec<OutlineTally>, ChangeError> {
    let id_col = id_column(outlines, column)?;
    let features = rasterize_features(outlines, &comparison.grid)?;
    let tallies = comparison.tally_features(&features, outlines.features());
    let areas = outline_areas(outlines, &comparison.grid)?;
    let value = |feature: usize, names: &[&str]| {
        let attributes = outlines.attributes.get(feature)?;
        names.iter().find_map(|n| {
            attributes
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.clone())
        })
    };
    Ok(tallies
        .into_iter()
        .enumerate()
        .filter(|(_, t)| t.total_m2() > 0.0)
        .map(|(feature, tally)| OutlineTally {
            id: value(feature, &[id_col.as_str()])
                .unwrap_or_else(|| format!("feature {}", feature + 1)),
            name: value(feature, &NAME_COLUMNS).unwrap_or_default(),
            outline_m2: areas.get(feature).copied().unwrap_or(0.0),
            tally,
        })
        .collect())
}

/// Each feature's polygon area in the grid's CRS, in m² (the rings' signed areas added, so
/// holes wound against their outer ring are taken off; lon/lat grids through a local
/// equirectangular scale at each ring).
fn outline_areas(
    outlines: &Outlines,
    grid: &glacier_raster::Grid,
) -> Result<Vec<f64>, ChangeError> {
    let projector = Projector::new(&outlines.crs, &grid.crs).map_err(|source| {
        glacier_labels::LabelError::Projection {
            file: outlines.file.clone(),
            source,
        }
    })?;
    let geographic =
        matches!(grid.crs, glacier_raster::Crs::Epsg(code) if (4000..5000).contains(&code));
    let mut areas = vec![0.0; outlines.features()];
    for polygon in &outlines.polygons {
        let mut signed = 0.0;
        for ring in &polygon.rings {
            let points: Vec<(f64, f64)> = ring
                .iter()
                .filter_map(|&(x, y)| projector.transform(x, y))
                .collect();
            let scale = if geographic {
                let lat = points.iter().map(|p| p.1).sum::<f64>() / points.len().max(1) as f64;
                let m = 6_371_007.2f64.to_radians();
                m * m * lat.to_radians().cos()
            } else {
                1.0
            };
            let twice: f64 = points
                .iter()
                .zip(points.iter().cycle().skip(1))
                .map(|(a, b)| a.0 * b.1 - b.0 * a.1)
                .sum();
            signed += twice / 2.0 * scale;
        }
        if let Some(a) = areas.get_mut(polygon.feature) {
            *a += signed.abs();
        }
    }
    Ok(areas)
}

/// Writes `rows` as CSV with a header line (areas in km², shares 0–1, empty where unknown).
///
/// # Errors
/// [`ChangeError::Csv`] when writing fails; `file` names the table in it.
pub fn write_csv<W: std::io::Write>(
    file: &str,
    writer: W,
    rows: &[GlacierChange],
) -> Result<(), ChangeError> {
    let err = |e: csv::Error| ChangeError::Csv {
        file: file.to_owned(),
        detail: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(writer);
    for row in rows {
        w.serialize(row).map_err(err)?;
    }
    if rows.is_empty() {
        w.write_record([
            "id",
            "name",
            "outline_km2",
            "before_km2",
            "after_km2",
            "lost_km2",
            "gained_km2",
            "net_km2",
            "net_percent",
            "uncertainty_km2",
            "ambiguous_km2",
            "no_data_share",
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| ChangeError::Csv {
        file: file.to_owned(),
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header written for an empty table is the one `serde` writes from the struct.
    #[test]
    fn an_empty_table_has_the_same_header_as_a_full_one() {
        let row = GlacierChange {
            id: "RGI60-15.03733".into(),
            name: "Khumbu, \"lower\"".into(),
            outline_km2: 19.08,
            before_km2: 19.07,
            after_km2: 17.09,
            lost_km2: 1.97,
            gained_km2: 0.0,
            net_km2: -1.97,
            net_percent: Some(-10.35),
            uncertainty_km2: 3.04,
            ambiguous_km2: None,
            no_data_share: 0.0008,
        };
        let text = |rows: &[GlacierChange]| {
            let mut out = Vec::new();
            write_csv("t.csv", &mut out, rows).expect("writes");
            String::from_utf8(out).expect("utf-8")
        };
        let full = text(std::slice::from_ref(&row));
        let empty = text(&[]);
        let header = full.lines().next().expect("header");
        assert_eq!(empty.trim_end(), header);
        // A name with a comma and quotes stays one field; a missing value is empty.
        assert_eq!(
            full.lines().nth(1),
            Some(
                "RGI60-15.03733,\"Khumbu, \"\"lower\"\"\",19.08,19.07,17.09,1.97,0.0,-1.97,\
                 -10.35,3.04,,0.0008"
            )
        );
    }
}
