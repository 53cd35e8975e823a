//! `glacier change` end to end on real data: Athabasca L30 (2020-08-16) against S30
//! (2020-09-09) mapped by the shipped model, Everest's RGI 6.0 mask against the network's map
//! with the RGI outlines per glacier; a shifted grid, another UTM zone and a lon/lat grid made by
//! GDAL, no data on one date, and bad input. Class counts are checked against counts made here
//! from the files themselves.

use glacier_raster::{Crs, GeoTiffReader, RasterSpec, write_geotiff};
use glacier_testdata::{path, require_tool};
use std::process::Command;

mod common;
use common::glacier;

fn tmp(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("glacier_change_{}_{name}", std::process::id()))
        .display()
        .to_string()
}

/// A raster's first band as `f64` and its nodata value.
fn band(file: &str) -> (Vec<f64>, Option<f64>, glacier_raster::Grid) {
    let mut r = GeoTiffReader::open(file).expect("opens");
    let info = r.info().clone();
    let s = r.read_band(0).expect("decodes");
    let values = (0..s.len())
        .map(|i| s.get_f64(i).expect("in range"))
        .collect();
    (values, info.nodata, info.grid().expect("georeferenced"))
}

/// Pixels of each class counted here: [no glacier, stable, lost, gained, no data].
fn count(before: &[f64], after: &[f64], nodata: f64) -> [u64; 5] {
    let mut n = [0u64; 5];
    for (b, a) in before.iter().zip(after) {
        let k = if *b == nodata || *a == nodata || b.is_nan() || a.is_nan() {
            4
        } else {
            match (*b == 1.0, *a == 1.0) {
                (false, false) => 0,
                (true, true) => 1,
                (true, false) => 2,
                (false, true) => 3,
            }
        };
        n[k] += 1;
    }
    n
}

fn pixels(json: &serde_json::Value) -> [u64; 5] {
    let p = &json["pixels"];
    ["no_glacier", "stable", "lost", "gained", "no_data"].map(|k| p[k].as_u64().expect(k))
}

/// Maps one HLS date of the Athabasca crop with the shipped models.
fn athabasca(date: &str, sensor: &str, name: &str) -> Option<(String, String)> {
    let nir = if sensor == "L30" { "B05" } else { "B8A" };
    let (s1, s2) = if sensor == "L30" {
        ("B06", "B07")
    } else {
        ("B11", "B12")
    };
    let mut args = vec!["predict".to_owned()];
    for (channel, b) in [
        ("green", "B03"),
        ("red", "B04"),
        ("nir", nir),
        ("swir1", s1),
        ("swir2", s2),
    ] {
        let file = path(&format!(
            "athabasca_hls_satrbedo/athabasca_{date}_{b}_{sensor}.tif"
        ))?;
        args.extend(["--band".to_owned(), format!("{channel}={}", file.display())]);
    }
    let (mask, prob) = (tmp(&format!("{name}.tif")), tmp(&format!("{name}_p.tif")));
    args.extend([
        "--out".into(),
        mask.clone(),
        "--probabilities".into(),
        prob.clone(),
    ]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, _, err) = glacier(&a);
    assert!(ok, "predict {name}: {err}");
    Some((mask, prob))
}

