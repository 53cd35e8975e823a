//! Every parser that reads bytes from outside, driven one input at a time: the fuzz targets in
//! `fuzz/` (libFuzzer, nightly) call these, and `tests/regressions.rs` replays every input kept in
//! `fuzz/regressions/<target>/` on the stable toolchain, so a crash once found stays fixed.
//!
//! Each function takes any bytes and returns nothing: an error is the right answer to bad
//! input; a panic, a hang or an allocation past the limits is a bug.

use std::io::{Cursor, Read};
use std::sync::{Arc, Mutex};

use glacier_archive::{Answer, Blocks, Fetch, RangeReader, Traffic};
use glacier_inputs::FileSource;
use glacier_inputs::archive::{ArchiveFormat, unpack};
use glacier_inputs::source::BytesSource;
use glacier_raster::{GeoTiffReader, Grid, ReadLimits, Window};

pub mod seeds;

/// One input through one parser.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name: the folder names under `fuzz/regressions/` and the binaries of
/// `fuzz/fuzz_targets/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("geotiff", geotiff),
    ("range_geotiff", range_geotiff),
    ("mtl", mtl),
    ("shapefile", shapefile),
    ("geojson", geojson),
    ("gpkg_blob", gpkg_blob),
    ("stac", stac),
    ("archive", archive),
    #[cfg(feature = "model")]
    ("model", model),
];

/// Limits small enough that a fuzzer's input cannot make a read slow: 8 MiB a read, 4 MiB a
/// chunk (the defaults are 1 GiB and 256 MiB).
const LIMITS: ReadLimits = ReadLimits {
    max_read_bytes: 8 << 20,
    max_chunk_bytes: 4 << 20,
};

/// Opens `reader` as a GeoTIFF and reads what a scene would: the georeferencing, its lon/lat
/// bounds, every band (the first eight) and a window.
fn read_geotiff<R: std::io::Read + std::io::Seek>(reader: R) {
    let Ok(mut r) = GeoTiffReader::with_limits("fuzz.tif", reader, LIMITS) else {
        return;
    };
    let info = r.info().clone();
    if let Some(grid) = info.grid() {
        bounds(&grid);
    }
    for band in 0..info.bands.min(8) {
        let _ = r.read_band(band);
    }
    let window = Window::new(1, 1, info.width.min(33), info.height.min(17));
    let _ = r.read_bands_window(&[0], window);
}

/// The grid's place on Earth, as the page and the change computation ask it.
fn bounds(grid: &Grid) {
    let _ = glacier_raster::lon_lat_bounds(grid);
}

/// A GeoTIFF (or anything) from a file: header, IFDs, GeoKeys, GDAL metadata, the chunk table,
/// every codec and predictor through the reader.
pub fn geotiff(data: &[u8]) {
    let _ = glacier_raster::sniff::Content::sniff(data);
    read_geotiff(Cursor::new(data));
}

/// A GeoTIFF read over HTTP from a server whose answers the input shapes: the first byte picks
/// how the server misbehaves (a shifted `Content-Range`, a short or long body, a whole-file
/// 200, 416, 403, an odd status), the rest is the file.
pub fn range_geotiff(data: &[u8]) {
    let Some((&how, file)) = data.split_first() else {
        return;
    };
    let server = Server {
        how,
        file: file.to_vec(),
        asked: Mutex::new(0),
    };
    let reader = RangeReader::new(
        server,
        Traffic::default(),
        Arc::new(Mutex::new(Blocks::default())),
    );
    read_geotiff(reader);
}

/// A server answering from `file`, misbehaving as `how` says on every fourth request.
struct Server {
    how: u8,
    file: Vec<u8>,
    asked: Mutex<u64>,
}

