//! A run: wait for the model and the backend, map the kept files in a worker (or, when none
//! starts, on the page's own thread), then show the result or say why there is none.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::change_view::ChangeView;
use super::result_view::MapResultView;
use super::state::SceneState;
use crate::assign::Choice;
use crate::change;
use crate::change_result::ChangeLayer;
use crate::exports::Exports;
use crate::files;
use crate::map_result::Shown;
use crate::mapping::{self, Compute, TO_SHOW};
use crate::model::LoadedModel;
use crate::panic_report;
use crate::protocol::{DateJob, Job, Outcome};
use crate::timeout::yield_now;
use crate::timing::{now_ms, wasm_memory_bytes};
use crate::worker_client::{self, RunError};

/// The status line after Cancel.
pub const CANCELLED_STATUS: &str = "mapping cancelled; what was shown before is still shown";

/// What a finished run gives.
struct Mapped {
    outcome: Outcome,
    /// Files that could not be read.
    read_errors: Vec<String>,
    exports: Exports,
    /// Where it computed, in words.
    ran_in: String,
}

fn progress_text(stage: &str, done: usize, total: usize) -> String {
    format!("mapping: {stage}… {} %", done * 100 / total.max(1))
}

impl SceneState {
    /// Maps the kept files with the visitor's band choices (nothing when a run is going).
    pub fn map_scene(self) {
        if !self.claim() {
            return;
        }
        self.cancel.set(false);
        let answered = self.hints.get_untracked();
        self.errors
            .update(|list| list.retain(|e| !answered.contains(e)));
        spawn_local(self.run());
    }

    async fn run(self) {
        self.status
            .set("waiting for the models and the backend…".into());
        let Some((models, computes)) = self.engine.ready(self.cancel).await else {
            self.status.set(CANCELLED_STATUS.into());
            self.busy.set(false);
            return;
        };
        let outcome = self.compute(models, computes).await;
        let mapped = outcome.is_ok();
        self.show(outcome);
        if self.looking.get_untracked().is_some() {
            self.looking.set(None);
            if !mapped {
                // The quick look goes; the map shows what it showed before the run.
                self.result.update(|_| ());
            }
        }
        self.busy.set(false);
    }

    /// Runs the job in a worker, or on the page's thread when no worker starts.
    async fn compute(
        self,
        models: Vec<LoadedModel>,
        computes: Vec<Compute>,
    ) -> Result<Mapped, RunError> {
        let list = self.files.get_untracked();
        let choices = self.chosen.get_untracked();
        let item = self.item.get_untracked();
        let change = self.dates_to_compare(&list);
        let job = Job {
            choices: choices.clone(),
            models: models.iter().map(|m| m.bytes.clone()).collect(),
            gpu: computes.len() > 1,
            item: item.clone(),
            change: change.clone(),
            panic: crate::test_hooks::worker_panics_this_run(),
        };
        self.status.set("mapping: starting the worker…".into());
        let canceller = self.canceller.get_value();
        let status = self.status;
        let progress = |stage: String, done, total| status.set(progress_text(&stage, done, total));
        let (layers, looking) = (self.layers, self.looking);
        let on_look = move |look: crate::map_result::Look| {
            let base = crate::map_view::png_data_url(&look.rgba, (look.width, look.height));
            let clear = crate::map_view::png_data_url(&[0; 4], (1, 1));
            if let (Ok(base), Ok(mask)) = (base, clear) {
                layers.set(Some(crate::map_view::MapLayers {
                    bounds: look.bounds,
                    base,
                    mask,
                    outlines: None,
                }));
                looking.set(Some(look.level));
            }
        };
        match worker_client::map(&list, &job, &canceller, progress, on_look).await {
            Ok((outcome, read_errors, exports)) => Ok(Mapped {
                outcome,
                read_errors,
                exports,
                ran_in: "a background worker".into(),
            }),
            Err(RunError::NoWorker(_)) if self.cancel.get_untracked() => Err(RunError::Cancelled),
            Err(RunError::NoWorker(why)) if item.is_some() => Err(RunError::Failed(format!(
                "An archive item is read in the mapping worker, which did not start ({why}); \
                 try another browser, or download the scene and drop its files"
            ))),
            Err(RunError::NoWorker(why)) => {
                web_sys::console::warn_1(&format!("no mapping worker: {why}").into());
                let (mut outcome, read_errors) = self
                    .map_on_page(list, choices, change, models, computes)
                    .await?;
                let exports = Exports::take_outcome(&mut outcome);
                Ok(Mapped {
                    outcome,
                    read_errors,
                    exports,
                    ran_in: format!("the page's thread (no worker: {why})"),
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Maps on the page's own thread (when no worker could start): reads the files, then runs
    /// [`mapping::run`] (or [`change::run`] for two dates), yielding between steps so the page
    /// paints and Cancel is seen.
    async fn map_on_page(
        self,
        list: Vec<web_sys::File>,
        choices: Vec<Choice>,
        change: Option<[DateJob; 2]>,
        models: Vec<LoadedModel>,
        computes: Vec<Compute>,
    ) -> Result<(Outcome, Vec<String>), RunError> {
        let started = now_ms();
        let (sources, read_errors) = files::read_all(&list).await;
        if self.cancel.get_untracked() {
            return Err(RunError::Cancelled);
        }
        let read_ms = now_ms() - started;
        let read_mb = wasm_memory_bytes() / 1_048_576.0;
        let (status, cancel) = (self.status, self.cancel);
        let progress = |stage: String, done, total| async move {
            status.set(progress_text(&stage, done, total));
            yield_now().await;
            !cancel.get_untracked()
        };
        if let Some(dates) = change {
            let change = change::run(dates, sources, choices, models, computes, progress).await?;
            return Ok((Outcome::Change(Box::new(change)), read_errors));
        }
        let mut result =
            mapping::run(sources, choices, models, computes, TO_SHOW, progress).await?;
        result
            .timings
            .0
            .insert(0, ("read files into memory".into(), read_ms, read_mb));
        Ok((Outcome::Map(Box::new(result)), read_errors))
    }

    /// Shows the run's result, or says why there is none.
    fn show(self, outcome: Result<Mapped, RunError>) {
        match outcome {
            Ok(Mapped {
                outcome: Outcome::Map(result),
                read_errors,
                exports,
                ran_in,
            }) => {
                self.report(read_errors);
                if result.network.is_none() {
                    self.shown.set(Shown::Ndsi);
                }
                self.change.set(None);
                self.result
                    .set(Some(MapResultView::new(*result, exports, ran_in)));
                self.status.set("mapping done".into());
            }
            Ok(Mapped {
                outcome: Outcome::Change(change),
                read_errors,
                exports,
                ran_in,
            }) => {
                self.report(read_errors);
                self.result.set(None);
                self.layer.set(ChangeLayer::Change);
                self.change
                    .set(Some(ChangeView::new(*change, exports.change, ran_in)));
                self.status.set("mapping done".into());
            }
            Err(RunError::Cancelled) => self.status.set(CANCELLED_STATUS.into()),
            Err(RunError::Failed(e) | RunError::NoWorker(e)) => {
                self.report([e]);
                self.status.set(
                    "mapping stopped: see the message below; add or replace files to try again"
                        .into(),
                );
            }
            Err(RunError::Panicked(message)) => {
                panic_report::show(&message);
                self.status.set(
                    "mapping stopped: the mapping worker hit an internal error (reported above)"
                        .into(),
                );
            }
        }
    }
}
