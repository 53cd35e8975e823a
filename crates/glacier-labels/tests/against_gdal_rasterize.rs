//! Rasterised outlines against masks made with `gdal_rasterize` (SOURCES.md, derived_here/).

use glacier_labels::{Outlines, rasterize};
use glacier_raster::{GeoTiffReader, Samples};
use glacier_testdata::path;

fn oracle(rel: &str) -> (Vec<u8>, glacier_raster::Grid) {
    let mut r = GeoTiffReader::open(path(rel).expect("exists")).expect("opens");
    let grid = r.info().grid().expect("georeferenced");
    let Samples::U8(mask) = r.read_band(0).expect("decodes") else {
        panic!("uint8 mask")
    };
    (mask, grid)
}

fn agreement(ours: &[u8], want: &[u8]) -> f64 {
    ours.iter().zip(want).filter(|(a, b)| a == b).count() as f64 / want.len() as f64
}

fn shapefile(stem: &str) -> Outlines {
    let shp = std::fs::read(path(&format!("{stem}.shp")).expect("exists")).expect("readable");
    let prj = std::fs::read_to_string(path(&format!("{stem}.prj")).expect("exists")).expect("text");
    Outlines::from_shapefile(&format!("{stem}.shp"), &shp, Some(&prj)).expect("parses")
}

#[test]
fn everest_rgi60_geojson_and_shapefile_match_the_gdal_mask() {
    let Some(gj) = path("derived_here/everest_15_rgi60_glacier_outlines.geojson") else {
        return;
    };
    let (want, grid) = oracle("derived_here/everest_rgi60_mask_on_LE7_B4_grid.tif");
    assert_eq!(want.iter().filter(|v| **v == 1).count(), 282_802);
    let text = std::fs::read_to_string(gj).expect("readable");
    let from_geojson = Outlines::from_geojson("outlines.geojson", &text).expect("parses");
    assert_eq!(from_geojson.polygons.len(), 86);
    let ours = rasterize(&from_geojson, &grid).expect("4326 → UTM 45N");
    let share = agreement(&ours, &want);
    let glacier = ours.iter().filter(|v| **v == 1).count();
    eprintln!(
        "everest geojson: {glacier} glacier px (GDAL 282802), {:.4} % equal",
        share * 100.0
    );
    assert!(share >= 0.999, "{share}");

    let from_shp = shapefile("derived_here/everest_15_rgi60_glacier_outlines");
    assert_eq!(rasterize(&from_shp, &grid).expect("rasterises"), ours);
}

#[test]
fn athabasca_utm_outline_with_a_hole_matches_the_gdal_mask() {
    let Some(_) = path("athabasca_hls_satrbedo/athabasca_outline.shp") else {
        return;
    };
    let (want, grid) = oracle("derived_here/athabasca_outline_mask_on_L30_grid.tif");
    let outlines = shapefile("athabasca_hls_satrbedo/athabasca_outline");
    assert_eq!(outlines.crs, glacier_raster::Crs::Epsg(32611));
    assert_eq!(
        outlines.polygons[0].rings.len(),
        2,
        "outer ring and one hole"
    );
    let ours = rasterize(&outlines, &grid).expect("same CRS");
    let share = agreement(&ours, &want);
    let glacier = ours.iter().filter(|v| **v == 1).count();
    eprintln!(
        "athabasca: {glacier} glacier px (GDAL 17937), {:.4} % equal",
        share * 100.0
    );
    assert!(share >= 0.999, "{share}");
}

#[test]
fn everest_rgi60_geopackage_matches_the_gdal_mask() {
    let Some(gpkg) = path("everest_landsat7_rgi60_geoutils/15_rgi60_glacier_outlines.gpkg") else {
        return;
    };
    let (want, grid) = oracle("derived_here/everest_rgi60_mask_on_LE7_B4_grid.tif");
    let outlines = Outlines::from_geopackage(&gpkg).expect("reads the GeoPackage");
    assert_eq!(outlines.crs, glacier_raster::Crs::Epsg(4326));
    assert_eq!(outlines.polygons.len(), 86);
    let ours = rasterize(&outlines, &grid).expect("rasterises");
    assert!(agreement(&ours, &want) >= 0.999);
    let err = Outlines::from_geopackage(
        &path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif").expect("exists"),
    )
    .expect_err("a TIFF is not a GeoPackage");
    assert!(
        err.to_string()
            .contains("LE71400412000304SGS00_B4.tif: cannot read the outlines"),
        "{err}"
    );
}
