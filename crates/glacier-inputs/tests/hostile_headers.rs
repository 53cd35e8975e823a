//! Scene assembly refuses a header claiming a scene no buffer can hold, before any buffer.

use glacier_inputs::{BytesSource, InputError, SceneBuilder};
use glacier_landsat::Channel;
use glacier_raster::GridTooLarge;
use glacier_testdata::tiff::{strip_entries, tiff, utm_georeference};

/// A georeferenced one-strip uint8 GeoTIFF header claiming `width × height` pixels.
fn geotiff(width: u32, height: u32) -> Vec<u8> {
    let mut entries = strip_entries(width, height, 1, 16);
    entries.extend(utm_georeference());
    tiff(&entries, &[0; 16])
}

fn build(width: u32, height: u32) -> Result<(u32, u32), InputError> {
    let mut builder = SceneBuilder::new();
    let file = BytesSource::new("green.tif", geotiff(width, height));
    builder.map_band(Channel::Green, Box::new(file), 0);
    let scene = builder.build()?;
    Ok((scene.grid.width, scene.grid.height))
}

#[test]
fn a_scene_header_over_the_pixel_cap_is_refused_at_assembly() {
    // 100 000 × 100 000 px in a 300-byte file: every whole-scene buffer (the mask, the NDSI
    // baseline, the page's layers) would be 10 Gpx, and `w * h` wrapped in wasm32.
    let err = build(100_000, 100_000).expect_err("over the cap");
    assert!(
        matches!(
            &err,
            InputError::TooLarge { file, source: GridTooLarge { width: 100_000, height: 100_000 } }
                if file == "green.tif"
        ),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("green.tif: a 100000 × 100000 px grid is over the limit"),
        "{err}"
    );
    // A full Landsat scene's size assembles.
    assert_eq!(
        build(7_600, 7_800).expect("a Landsat scene"),
        (7_600, 7_800)
    );
}
