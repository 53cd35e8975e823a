//! `map_scene` on the real Athabasca HLS L30 crop (green, red, NIR, SWIR1 and the glacier's
//! outline from `../shared/data`): each result checked against the same thing computed another
//! way (the whole scene read at once, the synchronous network path, the outline rasterised on
//! its own), plus progress, cancellation and missing channels.

use glacier_infer::predict::mask;
use glacier_infer::{Confusion, ModelBundle, Predictor, ScenePrediction};
use glacier_inputs::baseline::{classify, plan};
use glacier_inputs::plausibility::keep_plausible;
use glacier_inputs::source::PathSource;
use glacier_inputs::{ChannelName, ChannelReader, Scene};
use glacier_landsat::Channel;
use glacier_map::{
    BandMapping, Classifier, Compute, Keep, MapError, MapRequest, NetworkRequest, SceneFiles,
    SceneMap, Stage, Step, outlines_among, scene_from_files,
};
use glacier_raster::Window;
use glacier_testdata::path;

fn shipped() -> ModelBundle {
    let model = glacier_testdata::shipped_model();
    let bytes = std::fs::read(&model).expect("the shipped model is committed");
    ModelBundle::from_bytes(&model.display().to_string(), &bytes).expect("parses")
}

/// The Athabasca L30 crop with the given bands, or `None` (skipped) without the data.
fn athabasca(bands: &[(&str, Channel)]) -> Option<Scene> {
    let mut files = SceneFiles::default();
    for (b, channel) in bands {
        let p = path(&format!(
            "athabasca_hls_satrbedo/athabasca_2020229_{b}_L30.tif"
        ))?;
        files.bands.push(BandMapping {
            channel: *channel,
            file: Box::new(PathSource::new(p)),
            band: 0,
        });
    }
    let (scene, notes) = scene_from_files(files).expect("the crop assembles");
    assert!(notes.is_empty(), "{notes:?}");
    Some(scene)
}

const ALL: [(&str, Channel); 4] = [
    ("B03", Channel::Green),
    ("B04", Channel::Red),
    ("B05", Channel::Nir),
    ("B06", Channel::Swir1),
];

fn cpu() -> Compute {
    Compute {
        device: glacier_model::devices::cpu(),
        label: "CPU".into(),
    }
}

fn outline() -> glacier_labels::Outlines {
    let files: Vec<PathSource> = ["shp", "prj"]
        .iter()
        .map(|e| {
            PathSource::new(
                path(&format!("athabasca_hls_satrbedo/athabasca_outline.{e}")).expect("outline"),
            )
        })
        .collect();
    outlines_among(&files)
        .expect("reads")
        .expect("a .shp is among them")
}

/// The network (CPU, with the plausibility rule) and, when `ndsi`, the baseline, keeping `keep`.
fn request<'a>(
    scene: &'a Scene,
    bundle: &'a ModelBundle,
    ndsi: bool,
    keep: Keep,
) -> MapRequest<'a> {
    MapRequest {
        scene,
        dem: None,
        outlines: None,
        network: Some(NetworkRequest {
            models: vec![bundle],
            computes: vec![cpu()],
            plausibility_rule: true,
        }),
        ndsi,
        keep,
    }
}

/// Maps with both classifiers, the outline, masks kept; records every step.
fn map_all(scene: &Scene, bundle: &ModelBundle) -> (SceneMap, Vec<Step>) {
    let mut steps = Vec::new();
    let keep = Keep {
        masks: true,
        probabilities: true,
        exports: true,
        preview: Some(64),
    };
    let request = MapRequest {
        outlines: Some(outline()),
        ..request(scene, bundle, true, keep)
    };
    let map = pollster::block_on(glacier_map::map_scene(request, |s| {
        steps.push(s);
        std::future::ready(true)
    }))
    .expect("maps");
    (map, steps)
}

fn confusion(mask: &[u8], truth: &[u8]) -> Confusion {
    let mut c = Confusion::default();
    for (m, t) in mask.iter().zip(truth) {
        if *m != 255 {
            c.add(*m == 1, *t == 1);
        }
    }
    c
}

