//! The scene section: drop or pick files, see what was recognised, map glaciers, export.
//!
//! Its state ([`state::SceneState`]) is made once here and held outside the views; the views
//! below read it, and the run ([`intake`]: the files, [`run`]: the mapping) writes it.

mod archive_panel;
mod change_panel;
mod change_picture;
mod change_table;
mod change_view;
mod drop_zone;
mod export_links;
mod intake;
mod layers;
mod map_panel;
mod recognised;
mod result_view;
mod run;
mod run_controls;
mod state;
mod summary;
mod timings;

use leptos::prelude::*;

use crate::assign::BandAssignment;
use crate::engine::Engine;
use crate::map_view::MapView;
use archive_panel::ArchivePanel;
use change_panel::{ChangeDates, ChangeDetails};
use drop_zone::{DropZone, SampleButton};
use export_links::ExportLinks;
use map_panel::{ClassifierChoice, FlatPreview, MapControls, Notes};
use recognised::RecognisedFiles;
use run_controls::RunControls;
use state::SceneState;
use summary::MapSummary;
use timings::StageTimings;

/// The scene section. `status` and `errors` are the page-wide status line and error list.
#[component]
pub fn ScenePanel(
    status: RwSignal<String>,
    errors: RwSignal<Vec<String>>,
    engine: Engine,
) -> impl IntoView {
    let state = SceneState::new(status, errors, engine);
    layers::redraw_on_change(state);
    state.take_linked_item();
    view! {
        <section class="scene">
            <h2>"Your scene"</h2>
            <p>
                "Drop a Landsat 8/9 scene as USGS delivers it (the .tar, or .tar.gz), or its band "
                "GeoTIFFs with the MTL file, or NASA HLS L30 bands. The network takes green (B3), "
                "red (B4) and NIR (B5), and with SWIR1 (B6) and SWIR2 (B7) in reflectance its "
                "SWIR model runs; the NDSI baseline takes green, SWIR1 and NIR; QA_PIXEL masks "
                "clouds. Your files stay on this computer: they are read and classified here, "
                "never uploaded."
            </p>
            <SampleButton state=state />
            <DropZone state=state />
            <ArchivePanel state=state />
            <RecognisedFiles rows=state.recognised />
            <BandAssignment files=state.assignable chosen=state.chosen />
            <RunControls state=state />
            <ResultPanel state=state />
        </section>
    }
}

/// The last run's result (hidden until there is one): for one scene the map, the numbers, the
/// downloads and the timings; for two dates the change on the same map, its numbers, the table
/// per glacier and its downloads.
#[component]
fn ResultPanel(state: SceneState) -> impl IntoView {
    let (result, change) = (state.result, state.change);
    let one = move || result.with(Option::is_none);
    let two = move || change.with(Option::is_none);
    let looking = state.looking;
    let look_note = move || {
        looking.get().map_or_else(String::new, |level| match level {
            0 => "A quick look at the area while it is mapped; the glacier map follows.".into(),
            l => format!(
                "A quick look at the area from its files' overview {l} (1/{} of the \
                 resolution) while it is mapped; the glacier map follows.",
                1u32 << l.min(16)
            ),
        })
    };
    view! {
        <div class="result" class:hidden=move || one() && two() && looking.with(Option::is_none)>
            <p data-testid="quick-look" class:hidden=move || looking.with(Option::is_none)>
                {look_note}
            </p>
            <div class:hidden=one><ClassifierChoice state=state /></div>
            <div class:hidden=two><ChangeDates state=state /></div>
            <MapView layers=state.layers.into() opacity=state.opacity view=state.view
                errors=state.errors />
            <div class:hidden=one>
                <MapControls state=state />
                <Notes state=state />
                <MapSummary state=state />
                <FlatPreview state=state />
                <ExportLinks state=state />
                <StageTimings state=state />
            </div>
            <div class:hidden=two data-testid="change"><ChangeDetails state=state /></div>
        </div>
    }
}
