//! A scene in, a glacier map out: the one mapping pipeline behind `glacier predict` and the
//! page's mapping worker.
//!
//! [`map_scene`] takes a [`MapRequest`] (a scene, optional DEM and outlines, the network with
//! the devices to try, the NDSI baseline, what to keep) and makes a [`SceneMap`]:
//!
//! 1. the first pass, strip by strip ([`first_pass`]): the preview's bands, the NDSI baseline,
//!    and where the plausibility rule holds, from one read;
//! 2. the network, tile by tile, on the first device that works ([`network`]), its glacier kept
//!    to where the rule holds;
//! 3. per classification: pixel counts, scores against the outlines, the preview's samples and
//!    the exports (GeoTIFF, GeoJSON) ([`exports`]).
//!
//! Progress goes to the caller's callback as a typed [`Step`] after every strip and tile; the
//! callback is awaited (a page yields to the browser there) and answers whether to go on, so
//! cancelling is [`MapError::Cancelled`]. Natively any executor drives it (`pollster`).
//! Nothing here touches files, clocks or threads: bytes come from `FileSource`s.

pub mod choice;
pub mod error;
pub mod exports;
pub mod files;
mod first_pass;
pub mod item;
mod network;
pub mod preview;
pub mod progress;
pub mod quick_look;
pub mod request;
pub mod result;

pub use choice::{Choice, choose_model, explain};
pub use error::MapError;
pub use files::{BandMapping, OutlinesError, SceneFiles, Stack, outlines_among, scene_from_files};
pub use item::{ItemError, item_scene};
pub use preview::{Preview, Sampling};
pub use progress::{Classifier, Stage, Step};
pub use quick_look::{QuickLook, quick_look};
pub use request::{Compute, Keep, MapRequest, NetworkRequest};
pub use result::{Classification, Exports, RuleEffect, SceneMap};

use glacier_infer::Predictor;
use glacier_inputs::baseline::plan;
use glacier_inputs::{ChannelName, ChannelReader, InputError, plausibility};
use glacier_landsat::Channel;
use glacier_raster::Window;

use crate::exports::{Context, classification};
use crate::network::NetworkError;
use crate::progress::Reporter;