#[test]
fn athabasca_l30_against_s30_whole_grid_and_the_outline() {
    let Some((l30, l30_p)) = athabasca("2020229", "L30", "l30") else {
        return;
    };
    let (s30, s30_p) = athabasca("2020253", "S30", "s30").expect("S30 beside L30");
    let outline = path("athabasca_hls_satrbedo/athabasca_outline.shp").expect("outline");
    let (out, csv) = (tmp("ath_change.tif"), tmp("ath.csv"));
    let (ok, stdout, err) = glacier(&[
        "change",
        &l30,
        &s30,
        "--out",
        &out,
        "--outlines",
        &outline.display().to_string(),
        "--csv",
        &csv,
        "--before-probabilities",
        &l30_p,
        "--after-probabilities",
        &s30_p,
    ]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    assert_eq!(json["alignment"], "same grid");
    let (b, _, _) = band(&l30);
    let (a, _, _) = band(&s30);
    let expected = count(&b, &a, 255.0);
    assert_eq!(pixels(&json), expected);
    // Areas: 900 m² a pixel.
    let km2 = |k: &str| json["km2"][k].as_f64().expect(k);
    assert!((km2("lost") - expected[2] as f64 * 900e-6).abs() < 1e-3);
    assert!((km2("net_change") - (expected[3] as f64 - expected[2] as f64) * 900e-6).abs() < 1e-3);
    // The L30 fill (897 px) and the S30's 4 px have no data.
    assert!((897..=901).contains(&expected[4]), "{expected:?}");
    // Two dates three weeks apart at the end of summer: most glacier stays glacier.
    assert!(
        expected[1] as f64 > 0.9 * (expected[1] + expected[2]) as f64,
        "{expected:?}"
    );
    let u = &json["uncertainty_km2"];
    let (ub, ua) = (
        u["before"].as_f64().expect("b"),
        u["after"].as_f64().expect("a"),
    );
    assert!(
        (u["change"].as_f64().expect("c") - ub.hypot(ua)).abs() < 1e-3,
        "{u}"
    );
    assert!(ub > 0.0 && ub < km2("before"), "{u}");
    assert!(json["ambiguous_km2"].as_f64().expect("probabilities given") > 0.0);

    // The change raster holds the classes, counted again from the file.
    let (classes, nodata, grid) = band(&out);
    assert_eq!(nodata, Some(255.0));
    assert_eq!(grid.crs, Crs::Epsg(32611));
    let of = |v: f64| classes.iter().filter(|c| **c == v).count() as u64;
    assert_eq!([of(0.0), of(1.0), of(2.0), of(3.0), of(255.0)], expected);

    // One row for the one outline: id from its ID column, 16.14 km² as SOURCES.md gives.
    let text = std::fs::read_to_string(&csv).expect("csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,name,outline_km2,before_km2,after_km2,lost_km2,gained_km2,net_km2,net_percent,\
             uncertainty_km2,ambiguous_km2,no_data_share"
        )
    );
    let row: Vec<&str> = lines.next().expect("a row").split(',').collect();
    assert_eq!(row[0], "1");
    let outline_km2: f64 = row[2].parse().expect("number");
    assert!((outline_km2 - 16.14).abs() < 0.01, "{row:?}");
    // 227 px of the L30 fill lie inside the outline: 0.2 km² of 16.14 without data.
    let share: f64 = row[11].parse().expect("number");
    assert!((0.011..0.016).contains(&share), "{row:?}");
    assert!(lines.next().is_none());

    // One command from the two scenes' bands gives the same change.
    let bands = |date: &str, sensor: &str, nir: &str, s1: &str, s2: &str| -> Vec<String> {
        [
            ("green", "B03"),
            ("red", "B04"),
            ("nir", nir),
            ("swir1", s1),
            ("swir2", s2),
        ]
        .iter()
        .map(|(c, b)| {
            let f = path(&format!(
                "athabasca_hls_satrbedo/athabasca_{date}_{b}_{sensor}.tif"
            ))
            .expect("exists");
            format!("{c}={}", f.display())
        })
        .collect()
    };
    let mut args = vec!["change".to_owned(), "--before-bands".into()];
    args.extend(bands("2020229", "L30", "B05", "B06", "B07"));
    args.push("--after-bands".into());
    args.extend(bands("2020253", "S30", "B8A", "B11", "B12"));
    args.extend(["--out".into(), tmp("ath_direct.tif")]);
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, stdout, err) = glacier(&a);
    assert!(ok, "{err}");
    let direct: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(pixels(&direct), expected);
    assert_eq!(direct["ambiguous_km2"], json["ambiguous_km2"]);
    assert!(err.contains("before: Model unet-scse-swir"), "{err}");
}

