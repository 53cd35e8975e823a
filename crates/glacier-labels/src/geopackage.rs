//! GeoPackage outlines (native only): the first feature table's polygons.
//!
//! A GeoPackage geometry is a small header (`GP`, version, flags, SRS id, optional envelope)
//! followed by standard WKB; this module reads both.

use glacier_raster::Crs;
use thiserror::Error;

use crate::outlines::{LabelError, Outlines, Polygon};

/// The deepest nesting of WKB multi-geometries and collections taken (an outline nests 1 deep);
/// deeper blobs are refused before the recursive reader could exhaust the stack.
pub const MAX_WKB_DEPTH: usize = 32;

/// Why a GeoPackage geometry blob gave no polygons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum BlobError {
    /// Not a GeoPackage geometry, cut short, or a geometry other than (multi)polygons.
    #[error("not a readable (multi)polygon")]
    Unreadable,
    /// Multi-geometries or collections nest deeper than [`MAX_WKB_DEPTH`].
    #[error("geometry collections nest more than {MAX_WKB_DEPTH} deep")]
    TooDeep,
}

fn format_err(file: &str, detail: impl Into<String>) -> LabelError {
    LabelError::Format {
        file: file.to_owned(),
        detail: detail.into(),
    }
}

/// A little cursor over WKB bytes.
struct Wkb<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Wkb<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], BlobError> {
        let slice = self
            .bytes
            .get(self.at..self.at.saturating_add(N))
            .ok_or(BlobError::Unreadable)?;
        self.at += N;
        slice.try_into().map_err(|_| BlobError::Unreadable)
    }
    fn u32(&mut self, little: bool) -> Result<u32, BlobError> {
        let b = self.take::<4>()?;
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }
    fn f64(&mut self, little: bool) -> Result<f64, BlobError> {
        let b = self.take::<8>()?;
        Ok(if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// Reads one geometry inside `depth` collections, appending its polygons.
    fn geometry(&mut self, out: &mut Vec<Polygon>, depth: usize) -> Result<(), BlobError> {
        if depth > MAX_WKB_DEPTH {
            return Err(BlobError::TooDeep);
        }
        let little = self.take::<1>()?[0] == 1;
        let raw = self.u32(little)?;
        // ISO: 1000s add Z, 2000s add M, 3000s add ZM; EWKB: high flag bits.
        let ewkb_z = raw & 0x8000_0000 != 0;
        let ewkb_m = raw & 0x4000_0000 != 0;
        let base = raw & 0x0FFF_FFFF;
        let (kind, iso) = (base % 1000, base / 1000);
        let dims = 2
            + usize::from(iso == 1 || iso == 3 || ewkb_z)
            + usize::from(iso == 2 || iso == 3 || ewkb_m);
        if raw & 0x2000_0000 != 0 {
            self.u32(little)?; // EWKB SRID
        }
        match kind {
            3 => {
                let rings = self.u32(little)?;
                let mut polygon = Polygon {
                    rings: Vec::new(),
                    feature: 0,
                };
                for _ in 0..rings {
                    let n = self.u32(little)? as usize;
                    let mut ring = Vec::with_capacity(n.min(1 << 20));
                    for _ in 0..n {
                        let x = self.f64(little)?;
                        let y = self.f64(little)?;
                        for _ in 2..dims {
                            self.f64(little)?;
                        }
                        ring.push((x, y));
                    }
                    polygon.rings.push(ring);
                }
                out.push(polygon);
            }
            6 | 7 => {
                let parts = self.u32(little)?;
                for _ in 0..parts {
                    self.geometry(out, depth + 1)?;
                }
            }
            _ => return Err(BlobError::Unreadable),
        }
        Ok(())
    }
}

/// An attribute value as text; `None` for NULL, empty text and blobs.
fn sql_text(value: rusqlite::types::ValueRef<'_>) -> Option<String> {
    use rusqlite::types::ValueRef as V;
    let text = match value {
        V::Null | V::Blob(_) => return None,
        V::Integer(n) => n.to_string(),
        V::Real(x) => x.to_string(),
        V::Text(t) => String::from_utf8_lossy(t).trim().to_owned(),
    };
    (!text.is_empty()).then_some(text)
}

/// Polygons of one GeoPackage geometry blob.
///
/// # Errors
/// [`BlobError::TooDeep`] past [`MAX_WKB_DEPTH`], [`BlobError::Unreadable`] otherwise.
pub fn parse_blob(blob: &[u8]) -> Result<Vec<Polygon>, BlobError> {
    if blob.get(..2) != Some(b"GP") {
        return Err(BlobError::Unreadable);
    }
    let flags = *blob.get(3).ok_or(BlobError::Unreadable)?;
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        _ => return Err(BlobError::Unreadable),
    };
    let mut wkb = Wkb {
        bytes: blob,
        at: 8 + envelope,
    };
    let mut out = Vec::new();
    wkb.geometry(&mut out, 0)?;
    Ok(out)
}

/// An SQLite URI that opens `path` read-only as an immutable file.
fn immutable_uri(path: &std::path::Path) -> String {
    let mut uri = String::from("file:");
    for ch in path.to_string_lossy().chars() {
        match ch {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3F"),
            '#' => uri.push_str("%23"),
            _ => uri.push(ch),
        }
    }
    uri.push_str("?immutable=1");
    uri
}

