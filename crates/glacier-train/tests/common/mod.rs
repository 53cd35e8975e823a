//! The real Everest scene (Landsat 7 green/red/NIR) and its RGI 6.0 outlines, shared by the tests.

use glacier_inputs::{BytesSource, Scene, SceneBuilder};
use glacier_labels::Outlines;
use glacier_landsat::Channel;
use glacier_testdata::path;

const RGB: &str = "everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_RGB.tif";
const B4: &str = "everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif";
const OUTLINES: &str = "derived_here/everest_15_rgi60_glacier_outlines.geojson";

fn file(rel: &str) -> Box<BytesSource> {
    let data = std::fs::read(path(rel).expect("exists")).expect("readable");
    Box::new(BytesSource::new(rel, data))
}

/// The scene and outlines, or `None` (test skipped) when ../shared/data is missing outside CI.
pub fn everest() -> Option<(Scene, Outlines)> {
    path(RGB)?;
    let mut b = SceneBuilder::new();
    // RGB.tif holds ETM+ B3/B2/B1 = red, green, blue; B4 is NIR.
    b.map_band(Channel::Red, file(RGB), 0);
    b.map_band(Channel::Green, file(RGB), 1);
    b.map_band(Channel::Nir, file(B4), 0);
    let scene = b.build().expect("one grid");
    let text = std::fs::read_to_string(path(OUTLINES).expect("exists")).expect("readable");
    let outlines = Outlines::from_geojson("outlines.geojson", &text).expect("parses");
    Some((scene, outlines))
}
