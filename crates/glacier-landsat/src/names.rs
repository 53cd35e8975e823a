//! Landsat file names: which scene, date and band a file holds.
//!
//! Recognised forms (case-insensitive extension):
//! - Collection 1/2: `LC08_L1TP_140041_20130503_20200912_02_T1_B5.TIF`, `…_SR_B5.TIF`,
//!   `…_ST_B10.TIF`, `…_QA_PIXEL.TIF`, `…_BQA.TIF`, `…_MTL.txt`, `…_MTL.json`;
//! - pre-collection: `LC80200392015216LGN00_B5.TIF`, `…_BQA.TIF`, `…_MTL.txt`;
//! - NASA HLS v2 Landsat surface reflectance: `HLS.L30.T11UNU.2020229T184919.v2.0.B05.tif`
//!   (values scaled by the file's own scale factor; HLS S30 is Sentinel-2 and not taken).
//!
//! Anything else needs an explicit band mapping (`--band nir=FILE`).

/// What a recognised file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Level-1 digital numbers of band `n`.
    Band(u8),
    /// Level-2 surface reflectance of band `n`.
    SurfaceReflectance(u8),
    /// Level-2 surface temperature of band `n` (10).
    SurfaceTemperature(u8),
    /// Collection 2 QA_PIXEL.
    QaPixel,
    /// Collection 1 / pre-collection BQA (older bit layout).
    Bqa,
    /// A band whose file carries its own scale and offset (HLS L30 surface reflectance).
    ScaledBand(u8),
    /// MTL metadata (`.txt` or `.json`).
    Mtl,
    /// Another product file (angles, QA_RADSAT, …), not used.
    Other(String),
}

/// A Landsat file name taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LandsatFileName {
    /// The part shared by every file of the scene (product id or pre-collection scene id).
    pub scene: String,
    /// Sensor and satellite: `LC08`, `LC09`, `LE07`, `LT05`, … (pre-collection `LC8` → `LC08`).
    pub mission: String,
    /// Processing level from the name (`L1TP`, `L2SP`, …), or `None` for pre-collection names.
    pub level: Option<String>,
    /// WRS-2 path (`None` for tiled products such as HLS).
    pub path: Option<u32>,
    /// WRS-2 row (`None` for tiled products such as HLS).
    pub row: Option<u32>,
    /// Acquisition date `YYYY-MM-DD` (pre-collection names give year + day-of-year, converted).
    pub date: String,
    /// What the file holds.
    pub kind: FileKind,
}

impl LandsatFileName {
    /// Whether this is Landsat 8 or 9 (OLI/TIRS), the only missions the model takes.
    pub fn is_landsat89(&self) -> bool {
        matches!(
            self.mission.as_str(),
            "LC08" | "LC09" | "LO08" | "LO09" | "HLS.L30"
        )
    }

    /// Parses a file name (a path's directories are ignored); `None` if it is not a Landsat name.
    pub fn parse(file_name: &str) -> Option<LandsatFileName> {
        let base = file_name.rsplit(['/', '\\']).next()?;
        let (stem, ext) = base.rsplit_once('.')?;
        let ext = ext.to_ascii_lowercase();
        if !matches!(ext.as_str(), "tif" | "tiff" | "txt" | "json") {
            return None;
        }
        Self::collection(stem, &ext)
            .or_else(|| Self::pre_collection(stem, &ext))
            .or_else(|| Self::hls(stem))
    }

    fn kind(suffix: &str, ext: &str) -> FileKind {
        let band = |s: &str| s.strip_prefix('B').and_then(|n| n.parse::<u8>().ok());
        if suffix == "MTL" && matches!(ext, "txt" | "json") {
            return FileKind::Mtl;
        }
        if ext == "txt" || ext == "json" {
            return FileKind::Other(suffix.to_owned());
        }
        match suffix {
            "QA_PIXEL" => FileKind::QaPixel,
            "BQA" => FileKind::Bqa,
            s => {
                if let Some(n) = s.strip_prefix("SR_").and_then(band) {
                    FileKind::SurfaceReflectance(n)
                } else if let Some(n) = s.strip_prefix("ST_").and_then(band) {
                    FileKind::SurfaceTemperature(n)
                } else if let Some(n) = band(s) {
                    FileKind::Band(n)
                } else {
                    FileKind::Other(s.to_owned())
                }
            }
        }
    }

