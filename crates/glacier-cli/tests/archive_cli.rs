//! Scenes from a STAC archive, end to end against a local server started here (a STAC API with
//! two pages of results, an item in the Planetary Computer's `landsat-c2-l2` shape, and the
//! real Liverpool Level-2 bands of `../shared/data` served with `Range`, with a request log):
//! `glacier predict --item … --bbox …` gives the same mask as `glacier predict` on the local
//! files with the same `--bbox`, fetching only part of the files; `glacier search` follows the
//! `next` page and filters by cloud; a missing asset, an `s3://` href and a server that ignores
//! `Range` are handled.

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::{KEYS, SCENE, Site, glacier, liverpool_files, serve, serve_bands, tmp};
use glacier_raster::GeoTiffReader;

/// About 140 × 180 of the crop's 433 × 267 pixels (columns 280–420, rows 20–200: the
/// Wirral and the Mersey), all in the second of its four 256-px tiles.
const BBOX: &str = "-3.0690,53.4652,-3.0062,53.5132";

/// An item for the Liverpool bands at `/files/…` (relative hrefs), cloud cover `cloud`.
fn item(id: &str, cloud: f64, base: &str) -> serde_json::Value {
    let assets: serde_json::Map<String, serde_json::Value> = KEYS
        .iter()
        .map(|(key, band)| {
            (
                (*key).to_owned(),
                serde_json::json!({
                    "href": format!("../files/{SCENE}_{band}.TIF"),
                    "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                    "roles": ["data"],
                    "raster:bands": [{"scale": 2.75e-05, "offset": -0.2, "nodata": 0}]
                }),
            )
        })
        .collect();
    serde_json::json!({
        "type": "Feature", "stac_version": "1.0.0", "id": id, "collection": "landsat-c2-l2",
        "bbox": [-3.22, 53.4, -3.0, 53.52],
        "properties": {"datetime": "2020-09-27T11:07:21Z", "eo:cloud_cover": cloud,
                       "platform": "landsat-8", "proj:epsg": 32630},
        "assets": assets,
        "links": [{"rel": "self", "href": format!("{base}/items/{id}.json")}]
    })
}

/// The site: the bands, two items, a STAC API whose search has two pages.
fn site(dir: &Path) -> (Arc<Mutex<Site>>, String) {
    let site = Arc::new(Mutex::new(Site::default()));
    let base = serve(site.clone());
    let mut s = site.lock().expect("lock");
    serve_bands(&mut s, dir);
    for (id, cloud) in [
        ("liverpool", 8.3),
        ("cloudy", 71.0),
        ("liverpool-again", 8.3),
    ] {
        s.docs.insert(
            format!("/items/{id}.json"),
            item(id, cloud, &base).to_string().into_bytes(),
        );
    }
    s.docs.insert(
        "/api/sas/v1/token/landsat-c2-l2".into(),
        br#"{"msft:expiry": "2099-01-01T00:00:00Z", "token": "sig=ok"}"#.to_vec(),
    );
    s.docs.insert(
        "/stac/".into(),
        serde_json::json!({"links": [
            {"rel": "search", "href": "search", "method": "GET"},
            {"rel": "search", "href": "search", "method": "POST"}]})
        .to_string()
        .into_bytes(),
    );
    let page = |items: Vec<serde_json::Value>, next: bool| {
        let links = if next {
            serde_json::json!([{"rel": "next", "href": "search", "method": "POST",
                                "body": {"token": "page-2"}, "merge": true}])
        } else {
            serde_json::json!([])
        };
        serde_json::json!({"type": "FeatureCollection", "features": items, "links": links})
            .to_string()
            .into_bytes()
    };
    let first = page(
        vec![item("liverpool", 8.3, &base), item("cloudy", 71.0, &base)],
        true,
    );
    s.docs.insert("/stac/search".into(), first);
    s.docs.insert(
        "/stac/search#2".into(),
        page(vec![item("liverpool-again", 8.3, &base)], false),
    );
    drop(s);
    (site, base)
}

