//! GeoTIFF georeferencing: GeoKeys, the coordinate reference system, and the affine transform.

use std::collections::BTreeMap;

/// Where a pixel's coordinates refer to (GeoKey `GTRasterTypeGeoKey`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RasterType {
    /// A pixel value covers the pixel's area (the default).
    PixelIsArea,
    /// A pixel value is a point sample at the pixel's tie point.
    PixelIsPoint,
}

/// An affine transform from pixel (column, row) to map coordinates, in GDAL's order:
/// `x = x0 + col·dx + row·rx`, `y = y0 + col·ry + row·dy`, with (col, row) at pixel corners.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeoTransform {
    /// x of the top-left corner of the top-left pixel.
    pub x0: f64,
    /// Pixel width (x step per column).
    pub dx: f64,
    /// x step per row (rotation; 0 for north-up).
    pub rx: f64,
    /// y of the top-left corner of the top-left pixel.
    pub y0: f64,
    /// y step per column (rotation; 0 for north-up).
    pub ry: f64,
    /// Pixel height (y step per row; negative for north-up).
    pub dy: f64,
}

impl GeoTransform {
    /// The transform as GDAL's six-number array `[x0, dx, rx, y0, ry, dy]`.
    pub fn to_gdal(&self) -> [f64; 6] {
        [self.x0, self.dx, self.rx, self.y0, self.ry, self.dy]
    }

    /// Map coordinates of pixel position `(col, row)` (corners at integers, centres at +0.5).
    pub fn apply(&self, col: f64, row: f64) -> (f64, f64) {
        (
            self.x0 + col * self.dx + row * self.rx,
            self.y0 + col * self.ry + row * self.dy,
        )
    }

    /// Pixel position of map coordinates `(x, y)`; `None` if the transform is degenerate.
    pub fn invert(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let det = self.dx * self.dy - self.rx * self.ry;
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        let (u, v) = (x - self.x0, y - self.y0);
        Some((
            (u * self.dy - v * self.rx) / det,
            (v * self.dx - u * self.ry) / det,
        ))
    }

    /// Whether the grid is north-up (no rotation terms).
    pub fn is_north_up(&self) -> bool {
        self.rx == 0.0 && self.ry == 0.0
    }