    /// `LC08_L1TP_140041_20130503_20200912_02_T1_B5`
    fn collection(stem: &str, ext: &str) -> Option<LandsatFileName> {
        let parts: Vec<&str> = stem.splitn(8, '_').collect();
        if parts.len() < 8 {
            return None;
        }
        let (mission, level, pathrow, acquired) = (parts[0], parts[1], parts[2], parts[3]);
        let ok = mission.len() == 4
            && mission.starts_with('L')
            && level.len() == 4
            && pathrow.len() == 6
            && pathrow.bytes().all(|b| b.is_ascii_digit())
            && acquired.len() == 8
            && acquired.bytes().all(|b| b.is_ascii_digit())
            && parts[4].len() == 8
            && matches!(parts[5], "01" | "02")
            && parts[6].len() == 2;
        if !ok {
            return None;
        }
        Some(LandsatFileName {
            scene: parts[..7].join("_"),
            mission: mission.to_owned(),
            level: Some(level.to_owned()),
            path: Some(number(pathrow, 0..3)?),
            row: Some(number(pathrow, 3..6)?),
            date: format!(
                "{}-{}-{}",
                acquired.get(..4)?,
                acquired.get(4..6)?,
                acquired.get(6..)?
            ),
            kind: Self::kind(parts[7], ext),
        })
    }

    /// `LC80200392015216LGN00_B5`
    fn pre_collection(stem: &str, ext: &str) -> Option<LandsatFileName> {
        let (scene, suffix) = stem.split_once('_')?;
        let b = scene.as_bytes();
        let ok = scene.len() == 21
            && b[0] == b'L'
            && b[2].is_ascii_digit()
            && b[3..16].iter().all(u8::is_ascii_digit);
        if !ok {
            return None;
        }
        let year = number(scene, 9..13)?;
        let doy = number(scene, 13..16)?;
        Some(LandsatFileName {
            scene: scene.to_owned(),
            mission: format!("{}0{}", scene.get(..2)?, scene.get(2..3)?),
            level: None,
            path: Some(number(scene, 3..6)?),
            row: Some(number(scene, 6..9)?),
            date: date_from_doy(year, doy)?,
            kind: Self::kind(suffix, ext),
        })
    }
}

impl LandsatFileName {
    /// `HLS.L30.T11UNU.2020229T184919.v2.0.B05`
    fn hls(stem: &str) -> Option<LandsatFileName> {
        let parts: Vec<&str> = stem.split('.').collect();
        if parts.len() != 7 || parts[0] != "HLS" || !parts[2].starts_with('T') {
            return None;
        }
        let product = parts[1];
        let when = parts[3];
        let date = date_from_doy(number(when, 0..4)?, number(when, 4..7)?)?;
        let band = parts[6];
        let kind = match (
            product,
            band.strip_prefix('B').and_then(|n| n.parse::<u8>().ok()),
        ) {
            // HLS thermal bands are brightness temperature in 0.01 °C: not mapped yet.
            ("L30", Some(n)) if n <= 9 => FileKind::ScaledBand(n),
            _ => FileKind::Other(band.to_owned()),
        };
        Some(LandsatFileName {
            scene: parts[..6].join("."),
            mission: format!("HLS.{product}"),
            level: Some(product.to_owned()),
            path: None,
            row: None,
            date,
            kind,
        })
    }
}

