//! Reading outlines: polygons with holes, and the CRS they are in.

use std::io::Cursor;

use glacier_raster::Crs;

use crate::attributes::{Attributes, json_attributes};
use thiserror::Error;

/// What is wrong with an outline file.
#[derive(Debug, Error)]
pub enum LabelError {
    /// The shapefile or GeoJSON does not parse.
    #[error(
        "{file}: cannot read the outlines ({detail}); give the .shp with its .prj beside it, or a GeoJSON file"
    )]
    Format {
        /// File name.
        file: String,
        /// What the parser said.
        detail: String,
    },
    /// The outlines' CRS cannot be recognised.
    #[error(
        "{file}: unknown coordinate system ({detail}); reproject the outlines to WGS 84 lon/lat or UTM (EPSG:326xx/327xx)"
    )]
    UnknownCrs {
        /// File name.
        file: String,
        /// The text that was not understood.
        detail: String,
    },
    /// A shapefile without its `.prj`: its coordinates could be in any CRS.
    #[error(
        "{file}: its .prj is missing, so the coordinate system of its outlines is unknown; give the .prj that came with it (same name, beside the .shp)"
    )]
    MissingPrj {
        /// The `.shp` file name.
        file: String,
    },
    /// No polygon in the file.
    #[error("{file}: no polygons found; glacier outlines must be (multi)polygons")]
    NoPolygons {
        /// File name.
        file: String,
    },
    /// A GeoPackage geometry nests collections past `geopackage::MAX_WKB_DEPTH`.
    #[error(
        "{file}: a geometry in table {table} nests collections more than {limit} deep; glacier outlines are (multi)polygons, so the file is likely damaged: export the outlines again as polygons"
    )]
    GeometryTooDeep {
        /// File name.
        file: String,
        /// The feature table.
        table: String,
        /// The deepest nesting taken.
        limit: usize,
    },
    /// The outlines cannot be moved into the scene's CRS.
    #[error("{file}: {source}")]
    Projection {
        /// File name.
        file: String,
        /// The projection error.
        #[source]
        source: glacier_raster::ProjectionError,
    },
    /// The grid to burn the outlines onto is too large to hold in memory.
    #[error("{file}: cannot rasterise the outlines: {source}")]
    GridTooLarge {
        /// The outlines' file name.
        file: String,
        /// The grid's size and the limit.
        #[source]
        source: glacier_raster::GridTooLarge,
    },
    /// Polygons could not be written as GeoJSON.
    #[error("{file}: cannot write the GeoJSON ({detail})")]
    Encoding {
        /// File name.
        file: String,
        /// What the encoder said.
        detail: String,
    },
}

/// One polygon: its rings (outer boundary and holes), each a closed list of `(x, y)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Polygon {
    /// Rings; which is a hole does not matter to the even-odd fill.
    pub rings: Vec<Vec<(f64, f64)>>,
    /// The feature (record) of the file it belongs to, 0-based: the parts of a multipolygon
    /// share one; an index into [`Outlines::attributes`] where the file has attributes.
    pub feature: usize,
}

/// Polygons and their CRS.
#[derive(Clone, Debug, PartialEq)]
pub struct Outlines {
    /// File name, for messages.
    pub file: String,
    /// The polygons.
    pub polygons: Vec<Polygon>,
    /// Their coordinate reference system.
    pub crs: Crs,
    /// Each feature's attributes, by [`Polygon::feature`]; empty when the file gave none (a
    /// shapefile read without its `.dbf`).
    pub attributes: Vec<Attributes>,
}

/// The CRS a `.prj` (ESRI WKT) names: its EPSG authority if present, WGS 84 geographic, or a
/// WGS 84 UTM zone.
pub fn crs_from_prj(wkt: &str) -> Option<Crs> {
    let text = wkt.trim();
    if let Some((_, rest)) = text.rsplit_once("AUTHORITY[\"EPSG\",\"") {
        let code: String = rest.chars().take_while(char::is_ascii_digit).collect();
        // The last AUTHORITY belongs to the outermost object (PROJCS or GEOGCS).
        if let Ok(code) = code.parse() {
            return Some(Crs::Epsg(code));
        }
    }
    let upper = text.to_ascii_uppercase();
    let wgs84 = upper.contains("WGS_1984") || upper.contains("WGS 84") || upper.contains("WGS84");
    if upper.starts_with("GEOGCS") && wgs84 {
        return Some(Crs::Epsg(4326));
    }
    if upper.starts_with("PROJCS") && wgs84 {
        let (_, after) = upper
            .split_once("UTM_ZONE_")
            .or_else(|| upper.split_once("UTM ZONE "))?;
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let zone: u32 = digits.parse().ok()?;
        let hemisphere = after
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .chars()
            .next()?;
        return match hemisphere {
            'N' => Some(Crs::Epsg(32600 + zone)),
            'S' => Some(Crs::Epsg(32700 + zone)),
            _ => None,
        };
    }
    None
}

