//! The scene's identity and calibration constants, read from the right MTL groups.
//!
//! Group names differ between Collection 1 (`RADIOMETRIC_RESCALING`, `TIRS_THERMAL_CONSTANTS`)
//! and Collection 2 (`LEVEL1_RADIOMETRIC_RESCALING`, `LEVEL1_THERMAL_CONSTANTS`,
//! `LEVEL2_SURFACE_REFLECTANCE_PARAMETERS`, `LEVEL2_SURFACE_TEMPERATURE_PARAMETERS`); Level-2 constants
//! are only ever read from the Level-2 groups.

use std::collections::BTreeMap;

use crate::error::LandsatError;
use crate::mtl::Mtl;

const L1_RESCALING: &[&str] = &["LEVEL1_RADIOMETRIC_RESCALING", "RADIOMETRIC_RESCALING"];
const L1_THERMAL: &[&str] = &[
    "LEVEL1_THERMAL_CONSTANTS",
    "TIRS_THERMAL_CONSTANTS",
    "THERMAL_CONSTANTS",
];
const L2_REFLECTANCE: &[&str] = &["LEVEL2_SURFACE_REFLECTANCE_PARAMETERS"];
const L2_TEMPERATURE: &[&str] = &["LEVEL2_SURFACE_TEMPERATURE_PARAMETERS"];
const IMAGE: &[&str] = &["IMAGE_ATTRIBUTES", "PRODUCT_METADATA"];
const PRODUCT: &[&str] = &["PRODUCT_CONTENTS", "METADATA_FILE_INFO", "PRODUCT_METADATA"];

/// Processing level of the product the MTL describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Level-1 digital numbers (calibrate to TOA reflectance / brightness temperature).
    L1,
    /// Level-2 surface reflectance and surface temperature (apply scale factors).
    L2,
}

/// Who and when: what the page lists before any heavy work.
#[derive(Clone, Debug, PartialEq)]
pub struct SceneMetadata {
    /// `LANDSAT_PRODUCT_ID` (Collection 1/2), if present.
    pub product_id: Option<String>,
    /// `LANDSAT_SCENE_ID` (e.g. `LC80200392015216LGN00`), if present.
    pub scene_id: Option<String>,
    /// `SPACECRAFT_ID`, e.g. `LANDSAT_8`.
    pub spacecraft: String,
    /// `PROCESSING_LEVEL` (C2) or `DATA_TYPE` (C1, pre-collection), e.g. `L1TP`, `L2SP`.
    pub processing_level: String,
    /// Level-1 or Level-2.
    pub level: Level,
    /// `DATE_ACQUIRED`, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// WRS-2 path.
    pub path: Option<u32>,
    /// WRS-2 row.
    pub row: Option<u32>,
    /// Sun elevation at scene centre, degrees.
    pub sun_elevation: f64,
    /// Scene cloud cover, percent.
    pub cloud_cover: Option<f64>,
}

impl SceneMetadata {
    /// Reads identity and date from an MTL.
    ///
    /// # Errors
    /// [`LandsatError::MissingValue`] when the MTL has no spacecraft, level or sun elevation.
    pub fn from_mtl(mtl: &Mtl) -> Result<Self, LandsatError> {
        let text = |groups: &[&str], key: &str| mtl.value_in(groups, key).map(str::to_owned);
        let missing = |key: &str| LandsatError::MissingValue {
            file: mtl.file.clone(),
            key: key.to_owned(),
            group_hint: String::new(),
        };
        let processing_level = text(PRODUCT, "PROCESSING_LEVEL")
            .or_else(|| text(PRODUCT, "DATA_TYPE"))
            .ok_or_else(|| missing("PROCESSING_LEVEL or DATA_TYPE"))?;
        let level = if processing_level.starts_with("L2") {
            Level::L2
        } else {
            Level::L1
        };
        let int = |key: &str| mtl.value_in(IMAGE, key).and_then(|v| v.trim().parse().ok());
        Ok(SceneMetadata {
            product_id: text(PRODUCT, "LANDSAT_PRODUCT_ID"),
            scene_id: text(
                &["LEVEL1_PROCESSING_RECORD", "METADATA_FILE_INFO"],
                "LANDSAT_SCENE_ID",
            )
            .or_else(|| text(PRODUCT, "LANDSAT_SCENE_ID")),
            spacecraft: text(IMAGE, "SPACECRAFT_ID").ok_or_else(|| missing("SPACECRAFT_ID"))?,
            processing_level,
            level,
            date: text(IMAGE, "DATE_ACQUIRED"),
            path: int("WRS_PATH"),
            row: int("WRS_ROW"),
            sun_elevation: mtl.number(IMAGE, "SUN_ELEVATION")?,
            cloud_cover: mtl
                .value_in(IMAGE, "CLOUD_COVER")
                .and_then(|v| v.trim().parse().ok()),
        })
    }
}