/// The ASCII digits at byte `range` of `text` as a number; `None` when the range is out of
/// bounds, splits a character, or holds anything but digits (names are outside input).
fn number(text: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let digits = text.get(range)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The acquisition date (`YYYY-MM-DD`) a file name tells: a Landsat or HLS name's date (any
/// mission, S30 too), else the first run of exactly eight digits that reads as `YYYYMMDD`
/// (a USGS archive `LC08_L2SP_204023_20200927_…tar`: acquisition before processing), else of
/// seven as year and day of year (`athabasca_2020229_B03_L30.tif`). Years 1972–2100 only, so
/// an id or a counter is not taken for a date. `None` when the name tells no date.
pub fn date_in_name(file_name: &str) -> Option<String> {
    if let Some(parsed) = LandsatFileName::parse(file_name) {
        return Some(parsed.date);
    }
    let base = file_name.rsplit(['/', '\\']).next()?;
    let runs: Vec<&str> = base
        .split(|c: char| !c.is_ascii_digit())
        .filter(|r| r.len() == 7 || r.len() == 8)
        .collect();
    let year = |r: &str| number(r, 0..4).filter(|y| (1972..=2100).contains(y));
    let ymd = |r: &&str| -> Option<String> {
        let (y, m, d) = (year(r)?, number(r, 4..6)?, number(r, 6..8)?);
        (d >= 1 && d <= month_length(y, m)?).then(|| format!("{y:04}-{m:02}-{d:02}"))
    };
    let ydoy = |r: &&str| date_from_doy(year(r)?, number(r, 4..7)?);
    runs.iter()
        .filter(|r| r.len() == 8)
        .find_map(ymd)
        .or_else(|| runs.iter().filter(|r| r.len() == 7).find_map(ydoy))
}

/// Days in `month` (1–12) of `year`; `None` for another month.
fn month_length(year: u32, month: u32) -> Option<u32> {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    Some(match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        _ => return None,
    })
}

