//! What the scene section holds, outside its views: the files and the visitor's band choices,
//! the run in progress, and the result as shown. Created once by [`super::ScenePanel`]; the
//! views read it, the run ([`super::run`], [`super::intake`]) writes it.

use leptos::html;
use leptos::prelude::*;

use super::change_view::ChangeView;
use super::result_view::MapResultView;
use crate::assign::{Assignable, Choice};
use crate::change_result::ChangeLayer;
use crate::engine::Engine;
use crate::map_result::Shown;
use crate::map_view::MapLayers;
use crate::protocol::ItemJob;
use crate::worker_client::Canceller;
use glacier_inputs::recognise::Recognised;

/// The scene section's state: signals only, so it is `Copy` and every view and task takes it by
/// value.
#[derive(Clone, Copy)]
pub struct SceneState {
    /// The page-wide status line.
    pub status: RwSignal<String>,
    /// The page-wide error list.
    pub errors: RwSignal<Vec<String>>,
    /// The model and the devices.
    pub engine: Engine,

    /// What each dropped file was taken for (or why it was refused), in the order shown.
    pub recognised: RwSignal<Vec<Recognised>>,
    /// The files kept for the next run.
    pub files: RwSignal<Vec<web_sys::File>, LocalStorage>,
    /// GeoTIFFs without a Landsat 8/9 name whose bands the visitor can assign.
    pub assignable: RwSignal<Vec<Assignable>>,
    /// The bands the visitor assigned.
    pub chosen: RwSignal<Vec<Choice>>,
    /// An archive item to map instead of files (from the page's `?item=` link).
    pub item: RwSignal<Option<ItemJob>>,
    /// A second archive item to compare `item` with (the link's `&compare=`).
    pub compare_item: RwSignal<Option<ItemJob>>,
    /// Messages asking the visitor to assign bands; they leave the error list once Map is
    /// pressed.
    pub hints: RwSignal<Vec<String>>,

    /// Whether files are being read or a scene mapped.
    pub busy: RwSignal<bool>,
    /// Whether the visitor pressed Cancel during this run.
    pub cancel: RwSignal<bool>,
    /// Ends the worker of the run in progress.
    pub canceller: StoredValue<Canceller, LocalStorage>,

    /// The last run's result, when it mapped one scene.
    pub result: RwSignal<Option<MapResultView>, LocalStorage>,
    /// The last run's change, when it mapped two dates.
    pub change: RwSignal<Option<ChangeView>, LocalStorage>,
    /// Which layer of the change the map shows.
    pub layer: RwSignal<ChangeLayer>,
    /// Which classification is shown.
    pub shown: RwSignal<Shown>,
    /// The web map's layers; `None` when the scene could not be placed (the flat preview shows
    /// it instead).
    pub layers: RwSignal<Option<MapLayers>>,
    /// The glacier layer's opacity on the map (0–1).
    pub opacity: RwSignal<f64>,
    /// While a run shows a quick look of its scene (an archive item's, from its overviews):
    /// the overview level it was read at.
    pub looking: RwSignal<Option<usize>>,
    /// The area the web map shows, once it has shown one (for the archive search's "the map's
    /// view").
    pub view: RwSignal<Option<glacier_raster::LonLatBounds>>,
    /// The flat preview, drawn when the scene cannot be placed on the map.
    pub canvas: NodeRef<html::Canvas>,
    /// How long drawing the map's layers took, ms (timed outside the run).
    pub render_ms: RwSignal<f64>,
}

impl SceneState {
    /// A section with no files and no result, reporting to the page's `status` and `errors`.
    pub fn new(status: RwSignal<String>, errors: RwSignal<Vec<String>>, engine: Engine) -> Self {
        SceneState {
            status,
            errors,
            engine,
            recognised: RwSignal::new(Vec::new()),
            files: RwSignal::new_local(Vec::new()),
            assignable: RwSignal::new(Vec::new()),
            chosen: RwSignal::new(Vec::new()),
            item: RwSignal::new(None),
            compare_item: RwSignal::new(None),
            hints: RwSignal::new(Vec::new()),
            busy: RwSignal::new(false),
            cancel: RwSignal::new(false),
            canceller: StoredValue::new_local(Canceller::default()),
            result: RwSignal::new_local(None),
            change: RwSignal::new_local(None),
            layer: RwSignal::new(ChangeLayer::Change),
            shown: RwSignal::new(Shown::Network),
            layers: RwSignal::new(None),
            opacity: RwSignal::new(0.7),
            view: RwSignal::new(None),
            looking: RwSignal::new(None),
            canvas: NodeRef::new(),
            render_ms: RwSignal::new(0.0),
        }
    }

    /// Adds messages to the page's error list.
    pub fn report(self, messages: impl IntoIterator<Item = String>) {
        self.errors.update(|list| list.extend(messages));
    }

    /// Marks the section busy; false (with a message) when files are already being read or a
    /// scene mapped.
    pub fn claim(self) -> bool {
        if self.busy.get_untracked() {
            self.report([
                "A scene is being mapped; wait for it to finish before adding files.".into(),
            ]);
            return false;
        }
        self.busy.set(true);
        true
    }

    /// Cancels what is going on: the wait for the model, the header reads, or the worker.
    pub fn press_cancel(self) {
        self.cancel.set(true);
        self.canceller.with_value(Canceller::cancel);
    }

    /// `f` of the result and the classification shown (tracking both); empty while there is no
    /// result.
    pub fn of_result(
        self,
        f: fn(&MapResultView, Shown) -> String,
    ) -> impl Fn() -> String + Copy + 'static {
        move || {
            self.result.with(|r| {
                r.as_ref()
                    .map(|r| f(r, self.shown.get()))
                    .unwrap_or_default()
            })
        }
    }

    /// `f` of the change (tracked); empty while there is none.
    pub fn of_change(
        self,
        f: impl Fn(&ChangeView) -> String + Copy + 'static,
    ) -> impl Fn() -> String + Copy + 'static {
        move || self.change.with(|c| c.as_ref().map(f).unwrap_or_default())
    }

    /// Whether the result has `which` classification (tracked).
    pub fn has(self, which: Shown) -> bool {
        self.result.with(|r| {
            r.as_ref().is_some_and(|r| match which {
                Shown::Network => r.result.network.is_some(),
                Shown::Ndsi => r.result.ndsi.is_some(),
            })
        })
    }
}