impl Outlines {
    /// Reads a shapefile from its parts' bytes: the `.shp`, and the `.prj` that gives its CRS
    /// (`None` when there is none: then nothing says what its coordinates are, so it is refused
    /// rather than taken as lon/lat).
    ///
    /// # Errors
    /// [`LabelError`] when the `.prj` is missing, the file does not parse, has no polygons, or
    /// names an unknown CRS.
    pub fn from_shapefile(
        file: &str,
        shp: &[u8],
        prj: Option<&str>,
    ) -> Result<Outlines, LabelError> {
        let crs = match prj {
            Some(wkt) => crs_from_prj(wkt).ok_or_else(|| LabelError::UnknownCrs {
                file: file.to_owned(),
                detail: wkt.chars().take(120).collect(),
            })?,
            None => {
                return Err(LabelError::MissingPrj {
                    file: file.to_owned(),
                });
            }
        };
        let format = |detail: String| LabelError::Format {
            file: file.to_owned(),
            detail,
        };
        // The header as the crate checks it, then each checked record on its own.
        shapefile::ShapeReader::new(Cursor::new(shp)).map_err(|e| format(e.to_string()))?;
        let mut shapes = Vec::new();
        for record in crate::shp_records::check(shp).map_err(format)? {
            let one = crate::shp_records::one_record_file(shp, record);
            let reader = shapefile::ShapeReader::new(Cursor::new(one.as_slice()))
                .map_err(|e| format(e.to_string()))?;
            shapes.extend(reader.read().map_err(|e| format(e.to_string()))?);
        }
        let mut polygons = Vec::new();
        for (feature, shape) in shapes.into_iter().enumerate() {
            let rings: Vec<Vec<(f64, f64)>> = match shape {
                shapefile::Shape::Polygon(p) => p
                    .rings()
                    .iter()
                    .map(|r| r.points().iter().map(|q| (q.x, q.y)).collect())
                    .collect(),
                shapefile::Shape::PolygonZ(p) => p
                    .rings()
                    .iter()
                    .map(|r| r.points().iter().map(|q| (q.x, q.y)).collect())
                    .collect(),
                shapefile::Shape::PolygonM(p) => p
                    .rings()
                    .iter()
                    .map(|r| r.points().iter().map(|q| (q.x, q.y)).collect())
                    .collect(),
                _ => continue,
            };
            polygons.push(Polygon { rings, feature });
        }
        Self::checked(file, polygons, crs, Vec::new())
    }

    /// Reads GeoJSON (a FeatureCollection, Feature or Geometry). Coordinates are WGS 84 lon/lat
    /// (RFC 7946) unless a legacy `crs` member names an EPSG code.
    ///
    /// # Errors
    /// [`LabelError`] when the text does not parse or has no polygons.
    pub fn from_geojson(file: &str, text: &str) -> Result<Outlines, LabelError> {
        let gj: geojson::GeoJson =
            text.parse()
                .map_err(|e: geojson::Error| LabelError::Format {
                    file: file.to_owned(),
                    detail: e.to_string(),
                })?;
        let crs = legacy_crs(text).unwrap_or(Crs::Epsg(4326));
        let mut polygons = Vec::new();
        let mut attributes = Vec::new();
        let mut add = |feature: Option<&geojson::Feature>, geometry: Option<&geojson::Geometry>| {
            if let Some(g) = geometry {
                collect_polygons(&g.value, attributes.len(), &mut polygons);
            }
            attributes.push(feature.map(json_attributes).unwrap_or_default());
        };
        match &gj {
            geojson::GeoJson::FeatureCollection(fc) => {
                for f in &fc.features {
                    add(Some(f), f.geometry.as_ref());
                }
            }
            geojson::GeoJson::Feature(f) => add(Some(f), f.geometry.as_ref()),
            geojson::GeoJson::Geometry(g) => add(None, Some(g)),
        }
        Self::checked(file, polygons, crs, attributes)
    }

    pub(crate) fn checked(
        file: &str,
        polygons: Vec<Polygon>,
        crs: Crs,
        attributes: Vec<Attributes>,
    ) -> Result<Outlines, LabelError> {
        if polygons.is_empty() {
            return Err(LabelError::NoPolygons {
                file: file.to_owned(),
            });
        }
        Ok(Outlines {
            file: file.to_owned(),
            polygons,
            crs,
            attributes,
        })
    }

