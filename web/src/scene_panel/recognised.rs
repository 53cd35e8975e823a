//! What each dropped file was taken for.

use glacier_inputs::recognise::Recognised;
use leptos::prelude::*;

/// One row per file: its name, what it is (or why it was refused), and its scene.
#[component]
pub fn RecognisedFiles(rows: RwSignal<Vec<Recognised>>) -> impl IntoView {
    view! {
        <table class="recognised" data-testid="recognised">
            <tbody>
                {move || rows.get().into_iter().map(|r| view! {
                    <tr><td>{r.name}</td><td>{r.what}</td><td>{r.scene}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
