//! The real Everest scene (Landsat 7 green/red/NIR) and its RGI 6.0 outlines, shared by the tests.

use glacier_inputs::{BytesSource, ChannelName, ChannelReader, Scene, SceneBuilder};
use glacier_labels::Outlines;
use glacier_landsat::Channel;
use glacier_testdata::path;
use glacier_train::{ChipOptions, ChipScene, ChipSet, Labels, Quiet, SpatialSplit, write_chips};

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

/// Writes green/red/NIR chips of the Everest scene (RGI labels everywhere trusted) into `dir`,
/// `size`-px chips every `stride` px, 256-px split blocks with an 8-px buffer.
pub fn everest_chips(dir: &std::path::Path, size: u32, stride: u32) -> Option<ChipSet> {
    let (scene, outlines) = everest()?;
    let names = ChannelName::parse_list("green,red,nir").expect("names");
    let mut reader = ChannelReader::new(&scene, None);
    let options = ChipOptions {
        size,
        stride,
        max_ignored: 0.2,
        split: SpatialSplit {
            block: 256,
            buffer: 8,
            validation: 2,
            test: 2,
        },
    };
    let labels = Labels {
        outlines: Some(&outlines),
        trusted_within: None,
    };
    Some(
        write_chips(
            ChipScene {
                reader: &mut reader,
                grid: &scene.grid,
                names: &names,
                sources: vec!["everest".into()],
            },
            &labels,
            &options,
            dir,
            &mut Quiet,
        )
        .expect("writes chips"),
    )
}
