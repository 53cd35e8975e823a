//! `glacier change --before-item URL --after-item URL`: the two Athabasca dates (HLS L30 of
//! 2020-08-16, S30 of 2020-09-09, real bands of `../shared/data`) served as STAC items by a local
//! server and read by range give the change their files give; `--bbox` takes only that area.

use std::sync::{Arc, Mutex};

use glacier_testdata::path;

mod common;
use common::{Site, glacier, serve, tmp};

/// The item of one Athabasca date: its five bands under the `landsat-c2-l2` keys (the HLS files
/// carry their own scale, so no `raster:bands`).
fn item(id: &str, datetime: &str, platform: &str, bands: [&str; 5], base: &str) -> Vec<u8> {
    let keys = ["green", "red", "nir08", "swir16", "swir22"];
    let assets: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .zip(bands)
        .map(|(k, file)| {
            let asset = serde_json::json!({
                "href": format!("{base}/files/{file}"),
                "type": "image/tiff; application=geotiff",
            });
            ((*k).to_owned(), asset)
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "type": "Feature", "stac_version": "1.0.0", "id": id, "collection": "hls",
        "properties": {"datetime": datetime, "platform": platform},
        "assets": assets, "links": [],
    }))
    .expect("JSON")
}

const L30: [&str; 5] = [
    "athabasca_2020229_B03_L30.tif",
    "athabasca_2020229_B04_L30.tif",
    "athabasca_2020229_B05_L30.tif",
    "athabasca_2020229_B06_L30.tif",
    "athabasca_2020229_B07_L30.tif",
];
const S30: [&str; 5] = [
    "athabasca_2020253_B03_S30.tif",
    "athabasca_2020253_B04_S30.tif",
    "athabasca_2020253_B8A_S30.tif",
    "athabasca_2020253_B11_S30.tif",
    "athabasca_2020253_B12_S30.tif",
];

/// `--before-bands`/`--after-bands` arguments for the same files: `green=…` and so on.
fn bands(files: [&str; 5]) -> Vec<String> {
    ["green", "red", "nir", "swir1", "swir2"]
        .iter()
        .zip(files)
        .map(|(c, f)| {
            let p = path(&format!("athabasca_hls_satrbedo/{f}")).expect("beside the others");
            format!("{c}={}", p.display())
        })
        .collect()
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).expect("JSON on stdout")
}

#[test]
fn two_items_give_the_change_their_files_give() {
    let Some(outline) = path("athabasca_hls_satrbedo/athabasca_outline.shp") else {
        return;
    };
    let dir = outline.parent().expect("a folder");
    let site = Arc::new(Mutex::new(Site::default()));
    let base = serve(site.clone());
    {
        let mut s = site.lock().expect("lock");
        for f in L30.iter().chain(&S30) {
            let bytes = std::fs::read(dir.join(f)).expect("reads");
            s.docs.insert(format!("/files/{f}"), bytes);
        }
        let l30 = item("l30", "2020-08-16T18:49:19Z", "landsat-8", L30, &base);
        let s30 = item("s30", "2020-09-09T18:59:19Z", "sentinel-2a", S30, &base);
        s.docs.insert("/items/l30.json".into(), l30);
        s.docs.insert("/items/s30.json".into(), s30);
    }
    let (from_items, from_files) = (tmp("items_change.tif"), tmp("files_change.tif"));
    let (before, after) = (
        format!("{base}/items/l30.json"),
        format!("{base}/items/s30.json"),
    );
    let out = from_items.display().to_string();
    let (ok, stdout, said) = glacier(&[
        "change",
        "--before-item",
        &before,
        "--after-item",
        &after,
        "--out",
        &out,
    ]);
    assert!(ok, "{said}");
    let items = json(&stdout);
    let mut args = vec!["change".to_owned(), "--before-bands".into()];
    args.extend(bands(L30));
    args.push("--after-bands".into());
    args.extend(bands(S30));
    args.extend(["--out".into(), from_files.display().to_string()]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, stdout, said) = glacier(&a);
    assert!(ok, "{said}");
    let files = json(&stdout);
    assert_eq!(items["pixels"], files["pixels"]);
    assert_eq!(items["km2"], files["km2"]);
    assert_eq!(
        std::fs::read(&from_items).expect("written"),
        std::fs::read(&from_files).expect("written"),
        "the change rasters differ"
    );
    // As the README gives it (the SWIR model of 2026-12-07): stable 24.215, lost 1.430 km².
    let km2 = |k: &str| items["km2"][k].as_f64().expect(k);
    assert!((km2("lost") - 1.430).abs() < 5e-4, "{}", items["km2"]);
    assert!((km2("stable") - 24.215).abs() < 5e-4, "{}", items["km2"]);

    // Only an area: the grid's part it covers, read by range.
    let reads_before = site.lock().expect("lock").log.len();
    let area = tmp("area_change.tif").display().to_string();
    let (ok, stdout, said) = glacier(&[
        "change",
        "--before-item",
        &before,
        "--after-item",
        &after,
        "--bbox",
        "-117.30,52.17,-117.25,52.20",
        "--out",
        &area,
    ]);
    assert!(ok, "{said}");
    let cropped = json(&stdout);
    let size = |j: &serde_json::Value| {
        j["size"][0].as_u64().expect("w") * j["size"][1].as_u64().expect("h")
    };
    assert!(
        size(&cropped) < size(&items) / 2,
        "{} vs {}",
        cropped["size"],
        items["size"]
    );
    assert!(site.lock().expect("lock").log.len() > reads_before);

    // --bbox is for items only.
    let (ok, _, err) = glacier(&[
        "change",
        &from_files.display().to_string(),
        &out,
        "--bbox",
        "1,2,3,4",
        "--out",
        &area,
    ]);
    assert!(!ok);
    assert!(
        err.contains("--bbox applies to --before-item / --after-item"),
        "{err}"
    );
}