/// (offset, byte count) of each tile of a little-endian classic TIFF, from its first IFD.
fn tiles(file: &Path) -> Vec<(u64, u64)> {
    let f = std::fs::read(file).expect("band");
    assert_eq!(&f[..4], b"II*\0", "a little-endian classic TIFF");
    let u16_at = |i: usize| u64::from(u16::from_le_bytes([f[i], f[i + 1]]));
    let u32_at = |i: usize| u64::from(u32::from_le_bytes([f[i], f[i + 1], f[i + 2], f[i + 3]]));
    let ifd = u32_at(4) as usize;
    let tag = |wanted: u64| -> Vec<u64> {
        for e in (0..u16_at(ifd) as usize).map(|k| ifd + 2 + 12 * k) {
            if u16_at(e) == wanted {
                let (kind, count, at) = (
                    u16_at(e + 2),
                    u32_at(e + 4) as usize,
                    u32_at(e + 8) as usize,
                );
                let size = if kind == 16 { 8 } else { 4 };
                assert_ne!(kind, 16, "BigTIFF offsets are not expected here");
                return (0..count).map(|k| u32_at(at + size * k)).collect();
            }
        }
        panic!("tag {wanted} missing");
    };
    let offsets = tag(324);
    let counts = tag(325);
    offsets.into_iter().zip(counts).collect()
}

fn mask(file: &Path) -> Vec<f64> {
    let mut r = GeoTiffReader::open(file).expect("opens");
    let s = r.read_band(0).expect("decodes");
    (0..s.len())
        .map(|i| s.get_f64(i).expect("in range"))
        .collect()
}

