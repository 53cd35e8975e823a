//! `glacier prepare` and `glacier rasterize` end to end on real files.

use glacier_raster::{GeoTiffReader, Samples, Window};
use glacier_testdata::{path, require_tool};
use std::process::Command;

fn glacier(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_glacier"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn tmp(name: &str) -> String {
    std::env::temp_dir()
        .join(format!("glacier_cli_{}_{name}", std::process::id()))
        .display()
        .to_string()
}

#[test]
fn prepare_athabasca_stack_with_dem() {
    let Some(dem) = path("athabasca_hls_satrbedo/athabasca_dem.tif") else {
        return;
    };
    let band = |b: &str, c: &str| {
        let p = path(&format!(
            "athabasca_hls_satrbedo/athabasca_2020229_{b}_L30.tif"
        ))
        .expect("exists");
        format!("{c}={}", p.display())
    };
    let out = tmp("ath.tif");
    let (ok, err) = glacier(&[
        "prepare",
        "--band",
        &band("B03", "green"),
        "--band",
        &band("B05", "nir"),
        "--band",
        &band("B06", "swir1"),
        "--dem",
        &dem.display().to_string(),
        "--channels",
        "nir,slope,ndsi",
        "--out",
        &out,
    ]);
    assert!(ok, "{err}");
    let mut r = GeoTiffReader::open(&out).expect("output readable");
    let info = r.info().clone();
    assert_eq!(info.bands, 3);
    let names: Vec<_> = info
        .band_metadata
        .iter()
        .map(|m| m.description.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["nir", "slope", "ndsi"]);
    assert_eq!(info.crs, Some(glacier_raster::Crs::Epsg(32611)));
    assert!(info.nodata.is_some_and(f64::is_nan));
    // nir = stored × 0.0001 (HLS scale), against the raw int16 file.
    let raw = GeoTiffReader::open(
        path("athabasca_hls_satrbedo/athabasca_2020229_B05_L30.tif").expect("exists"),
    )
    .expect("opens")
    .read_window(0, Window::new(100, 150, 1, 1))
    .expect("decodes");
    let Samples::I16(raw) = raw else {
        panic!("int16")
    };
    let Samples::F32(nir) = r
        .read_window(0, Window::new(100, 150, 1, 1))
        .expect("decodes")
    else {
        panic!("f32")
    };
    assert!((nir[0] - f32::from(raw[0]) * 1e-4).abs() < 1e-6);
    let Samples::F32(all_nir) = r.read_band(0).expect("decodes") else {
        panic!("f32")
    };
    assert_eq!(all_nir.iter().filter(|v| v.is_nan()).count(), 897);
    std::fs::remove_file(&out).ok();
}

#[test]
fn prepare_names_what_is_missing_and_leaves_no_file() {
    let Some(b4) = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif") else {
        return;
    };
    let out = tmp("missing.tif");
    let (ok, err) = glacier(&[
        "prepare",
        "--band",
        &format!("nir={}", b4.display()),
        "--channels",
        "nir,ndsi",
        "--out",
        &out,
    ]);
    assert!(!ok);
    assert!(err.contains("no green band: the scene has nir"), "{err}");
    assert!(!std::path::Path::new(&out).exists());
    let (ok, err) = glacier(&["prepare", &b4.display().to_string(), "--out", &out]);
    assert!(!ok);
    assert!(
        err.contains("is a LE07 file; the model takes Landsat 8/9"),
        "{err}"
    );
}

#[test]
fn rasterize_matches_the_gdal_mask() {
    let Some(gj) = path("derived_here/everest_15_rgi60_glacier_outlines.geojson") else {
        return;
    };
    let like =
        path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif").expect("exists");
    let out = tmp("mask.tif");
    let (ok, err) = glacier(&[
        "rasterize",
        &gj.display().to_string(),
        "--like",
        &like.display().to_string(),
        "--out",
        &out,
    ]);
    assert!(ok, "{err}");
    assert!(err.contains("282802 glacier pixels"), "{err}");
    let ours = GeoTiffReader::open(&out)
        .expect("opens")
        .read_band(0)
        .expect("decodes");
    let want = GeoTiffReader::open(
        path("derived_here/everest_rgi60_mask_on_LE7_B4_grid.tif").expect("exists"),
    )
    .expect("opens")
    .read_band(0)
    .expect("decodes");
    assert_eq!(ours, want);
    std::fs::remove_file(&out).ok();
    // The original RGI GeoPackage gives the same mask.
    let gpkg =
        path("everest_landsat7_rgi60_geoutils/15_rgi60_glacier_outlines.gpkg").expect("exists");
    let (ok, err) = glacier(&[
        "rasterize",
        &gpkg.display().to_string(),
        "--like",
        &like.display().to_string(),
        "--out",
        &out,
    ]);
    assert!(ok, "{err}");
    let from_gpkg = GeoTiffReader::open(&out)
        .expect("opens")
        .read_band(0)
        .expect("decodes");
    assert_eq!(from_gpkg, want);
    std::fs::remove_file(&out).ok();
    let (ok, err) = glacier(&[
        "rasterize",
        "outlines.kml",
        "--like",
        &like.display().to_string(),
        "--out",
        &out,
    ]);
    assert!(!ok && err.contains("outlines must be a shapefile"), "{err}");
}