    /// The number of features: one past the highest [`Polygon::feature`].
    pub fn features(&self) -> usize {
        self.polygons
            .iter()
            .map(|p| p.feature + 1)
            .max()
            .unwrap_or(0)
    }
}

fn ring(coords: &[geojson::Position]) -> Vec<(f64, f64)> {
    coords
        .iter()
        .filter_map(|p| match p.as_slice() {
            [x, y, ..] => Some((*x, *y)),
            _ => None,
        })
        .collect()
}

fn collect_polygons(value: &geojson::GeometryValue, feature: usize, out: &mut Vec<Polygon>) {
    match value {
        geojson::GeometryValue::Polygon { coordinates } => out.push(Polygon {
            rings: coordinates.iter().map(|r| ring(r)).collect(),
            feature,
        }),
        geojson::GeometryValue::MultiPolygon { coordinates } => {
            for p in coordinates {
                out.push(Polygon {
                    rings: p.iter().map(|r| ring(r)).collect(),
                    feature,
                });
            }
        }
        geojson::GeometryValue::GeometryCollection { geometries } => {
            for g in geometries {
                collect_polygons(&g.value, feature, out);
            }
        }
        _ => {}
    }
}

/// The EPSG code of a legacy GeoJSON `"crs"` member (`urn:ogc:def:crs:EPSG::32645`); CRS84 → 4326.
fn legacy_crs(text: &str) -> Option<Crs> {
    let head: String = text.chars().take(2000).collect();
    let (_, after) = head.split_once("\"crs\"")?;
    if after.contains("CRS84") {
        return Some(Crs::Epsg(4326));
    }
    let (_, code) = after.split_once("EPSG")?;
    let digits: String = code
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().map(Crs::Epsg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prj_forms() {
        let esri = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(crs_from_prj(esri), Some(Crs::Epsg(4326)));
        let utm = r#"PROJCS["WGS_1984_UTM_Zone_45N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]]],PROJECTION["Transverse_Mercator"]]"#;
        assert_eq!(crs_from_prj(utm), Some(Crs::Epsg(32645)));
        assert_eq!(crs_from_prj("PROJCS[\"Swiss CH1903+\"]"), None);
    }

    #[test]
    fn non_ascii_crs_text_is_read_without_panic() {
        let named = r#"PROJCS["WGS 84 / UTM zone 33N – Ñúñoa",AUTHORITY["EPSG","32633"]]"#;
        assert_eq!(crs_from_prj(named), Some(Crs::Epsg(32633)));
        let south = "PROJCS[\"WGS_1984_UTM_Zone_19S\",GEOGCS[\"GCS_WGS_1984 – Ñ\"]]";
        assert_eq!(crs_from_prj(south), Some(Crs::Epsg(32719)));
        for prj in [
            "PROJCS[\"WGS_1984_UTM_Zone_7é\"]",
            "PROJCS[\"WGS_1984_UTM_Zone_日\"]",
            "PROJCS[\"WGS84 UTM ZONE 45",
            "AUTHORITY[\"EPSG\",\"氷",
        ] {
            assert_eq!(crs_from_prj(prj), None, "{prj}");
        }
        let gj = r#"{"type":"Feature","crs":{"type":"name","properties":{"name":"氷河 urn:ogc:def:crs:EPSG::32645"}},"properties":{"名前":"氷河"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}"#;
        let o = Outlines::from_geojson("氷河.geojson", gj).expect("parses");
        assert_eq!(o.crs, Crs::Epsg(32645));
    }

    #[test]
    fn a_shapefile_without_its_prj_is_refused() {
        let e = Outlines::from_shapefile("rgi.shp", b"any bytes", None).expect_err("no .prj");
        assert!(matches!(e, LabelError::MissingPrj { .. }), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("rgi.shp: its .prj is missing, so the coordinate system"),
            "{e}"
        );
    }

    #[test]
    fn geojson_polygons_and_errors() {
        let gj = r#"{"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[2,2],[3,2],[3,3],[2,2]]]]}}"#;
        let o = Outlines::from_geojson("a.geojson", gj).expect("parses");
        assert_eq!(o.polygons.len(), 2);
        assert_eq!(o.crs, Crs::Epsg(4326));
        let e = Outlines::from_geojson("pts.geojson", r#"{"type":"Point","coordinates":[1,2]}"#)
            .expect_err("no polygons");
        assert!(
            e.to_string().contains("pts.geojson: no polygons found"),
            "{e}"
        );
        let e = Outlines::from_geojson("bad.geojson", "{not json").expect_err("bad");
        assert!(
            e.to_string()
                .starts_with("bad.geojson: cannot read the outlines"),
            "{e}"
        );
    }
}
