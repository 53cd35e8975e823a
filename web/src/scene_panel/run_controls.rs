//! Starting and stopping a run.

use leptos::prelude::*;

use super::state::SceneState;

/// Map (shown once bands are to be assigned; enabled when some are) and Cancel (shown while
/// files are read or a scene mapped).
#[component]
pub fn RunControls(state: SceneState) -> impl IntoView {
    let SceneState {
        busy,
        cancel,
        assignable,
        chosen,
        ..
    } = state;
    view! {
        <button data-testid="map-scene" class:hidden=move || assignable.with(Vec::is_empty)
            prop:disabled=move || busy.get() || chosen.with(Vec::is_empty)
            on:click=move |_| state.map_scene()>
            "Map"
        </button>
        <button data-testid="cancel" class:hidden=move || !busy.get()
            prop:disabled=move || cancel.get()
            on:click=move |_| state.press_cancel()>
            "Cancel"
        </button>
    }
}