/// How one band's stored values become physical values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BandCalibration {
    /// Level-1 reflective band: ρ = (mult·DN + add) / sin(sun elevation).
    Reflectance {
        /// `REFLECTANCE_MULT_BAND_n`.
        mult: f64,
        /// `REFLECTANCE_ADD_BAND_n`.
        add: f64,
        /// Sun elevation, degrees.
        sun_elevation: f64,
    },
    /// Level-1 thermal band: L = mult·DN + add; T = K2 / ln(K1 / L + 1), kelvin.
    BrightnessTemperature {
        /// `RADIANCE_MULT_BAND_n`.
        mult: f64,
        /// `RADIANCE_ADD_BAND_n`.
        add: f64,
        /// `K1_CONSTANT_BAND_n`.
        k1: f64,
        /// `K2_CONSTANT_BAND_n`.
        k2: f64,
    },
    /// Level-2 product: value = mult·DN + add (surface reflectance, or surface temperature in K).
    Scaled {
        /// Scale.
        mult: f64,
        /// Offset.
        add: f64,
    },
}

/// Calibration of every band the MTL describes, by Landsat band number.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// The MTL's file name, for messages.
    pub file: String,
    /// Level of the product.
    pub level: Level,
    /// Band number → calibration.
    pub bands: BTreeMap<u8, BandCalibration>,
}

impl Calibration {
    /// Reads the constants for `level` from `mtl` (Level-2 constants only from Level-2 groups).
    ///
    /// # Errors
    /// [`LandsatError`] when a present constant is not a number or the sun elevation is missing.
    pub fn from_mtl(mtl: &Mtl, level: Level) -> Result<Self, LandsatError> {
        let mut bands = BTreeMap::new();
        let has = |groups: &[&str], key: &str| mtl.value_in(groups, key).is_some();
        match level {
            Level::L1 => {
                let sun_elevation = mtl.number(IMAGE, "SUN_ELEVATION")?;
                for n in 1..=9u8 {
                    let key = format!("REFLECTANCE_MULT_BAND_{n}");
                    if has(L1_RESCALING, &key) {
                        bands.insert(
                            n,
                            BandCalibration::Reflectance {
                                mult: mtl.number(L1_RESCALING, &key)?,
                                add: mtl
                                    .number(L1_RESCALING, &format!("REFLECTANCE_ADD_BAND_{n}"))?,
                                sun_elevation,
                            },
                        );
                    }
                }
                for n in [10u8, 11] {
                    let key = format!("K1_CONSTANT_BAND_{n}");
                    if has(L1_THERMAL, &key) {
                        bands.insert(
                            n,
                            BandCalibration::BrightnessTemperature {
                                mult: mtl
                                    .number(L1_RESCALING, &format!("RADIANCE_MULT_BAND_{n}"))?,
                                add: mtl.number(L1_RESCALING, &format!("RADIANCE_ADD_BAND_{n}"))?,
                                k1: mtl.number(L1_THERMAL, &key)?,
                                k2: mtl.number(L1_THERMAL, &format!("K2_CONSTANT_BAND_{n}"))?,
                            },
                        );
                    }
                }
            }
            Level::L2 => {
                for n in 1..=7u8 {
                    let key = format!("REFLECTANCE_MULT_BAND_{n}");
                    if has(L2_REFLECTANCE, &key) {
                        bands.insert(
                            n,
                            BandCalibration::Scaled {
                                mult: mtl.number(L2_REFLECTANCE, &key)?,
                                add: mtl
                                    .number(L2_REFLECTANCE, &format!("REFLECTANCE_ADD_BAND_{n}"))?,
                            },
                        );
                    }
                }
                if has(L2_TEMPERATURE, "TEMPERATURE_MULT_BAND_ST_B10") {
                    bands.insert(
                        10,
                        BandCalibration::Scaled {
                            mult: mtl.number(L2_TEMPERATURE, "TEMPERATURE_MULT_BAND_ST_B10")?,
                            add: mtl.number(L2_TEMPERATURE, "TEMPERATURE_ADD_BAND_ST_B10")?,
                        },
                    );
                }
            }
        }
        Ok(Calibration {
            file: mtl.file.clone(),
            level,
            bands,
        })
    }

    /// The calibration of band `n`.
    ///
    /// # Errors
    /// [`LandsatError::MissingValue`] when the MTL had no constants for that band.
    pub fn band(&self, n: u8) -> Result<BandCalibration, LandsatError> {
        self.bands
            .get(&n)
            .copied()
            .ok_or_else(|| LandsatError::MissingValue {
                file: self.file.clone(),
                key: format!("calibration constants for band {n}"),
                group_hint: match self.level {
                    Level::L1 => " (Level-1 groups)".into(),
                    Level::L2 => " (Level-2 groups)".into(),
                },
            })
    }
}
