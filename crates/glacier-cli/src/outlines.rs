//! Glacier outlines from a file given on the command line.

use anyhow::{Context, Result, bail};
use glacier_inputs::recognise::{FileType, OutlineFormat};
use glacier_labels::Outlines;
use std::path::Path;

/// Reads outlines from a `.shp` (with its `.prj` and, for attributes, its `.dbf` beside it), a
/// GeoJSON or a GeoPackage file.
pub fn read_outlines(path: &Path) -> Result<Outlines> {
    let name = path.display().to_string();
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let format = match FileType::of(&name) {
        FileType::Outlines(format) => Some(format),
        // Given as outlines, a plain .json is taken as GeoJSON.
        _ if is_json => Some(OutlineFormat::GeoJson),
        _ => None,
    };
    match format {
        Some(OutlineFormat::Shapefile) => {
            let shp = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
            let prj = std::fs::read_to_string(path.with_extension("prj")).ok();
            let outlines = Outlines::from_shapefile(&name, &shp, prj.as_deref())?;
            // The attributes (RGI ids, names) are in the .dbf; the polygons work without it.
            match std::fs::read(path.with_extension("dbf")) {
                Ok(dbf) => Ok(outlines.with_dbf(&dbf)?),
                Err(_) => Ok(outlines),
            }
        }
        Some(OutlineFormat::GeoJson) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
            Ok(Outlines::from_geojson(&name, &text)?)
        }
        Some(OutlineFormat::GeoPackage) => Ok(Outlines::from_geopackage(path)?),
        None => bail!(
            "{name}: outlines must be a shapefile (.shp, its .prj beside it), GeoJSON (.geojson) or GeoPackage (.gpkg)"
        ),
    }
}