    /// Bounds `(min_x, min_y, max_x, max_y)` of a `width × height` raster on this grid.
    pub fn bounds(&self, width: u32, height: u32) -> (f64, f64, f64, f64) {
        let corners = [
            self.apply(0.0, 0.0),
            self.apply(width as f64, 0.0),
            self.apply(0.0, height as f64),
            self.apply(width as f64, height as f64),
        ];
        corners.iter().fold(
            (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
            |(a, b, c, d), &(x, y)| (a.min(x), b.min(y), c.max(x), d.max(y)),
        )
    }
}

/// GeoKey ids this crate reads (GeoTIFF 1.1, OGC 19-008r4).
pub mod key {
    /// 1 projected, 2 geographic, 3 geocentric.
    pub const MODEL_TYPE: u16 = 1024;
    /// 1 PixelIsArea, 2 PixelIsPoint.
    pub const RASTER_TYPE: u16 = 1025;
    /// Free-text citation of the whole CRS.
    pub const CITATION: u16 = 1026;
    /// Free-text citation of the projected CRS (GDAL puts an ESRI WKT here for methods GeoTIFF
    /// has no code for).
    pub const PROJECTED_CITATION: u16 = 3073;
    /// EPSG code of the geographic CRS.
    pub const GEOGRAPHIC_TYPE: u16 = 2048;
    /// EPSG code of the geodetic datum.
    pub const GEODETIC_DATUM: u16 = 2050;
    /// EPSG code of the ellipsoid.
    pub const ELLIPSOID: u16 = 2056;
    /// Ellipsoid semi-major axis.
    pub const SEMI_MAJOR_AXIS: u16 = 2057;
    /// Ellipsoid inverse flattening.
    pub const INV_FLATTENING: u16 = 2059;
    /// EPSG code of the projected CRS, or 32767 for user-defined.
    pub const PROJECTED_TYPE: u16 = 3072;
    /// EPSG code of the projection (coordinate operation), e.g. 16011 = UTM zone 11N.
    pub const PROJECTION: u16 = 3074;
    /// Coordinate transformation method, e.g. 1 = Transverse Mercator.
    pub const COORD_TRANS: u16 = 3075;
    /// Linear unit, e.g. 9001 = metre.
    pub const LINEAR_UNITS: u16 = 3076;
    /// Latitude of the natural origin.
    pub const NAT_ORIGIN_LAT: u16 = 3081;
    /// Longitude of the natural origin.
    pub const NAT_ORIGIN_LONG: u16 = 3080;
    /// False easting.
    pub const FALSE_EASTING: u16 = 3082;
    /// False northing.
    pub const FALSE_NORTHING: u16 = 3083;
    /// Scale factor at the natural origin.
    pub const SCALE_AT_NAT_ORIGIN: u16 = 3092;
    /// "User-defined" marker.
    pub const USER_DEFINED: u16 = 32767;
    /// VerticalCSTypeGeoKey: the heights' CRS of a compound CRS.
    pub const VERTICAL_TYPE: u16 = 4096;
}

/// A GeoKey's value.
#[derive(Clone, Debug, PartialEq)]
pub enum GeoKeyValue {
    /// SHORT values (codes).
    Short(Vec<u16>),
    /// DOUBLE values from GeoDoubleParamsTag.
    Double(Vec<f64>),
    /// Text from GeoAsciiParamsTag (trailing `|` removed).
    Ascii(String),
}

/// The parsed GeoKey directory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GeoKeys(pub BTreeMap<u16, GeoKeyValue>);

impl GeoKeys {
    /// Parses GeoKeyDirectoryTag with its double and ASCII parameter tags.
    ///
    /// # Errors
    /// A sentence describing the malformed entry.
    pub fn parse(directory: &[u16], doubles: &[f64], ascii: &str) -> Result<Self, String> {
        let header = directory
            .get(..4)
            .ok_or("GeoKeyDirectoryTag is shorter than its 4-value header")?;
        let count = header[3] as usize;
        let mut keys = BTreeMap::new();
        for i in 0..count {
            let entry = directory
                .get(4 + 4 * i..8 + 4 * i)
                .ok_or_else(|| format!("GeoKeyDirectoryTag promises {count} keys but holds {i}"))?;
            let (id, location, n, offset) =
                (entry[0], entry[1], entry[2] as usize, entry[3] as usize);
            let value = match location {
                0 => GeoKeyValue::Short(vec![entry[3]]),
                34735 => GeoKeyValue::Short(
                    directory
                        .get(offset..offset + n)
                        .ok_or_else(|| format!("GeoKey {id} points outside the directory"))?
                        .to_vec(),
                ),
                34736 => GeoKeyValue::Double(
                    doubles
                        .get(offset..offset + n)
                        .ok_or_else(|| format!("GeoKey {id} points outside GeoDoubleParamsTag"))?
                        .to_vec(),
                ),
                34737 => GeoKeyValue::Ascii(
                    ascii
                        .get(offset..offset + n)
                        .ok_or_else(|| format!("GeoKey {id} points outside GeoAsciiParamsTag"))?
                        .trim_end_matches(['|', '\0'])
                        .to_owned(),
                ),
                other => return Err(format!("GeoKey {id} is stored in unknown tag {other}")),
            };
            keys.insert(id, value);
        }
        Ok(GeoKeys(keys))
    }

    /// A SHORT key's first value.
    pub fn short(&self, id: u16) -> Option<u16> {
        match self.0.get(&id) {
            Some(GeoKeyValue::Short(v)) => v.first().copied(),
            _ => None,
        }
    }

    /// A DOUBLE key's first value.
    pub fn double(&self, id: u16) -> Option<f64> {
        match self.0.get(&id) {
            Some(GeoKeyValue::Double(v)) => v.first().copied(),
            _ => None,
        }
    }

    /// An ASCII key.
    pub fn ascii(&self, id: u16) -> Option<&str> {
        match self.0.get(&id) {
            Some(GeoKeyValue::Ascii(s)) => Some(s),
            _ => None,
        }
    }