fn date_from_doy(year: u32, doy: u32) -> Option<String> {
    let mut rest = doy;
    for month in 1..=12 {
        let len = month_length(year, month)?;
        if rest >= 1 && rest <= len {
            return Some(format!("{year:04}-{month:02}-{rest:02}"));
        }
        rest = rest.checked_sub(len)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_names() {
        let date = |n: &str| date_in_name(n);
        assert_eq!(
            date("HLS.S30.T11UNU.2020253T185919.v2.0.B8A.tif").as_deref(),
            Some("2020-09-09")
        );
        assert_eq!(
            date("LE71400412000304SGS00_B4.tif").as_deref(),
            Some("2000-10-30")
        );
        assert_eq!(
            date("LC08_L2SP_204023_20200927_20201006_02_T1-cropped.tar.gz").as_deref(),
            Some("2020-09-27")
        );
        assert_eq!(
            date("athabasca_2020229_B03_L30.tif").as_deref(),
            Some("2020-08-16")
        );
        assert_eq!(
            date("dir/2024-scene_20240229.tif").as_deref(),
            Some("2024-02-29")
        );
        // Not dates: a day past the month's end, a year out of range, a longer run, none.
        assert_eq!(date("scene_20230229.tif"), None);
        assert_eq!(date("tile_12345678.tif"), None);
        assert_eq!(date("LE71400412000304.tif"), None);
        assert_eq!(date("athabasca_dem.tif"), None);
        assert_eq!(date("outlines.geojson"), None);
    }

    #[test]
    fn collection_2_names() {
        let n = LandsatFileName::parse("dir/LC08_L2SP_140041_20130503_20200912_02_T1_QA_PIXEL.TIF")
            .expect("recognised");
        assert_eq!(n.scene, "LC08_L2SP_140041_20130503_20200912_02_T1");
        assert_eq!(
            (n.path, n.row, n.date.as_str()),
            (Some(140), Some(41), "2013-05-03")
        );
        assert_eq!(n.kind, FileKind::QaPixel);
        assert!(n.is_landsat89());
        let sr = "LC09_L2SP_010065_20220129_20220131_02_T1_SR_B6.TIF";
        assert_eq!(
            LandsatFileName::parse(sr).map(|n| n.kind),
            Some(FileKind::SurfaceReflectance(6))
        );
        let st = "LC08_L2SP_047027_20201204_20210313_02_T1_ST_B10.TIF";
        assert_eq!(
            LandsatFileName::parse(st).map(|n| n.kind),
            Some(FileKind::SurfaceTemperature(10))
        );
        let mtl = "LC08_L2SP_047027_20201204_20210313_02_T1_MTL.json";
        assert_eq!(
            LandsatFileName::parse(mtl).map(|n| n.kind),
            Some(FileKind::Mtl)
        );
        let c1 = "LC08_L1TP_193024_20200509_20200509_01_RT_B10.TIF";
        assert_eq!(
            LandsatFileName::parse(c1).map(|n| n.kind),
            Some(FileKind::Band(10))
        );
    }

    #[test]
    fn pre_collection_names() {
        let n = LandsatFileName::parse("LC80200392015216LGN00_B5.TIF").expect("recognised");
        assert_eq!(
            (n.mission.as_str(), n.path, n.row),
            ("LC08", Some(20), Some(39))
        );
        assert_eq!(n.date, "2015-08-04");
        assert_eq!(n.kind, FileKind::Band(5));
        let l7 = LandsatFileName::parse("LE71400412000304SGS00_B4.tif").expect("recognised");
        assert_eq!(
            (l7.mission.as_str(), l7.date.as_str()),
            ("LE07", "2000-10-30")
        );
        assert!(!l7.is_landsat89());
    }

    #[test]
    fn hls_names() {
        let n = LandsatFileName::parse("HLS.L30.T11UNU.2020229T184919.v2.0.B05.tif").expect("HLS");
        assert_eq!(n.scene, "HLS.L30.T11UNU.2020229T184919.v2.0");
        assert_eq!(
            (n.date.as_str(), n.kind.clone()),
            ("2020-08-16", FileKind::ScaledBand(5))
        );
        assert!(n.is_landsat89());
        let s2 = LandsatFileName::parse("HLS.S30.T11UNU.2020253T185919.v2.0.B8A.tif").expect("HLS");
        assert!(!s2.is_landsat89());
        let fmask = LandsatFileName::parse("HLS.L30.T11UNU.2020229T184919.v2.0.Fmask.tif");
        assert_eq!(fmask.map(|n| n.kind), Some(FileKind::Other("Fmask".into())));
    }

    #[test]
    fn other_names_need_a_mapping() {
        assert_eq!(LandsatFileName::parse("test_B5.tif"), None);
        assert_eq!(
            LandsatFileName::parse("athabasca_2020229_B05_L30.tif"),
            None
        );
        assert_eq!(
            LandsatFileName::parse("LC08_L1TP_140041_20130503_20200912_02_T1_B5.jpg"),
            None
        );
    }

    #[test]
    fn multibyte_names_are_not_recognised_and_never_panic() {
        // Byte 7 of `日本語` falls inside `語`: `when[..7]` panicked on this dropped file.
        assert_eq!(
            LandsatFileName::parse("HLS.L30.T11UNU.日本語.v2.0.B05.tif"),
            None
        );
        assert_eq!(
            LandsatFileName::parse("HLS.L30.T11UNU.2020日本.v2.0.B05.tif"),
            None
        );
        assert_eq!(
            LandsatFileName::parse("LC08_L1TP_1400é_20130503_20200912_02_T1_B5.TIF"),
            None
        );
        assert_eq!(LandsatFileName::parse("Lé0200392015216LGN00_B5.TIF"), None);
        // Every name above with a multibyte character put in at each place, or in place of
        // each character: recognition must not panic, and what it still takes has a clean date.
        let names = [
            "LC08_L2SP_140041_20130503_20200912_02_T1_SR_B5.TIF",
            "LC80200392015216LGN00_B5.TIF",
            "HLS.L30.T11UNU.2020229T184919.v2.0.B05.tif",
        ];
        for name in names {
            for (at, ch) in name.char_indices() {
                for extra in ["é", "日", "😀"] {
                    let (head, tail) = name.split_at(at);
                    let variants = [
                        format!("{head}{extra}{tail}"),
                        format!("{head}{extra}{}", &tail[ch.len_utf8()..]),
                    ];
                    for variant in variants {
                        if let Some(n) = LandsatFileName::parse(&variant) {
                            let date = n.date.as_bytes();
                            assert!(date.len() == 10 && date.is_ascii(), "{variant}: {}", n.date);
                        }
                    }
                }
            }
        }
    }
}
