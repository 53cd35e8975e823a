//! What a dropped or given file is: from its name ([`FileType::of`]) before any of it is read,
//! and from its first bytes ([`Content::sniff`]) to check the name. The one place the page and
//! the CLI ask; the page lists [`describe`] beside each file and decides from it whether the
//! visitor must say what a GeoTIFF's bands hold.

use crate::archive::ArchiveFormat;
use glacier_landsat::{Channel, FileKind, LandsatFileName};
pub use glacier_raster::sniff::Content;

/// What a file is, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// A Landsat 8/9 file recognised by its name (a band, QA, MTL or another product).
    Landsat89,
    /// A file of another Landsat mission, by its name (not used).
    OtherLandsat,
    /// A scene archive as USGS delivers it.
    Archive(ArchiveFormat),
    /// Glacier outlines.
    Outlines(OutlineFormat),
    /// A shapefile's companion (`.prj` gives the CRS; `.shx`, `.dbf`, `.cpg` are not read).
    ShapefilePart,
    /// A GeoTIFF without a Landsat name (a stack, another sensor's bands, a DEM).
    OtherGeoTiff,
    /// Anything else.
    Other,
}

/// How outlines are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutlineFormat {
    /// `.geojson`, lon/lat or with a `crs` member (a plain `.json` may be anything, e.g. a
    /// STAC item, so it is only taken as outlines where a person says so).
    GeoJson,
    /// `.shp`, its CRS in the `.prj` beside it.
    Shapefile,
    /// `.gpkg` (read natively only).
    GeoPackage,
}

fn ends_with_any(lower: &str, extensions: &[&str]) -> bool {
    extensions.iter().any(|e| lower.ends_with(e))
}