    /// The raster type (default PixelIsArea).
    pub fn raster_type(&self) -> RasterType {
        match self.short(key::RASTER_TYPE) {
            Some(2) => RasterType::PixelIsPoint,
            _ => RasterType::PixelIsArea,
        }
    }
}

/// A coordinate reference system as a GeoTIFF declares it.
#[derive(Clone, Debug, PartialEq)]
pub enum Crs {
    /// An EPSG code (given directly, or recognised from a user-defined form such as UTM).
    Epsg(u32),
    /// A user-defined projected CRS that is not an EPSG code: the method and its parameters.
    UserDefined {
        /// GeoKey `ProjCoordTransGeoKey` (1 = Transverse Mercator, …).
        method: u16,
        /// EPSG code of the geographic base CRS, if given (4326 for WGS 84).
        geographic: Option<u16>,
        /// Projection parameters by GeoKey id (see [`key`]).
        parameters: BTreeMap<u16, f64>,
        /// The file's citation text, if any (an ESRI WKT where the file has one: GDAL reads the
        /// CRS from it when the keys cannot say it, as for Mollweide).
        citation: Option<String>,
        /// GeoKey `ProjectionGeoKey` where it names a projection (16045 = UTM zone 45N in a
        /// unit other than the metre).
        projection: Option<u16>,
        /// GeoKey `ProjLinearUnitsGeoKey`: 9001 metre, 9002 foot, 9003 US survey foot.
        linear_unit: u16,
    },
}

const WGS84_DATUM: u16 = 6326;
const WGS84_ELLIPSOID: u16 = 7030;
const WGS84_GEOGRAPHIC: u16 = 4326;
const TRANSVERSE_MERCATOR: u16 = 1;
const MERCATOR: u16 = 7;
/// EPSG unit codes: the metre, the foot, the US survey foot.
const METRE: u16 = 9001;
const FOOT: u16 = 9002;
const US_SURVEY_FOOT: u16 = 9003;
/// How GDAL (and ESRI software) mark a citation holding the CRS as ESRI WKT.
const ESRI_PE: &str = "ESRI PE String = ";
/// Names a citation gives Web Mercator (EPSG:3857) by: EPSG's, ESRI's and the method's.
const WEB_MERCATOR_NAMES: [&str; 4] = [
    "Pseudo-Mercator",
    "Pseudo_Mercator",
    "Web_Mercator",
    "Popular Visualisation",
];

impl Crs {
    /// Reads the CRS from GeoKeys; `None` when the file declares none.
    pub fn from_keys(keys: &GeoKeys) -> Option<Crs> {
        let geographic = keys
            .short(key::GEOGRAPHIC_TYPE)
            .filter(|code| *code != key::USER_DEFINED);
        // A user-defined datum on the WGS 84 ellipsoid (as NASA HLS writes it) is taken as WGS 84:
        // the same ellipsoid, and no datum shift is declared.
        let wgs84 = geographic == Some(WGS84_GEOGRAPHIC)
            || keys.short(key::GEODETIC_DATUM) == Some(WGS84_DATUM)
            || keys.short(key::ELLIPSOID) == Some(WGS84_ELLIPSOID)
            || (keys.double(key::SEMI_MAJOR_AXIS) == Some(6_378_137.0)
                && keys
                    .double(key::INV_FLATTENING)
                    .is_some_and(|f| (f - 298.257_223_563).abs() < 1e-6));
        let citations = [key::CITATION, key::PROJECTED_CITATION].map(|id| keys.ascii(id));
        let esri_wkt = citations
            .iter()
            .flatten()
            .find_map(|c| c.split_once(ESRI_PE).map(|(_, wkt)| wkt));
        // The citation kept: the one with the ESRI WKT where there is one.
        let citation = citations
            .iter()
            .flatten()
            .find(|c| c.contains(ESRI_PE))
            .or(citations[0].as_ref().or(citations[1].as_ref()))
            .copied();
        let named_web_mercator = citations
            .iter()
            .flatten()
            .any(|c| WEB_MERCATOR_NAMES.iter().any(|n| c.contains(n)));
        // GDAL (and ESRI software) write ModelType "user-defined" for a CRS GeoTIFF's keys
        // cannot say (Web Mercator's method, Mollweide, or any CRS in GDAL's ESRI flavour), with
        // the CRS as ESRI WKT in a citation: projected keys or a PROJCS make it projected, a
        // GEOGCS geographic.
        let model = match keys.short(key::MODEL_TYPE) {
            Some(key::USER_DEFINED)
                if keys.short(key::PROJECTED_TYPE).is_some()
                    || keys.short(key::COORD_TRANS).is_some()
                    || esri_wkt.is_some_and(|w| w.starts_with("PROJCS[")) =>
            {
                Some(1)
            }
            Some(key::USER_DEFINED) if esri_wkt.is_some_and(|w| w.starts_with("GEOGCS[")) => {
                Some(2)
            }
            other => other,
        };
        let linear_unit = keys.short(key::LINEAR_UNITS).unwrap_or(METRE);
        match model {
            Some(1) => match keys.short(key::PROJECTED_TYPE) {
                Some(code) if code != key::USER_DEFINED => Some(Crs::Epsg(code.into())),
                _ => {
                    // Projection codes 16001–16060 / 16101–16160 are UTM north / south zones.
                    // In metres only: a zone in feet keeps its unit as a user-defined CRS.
                    let metres = linear_unit == METRE;
                    match keys.short(key::PROJECTION) {
                        Some(p @ 16001..=16060) if wgs84 && metres => {
                            return Some(Crs::Epsg(32600 + u32::from(p - 16000)));
                        }
                        Some(p @ 16101..=16160) if wgs84 && metres => {
                            return Some(Crs::Epsg(32700 + u32::from(p - 16100)));
                        }
                        _ => {}
                    }
                    // Web Mercator as GDAL writes it: Mercator on WGS 84 at the origin, named
                    // so by its citation (the keys alone would say Mercator on the ellipsoid).
                    let at_origin = (3078..=3091)
                        .filter_map(|id| keys.double(id))
                        .all(|v| v == 0.0);
                    let method = keys.short(key::COORD_TRANS);
                    if (method == Some(MERCATOR) || method.is_none() && esri_wkt.is_some())
                        && wgs84
                        && at_origin
                        && linear_unit == METRE
                        && named_web_mercator
                    {
                        return Some(Crs::Epsg(3857));
                    }
                    let parameters = (3078..=3095)
                        .filter_map(|id| keys.double(id).map(|v| (id, v)))
                        .collect();
                    Some(Crs::UserDefined {
                        method: keys.short(key::COORD_TRANS).unwrap_or(0),
                        geographic: geographic.or(wgs84.then_some(WGS84_GEOGRAPHIC)),
                        parameters,
                        citation: citation.map(str::to_owned),
                        projection: keys
                            .short(key::PROJECTION)
                            .filter(|p| *p != key::USER_DEFINED),
                        linear_unit,
                    })
                }
            },
            Some(2) => match geographic {
                Some(code) => Some(Crs::Epsg(code.into())),
                _ if wgs84 => Some(Crs::Epsg(WGS84_GEOGRAPHIC.into())),
                _ => None,
            },
            _ => None,
        }
    }

