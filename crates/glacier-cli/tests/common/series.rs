//! A time series over archive items, as the task tests and the SLURM test share it: seven
//! items (three footprints, two years, one with a band gone) for the real Liverpool Level-2
//! bands on the local server of `super`, two outlines, plans made with `glacier plan`, and a
//! plan's outputs read back for comparison.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{KEYS, SCENE, Site, glacier, serve, serve_bands, tmp};

/// Three footprints, two years; (2019, 204023) has two items: the less cloudy scene (12 %) is
/// cloud over the whole area by its QA_PIXEL band ([`CLOUDY_OVER_AREA`]), so the plan takes
/// the other (40 %), clear there; (2020, 205023) has an asset that is not on the server.
pub const ITEMS: [(&str, &str, f64); 7] = [
    (
        "LC08_L2SP_203023_20190903_20200901_02_T1",
        "2019-09-03T11:00:00Z",
        20.0,
    ),
    (
        "LC08_L2SP_204023_20190910_20200901_02_T1",
        "2019-09-10T11:00:00Z",
        12.0,
    ),
    (
        "LC08_L2SP_204023_20190926_20200901_02_T1",
        "2019-09-26T11:00:00Z",
        40.0,
    ),
    (
        "LC08_L2SP_205023_20190917_20200901_02_T1",
        "2019-09-17T11:00:00Z",
        5.0,
    ),
    (
        "LC08_L2SP_203023_20200905_20201006_02_T1",
        "2020-09-05T11:00:00Z",
        30.0,
    ),
    (
        "LC08_L2SP_204023_20200927_20201006_02_T1",
        "2020-09-27T11:00:00Z",
        8.3,
    ),
    (
        "LC08_L2SP_205023_20200920_20201006_02_T1",
        "2020-09-20T11:00:00Z",
        2.0,
    ),
];
/// The item whose QA_PIXEL band says cloud everywhere (the others say clear everywhere).
pub const CLOUDY_OVER_AREA: &str = "LC08_L2SP_204023_20190910_20200901_02_T1";
/// QA_PIXEL values (USGS Landsat 8-9 Collection 2 Level-2 guide): clear land, and cloud with
/// high confidence.
const QA_CLEAR: f32 = 21824.0;
const QA_CLOUD: f32 = 22280.0;
/// The item whose green band is missing.
pub const BROKEN: &str = "LC08_L2SP_205023_20200920_20201006_02_T1";

/// An item for the Liverpool bands (relative hrefs).
pub fn item(id: &str, datetime: &str, cloud: f64, base: &str) -> serde_json::Value {
    let assets: serde_json::Map<String, serde_json::Value> = KEYS
        .iter()
        .map(|(key, band)| {
            let file = if id == BROKEN && *key == "green" {
                format!("../files/gone_{band}.TIF")
            } else {
                format!("../files/{SCENE}_{band}.TIF")
            };
            let asset = serde_json::json!({
                "href": file, "roles": ["data"],
                "raster:bands": [{"scale": 2.75e-05, "offset": -0.2, "nodata": 0}]
            });
            ((*key).to_owned(), asset)
        })
        .chain(std::iter::once((
            "qa_pixel".to_owned(),
            serde_json::json!({
                "href": format!(
                    "../files/{}/{SCENE}_QA_PIXEL.TIF",
                    if id == CLOUDY_OVER_AREA { "cloud" } else { "clear" }
                ),
                "roles": ["cloud"]
            }),
        )))
        .collect();
    serde_json::json!({
        "type": "Feature", "stac_version": "1.0.0", "id": id, "collection": "landsat-c2-l2",
        "bbox": [-3.22, 53.4, -3.0, 53.52],
        "properties": {"datetime": datetime, "eo:cloud_cover": cloud, "platform": "landsat-8",
                       "proj:epsg": 32630},
        "assets": assets,
        "links": [{"rel": "self", "href": format!("{base}/items/{id}.json")}]
    })
}

/// The server: bands, items, and a STAC API answering each year's search with its items.
pub fn site(dir: &Path) -> (Arc<Mutex<Site>>, String) {
    let site = Arc::new(Mutex::new(Site::default()));
    let base = serve(site.clone());
    let mut s = site.lock().expect("lock");
    serve_bands(&mut s, dir);
    for (folder, value) in [("clear", QA_CLEAR), ("cloud", QA_CLOUD)] {
        s.docs.insert(
            format!("/files/{folder}/{SCENE}_QA_PIXEL.TIF"),
            qa_band(dir, value),
        );
    }
    s.docs.insert(
        "/stac/".into(),
        serde_json::json!({"links": [{"rel": "search", "href": "search", "method": "POST"}]})
            .to_string()
            .into_bytes(),
    );
    for year in ["2019", "2020"] {
        s.body_keys.push((format!("\"{year}-"), format!("#{year}")));
        // The API's order is not the order of cloud cover: the plan must not depend on it.
        let features: Vec<_> = ITEMS
            .iter()
            .rev()
            .filter(|(_, date, _)| date.starts_with(year))
            .map(|(id, date, cloud)| item(id, date, *cloud, &base))
            .collect();
        s.docs.insert(
            format!("/stac/search#{year}"),
            serde_json::json!({"type": "FeatureCollection", "features": features, "links": []})
                .to_string()
                .into_bytes(),
        );
    }
    for (id, date, cloud) in ITEMS {
        s.docs.insert(
            format!("/items/{id}.json"),
            item(id, date, cloud, &base).to_string().into_bytes(),
        );
    }
    drop(s);
    (site, base)
}