#[test]
fn an_item_maps_as_its_local_files_do_and_fetches_only_the_area() {
    let Some(dir) = liverpool_files("item") else {
        return;
    };
    let (site, base) = site(&dir);
    // File reads take 50 ms, as over a network, so reads sent together overlap.
    site.lock().expect("lock").delay_ms = 50;
    let remote = tmp("remote.tif");
    let local = tmp("local.tif");
    let item_url = format!("{base}/items/liverpool.json");
    let (ok, _, said) = glacier(&[
        "predict",
        "--item",
        &item_url,
        "--bbox",
        BBOX,
        "--out",
        remote.to_str().expect("utf-8"),
    ]);
    assert!(ok, "{said}");
    assert!(said.contains("Item liverpool (2020-09-27, 8.3 % cloud): green, red, nir08, swir16, swir22 read over HTTP."), "{said}");
    assert!(
        said.contains("unet-scse-swir"),
        "the SWIR model maps it: {said}"
    );
    let bands: Vec<String> = KEYS
        .iter()
        .map(|(_, b)| dir.join(format!("{SCENE}_{b}.TIF")).display().to_string())
        .collect();
    let mut args = vec!["predict"];
    args.extend(bands.iter().map(String::as_str));
    args.extend(["--bbox", BBOX, "--out", local.to_str().expect("utf-8")]);
    let (ok, _, said_local) = glacier(&args);
    assert!(ok, "{said_local}");
    let (a, b) = (mask(&remote), mask(&local));
    assert!(a.len() > 20_000, "{} pixels", a.len());
    assert_eq!(a, b, "the item's mask differs from the local files' mask");
    let window = said
        .lines()
        .find(|l| l.starts_with("area "))
        .expect("the area is said");
    assert_eq!(
        Some(window),
        said_local.lines().find(|l| l.starts_with("area ")),
        "the same window"
    );
    // Ranges only, each block once: the header, the tile table and one tile of four.
    let fetched: u64 = said
        .lines()
        .find_map(|l| l.strip_prefix("fetched "))
        .and_then(|l| l.split(" MB").next())
        .and_then(|mb| mb.parse::<f64>().ok())
        .map(|mb| (mb * 1e6) as u64)
        .expect("the traffic is reported");
    let whole: u64 = bands
        .iter()
        .map(|b| std::fs::metadata(b).expect("band").len())
        .sum();
    // Beside what it fetched, what the files it read from hold.
    assert!(
        said.contains(&format!(
            "(of {:.2} MB in the files read)",
            whole as f64 / 1e6
        )),
        "{said}"
    );
    // The compressed tiles the area needs: the second 256-px tile of each band.
    let needed: u64 = bands.iter().map(|b| tiles(Path::new(b))[1].1).sum();
    let log = site.lock().expect("lock").log.clone();
    let file_requests: Vec<_> = log
        .iter()
        .filter(|(_, p, _)| p.starts_with("/files/"))
        .collect();
    assert!(
        file_requests.iter().all(|(_, _, r)| r.is_some()),
        "{file_requests:?}"
    );
    // The area's tiles of the five bands were fetched together, several in flight.
    let most = site.lock().expect("lock").in_flight.1;
    assert!(most > 1, "at most {most} file read(s) in flight");
    println!(
        "fetched {fetched} bytes in {} requests (at most {most} in flight) for {needed} bytes of tiles the area needs ({:.2}×; the files hold {whole})",
        file_requests.len(),
        fetched as f64 / needed as f64
    );
    assert!(
        fetched <= 2 * needed,
        "fetched {fetched}, the tiles {needed}"
    );
    // Nothing of the first tile between the header's block and the second tile's.
    for (_, path, range) in &file_requests {
        let file = dir.join(path.trim_start_matches("/files/"));
        let first_tile = tiles(&file)[0];
        let (a, b) = range
            .as_deref()
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.split_once('-'))
            .map(|(a, b)| {
                (
                    a.parse::<u64>().expect("start"),
                    b.parse::<u64>().expect("end"),
                )
            })
            .expect("a range");
        // Blocks are 16 KiB: the one where the first tile ends also starts the second.
        let tile_end = first_tile.0 + first_tile.1;
        assert!(
            b < 16 * 1024 || a >= tile_end / (16 * 1024) * (16 * 1024),
            "{path}: bytes {a}-{b} read the first tile (to {tile_end}), which the area misses"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    for f in [remote, local] {
        std::fs::remove_file(f).ok();
    }
}

#[test]
fn search_follows_pages_and_filters_cloud() {
    let Some(dir) = liverpool_files("search") else {
        return;
    };
    let (site, base) = site(&dir);
    let (ok, out, said) = glacier(&[
        "search",
        "--stac",
        &format!("{base}/stac/"),
        "--bbox",
        BBOX,
        "--datetime",
        "2020-09-01/2020-09-30",
        "--max-cloud",
        "20",
    ]);
    assert!(ok, "{said}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let ids: Vec<&str> = lines
        .iter()
        .map(|l| l["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["liverpool", "liverpool-again"], "{out}");
    assert_eq!(lines[0]["date"], "2020-09-27");
    assert_eq!(lines[0]["item"], format!("{base}/items/liverpool.json"));
    let log = site.lock().expect("lock").log.clone();
    let posts = log
        .iter()
        .filter(|(m, p, _)| m == "POST" && p == "/stac/search")
        .count();
    assert_eq!(posts, 2, "the first page and the next one: {log:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn missing_assets_s3_hrefs_and_hosts_without_ranges() {
    let Some(dir) = liverpool_files("bad") else {
        return;
    };
    let (site, base) = site(&dir);
    let out = tmp("bad.tif");
    let out = out.to_str().expect("utf-8");
    // An asset the server does not have: the message names its key and address.
    site.lock()
        .expect("lock")
        .docs
        .remove(&format!("/files/{SCENE}_SR_B5.TIF"));
    let (ok, _, said) = glacier(&[
        "predict",
        "--item",
        &format!("{base}/items/liverpool.json"),
        "--bbox",
        BBOX,
        "--out",
        out,
    ]);
    assert!(!ok);
    assert!(
        said.contains(&format!(
            "asset nir08 at {base}/files/{SCENE}_SR_B5.TIF: 404 Not Found"
        )),
        "{said}"
    );
    // s3:// hrefs: where to read the scene instead.
    let mut s3 = item("s3", 8.3, &base);
    s3["assets"]["green"]["href"] = "s3://usgs-landsat/collection02/B3.TIF".into();
    site.lock()
        .expect("lock")
        .docs
        .insert("/items/s3.json".into(), s3.to_string().into_bytes());
    let (ok, _, said) = glacier(&[
        "predict",
        "--item",
        &format!("{base}/items/s3.json"),
        "--out",
        out,
    ]);
    assert!(!ok);
    assert!(
        said.contains("s3://usgs-landsat") && said.contains("Planetary Computer"),
        "{said}"
    );
    // A host that ignores Range: each small file is taken whole, once, and the map is made.
    let name = format!("{SCENE}_SR_B5.TIF");
    let bytes = std::fs::read(dir.join(&name)).expect("band");
    {
        let mut s = site.lock().expect("lock");
        s.docs.insert(format!("/files/{name}"), bytes);
        s.ignore_range = KEYS
            .iter()
            .map(|(_, b)| format!("/files/{SCENE}_{b}.TIF"))
            .collect();
        s.log.clear();
    }
    let (ok, _, said) = glacier(&[
        "predict",
        "--item",
        &format!("{base}/items/liverpool.json"),
        "--bbox",
        BBOX,
        "--out",
        out,
    ]);
    assert!(ok, "{said}");
    let log = site.lock().expect("lock").log.clone();
    let per_file = log
        .iter()
        .filter(|(_, p, _)| p.ends_with("_SR_B3.TIF"))
        .count();
    // The scene check and the mapping each open the file once; each reader asks once.
    assert!(per_file <= 3, "{per_file} requests for one file: {log:?}");
    std::fs::remove_file(out).ok();
    std::fs::remove_dir_all(&dir).ok();
}

/// `--bbox` against GDAL: the same window cut out of every band with `gdal_translate -srcwin`
/// and mapped whole gives the same mask on the same grid.
#[test]
fn bbox_is_the_window_gdal_cuts() {
    if !glacier_testdata::require_tool("gdal_translate") {
        return;
    }
    let Some(dir) = liverpool_files("bbox") else {
        return;
    };
    let bands: Vec<String> = KEYS
        .iter()
        .map(|(_, b)| dir.join(format!("{SCENE}_{b}.TIF")).display().to_string())
        .collect();
    let ours = tmp("bbox_ours.tif");
    let mut args = vec!["predict"];
    args.extend(bands.iter().map(String::as_str));
    args.extend(["--bbox", BBOX, "--out", ours.to_str().expect("utf-8")]);
    let (ok, _, said) = glacier(&args);
    assert!(ok, "{said}");
    // "area …: W × H px of the scene's … × …, from pixel (C, R)"
    let line = said
        .lines()
        .find(|l| l.starts_with("area "))
        .expect("the area");
    let numbers: Vec<u32> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("a number"))
        .collect();
    let [.., w, h, _, _, col, row] = numbers[..] else {
        panic!("{line}");
    };
    let cut_dir = tmp("bbox_cut");
    std::fs::create_dir_all(&cut_dir).expect("dir");
    let cut: Vec<String> = bands
        .iter()
        .map(|b| {
            let out = cut_dir.join(Path::new(b).file_name().expect("name"));
            let status = Command::new("gdal_translate")
                .args(["-q", "-srcwin"])
                .args([col, row, w, h].map(|v| v.to_string()))
                .arg(b)
                .arg(&out)
                .status()
                .expect("gdal_translate runs");
            assert!(status.success());
            out.display().to_string()
        })
        .collect();
    let theirs = tmp("bbox_gdal.tif");
    let mut args = vec!["predict"];
    args.extend(cut.iter().map(String::as_str));
    args.extend(["--out", theirs.to_str().expect("utf-8")]);
    let (ok, _, said) = glacier(&args);
    assert!(ok, "{said}");
    assert_eq!(mask(&ours), mask(&theirs));
    let grid = |f: &Path| {
        GeoTiffReader::open(f)
            .expect("opens")
            .info()
            .grid()
            .expect("georeferenced")
    };
    assert!(grid(&ours).same_as(&grid(&theirs)), "the same grid");
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&cut_dir).ok();
    for f in [ours, theirs] {
        std::fs::remove_file(f).ok();
    }
}

/// Assets that need a read token: refused without one (the message says why), read with
/// tokens from the endpoint given (one token request for the run).
#[test]
fn signed_assets() {
    let Some(dir) = liverpool_files("signed") else {
        return;
    };
    let (site, base) = site(&dir);
    site.lock().expect("lock").token = Some("sig=ok".into());
    let out = tmp("signed.tif");
    let out = out.to_str().expect("utf-8");
    let item = format!("{base}/items/liverpool.json");
    let (ok, _, said) = glacier(&["predict", "--item", &item, "--bbox", BBOX, "--out", out]);
    assert!(!ok);
    assert!(said.contains("403") && said.contains("expired"), "{said}");
    site.lock().expect("lock").log.clear();
    let endpoint = format!("{base}/api/sas/v1/token");
    let (ok, _, said) = glacier(&[
        "predict",
        "--item",
        &item,
        "--token-endpoint",
        &endpoint,
        "--bbox",
        BBOX,
        "--out",
        out,
    ]);
    assert!(ok, "{said}");
    let log = site.lock().expect("lock").log.clone();
    let tokens = log
        .iter()
        .filter(|(_, p, _)| p.starts_with("/api/sas/"))
        .count();
    assert_eq!(tokens, 1, "{log:?}");
    assert!(
        log.iter()
            .filter(|(_, p, _)| p.starts_with("/files/"))
            .all(|(_, p, _)| p.ends_with("?sig=ok")),
        "{log:?}"
    );
    std::fs::remove_file(out).ok();
    std::fs::remove_dir_all(&dir).ok();
}