impl Outlines {
    /// Reads the polygons of the first feature table of a GeoPackage file.
    ///
    /// # Errors
    /// [`LabelError::Format`] when it is not a readable GeoPackage, [`LabelError::NoPolygons`]
    /// when its first feature table holds no polygons, [`LabelError::GeometryTooDeep`] when a
    /// geometry nests collections past [`MAX_WKB_DEPTH`].
    pub fn from_geopackage(path: &std::path::Path) -> Result<Outlines, LabelError> {
        let file = path.display().to_string();
        // `immutable=1`: read without creating `-shm`/`-wal` files beside a WAL-mode GeoPackage
        // (the data folder may be read-only and must stay untouched).
        let db = rusqlite::Connection::open_with_flags(
            immutable_uri(path),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| format_err(&file, e.to_string()))?;
        let sql = |e: rusqlite::Error| format_err(&file, format!("not a GeoPackage ({e})"));
        let (table, column, srs): (String, String, i64) = db
            .query_row(
                "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c \
                 JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
                 WHERE c.data_type = 'features' ORDER BY c.table_name LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(sql)?;
        let code: i64 = db
            .query_row(
                "SELECT organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?1 \
                 AND lower(organization) = 'epsg'",
                [srs],
                |r| r.get(0),
            )
            .unwrap_or(srs);
        let crs = Crs::Epsg(u32::try_from(code).map_err(|_| LabelError::UnknownCrs {
            file: file.clone(),
            detail: format!("srs_id {srs}"),
        })?);
        let quoted = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
        // Every column: the geometry and the attributes (RGI ids, names) in the table's order.
        let mut statement = db
            .prepare(&format!("SELECT * FROM {}", quoted(&table)))
            .map_err(sql)?;
        let columns: Vec<String> = statement.column_names().map(str::to_owned).collect();
        let geometry = columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(&column))
            .ok_or_else(|| format_err(&file, format!("table {table} has no column {column}")))?;
        let mut rows = statement.query([]).map_err(sql)?;
        let mut polygons = Vec::new();
        let mut attributes = Vec::new();
        while let Some(row) = rows.next().map_err(sql)? {
            let feature = attributes.len();
            let mut values = Vec::new();
            for (i, name) in columns.iter().enumerate() {
                let value = row.get_ref(i).map_err(sql)?;
                if i == geometry {
                    let rusqlite::types::ValueRef::Blob(blob) = value else {
                        continue;
                    };
                    let parsed = parse_blob(blob).map_err(|e| match e {
                        BlobError::TooDeep => LabelError::GeometryTooDeep {
                            file: file.clone(),
                            table: table.clone(),
                            limit: MAX_WKB_DEPTH,
                        },
                        BlobError::Unreadable => format_err(
                            &file,
                            format!("a geometry in table {table} is not a readable polygon"),
                        ),
                    })?;
                    polygons.extend(parsed.into_iter().map(|p| Polygon { feature, ..p }));
                } else if let Some(text) = sql_text(value) {
                    values.push((name.clone(), text));
                }
            }
            attributes.push(values);
        }
        Outlines::checked(&file, polygons, crs, attributes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_with_envelope_and_a_polygon() {
        let mut blob = b"GP\x00\x03".to_vec(); // version 0, flags: little-endian, envelope xy
        blob.extend(4326i32.to_le_bytes());
        blob.extend([0u8; 32]);
        blob.push(1);
        blob.extend(3u32.to_le_bytes());
        blob.extend(1u32.to_le_bytes());
        blob.extend(4u32.to_le_bytes());
        for (x, y) in [(0.0f64, 0.0f64), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)] {
            blob.extend(x.to_le_bytes());
            blob.extend(y.to_le_bytes());
        }
        let polygons = parse_blob(&blob).expect("parses");
        assert_eq!(
            polygons[0].rings[0],
            vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]
        );
        assert_eq!(
            parse_blob(&blob[..40]),
            Err(BlobError::Unreadable),
            "truncated"
        );
        assert_eq!(parse_blob(b"XX"), Err(BlobError::Unreadable));
        assert_eq!(parse_blob(b"G"), Err(BlobError::Unreadable));
    }

    /// A GeoPackage blob (no envelope) of one square inside `depth` geometry collections.
    fn nested_blob(depth: usize) -> Vec<u8> {
        let mut blob = b"GP\x00\x01".to_vec();
        blob.extend(4326i32.to_le_bytes());
        for _ in 0..depth {
            blob.push(1);
            blob.extend(7u32.to_le_bytes());
            blob.extend(1u32.to_le_bytes());
        }
        blob.push(1);
        blob.extend(3u32.to_le_bytes());
        blob.extend(1u32.to_le_bytes());
        blob.extend(4u32.to_le_bytes());
        for (x, y) in [(0.0f64, 0.0f64), (2.0, 0.0), (2.0, 2.0), (0.0, 0.0)] {
            blob.extend(x.to_le_bytes());
            blob.extend(y.to_le_bytes());
        }
        blob
    }

    #[test]
    fn deep_collections_are_refused_not_a_stack_overflow() {
        let at_limit = parse_blob(&nested_blob(MAX_WKB_DEPTH)).expect("32 deep");
        assert_eq!(at_limit.len(), 1);
        assert_eq!(at_limit[0].rings[0][2], (2.0, 2.0));
        assert_eq!(
            parse_blob(&nested_blob(MAX_WKB_DEPTH + 1)),
            Err(BlobError::TooDeep)
        );
        // 100 000 nested collections recursed until the stack overflowed.
        assert_eq!(parse_blob(&nested_blob(100_000)), Err(BlobError::TooDeep));
        let e = LabelError::GeometryTooDeep {
            file: "rgi.gpkg".into(),
            table: "outlines".into(),
            limit: MAX_WKB_DEPTH,
        };
        assert!(
            e.to_string().starts_with(
                "rgi.gpkg: a geometry in table outlines nests collections more than 32 deep"
            ),
            "{e}"
        );
    }
}