impl Fetch for Server {
    fn fetch(&self, start: u64, end: u64) -> std::io::Result<Answer> {
        let n = {
            let mut asked = self
                .asked
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?;
            *asked += 1;
            *asked
        };
        let len = self.file.len() as u64;
        let (s, e) = (start.min(len), end.min(len));
        let honest = Answer {
            status: 206,
            content_range: Some(format!("bytes {s}-{}/{len}", e.saturating_sub(1))),
            body: self.file[s as usize..e as usize].to_vec(),
        };
        if n % 4 != u64::from(self.how >> 6) {
            return Ok(honest);
        }
        Ok(match self.how % 8 {
            0 => Answer {
                content_range: Some(format!("bytes {}-{}/{len}", s + 1, e)),
                ..honest
            },
            1 => Answer {
                body: honest.body[..honest.body.len() / 2].to_vec(),
                ..honest
            },
            2 => Answer {
                body: [honest.body.as_slice(), &[0; 7]].concat(),
                ..honest
            },
            3 => Answer {
                status: 200,
                content_range: None,
                body: self.file.clone(),
            },
            4 => Answer {
                status: 416,
                content_range: None,
                body: Vec::new(),
            },
            5 => Answer {
                status: 403,
                ..honest
            },
            6 => Answer {
                content_range: Some(format!("bytes {s}-{}/*", u64::MAX)),
                ..honest
            },
            _ => Answer {
                status: 500 + u16::from(self.how),
                ..honest
            },
        })
    }

    fn url(&self) -> &str {
        "http://fuzz/file.tif"
    }
}

/// MTL metadata, as text (ODL) and as JSON, and what a scene takes from it.
pub fn mtl(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = [
        glacier_landsat::Mtl::parse("fuzz_MTL.txt", &text),
        glacier_landsat::Mtl::parse("fuzz_MTL.json", &text),
    ];
    for mtl in parsed.into_iter().flatten() {
        let _ = glacier_landsat::SceneMetadata::from_mtl(&mtl);
        for level in [glacier_landsat::Level::L1, glacier_landsat::Level::L2] {
            if let Ok(c) = glacier_landsat::Calibration::from_mtl(&mtl, level) {
                for band in 1..=11 {
                    let _ = c.band(band);
                }
            }
        }
    }
}

/// The projection a `.prj` names when the input gives none (UTM 45N, as RGI region 15's).
const UTM45_PRJ: &str = r#"PROJCS["WGS_1984_UTM_Zone_45N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",87.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