    /// Metres in one unit of the projected coordinates: 1 for an EPSG code (the codes this
    /// project meets are in metres) and a metre-based user-defined CRS, 0.3048 for the foot,
    /// 1200/3937 for the US survey foot; `None` for a unit not known here.
    pub fn metres_per_unit(&self) -> Option<f64> {
        match self {
            Crs::Epsg(_) => Some(1.0),
            Crs::UserDefined { linear_unit, .. } => match *linear_unit {
                METRE => Some(1.0),
                FOOT => Some(0.3048),
                US_SURVEY_FOOT => Some(1200.0 / 3937.0),
                _ => None,
            },
        }
    }

    /// The EPSG code, when the CRS is one.
    pub fn epsg(&self) -> Option<u32> {
        match self {
            Crs::Epsg(code) => Some(*code),
            Crs::UserDefined { .. } => None,
        }
    }

    /// A PROJ.4 definition for the CRSs this project meets (WGS 84 lon/lat, WGS 84 UTM zones,
    /// WGS 84 Transverse Mercator); `None` for others.
    pub fn to_proj4(&self) -> Option<String> {
        match self {
            Crs::Epsg(4326) => Some("+proj=longlat +datum=WGS84 +no_defs".into()),
            Crs::Epsg(code @ 32601..=32660) => Some(format!(
                "+proj=utm +zone={} +datum=WGS84 +units=m +no_defs",
                code - 32600
            )),
            Crs::Epsg(code @ 32701..=32760) => Some(format!(
                "+proj=utm +zone={} +south +datum=WGS84 +units=m +no_defs",
                code - 32700
            )),
            Crs::Epsg(3857) => Some(
                "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs".into(),
            ),
            Crs::UserDefined {
                method: TRANSVERSE_MERCATOR,
                geographic: Some(WGS84_GEOGRAPHIC),
                parameters,
                linear_unit,
                ..
            } => {
                let p = |id| parameters.get(&id).copied().unwrap_or(0.0);
                let k = parameters.get(&key::SCALE_AT_NAT_ORIGIN).copied().unwrap_or(1.0);
                Some(format!(
                    "+proj=tmerc +lat_0={} +lon_0={} +k={k} +x_0={} +y_0={} +datum=WGS84 {} +no_defs",
                    p(key::NAT_ORIGIN_LAT),
                    p(key::NAT_ORIGIN_LONG),
                    p(key::FALSE_EASTING),
                    p(key::FALSE_NORTHING),
                    proj4_units(*linear_unit)?,
                ))
            }
            // A UTM zone in feet.
            Crs::UserDefined {
                geographic: Some(WGS84_GEOGRAPHIC),
                projection: Some(p @ (16001..=16060 | 16101..=16160)),
                linear_unit,
                ..
            } => Some(format!(
                "+proj=utm +zone={}{} +datum=WGS84 {} +no_defs",
                p % 100,
                if *p > 16100 { " +south" } else { "" },
                proj4_units(*linear_unit)?,
            )),
            _ => None,
        }
    }
}

/// PROJ's `+units` for an EPSG unit code this module knows.
fn proj4_units(code: u16) -> Option<&'static str> {
    match code {
        METRE => Some("+units=m"),
        FOOT => Some("+units=ft"),
        US_SURVEY_FOOT => Some("+units=us-ft"),
        _ => None,
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Crs::Epsg(code) => write!(f, "EPSG:{code}"),
            Crs::UserDefined { .. } => match self.to_proj4() {
                Some(proj) => write!(f, "{proj}"),
                None => write!(f, "user-defined CRS {self:?}"),
            },
        }
    }
}

