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

#[test]
fn every_unreadable_file_is_named() {
    let mut builder = SceneBuilder::new();
    let bad = |name: &str, bytes: &[u8]| Box::new(BytesSource::new(name, bytes.to_vec()));
    builder.map_band(Channel::Green, bad("green.tif", b"not a TIFF at all"), 0);
    builder.map_band(Channel::Red, bad("red.tif", &geotiff(64, 64)[..20]), 0);
    builder.map_band(Channel::Nir, bad("nir.tif", &geotiff(64, 64)), 0);
    let Err(err) = builder.build() else {
        panic!("two files are broken")
    };
    let err = err.to_string();
    assert!(
        err.starts_with("2 files cannot be read: green.tif is not a readable TIFF"),
        "{err}"
    );
    assert!(err.contains("; red.tif ends early"), "{err}");
    assert!(!err.contains("nir.tif"), "{err}");
}