#[test]
fn chips_from_everest_with_the_rgi_geopackage() {
    let Some(rgb) = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_RGB.tif") else {
        return;
    };
    let b4 = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif").expect("exists");
    let gpkg =
        path("everest_landsat7_rgi60_geoutils/15_rgi60_glacier_outlines.gpkg").expect("exists");
    let out = tmp("chips");
    let (ok, err) = glacier(&[
        "chips",
        "--band",
        &format!("red={}:1", rgb.display()),
        "--band",
        &format!("green={}:2", rgb.display()),
        "--band",
        &format!("nir={}", b4.display()),
        "--outlines",
        &gpkg.display().to_string(),
        "--out",
        &out,
    ]);
    assert!(ok, "{err}");
    let set: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{out}/chips.json")).expect("json"))
            .expect("parses");
    assert_eq!(
        set["channels"],
        serde_json::json!(["green", "red", "nir", "ndwi", "ndvi"])
    );
    let train = set["counts"]["train"].as_u64().expect("train chips");
    assert!(train > 50, "{set}");
    let x = std::fs::metadata(format!("{out}/train_x.f32"))
        .expect("x")
        .len();
    assert_eq!(x, train * 5 * 64 * 64 * 4);
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn prepare_keeps_the_crs_and_says_what_it_drops() {
    let Some(band) = path("athabasca_hls_satrbedo/athabasca_2020229_B05_L30.tif") else {
        return;
    };
    if !require_tool("gdalwarp") || !require_tool("gdalsrsinfo") {
        return;
    }
    let band = band.display().to_string();
    // Web Mercator (as EPSG:3857, as the deprecated EPSG:3785 and as the PROJ string GDAL
    // writes with ModelType "user-defined" and an ESRI WKT citation), lon/lat, polar
    // stereographic, a user-defined Lambert conformal conic and Lambert azimuthal equal-area,
    // Mollweide (no GeoTIFF method: ESRI WKT only), UTM and Transverse Mercator in feet, and a
    // compound CRS (UTM 11N + EGM96 heights), each made by GDAL from the real band, in GDAL's
    // standard keys and (for some) its ESRI flavour, where every CRS is ESRI WKT.
    let lcc = "+proj=lcc +lat_1=49 +lat_2=77 +lat_0=49 +lon_0=-95 +x_0=0 +y_0=0 +datum=NAD83 +units=m +no_defs";
    let web_mercator = "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs";
    let standard = "GEOTIFF_KEYS_FLAVOR=STANDARD";
    let esri = "GEOTIFF_KEYS_FLAVOR=ESRI_PE";
    for (name, srs, flavour) in [
        ("mercator", "EPSG:3857", standard),
        ("mercator_3785", "EPSG:3785", standard),
        ("mercator_proj", web_mercator, standard),
        ("mercator_esri", "EPSG:3857", esri),
        ("lonlat", "EPSG:4326", standard),
        ("lonlat_esri", "EPSG:4326", esri),
        ("polar", "EPSG:3413", standard),
        ("lcc", lcc, standard),
        (
            "laea",
            "+proj=laea +lat_0=90 +lon_0=0 +datum=WGS84 +units=m",
            standard,
        ),
        ("mollweide", "ESRI:54009", standard),
        (
            "utm_feet",
            "+proj=utm +zone=45 +datum=WGS84 +units=ft",
            standard,
        ),
        (
            "utm_us_feet_esri",
            "+proj=utm +zone=11 +datum=WGS84 +units=us-ft",
            esri,
        ),
        (
            "tmerc_feet",
            "+proj=tmerc +lon_0=-117 +k=0.9996 +x_0=500000 +datum=WGS84 +units=ft",
            standard,
        ),
        ("compound", "EPSG:32611+5773", standard),
    ] {
        let warped = tmp(&format!("crs_{name}.tif"));
        let out = Command::new("gdalwarp")
            .args([
                "-q",
                "-overwrite",
                "-co",
                flavour,
                "-t_srs",
                srs,
                &band,
                &warped,
            ])
            .output()
            .expect("gdalwarp runs");
        assert!(out.status.success(), "{out:?}");
        let prepared = tmp(&format!("crs_{name}_prepared.tif"));
        let (ok, err) = glacier(&[
            "prepare",
            "--band",
            &format!("nir={warped}"),
            "--out",
            &prepared,
        ]);
        assert!(ok, "{name}: {err}");
        let crs = |f: &str| GeoTiffReader::open(f).expect("opens").info().crs.clone();
        assert_eq!(crs(&prepared), crs(&warped), "{name}: the CRS changed");
        let said_dropped = err.contains("has a compound CRS whose heights are EPSG:5773");
        assert_eq!(said_dropped, name == "compound", "{name}: {err}");
        // And as GDAL sees them (the compound one loses its heights, as the note says).
        let proj4 = |f: &str| {
            let out = Command::new("gdalsrsinfo")
                .args(["-o", "proj4", f])
                .output()
                .expect("gdalsrsinfo runs");
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        if name != "compound" {
            assert_eq!(
                proj4(&prepared),
                proj4(&warped),
                "{name}: GDAL reads another CRS"
            );
        }
    }
}
