//! Terrain on real DEMs: slope against gdaldem, reprojection against gdalwarp.

use glacier_raster::{GeoTiffReader, Grid};
use glacier_terrain::slope::PixelSize;
use glacier_terrain::{Resampling, resample, slope_degrees};
use glacier_testdata::path;
use std::process::Command;

/// A band as f32 with nodata as NaN, and its grid.
fn load(file: &std::path::Path) -> (Vec<f32>, Grid) {
    let mut r = GeoTiffReader::open(file).expect("opens");
    let info = r.info().clone();
    let nodata = info.nodata;
    let values = r
        .read_band(0)
        .expect("decodes")
        .to_f32()
        .into_iter()
        .map(|v| {
            if Some(f64::from(v)) == nodata {
                f32::NAN
            } else {
                v
            }
        })
        .collect();
    (values, info.grid().expect("georeferenced"))
}

fn median(mut v: Vec<f32>) -> f32 {
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

#[test]
fn horn_slope_matches_gdaldem_on_chhota_shigri() {
    let Some(dem) = path("oggm_sample_data/chhota_shigri/dem_chhota_shigri.tif") else {
        return;
    };
    let oracle = path("derived_here/chhota_shigri_slope_deg_gdaldem_horn.tif").expect("exists");
    let (z, grid) = load(&dem);
    let (want, _) = load(&oracle);
    let t = grid.transform;
    let ours = slope_degrees(
        &z,
        grid.width as usize,
        grid.height as usize,
        PixelSize::Metres(t.dx, t.dy),
    );
    // Every pixel gdaldem gives a slope must have ours: a NaN there fails (max_abs_diff panics).
    let (a, b): (Vec<f32>, Vec<f32>) = ours.iter().zip(&want).filter(|(_, b)| !b.is_nan()).unzip();
    assert!(a.len() > 60_000, "{} comparable pixels", a.len());
    let worst = glacier_testdata::max_abs_diff(&a, &b);
    let med = median(a.iter().zip(&b).map(|(a, b)| (a - b).abs()).collect());
    eprintln!("slope vs gdaldem: median |diff| {med}°, max {worst}°");
    assert!(med <= 0.1, "median |diff| {med}°");
    assert!(
        worst < 0.01,
        "max |diff| {worst}°: the same kernel should agree to float rounding"
    );
}

#[test]
fn resampling_onto_its_own_grid_is_exact() {
    let Some(dem) = path("oggm_sample_data/chhota_shigri/dem_chhota_shigri.tif") else {
        return;
    };
    let (z, grid) = load(&dem);
    let same = resample(&z, &grid, None, &grid, Resampling::Bilinear).expect("same CRS");
    let equal = z
        .iter()
        .zip(&same)
        .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
    assert!(equal, "identity resampling changed values");
}

#[test]
fn lonlat_srtm_onto_utm_matches_gdalwarp() {
    let Some(dem) = path("oggm_sample_data/RGI60-14.03439/RGI60-14.03439.tif") else {
        return;
    };
    if !glacier_testdata::require_tool("gdalwarp") {
        return;
    }
    let out = std::env::temp_dir().join(format!("glacier_warp_{}.tif", std::process::id()));
    let status = Command::new("gdalwarp")
        .args([
            "-q",
            "-overwrite",
            "-r",
            "bilinear",
            "-t_srs",
            "EPSG:32643",
            "-tr",
            "30",
            "30",
        ])
        .arg(&dem)
        .arg(&out)
        .status()
        .expect("gdalwarp starts");
    assert!(status.success());
    let (src, src_grid) = load(&dem);
    let (want, dst_grid) = load(&out);
    std::fs::remove_file(&out).ok();
    let ours =
        resample(&src, &src_grid, None, &dst_grid, Resampling::Bilinear).expect("4326 → UTM");
    let diffs: Vec<f32> = ours
        .iter()
        .zip(&want)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| (a - b).abs())
        .collect();
    let valid_want = want.iter().filter(|v| !v.is_nan()).count();
    assert!(
        diffs.len() as f64 > 0.98 * valid_want as f64,
        "{} of {valid_want}",
        diffs.len()
    );
    let mut sorted = diffs.clone();
    sorted.sort_by(f32::total_cmp);
    let (med, p99) = (sorted[sorted.len() / 2], sorted[sorted.len() * 99 / 100]);
    eprintln!(
        "vs gdalwarp: {} px, median |diff| {med} m, p99 {p99} m",
        sorted.len()
    );
    assert!(med < 0.5, "median {med} m");
    assert!(p99 < 5.0, "p99 {p99} m");
}