/// Maps the scene of `request`, reporting each step to `progress` (awaited; `false` stops the
/// run with [`MapError::Cancelled`]).
///
/// A classifier that cannot run becomes a note when the other one runs; the run fails only when
/// neither can.
///
/// # Errors
/// [`MapError`] by cause: cancelled, unreadable scene files, a missing channel when only the
/// network was asked for, nothing mappable, the model not fitting the device, the network
/// failing on every device with no baseline, a scene too large to hold.
pub async fn map_scene<F, Fut>(request: MapRequest<'_>, progress: F) -> Result<SceneMap, MapError>
where
    F: FnMut(Step) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut report = Reporter(progress);
    let MapRequest {
        scene,
        dem,
        outlines,
        network: wanted_network,
        ndsi: wanted_ndsi,
        keep,
    } = request;
    let mut notes = Vec::new();
    report.step(&Stage::Headers, 0, 1).await?;
    let grid = scene.grid.clone();
    let (w, h) = (grid.width, grid.height);
    // Checked, not `w * h`: in wasm32 a large header's product wraps.
    let pixels = grid
        .checked_pixels()
        .map_err(|source| MapError::SceneTooLarge {
            file: scene.reference_file.clone(),
            source,
        })?;
    let truth = outlines
        .as_ref()
        .and_then(|o| match glacier_labels::rasterize(o, &grid) {
            Ok(t) => Some(t),
            Err(e) => {
                notes.push(format!("The outlines were not compared: {e}"));
                None
            }
        });
    let has_dem = dem.is_some();
    let mut reader = ChannelReader::new(scene, dem);
    report.step(&Stage::Headers, 1, 1).await?;

    // The model for this scene, on the first device, and whether the scene has what it takes.
    let mut predictor = None;
    let mut model = None;
    let mut model_choice = None;
    if let Some(net) = &wanted_network {
        let Some(choice) = choose_model(&net.models, scene, has_dem) else {
            return Err(MapError::NetworkFailed(
                "The network was not run: no model was given.".into(),
            ));
        };
        if net.models.len() > 1 {
            model_choice = Some(explain(&choice, &net.models, scene, has_dem));
        }
        model = Some(choice.bundle);
        let Some(first) = net.computes.first() else {
            return Err(MapError::NetworkFailed(
                "The network was not run: no device was given.".into(),
            ));
        };
        report.step(&Stage::ModelOntoDevice, 0, 1).await?;
        let p = Predictor::new(choice.bundle, &first.device)?;
        let readable = reader
            .read(p.names(), Window::new(0, 0, 1, 1))
            .and_then(|_| p.header().input.check_units(scene.units(p.names())));
        match readable {
            Ok(_) => predictor = Some(p),
            Err(source) => {
                let needs: Vec<&str> = p.names().iter().map(|n| n.name()).collect();
                let needs = needs.join(", ");
                if !wanted_ndsi {
                    return Err(match source {
                        InputError::UnitsMismatch { .. } => MapError::Units(source),
                        _ => MapError::MissingChannels { needs, source },
                    });
                }
                notes.push(format!(
                    "The network was not run: it needs {needs} ({source})."
                ));
            }
        }
        report.step(&Stage::ModelOntoDevice, 1, 1).await?;
    }
    let has = |c: &Channel| scene.channels.contains_key(c);
    let ndsi_ok = wanted_ndsi && has(&Channel::Green) && has(&Channel::Swir1);
    if wanted_ndsi && !ndsi_ok {
        notes.push("The NDSI baseline was not run: it needs green (B3) and swir1 (B6).".into());
    }
    if predictor.is_none() && !ndsi_ok {
        return Err(MapError::NothingToMap(notes.join(" ")));
    }

    // First pass: the preview, the NDSI baseline, where the plausibility rule holds.
    // The baseline's thresholds are for reflectance: on values as stored (a band table without
    // an MTL or in-file scale) the NIR test is left out and the label and a note say so.
    let baseline = ndsi_ok.then(|| {
        plan(
            has(&Channel::Nir),
            scene.calibrated(&[Channel::Green, Channel::Swir1, Channel::Nir]),
        )
    });
    if let Some(caveat) = baseline.as_ref().and_then(|b| b.caveat.clone()) {
        notes.push(caveat);
    }
    // The rule brings the physics a network without SWIR1 cannot see; a model that takes SWIR1
    // sees it (held out, the rule only cost that model ice: its model card).
    let sees_swir = predictor
        .as_ref()
        .is_some_and(|p: &Predictor| p.names().contains(&ChannelName::Band(Channel::Swir1)));
    let gate = predictor.is_some()
        && wanted_network.as_ref().is_some_and(|n| n.plausibility_rule)
        && !sees_swir
        && plausibility::applies(scene);
    let preview_bands = keep.preview.and_then(|max| {
        let bands = preview::composite(scene);
        if bands.is_none() {
            notes.push("No preview: the scene has none of the band sets it is drawn from.".into());
        }
        bands.map(|b| (Sampling::new(w, h, max), b))
    });
    let wanted = first_pass::Wanted {
        preview: preview_bands,
        baseline: baseline.as_ref(),
        plausible: gate,
    };
    let pass = first_pass::run(&mut reader, (w, h, pixels), &wanted, &mut report).await?;
    let cx = Context {
        grid: &grid,
        keep,
        sampling: preview_bands.map(|(s, _)| s),
        truth: truth.as_deref(),
    };
    let ndsi = match (baseline, pass.ndsi_mask) {
        (Some(b), Some(mask)) => {
            Some(classification(Classifier::Ndsi, b.label, mask, &cx, &mut report).await?)
        }
        _ => None,
    };

    // Second pass: the network, on the first device that works.
    let mut network = None;
    if let (Some(mut p), Some(net), Some(model)) = (predictor, &wanted_network, model) {
        for (attempt, compute) in net.computes.iter().enumerate() {
            if attempt > 0 {
                match Predictor::new(model, &compute.device) {
                    Ok(next) => p = next,
                    Err(e) => {
                        notes.push(format!(
                            "The network could not start on {}: {e}",
                            compute.label
                        ));
                        continue;
                    }
                }
            }
            let stage = Stage::Network {
                device: compute.label.clone(),
            };
            let outcome = network::classify(
                &p,
                &mut reader,
                (w, h),
                keep.probabilities,
                &stage,
                &mut report,
            )
            .await;
            match outcome {
                Ok((mut mask, probabilities)) => {
                    let mut label = format!("network {} on {}", model.header.name, compute.label);
                    let mut rule = None;
                    if let Some(map) = &pass.plausible {
                        let before = mask.iter().filter(|v| **v == 1).count() as u64;
                        let removed = map.apply(&mut mask);
                        notes.push(plausibility::note(removed, before));
                        label.push_str(", where NDSI > 0 and NIR > 0.11");
                        rule = Some(RuleEffect { removed, before });
                    }
                    let mut c =
                        classification(Classifier::Network, label, mask, &cx, &mut report).await?;
                    c.device = Some(compute.label.clone());
                    c.rule = rule;
                    c.probabilities = probabilities;
                    network = Some(c);
                    break;
                }
                Err(NetworkError::Cancelled) => return Err(MapError::Cancelled),
                Err(NetworkError::Input(e)) => {
                    if ndsi.is_none() {
                        return Err(e);
                    }
                    notes.push(format!("The network stopped: {e}"));
                    break;
                }
                Err(NetworkError::Backend(e)) => notes.push(format!(
                    "The network failed on {}: {e}; trying the next backend.",
                    compute.label
                )),
            }
        }
    }
    if network.is_none() && ndsi.is_none() {
        return Err(MapError::NetworkFailed(notes.join(" ")));
    }
    let failed_geojson = [&network, &ndsi]
        .into_iter()
        .flatten()
        .find_map(|c| c.exports.as_ref().and_then(|e| e.geojson.as_ref().err()));
    if let Some(e) = failed_geojson {
        notes.push(e.clone());
    }
    let preview = match (preview_bands, pass.preview_raw) {
        (Some((sampling, bands)), Some(raw)) => Some(Preview {
            sampling,
            bands,
            rgba: preview::false_colour(&raw),
        }),
        _ => None,
    };
    let outlines_preview = match (&truth, preview_bands) {
        (Some(t), Some((s, _))) => Some(s.sample(t, w, h)),
        _ => None,
    };
    Ok(SceneMap {
        outlines_file: truth.is_some().then(|| outlines.map(|o| o.file)).flatten(),
        grid,
        network,
        ndsi,
        notes,
        model_choice,
        preview,
        outlines_preview,
    })
}