/// Parts joined as [`parts`] cuts them (for seeds): each but the last after its length.
pub fn frame(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 < parts.len() {
            out.extend((part.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(part);
    }
    out
}

/// `data` cut in parts by length prefixes: a little-endian `u32` and that many bytes, for each
/// part but the last, which takes the rest.
fn parts<const N: usize>(mut data: &[u8]) -> [&[u8]; N] {
    let mut out = [&[][..]; N];
    for part in out.iter_mut().take(N - 1) {
        let len = data
            .get(..4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
        let rest = data.get(4..).unwrap_or_default();
        let (this, next) = rest.split_at(len.min(rest.len()));
        *part = this;
        data = next;
    }
    out[N - 1] = data;
    out
}

/// Outlines on a small grid, as the page compares a map with them and the change counts per
/// glacier: every polygon ring rasterised.
fn rasterize(outlines: &glacier_labels::Outlines) {
    let grid = Grid {
        width: 64,
        height: 48,
        transform: glacier_raster::GeoTransform {
            x0: 470_000.0,
            dx: 300.0,
            rx: 0.0,
            y0: 3_100_000.0,
            ry: 0.0,
            dy: -300.0,
        },
        crs: glacier_raster::Crs::Epsg(32645),
    };
    let _ = glacier_labels::rasterize_features(outlines, &grid);
}

/// A shapefile: `.shp`, `.dbf` and `.prj` as three parts ([`parts`]; an empty `.prj` is UTM
/// 45N), read and rasterised.
pub fn shapefile(data: &[u8]) {
    let [shp, dbf, prj] = parts::<3>(data);
    let prj = String::from_utf8_lossy(prj);
    let prj = if prj.is_empty() { UTM45_PRJ } else { &prj };
    let Ok(outlines) = glacier_labels::Outlines::from_shapefile("fuzz.shp", shp, Some(prj)) else {
        return;
    };
    if let Ok(outlines) = outlines.with_dbf(dbf) {
        rasterize(&outlines);
    }
}

/// GeoJSON outlines, read and rasterised.
pub fn geojson(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(outlines) = glacier_labels::Outlines::from_geojson("fuzz.geojson", &text) {
        rasterize(&outlines);
    }
}

/// One GeoPackage geometry blob (GP header, envelope, WKB); the SQLite file around it is
/// SQLite's to parse.
pub fn gpkg_blob(data: &[u8]) {
    let _ = glacier_labels::geopackage::parse_blob(data);
}

/// A STAC item (and its bands), a search page, a read token, a `Content-Range` header.
pub fn stac(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let url = "https://fuzz.example/stac/items/x.json";
    if let Ok(item) = glacier_archive::Item::from_json(url, &text) {
        let _ = item.landsat_bands(url);
        let _ = item.date();
    }
    let _ = glacier_archive::search::parse_page(url, &text);
    let _ = glacier_archive::sign::Token::from_json(url, &text);
    let _ = glacier_archive::ranges::parse_content_range(&text);
}

/// A scene archive, as a tar and as a gzip-compressed tar, and every member it keeps read.
pub fn archive(data: &[u8]) {
    for (name, format) in [
        (
            "LC08_L2SP_140041_20130503_20200912_02_T1.tar",
            ArchiveFormat::Tar,
        ),
        (
            "LC08_L2SP_140041_20130503_20200912_02_T1.tar.gz",
            ArchiveFormat::TarGz,
        ),
    ] {
        let source: Arc<dyn FileSource> = Arc::new(BytesSource::new(name, data.to_vec()));
        let Ok(unpacked) = unpack(source, format) else {
            continue;
        };
        for member in unpacked.files {
            if let Ok(mut reader) = member.open() {
                let mut sink = Vec::new();
                let _ = reader.by_ref().take(1 << 20).read_to_end(&mut sink);
            }
        }
    }
}

/// A model file: the header, every weight tensor, the network built from them on the CPU (with
/// its batch norms folded, as the page and the CLI load it), and one small window predicted, so
/// a header whose sizes the weights cannot fill, or a tile the network cannot take, is an error
/// and never a panic or a huge allocation.
#[cfg(feature = "model")]
pub fn model(data: &[u8]) {
    let _ = model_probabilities(data);
}

/// What [`model`] computes: the window's probabilities, when the file loads and runs.
#[cfg(feature = "model")]
fn model_probabilities(data: &[u8]) -> Option<Vec<f32>> {
    let bundle = glacier_infer::ModelBundle::from_bytes("fuzz.glcm", data).ok()?;
    let device = glacier_model::devices::cpu();
    let predictor = glacier_infer::Predictor::new(&bundle, &device).ok()?;
    let (width, height) = (13, 7);
    let channels = vec![vec![0.25f32; width * height]; predictor.names().len()];
    let stats = predictor.header().input.clone();
    predictor
        .probabilities(&stats, channels, width as u32, height as u32)
        .ok()
}

#[cfg(all(test, feature = "model"))]
mod tests {
    /// The model target reaches the network on real files, so its mutations start there.
    #[test]
    fn the_model_target_runs_the_shipped_models() {
        let models = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
        for name in ["unet-scse-grn.glcm", "unet-scse-swir.glcm"] {
            let bytes = std::fs::read(models.join(name)).expect("a shipped model");
            let p = super::model_probabilities(&bytes).expect("loads and runs");
            assert_eq!(p.len(), 13 * 7, "{name}");
            assert!(p.iter().all(|v| (0.0..=1.0).contains(v)), "{name}: {p:?}");
        }
    }
}
