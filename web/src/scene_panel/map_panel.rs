//! The result on the map: which classification is shown, the map's controls and legend, the
//! run's notes, and the flat preview for scenes that cannot be placed on the map.

use leptos::prelude::*;

use super::result_view::MapResultView;
use super::state::SceneState;
use crate::map_result::Shown;

/// The network / NDSI baseline choice; a classification the result lacks is disabled.
#[component]
pub fn ClassifierChoice(state: SceneState) -> impl IntoView {
    let shown = state.shown;
    view! {
        <fieldset class="classifier" data-testid="classifier">
            <legend>"Show"</legend>
            <label>
                <input type="radio" name="shown" data-testid="show-network"
                    prop:checked=move || shown.get() == Shown::Network
                    prop:disabled=move || !state.has(Shown::Network)
                    on:change=move |_| shown.set(Shown::Network) />
                " the trained network"
            </label>
            <label>
                <input type="radio" name="shown" data-testid="show-ndsi"
                    prop:checked=move || shown.get() == Shown::Ndsi
                    prop:disabled=move || !state.has(Shown::Ndsi)
                    on:change=move |_| shown.set(Shown::Ndsi) />
                " the NDSI baseline (snow index > 0.4): the classical method, for comparison"
            </label>
        </fieldset>
    }
}

/// The glacier (or change) layer's opacity; `testid` tells the two apart.
#[component]
pub fn Opacity(state: SceneState, testid: &'static str) -> impl IntoView {
    let opacity = state.opacity;
    view! {
        <label>
            "Glacier layer opacity "
            <input type="range" min="0" max="1" step="0.05" data-testid=testid
                prop:value=move || opacity.get().to_string()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        opacity.set(v);
                    }
                } />
        </label>
    }
}

/// The glacier layer's opacity and the map's legend.
#[component]
pub fn MapControls(state: SceneState) -> impl IntoView {
    let no_outlines = move || {
        state
            .result
            .with(|r| r.as_ref().is_none_or(|r| r.result.outlines.is_none()))
    };
    view! {
        <div class="map-controls">
            <Opacity state=state testid="opacity" />
            <ul class="legend" data-testid="legend">
                <li><span class="swatch glacier"></span>{state.of_result(glacier_legend)}</li>
                <li class:hidden=no_outlines>
                    <span class="swatch outlines"></span>{state.of_result(outlines_legend)}
                </li>
                <li><span class="swatch scene"></span>{state.of_result(scene_legend)}</li>
            </ul>
        </div>
    }
}

fn glacier_legend(r: &MapResultView, shown: Shown) -> String {
    let label = r.result.pick(shown).map(|c| c.label.clone());
    format!("glacier ({})", label.unwrap_or_default())
}

fn outlines_legend(r: &MapResultView, _: Shown) -> String {
    format!(
        "your outlines ({})",
        r.result.outlines.clone().unwrap_or_default()
    )
}

fn scene_legend(r: &MapResultView, _: Shown) -> String {
    format!("the scene in false colour ({})", r.result.composite)
}

/// What the visitor should know about the run (a classifier that could not run, a fallback).
#[component]
pub fn Notes(state: SceneState) -> impl IntoView {
    let notes = move || {
        state.result.with(|r| {
            r.as_ref()
                .map(|r| r.result.notes.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <ul class="notes" data-testid="notes">
            {move || notes().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
        </ul>
    }
}

/// The flat preview, drawn (by [`super::layers`]) and shown only when the scene cannot be
/// placed on the map.
#[component]
pub fn FlatPreview(state: SceneState) -> impl IntoView {
    let layers = state.layers;
    view! {
        <canvas node_ref=state.canvas class="preview" data-testid="preview"
            class:hidden=move || layers.with(Option::is_some)></canvas>
    }
}
