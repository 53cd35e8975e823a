//! A time series over a real glacier: the Athabasca HLS bands served as two archive items of
//! one footprint (the L30 scene as 2019's, the S30 scene as 2020's), planned with the real
//! outline, each year mapped by `glacier run-task` and collected, beside `glacier change` for the
//! same two items and outline. The first year's area is the same; the second year's differs by
//! what `glacier change` leaves out where the first year had no data (it compares the pixels
//! both years saw), so the series' change (+0.11 km²) and `glacier change`'s (−0.05 km²)
//! differ, both well inside their uncertainty (±1.2 km²).

mod common;

use common::{Site, glacier, serve, tmp};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Asset key → HLS band file.
type Bands = [(&'static str, &'static str); 5];

const L30: Bands = [
    ("green", "athabasca_2020229_B03_L30.tif"),
    ("red", "athabasca_2020229_B04_L30.tif"),
    ("nir08", "athabasca_2020229_B05_L30.tif"),
    ("swir16", "athabasca_2020229_B06_L30.tif"),
    ("swir22", "athabasca_2020229_B07_L30.tif"),
];
const S30: Bands = [
    ("green", "athabasca_2020253_B03_S30.tif"),
    ("red", "athabasca_2020253_B04_S30.tif"),
    ("nir08", "athabasca_2020253_B8A_S30.tif"),
    ("swir16", "athabasca_2020253_B11_S30.tif"),
    ("swir22", "athabasca_2020253_B12_S30.tif"),
];
/// The items: id (an HLS product id: footprint T11UNU), date, its bands.
const ITEMS: [(&str, &str, Bands); 2] = [
    (
        "HLS.L30.T11UNU.2019229T184919.v2.0",
        "2019-08-17T18:49:19Z",
        L30,
    ),
    (
        "HLS.S30.T11UNU.2020253T185921.v2.0",
        "2020-09-09T18:59:21Z",
        S30,
    ),
];

fn item(id: &str, date: &str, bands: &[(&str, &str)], base: &str) -> serde_json::Value {
    let assets: serde_json::Map<String, serde_json::Value> = bands
        .iter()
        .map(|(key, file)| {
            let asset =
                serde_json::json!({"href": format!("{base}/hls/{file}"), "roles": ["data"]});
            ((*key).to_owned(), asset)
        })
        .collect();
    serde_json::json!({
        "type": "Feature", "stac_version": "1.0.0", "id": id, "collection": "hls",
        "bbox": [-117.35, 52.14, -117.2, 52.22],
        "properties": {"datetime": date, "eo:cloud_cover": 8.3},
        "assets": assets,
        "links": [{"rel": "self", "href": format!("{base}/items/{id}.json")}]
    })
}

/// The server: the HLS bands, the two items, and a STAC API answering each year's search.
fn site(dir: &Path) -> (Arc<Mutex<Site>>, String) {
    let site = Arc::new(Mutex::new(Site::default()));
    let base = serve(site.clone());
    let mut s = site.lock().expect("lock");
    for (_, _, bands) in ITEMS {
        for (_, file) in bands {
            let bytes = std::fs::read(dir.join(file)).expect("a band");
            s.docs.insert(format!("/hls/{file}"), bytes);
        }
    }
    s.docs.insert(
        "/stac/".into(),
        serde_json::json!({"links": [{"rel": "search", "href": "search", "method": "POST"}]})
            .to_string()
            .into_bytes(),
    );
    for (id, date, bands) in ITEMS {
        let year = &date[..4];
        s.body_keys.push((format!("\"{year}-"), format!("#{year}")));
        let found = serde_json::json!({"type": "FeatureCollection",
            "features": [item(id, date, &bands, &base)], "links": []});
        s.docs.insert(
            format!("/stac/search#{year}"),
            found.to_string().into_bytes(),
        );
        s.docs.insert(
            format!("/items/{id}.json"),
            item(id, date, &bands, &base).to_string().into_bytes(),
        );
    }
    drop(s);
    (site, base)
}