#[test]
fn both_classifiers_equal_their_computation_by_another_path_and_are_scored() {
    let Some(scene) = athabasca(&ALL) else {
        return;
    };
    let bundle = shipped();
    let (map, steps) = map_all(&scene, &bundle);
    let (w, h) = (scene.grid.width, scene.grid.height);
    assert_eq!((w, h), (215, 205));

    // The NDSI baseline: the whole crop read in one window and classified at once.
    let mut reader = ChannelReader::new(&scene, None);
    let whole = Window::new(0, 0, w, h);
    let v = reader
        .read(&[ChannelName::Ndsi, ChannelName::Band(Channel::Nir)], whole)
        .expect("reads");
    let qa = reader.qa_mask(whole).expect("qa");
    let baseline = plan(
        true,
        scene.calibrated(&[Channel::Green, Channel::Swir1, Channel::Nir]),
    );
    let expected: Vec<u8> = classify(&baseline.rules, &v[0], Some(&v[1]), None)
        .iter()
        .zip(&qa)
        .map(|(c, masked)| match c {
            Some(_) if *masked => 255,
            Some(true) => 1,
            Some(false) => 0,
            None => 255,
        })
        .collect();
    let ndsi = map.ndsi.as_ref().expect("the baseline ran");
    assert_eq!(ndsi.mask.as_deref(), Some(&expected[..]));
    assert_eq!(ndsi.label, baseline.label);
    assert_eq!(
        ndsi.glacier,
        expected.iter().filter(|m| **m == 1).count() as u64
    );
    assert!(
        ndsi.glacier > 5_000,
        "Athabasca has a glacier: {}",
        ndsi.glacier
    );

    // The network: the synchronous path strip by strip, then the plausibility rule.
    let predictor = Predictor::new(&bundle, &cpu().device).expect("loads");
    let stats = predictor.statistics_for(&mut reader, w, h).expect("stats");
    let mut run = ScenePrediction::new(&predictor, stats, w, h);
    let probabilities = run.rows(&mut reader, 0, h).expect("predicts");
    let mut net = mask(&probabilities, predictor.header().threshold);
    let before = net.iter().filter(|m| **m == 1).count() as u64;
    let removed = keep_plausible(&mut net, &v[0], &v[1]);
    let network = map.network.as_ref().expect("the network ran");
    assert_eq!(network.mask.as_deref(), Some(&net[..]));
    let rule = network
        .rule
        .expect("the rule ran: green, SWIR1 and NIR in reflectance");
    assert_eq!((rule.removed, rule.before), (removed, before));
    assert!(removed > 0 && removed < before, "{removed} of {before}");
    assert_eq!(
        network.label,
        format!(
            "network {} on CPU, where NDSI > 0 and NIR > 0.11",
            bundle.header.name
        )
    );
    let kept = network.probabilities.as_ref().expect("kept");
    assert_eq!(kept.len(), probabilities.len());
    for (i, (a, b)) in kept.iter().zip(&probabilities).enumerate() {
        // No data (NaN) in the same places, the same probabilities elsewhere.
        assert!(
            a.is_nan() == b.is_nan() && (a.is_nan() || (a - b).abs() < 1e-5),
            "{i}: {a} vs {b}"
        );
    }

    // Scores: the outline rasterised on its own.
    let truth = glacier_labels::rasterize(&outline(), &scene.grid).expect("rasterises");
    for c in [ndsi, network] {
        let expected = confusion(c.mask.as_deref().expect("kept"), &truth).scores();
        assert_eq!(c.scores, Some(expected), "{}", c.label);
    }
    let (n, b) = (network.scores.expect("s"), ndsi.scores.expect("s"));
    assert!(b.iou > 0.5 && n.iou > 0.5, "network {n:?}, NDSI {b:?}");
    assert_eq!(
        map.outlines_file
            .as_deref()
            .map(|f| f.ends_with("athabasca_outline.shp")),
        Some(true)
    );

    // Exports: a GeoTIFF our reader opens to the same mask; GeoJSON polygons.
    let ex = network.exports.as_ref().expect("exports");
    let mut tif =
        glacier_raster::GeoTiffReader::new("mask.tif", std::io::Cursor::new(ex.geotiff.clone()))
            .expect("opens");
    match tif.read_band(0).expect("reads") {
        glacier_raster::Samples::U8(read) => assert_eq!(read, net),
        other => panic!("not uint8: {other:?}"),
    }
    let geojson = ex.geojson.as_ref().expect("GeoJSON");
    assert!(geojson.contains("\"Polygon\"") || geojson.contains("MultiPolygon"));

    // The preview: at most 64 px on its longest side, with masks and outline sampled.
    let preview = map.preview.as_ref().expect("asked for");
    assert_eq!(
        preview.bands,
        [Channel::Swir1, Channel::Nir, Channel::Green]
    );
    assert_eq!((preview.sampling.width, preview.sampling.height), (54, 52));
    assert_eq!(preview.rgba.len(), 54 * 52 * 4);
    assert_eq!(network.preview_mask.as_ref().map(Vec::len), Some(54 * 52));
    assert_eq!(map.outlines_preview.as_ref().map(Vec::len), Some(54 * 52));

    // Progress: every stage reports its start, in order, and counts up to its total.
    let stages: Vec<&Stage> = steps.iter().map(|s| &s.stage).fold(Vec::new(), |mut v, s| {
        if v.last() != Some(&s) {
            v.push(s);
        }
        v
    });
    let cpu_stage = Stage::Network {
        device: "CPU".into(),
    };
    assert_eq!(
        stages,
        [
            &Stage::Headers,
            &Stage::ModelOntoDevice,
            &Stage::ReadingBands { ndsi: true },
            &Stage::Exports {
                of: Classifier::Ndsi
            },
            &cpu_stage,
            &Stage::Exports {
                of: Classifier::Network
            },
        ]
    );
    let tiles: Vec<&Step> = steps.iter().filter(|s| s.stage == cpu_stage).collect();
    let last = tiles.last().expect("tiles");
    assert_eq!(last.done, last.total);
    assert!(tiles.windows(2).all(|p| p[0].done <= p[1].done));
    let read = steps
        .iter()
        .rfind(|s| s.stage == Stage::ReadingBands { ndsi: true })
        .expect("first pass");
    assert_eq!((read.done, read.total), (205, 205));
}

