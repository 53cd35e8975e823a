//! How long each step of the last run took, for the visitor and (as JSON) for
//! `cargo xtask bench-page`.

use leptos::prelude::*;

use super::state::SceneState;
use crate::timing::{Timings, wasm_memory_bytes};

/// Every stage of the last run, file reading and map drawing included.
fn all_timings(state: SceneState) -> Timings {
    let mut t = Timings::default();
    state.result.with(|r| {
        if let Some(r) = r {
            t.0.extend(r.result.timings.0.iter().cloned());
        }
    });
    t.0.push((
        "render map layers (PNG)".into(),
        state.render_ms.get(),
        wasm_memory_bytes() / 1_048_576.0,
    ));
    t
}

/// The stages as a list, and as JSON in a hidden `output`.
#[component]
pub fn StageTimings(state: SceneState) -> impl IntoView {
    let memory_mb = move || {
        state
            .result
            .with(|r| r.as_ref().map(|r| r.result.memory_mb))
    };
    view! {
        <details class="timings">
            <summary>"How long each step took"</summary>
            <dl>
                {move || all_timings(state).0.into_iter().map(|(stage, ms, _)| view! {
                    <dt>{stage}</dt><dd>{format!("{ms:.0} ms")}</dd>
                }).collect_view()}
            </dl>
            <output hidden data-testid="timings">{move || all_timings(state).to_json(memory_mb())}</output>
        </details>
    }
}
