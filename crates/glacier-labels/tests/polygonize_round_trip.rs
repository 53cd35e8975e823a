//! Masks → polygons → masks: the GDAL-made RGI 6.0 masks (SOURCES.md, derived_here/) polygonized,
//! written as GeoJSON, read back and rasterised onto the same grid give the same pixels.

use glacier_labels::{Outlines, polygonize, rasterize, to_geojson};
use glacier_raster::{GeoTiffReader, Samples};
use glacier_testdata::path;

fn mask(rel: &str) -> Option<(Vec<u8>, glacier_raster::Grid)> {
    let mut r = GeoTiffReader::open(path(rel)?).expect("opens");
    let grid = r.info().grid().expect("georeferenced");
    let Samples::U8(mask) = r.read_band(0).expect("decodes") else {
        panic!("uint8 mask")
    };
    Some((mask, grid))
}

fn round_trip(rel: &str) -> Option<(usize, usize)> {
    let (want, grid) = mask(rel)?;
    let polygons = polygonize(&want, grid.width, grid.height, |v| v == 1);
    let glacier = want.iter().filter(|v| **v == 1).count();
    assert_eq!(
        polygons.iter().map(|p| p.pixels).sum::<u64>(),
        glacier as u64
    );
    let text = to_geojson(&polygons, &grid, "mask.geojson").expect("UTM → lon/lat");
    let back = Outlines::from_geojson("mask.geojson", &text).expect("our GeoJSON parses");
    assert_eq!(back.polygons.len(), polygons.len());
    let ours = rasterize(&back, &grid).expect("lon/lat → UTM");
    let differ = ours.iter().zip(&want).filter(|(a, b)| a != b).count();
    assert_eq!(
        differ, 0,
        "{rel}: {differ} pixels differ after the round trip"
    );
    Some((polygons.len(), text.len()))
}

#[test]
fn everest_rgi60_mask_survives_polygonize_geojson_rasterize() {
    let Some((patches, bytes)) = round_trip("derived_here/everest_rgi60_mask_on_LE7_B4_grid.tif")
    else {
        return;
    };
    eprintln!("everest: {patches} patches, {bytes} bytes of GeoJSON");
    // The 86 RGI outlines touch one another (one ice body split by drainage divides), so on the
    // grid they form 46 4-connected patches.
    assert_eq!(patches, 46);
}

#[test]
fn athabasca_mask_with_a_hole_survives_the_round_trip() {
    let Some((patches, _)) = round_trip("derived_here/athabasca_outline_mask_on_L30_grid.tif")
    else {
        return;
    };
    assert!(patches >= 1);
}

#[test]
fn geojson_properties_carry_pixels_and_area() {
    let Some((want, grid)) = mask("derived_here/athabasca_outline_mask_on_L30_grid.tif") else {
        return;
    };
    let polygons = polygonize(&want, grid.width, grid.height, |v| v == 1);
    let text = to_geojson(&polygons, &grid, "mask.geojson").expect("projects");
    let json: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(fc) = json else {
        panic!("a FeatureCollection")
    };
    let biggest = polygons.iter().map(|p| p.pixels).max().expect("patches");
    let f = fc
        .features
        .iter()
        .find(|f| f.property("pixels").and_then(|v| v.as_u64()) == Some(biggest))
        .expect("the biggest patch");
    // HLS L30 pixels are 30 m: 900 m² each.
    let area = f
        .property("area_km2")
        .and_then(|v| v.as_f64())
        .expect("area");
    assert!((area - biggest as f64 * 9e-4).abs() < 1e-6, "{area}");
}
