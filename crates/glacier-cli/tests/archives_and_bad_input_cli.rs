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

/// Maps an archive with `glacier predict` (and `extra` flags); returns the command's stderr
/// and the share of valid pixels called glacier, counted from the mask it wrote, after checking
/// that the command reports those numbers.
fn predict_share(archive: &std::path::Path, extra: &[&str], name: &str) -> (String, f64) {
    let out = tmp(name);
    let mut args = vec![
        "predict".to_string(),
        archive.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = glacier(&args);
    let err = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{err}");
    let mut mask = GeoTiffReader::open(&out).expect("a GeoTIFF");
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
    std::fs::remove_file(&out).ok();
    (err, share)
}

/// The three-band model, as `--model` takes it.
fn three_band_model() -> String {
    glacier_testdata::shipped_model().display().to_string()
}

#[test]
fn predict_maps_a_usgs_archive_as_it_comes() {
    let id = "LC08_L2SP_204023_20200927_20201006_02_T1";
    let Some(archive) = path(&format!("xlandsat_c2_ice_free/{id}-cropped.tar.gz")) else {
        return;
    };
    let (err, share) = predict_share(&archive, &[], "liverpool_mask.tif");
    // It says which members it used, and it used the bands, the MTL and surface temperature.
    assert!(
        err.contains(&format!("{id}_SR_B3.TIF")) && err.contains(&format!("{id}_MTL.txt")),
        "{err}"
    );
    assert!(err.contains("(1 other files in it were not read)"), "{err}");
    // This Level-2 scene has SWIR1 and SWIR2 in reflectance: the SWIR model maps it, says so,
    // and calls (almost) none of it glacier without any rule: no ice anywhere near Liverpool.
    assert!(
        err.contains(
            "Model unet-scse-swir (green, red, nir, swir1, swir2) was chosen; unet-scse-grn \
             takes fewer of the scene's bands."
        ),
        "{err}"
    );
    assert!(!err.contains("kept only where"), "{err}");
    // The three-band model keeps to the plausibility rule, without which it calls the Irish
    // Sea glacier.
    let three = three_band_model();
    let (err3, ruled) = predict_share(&archive, &["--model", &three], "liverpool_grn_mask.tif");
    assert!(
        err3.contains("kept only where NDSI > 0, NIR > 0.11"),
        "{err3}"
    );
    let (_, raw) = predict_share(
        &archive,
        &["--model", &three, "--no-plausibility-rule"],
        "liverpool_raw_mask.tif",
    );
    eprintln!(
        "Liverpool: SWIR model {share:.2} % glacier; three-band model {ruled:.2} % with the rule, \
         {raw:.1} % without"
    );
    assert!(share <= 0.5, "{share} %");
    assert!(ruled <= 0.5, "{ruled} %");
    // Alone the three-band network calls the Irish Sea glacier (74.9 % of the scene at base
    // width 8, 49.5 % at width 12): the rule is what keeps it off.
    assert!(raw > 25.0, "the three-band network alone: {raw} %");
}

#[test]
fn both_shipped_models_keep_manaus_free_of_glacier() {
    let id = "LC09_L2SP_231062_20230723_20230802_02_T1";
    let Some(archive) = path(&format!("xlandsat_c2_ice_free/{id}-cropped.tar.gz")) else {
        return;
    };
    let (err, share) = predict_share(&archive, &[], "manaus_mask.tif");
    assert!(err.contains("Model unet-scse-swir"), "{err}");
    let three = three_band_model();
    let (_, ruled) = predict_share(&archive, &["--model", &three], "manaus_grn_mask.tif");
    eprintln!(
        "Manaus: SWIR model {share:.2} % glacier; three-band model {ruled:.2} % with the rule"
    );
    assert!(share <= 0.5, "{share} %");
    assert!(ruled <= 0.5, "{ruled} %");
}

#[test]
fn a_scene_without_swir2_gets_the_three_band_model_and_is_told_why() {
    let band = |name: &str, b: &str| {
        path(&format!(
            "athabasca_hls_satrbedo/athabasca_2020229_{b}_L30.tif"
        ))
        .map(|p| format!("{name}={}", p.display()))
    };
    let (Some(g), Some(r), Some(n), Some(s1)) = (
        band("green", "B03"),
        band("red", "B04"),
        band("nir", "B05"),
        band("swir1", "B06"),
    ) else {
        return;
    };
    let out = tmp("athabasca_no_swir2.tif");
    let out_s = out.display().to_string();
    let run = glacier(&[
        "predict", "--band", &g, "--band", &r, "--band", &n, "--band", &s1, "--out", &out_s,
    ]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(
        err.contains(
            "Model unet-scse-grn (green, red, nir) was chosen; unet-scse-swir was not: the scene \
             has no swir2."
        ),
        "{err}"
    );
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

#[test]
fn the_shipped_model_is_built_in_and_names_what_it_needs() {
    let Some(green) = path("athabasca_hls_satrbedo/athabasca_2020229_B03_L30.tif") else {
        return;
    };
    // A copy of the binary, run from elsewhere, still has its model: it names it, and what the
    // scene lacks (red and NIR here), instead of a path that does not exist where it was copied.
    let dir = tmp("installed");
    std::fs::create_dir_all(&dir).expect("dir");
    let copy = dir.join("glacier");
    std::fs::copy(env!("CARGO_BIN_EXE_glacier"), &copy).expect("copies");
    let run = Command::new(&copy)
        .current_dir(&dir)
        .args([
            "predict",
            "--band",
            &format!("green={}", green.display()),
            "--out",
            "mask.tif",
        ])
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the shipped models need at least the channels green, red, nir"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
