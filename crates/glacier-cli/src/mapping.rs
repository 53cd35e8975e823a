//! A scene mapped with the built-in (or a given) model through `glacier_map::map_scene`, with a
//! progress bar: what `predict` writes out and `change --before-bands` compares.

use anyhow::Result;
use glacier_inputs::channels::Dem;
use glacier_inputs::source::PathSource;
use glacier_map::{Compute, Keep, MapError, MapRequest, NetworkRequest, SceneMap, Stage};
use std::path::Path;

use crate::backend::{Backend, load_models};
use crate::output::steps_bar;
use crate::phases::Phases;
use crate::scene_args::{SceneArgs, scene_timed};

/// Maps the scene of `args` with the network on `backend`, keeping what `keep` asks for; the
/// progress bar is titled `title`. Returns the map and the device's label.
pub fn map_scene(
    title: &str,
    args: &SceneArgs,
    dem: Option<&Path>,
    model: Option<&Path>,
    backend: Backend,
    keep: Keep,
    plausibility_rule: bool,
) -> Result<(SceneMap, String)> {
    let mut phases = Phases::new();
    let settings = (backend, keep, plausibility_rule);
    map_scene_timed(title, args, dem, model, settings, &mut phases)
}

/// [`map_scene`], timing its phases into `phases`: loading the models, opening the scene (for
/// an item: its headers read, then its area fetched), then each stage of
/// `glacier_map::map_scene`.
pub fn map_scene_timed(
    title: &str,
    args: &SceneArgs,
    dem: Option<&Path>,
    model: Option<&Path>,
    (backend, keep, plausibility_rule): (Backend, Keep, bool),
    phases: &mut Phases,
) -> Result<(SceneMap, String)> {
    phases.enter("loading the models");
    let models = load_models(model)?;
    let device = backend.device()?;
    let label = backend.label(&device);
    let scene = scene_timed(args, phases)?;
    let dem = dem.map(|d| Dem::read(&PathSource::new(d))).transpose()?;
    let request = MapRequest {
        scene: &scene,
        dem,
        outlines: None,
        network: Some(NetworkRequest {
            models: models.iter().collect(),
            computes: vec![Compute {
                device,
                label: label.clone(),
            }],
            plausibility_rule,
        }),
        ndsi: false,
        keep,
    };
    // Every stage: the statistics and first passes in rows, the network in tiles.
    let bar = steps_bar(title);
    let progress = |step: glacier_map::Step| {
        let unit = match step.stage {
            Stage::Network { .. } => "tiles",
            Stage::ReadingBands { .. } => "rows",
            _ => "steps",
        };
        let stage = step.stage.to_string();
        bar.set_message(format!("{stage} ({unit})"));
        phases.enter(&stage);
        bar.set_length(step.total as u64);
        bar.set_position(step.done as u64);
        std::future::ready(true)
    };
    let map =
        pollster::block_on(glacier_map::map_scene(request, progress)).map_err(|e| match e {
            MapError::MissingChannels { needs, source } => {
                anyhow::Error::new(source).context(match model {
                    Some(p) => format!("the model {} needs the channels {needs}", p.display()),
                    None => format!("the shipped models need at least the channels {needs}"),
                })
            }
            e => e.into(),
        })?;
    bar.finish_and_clear();
    phases.end();
    Ok((map, label))
}