/// Rows of a CSV as maps from its header.
fn rows(csv: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn a_glacier_over_two_years_as_tasks_beside_glacier_change_on_the_same_items() {
    let Some(outline) = glacier_testdata::path("athabasca_hls_satrbedo/athabasca_outline.shp")
    else {
        return;
    };
    let dir = outline.parent().expect("folder").to_path_buf();
    let (_site, base) = site(&dir);
    let work = tmp("series_glacier");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("dir");
    let plan = work.join("plan.jsonl");
    let outline = outline.to_str().expect("utf-8");
    let (ok, _, said) = glacier(&[
        "plan",
        "--stac",
        &format!("{base}/stac/"),
        "--outlines",
        outline,
        "--years",
        "2019..2020",
        "--months",
        "8-9",
        "--out",
        plan.to_str().expect("utf-8"),
    ]);
    assert!(ok, "{said}");
    let tasks: Vec<serde_json::Value> = std::fs::read_to_string(&plan)
        .expect("plan")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a task"))
        .collect();
    let chosen: Vec<(i64, &str)> = tasks
        .iter()
        .map(|t| {
            (
                t["year"].as_i64().expect("year"),
                t["footprint"].as_str().expect("footprint"),
            )
        })
        .collect();
    assert_eq!(
        chosen,
        [(2019, "T11UNU"), (2020, "T11UNU")],
        "one task a year"
    );
    for i in ["0", "1"] {
        let (ok, _, said) = glacier(&["run-task", plan.to_str().expect("utf-8"), "--index", i]);
        assert!(ok, "task {i}: {said}");
    }
    let series = work.join("areas.csv");
    let (ok, summary, said) = glacier(&[
        "collect",
        plan.to_str().expect("utf-8"),
        "--out",
        series.to_str().expect("utf-8"),
    ]);
    assert!(ok, "{said}");
    let series = std::fs::read_to_string(&series).expect("the table");
    println!("{series}\n{summary}");
    // The same two items through `glacier change`.
    let change_csv = work.join("change.csv");
    let item_url = |k: usize| format!("{base}/items/{}.json", ITEMS[k].0);
    let (ok, _, said) = glacier(&[
        "change",
        "--before-item",
        &item_url(0),
        "--after-item",
        &item_url(1),
        "--outlines",
        outline,
        "--csv",
        change_csv.to_str().expect("utf-8"),
        "--out",
        work.join("change.tif").to_str().expect("utf-8"),
    ]);
    assert!(ok, "{said}");
    let change = std::fs::read_to_string(&change_csv).expect("the change table");
    println!("{change}");
    let series = rows(&series);
    let change = rows(&change);
    assert_eq!(change.len(), 1, "one outline");
    assert_eq!(series.len(), 2, "the glacier in two years");
    let num = |row: &std::collections::BTreeMap<String, String>, key: &str| -> f64 {
        row.get(key)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{key} in {row:?}"))
    };
    let (first, second, both) = (&series[0], &series[1], &change[0]);
    assert_eq!(first["id"], both["id"], "the same outline");
    assert_eq!(
        (first["year"].as_str(), second["year"].as_str()),
        ("2019", "2020")
    );
    // The real glacier: about 15 km² of its 16.1 km² outline.
    assert!(
        (14.0..16.1).contains(&num(first, "glacier_km2")),
        "{first:?}"
    );
    // 2019 (L30): the same pixels, the same area.
    assert_eq!(num(first, "glacier_km2"), num(both, "before_km2"));
    // 2020 (S30, no data nowhere): `glacier change` counts it only where 2019 had data.
    let left_out = num(second, "glacier_km2") - num(both, "after_km2");
    let bound = num(second, "glacier_km2") * num(both, "no_data_share");
    assert!(
        (0.0..=bound).contains(&left_out),
        "2020: {left_out:.4} km² more in the series than in the change, at most {bound:.4}"
    );
    // Each change is inside the other's uncertainty.
    let (series_change, change_net) = (num(second, "change_km2"), num(both, "net_km2"));
    assert!((series_change - change_net).abs() < num(second, "change_uncertainty_km2"));
    assert!((series_change - change_net).abs() < num(both, "uncertainty_km2"));
}