impl FileType {
    /// What `name` is (case of the extension ignored).
    pub fn of(name: &str) -> FileType {
        if let Some(parsed) = LandsatFileName::parse(name) {
            return if parsed.is_landsat89() {
                FileType::Landsat89
            } else {
                FileType::OtherLandsat
            };
        }
        if let Some(format) = ArchiveFormat::of(name) {
            return FileType::Archive(format);
        }
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".geojson") {
            FileType::Outlines(OutlineFormat::GeoJson)
        } else if lower.ends_with(".shp") {
            FileType::Outlines(OutlineFormat::Shapefile)
        } else if lower.ends_with(".gpkg") {
            FileType::Outlines(OutlineFormat::GeoPackage)
        } else if ends_with_any(&lower, &[".prj", ".shx", ".dbf", ".cpg"]) {
            FileType::ShapefilePart
        } else if ends_with_any(&lower, &[".tif", ".tiff"]) {
            FileType::OtherGeoTiff
        } else {
            FileType::Other
        }
    }
}

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
    let Some(parsed) = LandsatFileName::parse(name) else {
        let what = match FileType::of(name) {
            FileType::Archive(_) => "scene archive – its bands and MTL are read from it; the \
                                     notes under the map list them"
                .to_string(),
            FileType::Outlines(OutlineFormat::GeoJson | OutlineFormat::Shapefile) => {
                "glacier outlines – the map is compared with them".to_string()
            }
            FileType::ShapefilePart => "part of a shapefile (the .prj gives its CRS)".to_string(),
            FileType::OtherGeoTiff => "GeoTIFF with an unrecognised name: not used (if it is a \
                                       DEM: neither the shipped network nor the NDSI baseline \
                                       takes elevation)"
                .to_string(),
            _ => "not used".to_string(),
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
                "{} file – not taken by its name: the page knows Landsat 8/9 (OLI/TIRS) \
                 names; say what its bands hold in the band table to use it",
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

/// Whether `name` is a Landsat 8/9 file recognised by its name.
pub fn is_landsat89(name: &str) -> bool {
    FileType::of(name) == FileType::Landsat89
}

/// Whether `name` is a scene archive (`.tar`, `.tar.gz`, `.tgz`), unpacked when mapped.
pub fn is_archive(name: &str) -> bool {
    matches!(FileType::of(name), FileType::Archive(_))
}

/// Whether `name` is a GeoTIFF whose bands the visitor may have to name: a `.tif`/`.tiff`
/// without a Landsat 8/9 name.
pub fn needs_bands_chosen(name: &str) -> bool {
    matches!(
        FileType::of(name),
        FileType::OtherGeoTiff | FileType::OtherLandsat
    ) && {
        let lower = name.to_ascii_lowercase();
        lower.ends_with(".tif") || lower.ends_with(".tiff")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landsat_files_say_band_product_and_scene() {
        let r = describe("LC08_L2SP_204023_20200927_20201006_02_T1_SR_B6.TIF");
        assert_eq!(r.what, "band 6 (swir1) – Level-2 surface reflectance");
        assert_eq!(r.scene, "LC08 2020-09-27, path 204 row 23");
        let r = describe("LC09_L1TP_231062_20230723_20230802_02_T1_B1.TIF");
        assert_eq!(r.what, "band 1 (not used) – Level-1 digital numbers");
        let r = describe("LC08_L1TP_140041_20200101_20200113_02_T1_ANG.txt");
        assert_eq!(r.what, "ANG (not used)");
    }

    #[test]
    fn other_missions_and_names_say_what_is_not_used_and_why() {
        let r = describe("LE07_L1TP_140041_20001030_20200917_02_T1_B4.TIF");
        assert!(
            r.what.starts_with("LE07 file – not taken by its name"),
            "{}",
            r.what
        );
        assert!(
            r.what
                .ends_with("say what its bands hold in the band table to use it")
        );
        assert!(describe("dem.tif").what.contains("unrecognised name"));
        assert!(describe("rgi.shp").what.starts_with("glacier outlines"));
        assert!(describe("rgi.PRJ").what.contains("gives its CRS"));
        assert!(describe("scene.tar").what.starts_with("scene archive"));
        assert_eq!(describe("notes.pdf").what, "not used");
        // Names that once panicked name recognition (a byte slice inside a character).
        let odd = describe("HLS.L30.T11UNU.日本語.v2.0.B05.tif");
        assert!(odd.what.contains("unrecognised name"), "{}", odd.what);
    }

    #[test]
    fn kinds_by_name() {
        use OutlineFormat::*;
        assert_eq!(FileType::of("rgi60.GeoJSON"), FileType::Outlines(GeoJson));
        assert_eq!(FileType::of("outline.shp"), FileType::Outlines(Shapefile));
        assert_eq!(FileType::of("rgi7.gpkg"), FileType::Outlines(GeoPackage));
        assert_eq!(FileType::of("outline.dbf"), FileType::ShapefilePart);
        assert_eq!(
            FileType::of("scene.tgz"),
            FileType::Archive(ArchiveFormat::TarGz)
        );
        assert_eq!(FileType::of("dem.tif"), FileType::OtherGeoTiff);
        assert_eq!(
            FileType::of("LC08_L2SP_204023_20200927_20201006_02_T1_MTL.txt"),
            FileType::Landsat89
        );
        assert_eq!(
            FileType::of("LE07_L1TP_140041_20001030_20200917_02_T1_B4.TIF"),
            FileType::OtherLandsat
        );
        assert_eq!(FileType::of("notes.pdf"), FileType::Other);
    }

    #[test]
    fn who_needs_bands_chosen() {
        assert!(needs_bands_chosen("stack.TIFF"));
        assert!(needs_bands_chosen(
            "LE07_L1TP_140041_20001030_20200917_02_T1_B4.TIF"
        ));
        assert!(!needs_bands_chosen(
            "LC08_L2SP_204023_20200927_20201006_02_T1_SR_B6.TIF"
        ));
        assert!(!needs_bands_chosen("scene.tar"));
        assert!(is_archive("LC08_L2SP_204023_20200927_20201006_02_T1.tar"));
        assert!(!is_archive("band.tif"));
    }
}