/// Builds the transform from ModelTiepoint + ModelPixelScale or ModelTransformation.
///
/// PixelIsPoint rasters are shifted by half a pixel so the transform always refers to pixel
/// corners, as GDAL does.
///
/// # Errors
/// A sentence saying which tag is missing or malformed.
pub fn transform_from_tags(
    tiepoints: Option<&[f64]>,
    scale: Option<&[f64]>,
    matrix: Option<&[f64]>,
    raster_type: RasterType,
) -> Result<GeoTransform, String> {
    let mut t = if let Some(m) = matrix {
        if m.len() < 16 {
            return Err(format!(
                "ModelTransformationTag has {} values, not 16",
                m.len()
            ));
        }
        GeoTransform {
            x0: m[3],
            dx: m[0],
            rx: m[1],
            y0: m[7],
            ry: m[4],
            dy: m[5],
        }
    } else {
        let tp = tiepoints.ok_or("no ModelTiepointTag or ModelTransformationTag")?;
        let sc = scale.ok_or("ModelTiepointTag without ModelPixelScaleTag")?;
        if tp.len() < 6 || sc.len() < 2 {
            return Err("ModelTiepointTag or ModelPixelScaleTag is too short".into());
        }
        GeoTransform {
            x0: tp[3] - tp[0] * sc[0],
            dx: sc[0],
            rx: 0.0,
            y0: tp[4] + tp[1] * sc[1],
            ry: 0.0,
            dy: -sc[1],
        }
    };
    if raster_type == RasterType::PixelIsPoint {
        t.x0 -= 0.5 * (t.dx + t.rx);
        t.y0 -= 0.5 * (t.ry + t.dy);
    }
    if !(t.dx.is_finite() && t.dy.is_finite()) || t.dx == 0.0 || t.dy == 0.0 {
        return Err(format!("pixel size {} × {} is not usable", t.dx, t.dy));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiepoint_and_scale_give_corner_origin() {
        let t = transform_from_tags(
            Some(&[0.0, 0.0, 0.0, 478000.0, 3108140.0, 0.0]),
            Some(&[30.0, 30.0, 0.0]),
            None,
            RasterType::PixelIsArea,
        )
        .expect("valid tags");
        assert_eq!(t.to_gdal(), [478000.0, 30.0, 0.0, 3108140.0, 0.0, -30.0]);
        assert_eq!(
            t.bounds(800, 655),
            (478000.0, 3088490.0, 502000.0, 3108140.0)
        );
        let (c, r) = t.invert(478015.0, 3108125.0).expect("invertible");
        assert!((c - 0.5).abs() < 1e-9 && (r - 0.5).abs() < 1e-9);
    }

    #[test]
    fn pixel_is_point_shifts_half_a_pixel() {
        let t = transform_from_tags(
            Some(&[0.0, 0.0, 0.0, 452490.0, 3408630.0, 0.0]),
            Some(&[30.0, 30.0, 0.0]),
            None,
            RasterType::PixelIsPoint,
        )
        .expect("valid tags");
        assert_eq!((t.x0, t.y0), (452475.0, 3408645.0));
    }

    #[test]
    fn user_defined_utm_is_recognised_as_epsg() {
        // The Athabasca HLS files: ProjectedCSTypeGeoKey 32767 + ProjectionGeoKey 16011, WGS 84.
        // Geographic CRS and datum user-defined too; only the ellipsoid (7030) is WGS 84.
        let dir = [
            1, 1, 0, 6, 1024, 0, 1, 1, 2048, 0, 1, 32767, 2050, 0, 1, 32767, 2056, 0, 1, 7030,
            3072, 0, 1, 32767, 3074, 0, 1, 16011,
        ];
        let keys = GeoKeys::parse(&dir, &[], "").expect("valid directory");
        assert_eq!(Crs::from_keys(&keys), Some(Crs::Epsg(32611)));
    }

    #[test]
    fn web_mercator_as_gdal_writes_it_is_epsg_3857() {
        // `gdalwarp -t_srs "+proj=merc +a=6378137 +b=6378137 … +nadgrids=@null"`: ModelType
        // user-defined, Mercator (7) on WGS 84, the CRS named in the projected citation.
        let dir = [
            1, 1, 0, 8, 1024, 0, 1, 32767, 1025, 0, 1, 1, 2048, 0, 1, 4326, 3072, 0, 1, 32767,
            3073, 34737, 25, 0, 3074, 0, 1, 32767, 3075, 0, 1, 7, 3076, 0, 1, 9001,
        ];
        let ascii = "WGS 84 / Pseudo-Mercator|";
        let keys = GeoKeys::parse(&dir, &[], ascii).expect("valid directory");
        assert_eq!(Crs::from_keys(&keys), Some(Crs::Epsg(3857)));
        // The same keys without the name are Mercator on the ellipsoid: kept as user-defined.
        let keys = GeoKeys::parse(&dir, &[], "WGS 84 / World Mercator |").expect("valid");
        assert!(matches!(
            Crs::from_keys(&keys),
            Some(Crs::UserDefined { method: 7, .. })
        ));
    }

    #[test]
    fn a_utm_zone_in_feet_keeps_its_unit() {
        // `gdalwarp -t_srs "+proj=utm +zone=45 +datum=WGS84 +units=ft"`: ProjectionGeoKey 16045
        // with ProjLinearUnits 9002 (it was read as EPSG:32645, in metres).
        let dir = [
            1, 1, 0, 5, 1024, 0, 1, 1, 2048, 0, 1, 4326, 3072, 0, 1, 32767, 3074, 0, 1, 16045,
            3076, 0, 1, 9002,
        ];
        let keys = GeoKeys::parse(&dir, &[], "").expect("valid directory");
        let crs = Crs::from_keys(&keys).expect("a CRS");
        assert!(
            matches!(
                crs,
                Crs::UserDefined {
                    projection: Some(16045),
                    linear_unit: 9002,
                    ..
                }
            ),
            "{crs:?}"
        );
        assert_eq!(crs.metres_per_unit(), Some(0.3048));
        let ft = crate::grid::Projector::new(&crs, &Crs::Epsg(4326)).expect("projects");
        let m = crate::grid::Projector::new(&Crs::Epsg(32645), &Crs::Epsg(4326)).expect("projects");
        let (x, y) = (487_000.0, 3_090_000.0);
        let (a, b) = (
            ft.transform(x / 0.3048, y / 0.3048).expect("in range"),
            m.transform(x, y).expect("in range"),
        );
        assert!(
            (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9,
            "{a:?} {b:?}"
        );
    }

    #[test]
    fn malformed_directory_is_an_error_not_a_panic() {
        assert!(GeoKeys::parse(&[1, 1, 0, 3, 1024, 0, 1], &[], "").is_err());
        assert!(GeoKeys::parse(&[1, 1, 0, 1, 1026, 34737, 50, 0], &[], "short").is_err());
    }
}
