//! What the page recognised in the dropped files, before any heavy work.

use glacier_landsat::{Channel, FileKind, LandsatFileName};

/// One dropped file and what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Recognised {
    /// File name.
    pub name: String,
    /// What it holds, in words.
    pub what: String,
    /// Scene and date, when the name tells.
    pub scene: String,
}

/// Describes a file from its name.
pub fn describe(name: &str) -> Recognised {
    let lower = name.to_ascii_lowercase();
    let Some(parsed) = LandsatFileName::parse(name) else {
        let what = if lower.ends_with(".geojson") || lower.ends_with(".shp") {
            "glacier outlines – the map is compared with them".to_string()
        } else if [".prj", ".shx", ".dbf", ".cpg"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            "part of a shapefile (the .prj gives its CRS)".to_string()
        } else if lower.ends_with(".tif") || lower.ends_with(".tiff") {
            "GeoTIFF with an unrecognised name: not used (if it is a DEM: neither the shipped \
             network nor the NDSI baseline takes elevation)"
                .to_string()
        } else {
            "not used".to_string()
        };
        return Recognised {
            name: name.to_owned(),
            what,
            scene: String::new(),
        };
    };
    if !parsed.is_landsat89() {
        return Recognised {
            name: name.to_owned(),
            what: format!(
                "{} file – not used: the page takes Landsat 8/9 (OLI/TIRS)",
                parsed.mission
            ),
            scene: format!("{} {}", parsed.mission, parsed.date),
        };
    }
    let band = |n: u8| match Channel::from_landsat89_band(n) {
        Some(c) => format!("band {n} ({c})"),
        None => format!("band {n} (not used)"),
    };
    let what = match &parsed.kind {
        FileKind::Band(n) => format!("{} – Level-1 digital numbers", band(*n)),
        FileKind::SurfaceReflectance(n) => format!("{} – Level-2 surface reflectance", band(*n)),
        FileKind::SurfaceTemperature(n) => format!("band {n} (tir) – Level-2 surface temperature"),
        FileKind::ScaledBand(n) => format!("{} – HLS surface reflectance", band(*n)),
        FileKind::QaPixel => "QA_PIXEL – cloud and fill mask".into(),
        FileKind::Bqa => "BQA (older QA layout, not used)".into(),
        FileKind::Mtl => "MTL metadata – calibration constants".into(),
        FileKind::Other(s) => format!("{s} (not used)"),
    };
    let place = match (parsed.path, parsed.row) {
        (Some(p), Some(r)) => format!(", path {p} row {r}"),
        _ => String::new(),
    };
    Recognised {
        name: name.to_owned(),
        what,
        scene: format!("{} {}{place}", parsed.mission, parsed.date),
    }
}