/// A QA_PIXEL band of `value` everywhere on the bands' grid (float32: the project's writer
/// writes uint8 and float32; QA values are whole numbers, exact in float32).
fn qa_band(dir: &Path, value: f32) -> Vec<u8> {
    let green = dir.join(format!("{SCENE}_SR_B3.TIF"));
    let reader = glacier_raster::GeoTiffReader::open(&green).expect("the green band");
    let info = reader.info();
    let spec = glacier_raster::RasterSpec {
        width: info.width,
        height: info.height,
        bands: 1,
        transform: info.transform.expect("georeferenced"),
        crs: info.crs.clone(),
        nodata: None,
        descriptions: Vec::new(),
        colours: Vec::new(),
    };
    let mut out = std::io::Cursor::new(Vec::new());
    glacier_raster::write_geotiff("qa.TIF", &mut out, &spec, |_, _, bands| {
        bands[0].fill(value);
        Ok(())
    })
    .expect("QA band written");
    out.into_inner()
}

/// Two outlines over the Wirral and the Mersey, west and east halves, with RGI-style ids.
pub fn outlines(path: &Path) {
    let square = |w: f64, e: f64| {
        serde_json::json!([[
            [w, 53.4652],
            [e, 53.4652],
            [e, 53.5132],
            [w, 53.5132],
            [w, 53.4652]
        ]])
    };
    let features = serde_json::json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"RGIId": "RGI60-99.00001", "Name": "West"},
         "geometry": {"type": "Polygon", "coordinates": square(-3.0690, -3.0376)}},
        {"type": "Feature", "properties": {"RGIId": "RGI60-99.00002", "Name": "East"},
         "geometry": {"type": "Polygon", "coordinates": square(-3.0376, -3.0062)}}
    ]});
    std::fs::write(path, features.to_string()).expect("outlines written");
}

/// A fresh folder holding the outlines and a plan made against `base`.
pub fn planned(base: &str, name: &str) -> PathBuf {
    planned_with(base, name, &[])
}

/// [`planned`] with more `glacier plan` arguments (`--outputs URL`).
pub fn planned_with(base: &str, name: &str, more: &[&str]) -> PathBuf {
    let dir = tmp(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    outlines(&dir.join("outlines.geojson"));
    let (stac, shapes, plan) = (
        format!("{base}/stac/"),
        dir.join("outlines.geojson"),
        dir.join("plan.jsonl"),
    );
    let mut args = vec![
        "plan",
        "--stac",
        &stac,
        "--outlines",
        shapes.to_str().expect("utf-8"),
        "--years",
        "2019..2020",
        "--months",
        "8-10",
        "--max-cloud",
        "50",
        "--out",
        plan.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(more);
    let (ok, _, said) = glacier(&args);
    assert!(ok, "{said}");
    dir
}

/// The outputs of every task folder under `dir`: folder/file → bytes (the records' timings
/// left out).
pub fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let root = dir.join("plan");
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .expect("outputs")
        .flatten()
        .map(|e| e.path())
        .collect();
    folders.sort();
    for folder in folders {
        let mut files: Vec<_> = std::fs::read_dir(&folder)
            .expect("a task folder")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            let name = format!(
                "{}/{}",
                folder.file_name().expect("name").to_string_lossy(),
                f.file_name().expect("name").to_string_lossy()
            );
            let mut bytes = std::fs::read(&f).expect("reads");
            if name.ends_with("task.json") || name.ends_with("failed.json") {
                let mut v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
                for k in ["seconds", "phases", "peak_memory_mb", "fetched_bytes"] {
                    v.as_object_mut().expect("object").remove(k);
                }
                // Paths of the plan differ between the two folders; the task's own fields
                // (item, area, outputs named from the plan's folder) do not.
                bytes = v.to_string().into_bytes();
            }
            out.push((name, bytes));
        }
    }
    out
}

pub fn plan_lines(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("plan.jsonl"))
        .expect("plan")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a task"))
        .collect()
}

/// Asserts that the plans in `a` and `b` wrote the same files with the same bytes (records
/// compared with each plan's own folder left out of them); returns the outputs' names.
pub fn assert_same_outputs(a: &Path, b: &Path, what: &str) -> Vec<String> {
    let (x, y) = (outputs(a), outputs(b));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&x), names(&y), "{what}: different files");
    for ((name, p), (_, q)) in x.iter().zip(&y) {
        if name.ends_with(".json") {
            // The records name the plan's own folder; compare what they say of the task.
            let strip = |bytes: &[u8], dir: &Path| {
                String::from_utf8_lossy(bytes).replace(dir.to_str().expect("utf-8"), "")
            };
            assert_eq!(strip(p, a), strip(q, b), "{what}: {name}");
        } else {
            assert!(p == q, "{what}: {name} differs");
        }
    }
    names(&x)
}