#[test]
fn everest_rgi_mask_against_the_network_per_glacier() {
    let Some(rgi) = path("derived_here/everest_rgi60_mask_on_LE7_B4_grid.tif") else {
        return;
    };
    let e = |f: &str| {
        path(&format!("everest_landsat7_rgi60_geoutils/{f}"))
            .expect("exists")
            .display()
            .to_string()
    };
    let net = tmp("ev_net.tif");
    let rgb = e("LE71400412000304SGS00_RGB.tif");
    let (ok, _, err) = glacier(&[
        "predict",
        "--band",
        &format!("red={rgb}:1"),
        "--band",
        &format!("green={rgb}:2"),
        "--band",
        &format!("nir={}", e("LE71400412000304SGS00_B4.tif")),
        "--out",
        &net,
    ]);
    assert!(ok, "{err}");
    let rgi = rgi.display().to_string();
    let (out, csv) = (tmp("ev_change.tif"), tmp("ev.csv"));
    let (ok, stdout, err) = glacier(&[
        "change",
        &rgi,
        &net,
        "--out",
        &out,
        "--outlines",
        &e("15_rgi60_glacier_outlines.gpkg"),
        "--csv",
        &csv,
    ]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let (b, _, _) = band(&rgi);
    let (a, _, _) = band(&net);
    let expected = count(&b, &a, 255.0);
    assert_eq!(pixels(&json), expected);
    // GDAL burnt 282 802 px of glacier; the network's map has data everywhere.
    assert_eq!(expected[1] + expected[2], 282_802);
    assert_eq!(expected[4], 0);

    let mut reader = csv_rows(&csv);
    // All 86 outlines reach the grid.
    assert_eq!(reader.len(), 86);
    // Largest loss first.
    let net_of = |r: &Vec<String>| r[7].parse::<f64>().expect("net");
    assert!(reader.windows(2).all(|w| net_of(&w[0]) <= net_of(&w[1])));
    // Every RGI id once; the Khumbu glacier among them.
    reader.sort_by(|x, y| x[0].cmp(&y[0]));
    assert!(reader.windows(2).all(|w| w[0][0] != w[1][0]));
    assert!(reader.iter().any(|r| r[0] == "RGI60-15.03733"));
    // The outlines split the RGI mask among them: their "before" areas add up to it.
    let before: f64 = reader
        .iter()
        .map(|r| r[3].parse::<f64>().expect("before"))
        .sum();
    assert!((before - 282_802.0 * 900e-6).abs() < 0.01, "{before}");
    let lost: f64 = reader
        .iter()
        .map(|r| r[5].parse::<f64>().expect("lost"))
        .sum();
    assert!((lost - expected[2] as f64 * 900e-6).abs() < 0.01, "{lost}");
}

/// A CSV's data rows, split at commas (the test files hold no quoted commas in these columns).
fn csv_rows(file: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(file)
        .expect("csv")
        .lines()
        .skip(1)
        .map(|l| {
            // Names may be quoted and hold commas; ids and numbers do not.
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            for ch in l.chars() {
                match ch {
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(std::mem::take(&mut field)),
                    c => field.push(c),
                }
            }
            fields.push(field);
            fields
        })
        .collect()
}

#[test]
fn a_shifted_grid_and_another_utm_zone_made_by_gdal() {
    let Some(rgi) = path("derived_here/everest_rgi60_mask_on_LE7_B4_grid.tif") else {
        return;
    };
    if !require_tool("gdal_translate") || !require_tool("gdalwarp") {
        return;
    }
    let rgi = rgi.display().to_string();
    // A window 37 columns right and 21 rows down: the same mask on a shifted grid.
    let shifted = tmp("shifted.tif");
    let s = Command::new("gdal_translate")
        .args(["-q", "-srcwin", "37", "21", "600", "500", &rgi, &shifted])
        .status()
        .expect("gdal_translate");
    assert!(s.success());
    let out = tmp("shift_change.tif");
    let (ok, stdout, err) = glacier(&["change", &rgi, &shifted, "--out", &out]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        json["alignment"],
        "shifted exactly: BEFORE's pixel (0, 0) is AFTER's (-37, -21)"
    );
    // Inside the window nothing changed; outside it there is no data.
    let p = pixels(&json);
    assert_eq!((p[2], p[3]), (0, 0), "{json}");
    assert_eq!(p[4], 800 * 655 - 600 * 500);
    let (b, _, _) = band(&rgi);
    let inside: u64 = (21..521)
        .flat_map(|r| (37..637).map(move |c| r * 800 + c))
        .filter(|i| b[*i] == 1.0)
        .count() as u64;
    assert_eq!(p[1], inside);

    // The same mask in UTM zone 44 (gdalwarp, nearest): stable but for the boundary pixels.
    let zone44 = tmp("zone44.tif");
    let s = Command::new("gdalwarp")
        .args([
            "-q",
            "-t_srs",
            "EPSG:32644",
            "-tr",
            "30",
            "30",
            "-r",
            "near",
        ])
        .args(["-dstnodata", "255", &rgi, &zone44])
        .status()
        .expect("gdalwarp");
    assert!(s.success());
    let out = tmp("zone_change.tif");
    let (ok, stdout, err) = glacier(&["change", &rgi, &zone44, "--out", &out]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        json["alignment"],
        "nearest-neighbour reprojection from EPSG:32644 at 30 × 30 m"
    );
    let p = pixels(&json);
    let changed = (p[2] + p[3]) as f64;
    // Two nearest-neighbour resamplings move boundary pixels only: well under the buffer.
    let uncertainty = json["uncertainty_km2"]["before"].as_f64().expect("u") / 900e-6;
    assert!(
        changed < 0.5 * uncertainty,
        "{changed} px changed, {uncertainty} px buffer"
    );
    assert!(p[1] as f64 > 0.97 * 282_802.0, "{p:?}");

    // BEFORE on a lon/lat grid (gdalwarp to EPSG:4326): pixel areas by row, AFTER reprojected
    // onto it; the glacier area stays that of the UTM mask (254.52 km²) within 1 %.
    let lon_lat = tmp("lonlat.tif");
    let s = Command::new("gdalwarp")
        .args([
            "-q",
            "-t_srs",
            "EPSG:4326",
            "-r",
            "near",
            "-dstnodata",
            "255",
        ])
        .args([&rgi, &lon_lat])
        .status()
        .expect("gdalwarp");
    assert!(s.success());
    let out = tmp("lonlat_change.tif");
    let (ok, stdout, err) = glacier(&["change", &lon_lat, &rgi, "--out", &out]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(json["crs"], "EPSG:4326");
    let before = json["km2"]["before"].as_f64().expect("before");
    assert!(
        (before / (282_802.0 * 900e-6) - 1.0).abs() < 0.01,
        "{before}"
    );
    let net = json["km2"]["net_change"].as_f64().expect("net");
    assert!(net.abs() < 0.01 * before, "{net}");
}

/// Writes a one-band uint8 GeoTIFF on `grid` (nodata 255).
fn write_mask(file: &str, grid: &glacier_raster::Grid, values: &[u8], crs: Crs) {
    let spec = RasterSpec {
        width: grid.width,
        height: grid.height,
        bands: 1,
        transform: grid.transform,
        crs: Some(crs),
        nodata: Some(255.0),
        descriptions: Vec::new(),
        colours: Vec::new(),
    };
    let w = grid.width as usize;
    let f = std::fs::File::create(file).expect("create");
    write_geotiff(file, f, &spec, |row, rows, bands: &mut [Vec<u8>]| {
        let start = row as usize * w;
        bands[0].copy_from_slice(&values[start..start + rows as usize * w]);
        Ok(())
    })
    .expect("writes");
}

#[test]
fn no_data_on_one_date_is_never_change() {
    let Some(rgi) = path("derived_here/everest_rgi60_mask_on_LE7_B4_grid.tif") else {
        return;
    };
    let rgi = rgi.display().to_string();
    let (b, _, grid) = band(&rgi);
    // AFTER: no glacier anywhere, and a cloud (no data) over the top 100 rows.
    let after: Vec<u8> = (0..b.len())
        .map(|i| if i < 100 * 800 { 255 } else { 0 })
        .collect();
    let cloudy = tmp("cloudy.tif");
    write_mask(&cloudy, &grid, &after, Crs::Epsg(32645));
    let (ok, stdout, err) = glacier(&["change", &rgi, &cloudy, "--out", &tmp("c.tif")]);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let p = pixels(&json);
    let glacier_below: u64 = b[100 * 800..].iter().filter(|v| **v == 1.0).count() as u64;
    assert_eq!(
        p,
        [
            (555 * 800) as u64 - glacier_below,
            0,
            glacier_below,
            0,
            100 * 800
        ]
    );
    let share = json["no_data_share"].as_f64().expect("share");
    assert!((share - 100.0 / 655.0).abs() < 1e-3, "{share}");
}

#[test]
fn bad_input_names_the_file_and_the_fix() {
    let Some(rgi) = path("derived_here/everest_rgi60_mask_on_LE7_B4_grid.tif") else {
        return;
    };
    let rgi = rgi.display().to_string();
    // A reflectance band is not a mask.
    let b4 = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif")
        .expect("exists")
        .display()
        .to_string();
    let (ok, _, err) = glacier(&["change", &rgi, &b4, "--out", &tmp("x.tif")]);
    assert!(!ok);
    assert!(err.contains(&format!("{b4}: not a glacier mask")), "{err}");
    // Two places: Everest against Athabasca.
    let ath = path("derived_here/athabasca_outline_mask_on_L30_grid.tif")
        .expect("exists")
        .display()
        .to_string();
    let (ok, _, err) = glacier(&["change", &rgi, &ath, "--out", &tmp("x.tif")]);
    assert!(!ok);
    assert!(
        err.contains(&format!("{ath} does not overlap {rgi}")),
        "{err}"
    );
    // A CRS that cannot be related to UTM (an unknown user-defined projection).
    let (_, _, grid) = band(&rgi);
    let odd = tmp("odd_crs.tif");
    let crs = Crs::UserDefined {
        method: 99,
        geographic: Some(4326),
        parameters: Default::default(),
        citation: None,
        projection: None,
        linear_unit: 9001,
    };
    write_mask(&odd, &grid, &vec![0u8; 800 * 655], crs);
    let (ok, _, err) = glacier(&["change", &rgi, &odd, "--out", &tmp("x.tif")]);
    assert!(!ok);
    assert!(
        err.contains(&format!("{odd}: cannot bring it onto the grid of {rgi}")),
        "{err}"
    );
    assert!(err.contains("gdalwarp -t_srs EPSG:32645"), "{err}");
    // Outlines without an id column.
    let gj = tmp("no_ids.geojson");
    std::fs::write(
        &gj,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"area":1},"geometry":{"type":"Polygon","coordinates":[[[86.9,28.0],[86.91,28.0],[86.91,28.01],[86.9,28.0]]]}}]}"#,
    )
    .expect("write");
    let (ok, _, err) = glacier(&[
        "change",
        &rgi,
        &rgi,
        "--out",
        &tmp("x.tif"),
        "--outlines",
        &gj,
        "--csv",
        &tmp("x.csv"),
    ]);
    assert!(!ok);
    assert!(
        err.contains(&format!("{gj}: no id column among its attributes (area)")),
        "{err}"
    );
    assert!(err.contains("--id-column"), "{err}");
    // One mask too few.
    let (ok, _, err) = glacier(&["change", &rgi, "--out", &tmp("x.tif")]);
    assert!(!ok && err.contains("give 2 mask file(s) (got 1)"), "{err}");
}