#[test]
fn cancelling_at_any_stage_stops_the_run() {
    let Some(scene) = athabasca(&ALL) else {
        return;
    };
    let bundle = shipped();
    for stop_at in [
        Stage::Headers,
        Stage::ReadingBands { ndsi: true },
        Stage::Network {
            device: "CPU".into(),
        },
        Stage::Exports {
            of: Classifier::Network,
        },
    ] {
        let keep = Keep {
            exports: true,
            ..Keep::default()
        };
        let mut later = 0;
        let run = request(&scene, &bundle, true, keep);
        let outcome = pollster::block_on(glacier_map::map_scene(run, |s| {
            if s.stage == stop_at || later > 0 {
                later += 1;
            }
            std::future::ready(later == 0)
        }));
        assert!(matches!(outcome, Err(MapError::Cancelled)), "{stop_at:?}");
        assert_eq!(
            later, 1,
            "{stop_at:?}: no step after the one answered false"
        );
    }
}

#[test]
fn a_missing_channel_fails_a_network_only_run_and_is_a_note_beside_the_baseline() {
    let Some(scene) = athabasca(&[("B03", Channel::Green), ("B06", Channel::Swir1)]) else {
        return;
    };
    let bundle = shipped();
    let request = |ndsi| request(&scene, &bundle, ndsi, Keep::default());
    let go = |_| std::future::ready(true);
    match pollster::block_on(glacier_map::map_scene(request(false), go)) {
        Err(MapError::MissingChannels { needs, .. }) => assert_eq!(needs, "green, red, nir"),
        other => panic!("expected MissingChannels, got {:?}", other.map(|m| m.notes)),
    }
    let map = pollster::block_on(glacier_map::map_scene(request(true), go)).expect("NDSI runs");
    assert!(map.network.is_none());
    assert!(
        map.notes[0].starts_with("The network was not run: it needs green, red, nir ("),
        "{:?}",
        map.notes
    );
    let ndsi = map.ndsi.expect("the baseline ran");
    // Without NIR the baseline drops its water test and says so.
    assert_eq!(ndsi.label, plan(false, true).label);
    assert!(ndsi.glacier > 5_000);
    // Nothing to map: neither green nor SWIR1 for the baseline, no network.
    let Some(red) = athabasca(&[("B04", Channel::Red)]) else {
        return;
    };
    let only_ndsi = MapRequest {
        scene: &red,
        dem: None,
        outlines: None,
        network: None,
        ndsi: true,
        keep: Keep::default(),
    };
    match pollster::block_on(glacier_map::map_scene(only_ndsi, go)) {
        Err(e @ MapError::NothingToMap(_)) => {
            assert!(
                e.to_string().contains("it needs green (B3) and swir1 (B6)"),
                "{e}"
            )
        }
        other => panic!("expected NothingToMap, got {:?}", other.map(|m| m.notes)),
    }
}
