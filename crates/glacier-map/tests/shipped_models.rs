//! The two shipped models as `map_scene` offers them to a scene, on real data from
//! `../shared/data`: the Athabasca HLS S30 crop (Sentinel-2, 2020-09-09: a date and sensor
//! neither model trained on) gets the SWIR model, which must match its card against the
//! glacier's outline; the same crop without SWIR2 gets the three-band model with the reason.

use glacier_infer::ModelBundle;
use glacier_inputs::source::PathSource;
use glacier_landsat::Channel;
use glacier_map::{
    BandMapping, Compute, Keep, MapRequest, NetworkRequest, SceneFiles, SceneMap, outlines_among,
    scene_from_files,
};
use glacier_testdata::path;

fn model(p: std::path::PathBuf) -> ModelBundle {
    let bytes = std::fs::read(&p).expect("the shipped models are committed");
    ModelBundle::from_bytes(&p.display().to_string(), &bytes).expect("parses")
}

/// Maps the S30 crop with `bands` (file suffix, channel), both shipped models offered, the
/// NDSI baseline beside, scored against the outline; `None` without the data.
fn map_s30(bands: &[(&str, Channel)]) -> Option<SceneMap> {
    let mut files = SceneFiles::default();
    for (b, channel) in bands {
        let p = path(&format!(
            "athabasca_hls_satrbedo/athabasca_2020253_{b}_S30.tif"
        ))?;
        files.bands.push(BandMapping {
            channel: *channel,
            file: Box::new(PathSource::new(p)),
            band: 0,
        });
    }
    let (scene, _) = scene_from_files(files).expect("the crop assembles");
    let outline: Vec<PathSource> = ["shp", "prj"]
        .iter()
        .map(|e| {
            PathSource::new(
                path(&format!("athabasca_hls_satrbedo/athabasca_outline.{e}")).expect("outline"),
            )
        })
        .collect();
    let three = model(glacier_testdata::shipped_model());
    let swir = model(glacier_testdata::shipped_swir_model());
    let request = MapRequest {
        scene: &scene,
        dem: None,
        outlines: outlines_among(&outline).expect("reads"),
        network: Some(NetworkRequest {
            models: vec![&three, &swir],
            computes: vec![Compute {
                device: glacier_model::devices::cpu(),
                label: "CPU".into(),
            }],
            plausibility_rule: true,
        }),
        ndsi: true,
        keep: Keep::default(),
    };
    Some(pollster::block_on(glacier_map::map_scene(request, |_| async { true })).expect("maps"))
}

const S30: [(&str, Channel); 5] = [
    ("B03", Channel::Green),
    ("B04", Channel::Red),
    ("B8A", Channel::Nir),
    ("B11", Channel::Swir1),
    ("B12", Channel::Swir2),
];

#[test]
fn a_held_out_date_with_swir_gets_the_swir_model_and_beats_the_baseline() {
    let Some(map) = map_s30(&S30) else {
        return;
    };
    assert_eq!(
        map.model_choice.as_deref(),
        Some(
            "Model unet-scse-swir (green, red, nir, swir1, swir2) was chosen; unet-scse-grn takes fewer of the scene's bands."
        )
    );
    let network = map.network.expect("the network ran");
    // A model that sees SWIR1 is not held to the plausibility rule.
    assert_eq!(network.label, "network unet-scse-swir on CPU");
    assert!(network.rule.is_none());
    let ndsi = map.ndsi.expect("the baseline ran");
    let (net, base) = (
        network.scores.expect("scored"),
        ndsi.scores.expect("scored"),
    );
    eprintln!(
        "S30 whole crop against the outline: SWIR model IoU {:.3} (precision {:.3}, recall {:.3}); NDSI IoU {:.3} (precision {:.3}, recall {:.3})",
        net.iou, net.precision, net.recall, base.iou, base.precision, base.recall
    );
    assert!(net.iou >= FLOOR, "IoU {}", net.iou);
    assert!(net.iou > base.iou, "{net:?} vs {base:?}");
    assert!(net.recall > base.recall, "{net:?} vs {base:?}");
}

/// The SWIR model's IoU on the whole S30 crop against the outline: 0.575 measured on
/// 2026-12-05 (NDSI baseline 0.562), less 2.5 points. Low for both because the icefield beyond
/// the one glacier's outline counts as "not glacier" here; the card scores within 300 m of it.
const FLOOR: f64 = 0.55;

#[test]
fn the_same_date_without_swir2_gets_the_three_band_model_and_the_reason() {
    let Some(map) = map_s30(&S30[..4]) else {
        return;
    };
    assert_eq!(
        map.model_choice.as_deref(),
        Some(
            "Model unet-scse-grn (green, red, nir) was chosen; unet-scse-swir was not: the scene has no swir2."
        )
    );
    let network = map.network.expect("the network ran");
    assert!(
        network.label.starts_with("network unet-scse-grn"),
        "{}",
        network.label
    );
    assert!(
        network.rule.is_some(),
        "the three-band model keeps to the rule"
    );
}
