//! Which model a scene gets: of the models on offer, the one that uses the most of what the
//! scene has (every channel it takes buildable, in the units its statistics were taken in).

use glacier_infer::ModelBundle;
use glacier_inputs::{InputError, Scene};

/// The model [`choose_model`] picked and why, in words for the page and the CLI.
#[derive(Clone, Copy, Debug)]
pub struct Choice<'a> {
    /// The model to run.
    pub bundle: &'a ModelBundle,
    /// Whether the scene has everything it takes (when no model fits, the first is returned
    /// so that mapping can say what is missing, or run the baseline alone).
    pub fits: bool,
}

/// Why a model cannot run on a scene, in words (the missing bands, a missing DEM, or units that
/// do not match the model's statistics: [`glacier_inputs::InputSpec::check_units`]); `None`
/// when it can.
pub fn unfit(bundle: &ModelBundle, scene: &Scene, has_dem: bool) -> Option<String> {
    let input = &bundle.header.input;
    let names = match input.channel_names() {
        Ok(names) => names,
        Err(e) => return Some(e.to_string()),
    };
    let mut missing: Vec<&str> = Vec::new();
    for name in &names {
        for band in name.bands() {
            if !scene.channels.contains_key(band) && !missing.contains(&band.name()) {
                missing.push(band.name());
            }
        }
    }
    if !missing.is_empty() {
        return Some(format!("the scene has no {}", missing.join(", ")));
    }
    if names.iter().any(|n| n.needs_dem()) && !has_dem {
        return Some("it takes elevation and slope, and no DEM was given".into());
    }
    match input.check_units(scene.units(&names)) {
        Ok(()) => None,
        Err(InputError::UnitsMismatch { model, scene, .. }) => Some(format!(
            "it takes {model}, and this scene's bands are {scene}"
        )),
        Err(e) => Some(e.to_string()),
    }
}

/// Picks from `models` (in order of preference when they tie) the model that takes the most
/// channels among those the scene can give; the first model when none fits.
///
/// Returns `None` only for an empty list.
pub fn choose_model<'a>(
    models: &[&'a ModelBundle],
    scene: &Scene,
    has_dem: bool,
) -> Option<Choice<'a>> {
    let best = models
        .iter()
        .enumerate()
        .filter(|(_, m)| unfit(m, scene, has_dem).is_none())
        // Most channels first; among equals the earlier model (max_by_key keeps the last).
        .max_by_key(|(i, m)| (m.header.input.channels.len(), std::cmp::Reverse(*i)));
    match best {
        Some((_, bundle)) => Some(Choice { bundle, fits: true }),
        None => models.first().map(|bundle| Choice {
            bundle,
            fits: false,
        }),
    }
}

/// Why `choice` was made among `models`, in one sentence: the model and the channels it takes,
/// and for each other model why it was not taken.
pub fn explain(
    choice: &Choice<'_>,
    models: &[&ModelBundle],
    scene: &Scene,
    has_dem: bool,
) -> String {
    let channels = |m: &ModelBundle| {
        m.header
            .input
            .channel_names()
            .map(|n| n.iter().map(|c| c.name()).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    let chosen = choice.bundle;
    let mut text = format!("Model {} ({})", chosen.header.name, channels(chosen));
    if !choice.fits {
        text.push_str(", though no model fits this scene");
    }
    let others: Vec<String> = models
        .iter()
        .filter(|m| !std::ptr::eq(**m, chosen))
        .map(|m| match unfit(m, scene, has_dem) {
            Some(why) => format!("{} was not: {why}", m.header.name),
            None => format!("{} takes fewer of the scene's bands", m.header.name),
        })
        .collect();
    if others.is_empty() {
        text.push('.');
    } else {
        text.push_str(&format!(" was chosen; {}.", others.join("; ")));
    }
    text
}
