//! Where files come in: dropped on the zone or picked with its file input, or the sample
//! scene the page ships.

use leptos::ev::{DragEvent, Event};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::state::SceneState;
use crate::sample;

/// The drop zone with its file input; both hand the files to [`SceneState::take_files`].
#[component]
pub fn DropZone(state: SceneState) -> impl IntoView {
    let on_change = move |ev: Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        state.take_files(input.and_then(|i| i.files()));
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        state.take_files(ev.data_transfer().and_then(|d| d.files()));
    };
    view! {
        <label class="drop" on:dragover=|ev: DragEvent| ev.prevent_default() on:drop=on_drop>
            "Drop files here, or "
            <input type="file" multiple data-testid="scene-files" on:change=on_change />
        </label>
    }
}

/// "Try a sample": maps the scene the page ships, with where it comes from.
#[component]
pub fn SampleButton(state: SceneState) -> impl IntoView {
    view! {
        <div class="sample">
            <button data-testid="try-sample" prop:disabled=move || state.busy.get()
                on:click=move |_| state.take_sample()>
                {sample::LABEL}
            </button>
            <p class="provenance" data-testid="sample-provenance">{sample::PROVENANCE}</p>
        </div>
    }
}
