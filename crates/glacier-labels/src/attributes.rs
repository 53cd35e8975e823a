//! Each outline's attributes (the RGI id and name a per-glacier table needs), as text: from a
//! shapefile's `.dbf`, GeoJSON properties, or (in `geopackage`) a GeoPackage's columns.

use std::io::Cursor;

use crate::outlines::{LabelError, Outlines};

/// One feature's attributes as the file names them, each value as text (numbers as written by
/// Rust's `Display`; empty and null values left out), in the file's column order.
pub type Attributes = Vec<(String, String)>;

impl Outlines {
    /// Adds the attributes of a shapefile's `.dbf` (one record per shape, in order) to outlines
    /// read by [`Outlines::from_shapefile`].
    ///
    /// # Errors
    /// [`LabelError::Format`] when the `.dbf` does not parse, or holds fewer records than the
    /// `.shp` has shapes (the two files are then not one shapefile).
    pub fn with_dbf(mut self, dbf: &[u8]) -> Result<Outlines, LabelError> {
        let name = self.file.replace(".shp", ".dbf");
        let format = |detail: String| LabelError::Format {
            file: name.clone(),
            detail,
        };
        let mut reader =
            shapefile::dbase::Reader::new(Cursor::new(dbf)).map_err(|e| format(e.to_string()))?;
        let columns: Vec<String> = reader
            .fields()
            .iter()
            .map(|f| f.name().to_owned())
            .collect();
        let records = reader.read().map_err(|e| format(e.to_string()))?;
        let shapes = self.features();
        if records.len() < shapes {
            return Err(format(format!(
                "{} records for {shapes} shapes; give the .dbf that came with the .shp",
                records.len()
            )));
        }
        self.attributes = records
            .into_iter()
            .map(|record| {
                columns
                    .iter()
                    .filter_map(|c| {
                        let text = dbf_text(record.get(c)?)?;
                        Some((c.clone(), text))
                    })
                    .collect()
            })
            .collect();
        Ok(self)
    }
}

/// A GeoJSON feature's properties as text (strings as they are, other values as JSON).
pub(crate) fn json_attributes(feature: &geojson::Feature) -> Attributes {
    feature
        .properties
        .iter()
        .flatten()
        .filter_map(|(k, v)| {
            let text = match v {
                geojson::JsonValue::Null => return None,
                geojson::JsonValue::String(s) => s.trim().to_owned(),
                other => other.to_string(),
            };
            (!text.is_empty()).then(|| (k.clone(), text))
        })
        .collect()
}

/// A `.dbf` value as text; `None` for empty and null values.
fn dbf_text(value: &shapefile::dbase::FieldValue) -> Option<String> {
    use shapefile::dbase::FieldValue as V;
    let text = match value {
        V::Character(s) => s.as_ref()?.trim().to_owned(),
        V::Memo(s) => s.trim().to_owned(),
        V::Numeric(n) => n.as_ref()?.to_string(),
        V::Float(n) => n.as_ref()?.to_string(),
        V::Double(n) | V::Currency(n) => n.to_string(),
        V::Integer(n) => n.to_string(),
        V::Logical(b) => b.as_ref()?.to_string(),
        other => other.to_string(),
    };
    (!text.is_empty()).then_some(text)
}
