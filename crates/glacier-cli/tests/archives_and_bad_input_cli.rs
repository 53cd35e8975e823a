//! The `glacier` command on a scene archive as USGS delivers it, and on inputs that once made it
//! panic (exit code 101): each now ends in a message naming the file.

use glacier_raster::{GeoTiffReader, Samples};
use glacier_testdata::path;
use std::process::{Command, Output};

fn glacier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_glacier"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("runs")
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("glacier_archive_cli_{}_{name}", std::process::id()))
}

#[test]
fn predict_maps_a_usgs_archive_as_it_comes() {
    let id = "LC08_L2SP_204023_20200927_20201006_02_T1";
    let Some(archive) = path(&format!("xlandsat_c2_ice_free/{id}-cropped.tar.gz")) else {
        return;
    };
    let out = tmp("liverpool_mask.tif");
    let run = glacier(&[
        "predict",
        &archive.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    // It says which members it used, and it used the bands, the MTL and surface temperature.
    assert!(
        err.contains(&format!("{id}_SR_B3.TIF")) && err.contains(&format!("{id}_MTL.txt")),
        "{err}"
    );
    assert!(err.contains("(1 other files not read)"), "{err}");
    let mut mask = GeoTiffReader::open(&out).expect("a GeoTIFF");
    let info = mask.info().clone();
    assert_eq!((info.width, info.height), (433, 267));
    let Samples::U8(m) = mask.read_band(0).expect("reads") else {
        panic!("uint8 mask")
    };
    let glacier = m.iter().filter(|v| **v == 1).count();
    let valid = m.iter().filter(|v| **v != 255).count();
    let share = 100.0 * glacier as f64 / valid as f64;
    // What the command reports is what it wrote.
    assert!(
        err.contains(&format!("{glacier} glacier pixels"))
            && err.contains(&format!("{share:.1} %")),
        "{err}"
    );
    eprintln!("shipped model on Liverpool: {share:.2} % of {valid} pixels called glacier");
    std::fs::remove_file(&out).ok();
}

#[test]
fn names_and_tags_that_once_panicked_end_in_a_message() {
    let Some(b5) = path("athabasca_hls_satrbedo/athabasca_2020229_B05_L30.tif") else {
        return;
    };
    let dir = tmp("bad_names");
    std::fs::create_dir_all(&dir).expect("dir");
    // An HLS-looking name with non-ASCII characters where the date goes.
    let odd = dir.join("HLS.L30.T11UNU.日本語.v2.0.B05.tif");
    std::fs::copy(&b5, &odd).expect("copies");
    let run = glacier(&[
        "prepare",
        &odd.display().to_string(),
        "--out",
        &dir.join("out.tif").display().to_string(),
    ]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("HLS.L30.T11UNU.日本語.v2.0.B05.tif"), "{err}");
    assert!(!dir.join("out.tif").exists());

    // A GDAL_METADATA tag holding `<Item</Item>`.
    let broken = dir.join("broken_metadata.tif");
    std::fs::write(
        &broken,
        glacier_testdata::tiff::tiny_with_gdal_metadata("<Item</Item>"),
    )
    .expect("writes");
    let run = glacier(&["inspect", &broken.display().to_string()]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_ne!(run.status.code(), Some(101), "{err}");
    assert!(
        run.status.success() || err.contains("broken_metadata.tif"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
