//! Which model a scene gets (`choose_model`, `explain`) and the refusal of a model whose
//! statistics are in other units than the scene's bands, on real scenes from `../shared/data`:
//! the Athabasca HLS L30 crop (reflectance, with SWIR) and the Everest Landsat 7 crop (8-bit
//! values as stored, no SWIR).

use glacier_infer::ModelBundle;
use glacier_inputs::source::PathSource;
use glacier_inputs::{ChannelStats, InputSpec, Normalisation, Scene, Units};
use glacier_landsat::Channel;
use glacier_map::{
    BandMapping, Compute, Keep, MapError, MapRequest, NetworkRequest, SceneFiles, choose_model,
    explain, scene_from_files,
};
use glacier_model::{Architecture, Precision, UNetConfig};
use glacier_testdata::path;

/// An untrained one-level U-Net bundle taking `channels`, normalised as given.
fn bundle(
    name: &str,
    channels: &[&str],
    normalisation: Normalisation,
    units: Units,
) -> ModelBundle {
    let device = glacier_model::devices::cpu();
    let config = Architecture::UNet(
        UNetConfig::new(channels.len())
            .with_depth(1)
            .with_base_width(4),
    );
    let net = config.init(&device);
    let spec = InputSpec {
        channels: channels
            .iter()
            .map(|c| ChannelStats {
                name: (*c).into(),
                mean: 0.2,
                std: 0.1,
            })
            .collect(),
        tile: 64,
        overlap: 16,
        normalisation,
        units: Some(units),
    };
    ModelBundle::from_net(name, &net, config, spec, Precision::Int8).expect("bundles")
}

fn scene(bands: Vec<(Channel, std::path::PathBuf, usize)>) -> Scene {
    let mut files = SceneFiles::default();
    for (channel, p, band) in bands {
        files.bands.push(BandMapping {
            channel,
            file: Box::new(PathSource::new(p)),
            band,
        });
    }
    scene_from_files(files).expect("assembles").0
}

fn athabasca() -> Option<Scene> {
    let band = |b: &str| {
        path(&format!(
            "athabasca_hls_satrbedo/athabasca_2020229_{b}_L30.tif"
        ))
    };
    Some(scene(vec![
        (Channel::Green, band("B03")?, 0),
        (Channel::Red, band("B04")?, 0),
        (Channel::Nir, band("B05")?, 0),
        (Channel::Swir1, band("B06")?, 0),
        (Channel::Swir2, band("B07")?, 0),
    ]))
}

fn everest() -> Option<Scene> {
    let rgb = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_RGB.tif")?;
    let b4 = path("everest_landsat7_rgi60_geoutils/LE71400412000304SGS00_B4.tif")?;
    Some(scene(vec![
        (Channel::Red, rgb.clone(), 0),
        (Channel::Green, rgb, 1),
        (Channel::Nir, b4, 0),
    ]))
}

#[test]
fn a_scene_gets_the_model_that_uses_most_of_its_bands() {
    let (Some(athabasca), Some(everest)) = (athabasca(), everest()) else {
        return;
    };
    assert_eq!(
        athabasca.units(&glacier_inputs::ChannelName::parse_list("green,swir1").expect("names")),
        Units::Physical
    );
    let three = bundle(
        "three",
        &["green", "red", "nir"],
        Normalisation::Scene,
        Units::Physical,
    );
    let swir = bundle(
        "swir",
        &["green", "red", "nir", "swir1", "swir2"],
        Normalisation::Training,
        Units::Physical,
    );
    let models = [&three, &swir];

    // Athabasca has SWIR in reflectance: the larger model, and why the other was passed over.
    let choice = choose_model(&models, &athabasca, false).expect("a choice");
    assert!(choice.fits);
    assert_eq!(choice.bundle.header.name, "swir");
    let why = explain(&choice, &models, &athabasca, false);
    assert_eq!(
        why,
        "Model swir (green, red, nir, swir1, swir2) was chosen; three takes fewer of the scene's bands."
    );

    // Everest has neither SWIR nor calibrated values: the three-band model, per-scene
    // normalised, and the reason names the missing bands.
    let choice = choose_model(&models, &everest, false).expect("a choice");
    assert_eq!(choice.bundle.header.name, "three");
    let why = explain(&choice, &models, &everest, false);
    assert_eq!(
        why,
        "Model three (green, red, nir) was chosen; swir was not: the scene has no swir1, swir2."
    );

    // A three-band model in reflectance does not fit 8-bit values as stored, and says so.
    let reflectance = bundle(
        "reflectance",
        &["green", "red", "nir"],
        Normalisation::Training,
        Units::Physical,
    );
    let choice = choose_model(&[&reflectance], &everest, false).expect("a choice");
    assert!(!choice.fits);
    let why = explain(&choice, &[&reflectance], &everest, false);
    assert!(why.contains("though no model fits"), "{why}");
    let choice = choose_model(&[&swir, &reflectance, &three], &everest, false).expect("a choice");
    let why = explain(&choice, &[&swir, &reflectance, &three], &everest, false);
    assert!(
        why.contains("reflectance was not: it takes reflectance (bands calibrated with their MTL, Level-2 or HLS), and this scene's bands are values as stored"),
        "{why}"
    );
    // Ties go to the earlier model.
    let also_three = bundle(
        "also-three",
        &["green", "red", "nir"],
        Normalisation::Scene,
        Units::Physical,
    );
    let choice = choose_model(&[&also_three, &three], &athabasca, false).expect("a choice");
    assert_eq!(choice.bundle.header.name, "also-three");
    assert!(choose_model(&[], &athabasca, false).is_none());
}

#[test]
fn a_model_in_reflectance_is_refused_on_values_as_stored() {
    let Some(everest) = everest() else {
        return;
    };
    let reflectance = bundle(
        "reflectance",
        &["green", "red", "nir"],
        Normalisation::Training,
        Units::Physical,
    );
    let err = pollster::block_on(glacier_map::map_scene(
        MapRequest {
            scene: &everest,
            dem: None,
            outlines: None,
            network: Some(NetworkRequest {
                models: vec![&reflectance],
                computes: vec![Compute {
                    device: glacier_model::devices::cpu(),
                    label: "CPU".into(),
                }],
                plausibility_rule: true,
            }),
            ndsi: false,
            keep: Keep::default(),
        },
        |_| async { true },
    ))
    .expect_err("refused");
    assert!(matches!(err, MapError::Units(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("the model takes reflectance") && text.contains("add the scene's MTL file"),
        "{text}"
    );
}
