//! The mapping worker: this same wasm module, instantiated a second time inside a dedicated Web
//! Worker, runs [`mapping::run`] (reading the files, decoding, preprocessing, the network) so the
//! page's thread only draws. The page starts it with [`crate::worker_client`].
//!
//! What it says and hears is in [`crate::protocol`].

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::change;
use crate::exports::Exports;
use crate::files;
use crate::mapping::{self, Compute, Stopped, TO_SHOW};
use crate::model;
use crate::protocol::{Job, Outcome, Report};
use crate::self_check;
use crate::timeout;

/// Whether this instance runs inside a dedicated worker (not in the page).
pub fn in_worker() -> bool {
    js_sys::global().is_instance_of::<DedicatedWorkerGlobalScope>()
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts `report` to the page, with the run's export files beside it when given.
fn post(report: &Report, exports: Option<&Exports>) {
    let sent = report
        .to_message(exports)
        .and_then(|(message, transfer)| scope().post_message_with_transfer(&message, &transfer));
    if let Err(e) = sent {
        web_sys::console::error_2(&"glacier worker: postMessage failed".into(), &e);
    }
}

/// The worker's entry point (called from `main` instead of mounting the page): reports panics to
/// the page, listens for jobs, and says it is ready.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(
            &Report::Panicked(format!("in the mapping worker: {info}")),
            None,
        );
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        wasm_bindgen_futures::spawn_local(async move {
            match job(ev.data()).await {
                Ok((mut outcome, read_errors)) => {
                    let exports = Exports::take_outcome(&mut outcome);
                    post(&Report::Done(outcome, read_errors), Some(&exports));
                }
                Err(stopped) => post(&stopped.into(), None),
            }
        });
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its one listener.
    on_message.forget();
    post(&Report::Ready, None);
}

/// Runs one job: reads the files, loads the model, makes the devices, maps one scene or two
/// dates and their change.
async fn job(data: JsValue) -> Result<(Outcome, Vec<String>), Stopped> {
    let (job, files) = Job::from_message(&data)?;
    assert!(
        !job.panic,
        "a panic forced by the page's test-worker-panic switch"
    );

    // Read on demand (a window at a time), never whole: see `files::BlobSource`.
    let (sources, read_errors) = files::readable(files);

    let mut notes = Vec::new();
    let models = match job.models.iter().map(|m| model::verify(m)).collect() {
        Ok(models) => models,
        Err(e) => {
            notes.push(format!("The network was not run in the worker: {e}"));
            Vec::new()
        }
    };
    let mut computes = Vec::new();
    if job.gpu {
        let started = timeout::within(
            timeout::GPU_START_MS,
            "starting WebGPU",
            glacier_model::devices::gpu(),
        )
        .await;
        match started {
            Ok(Ok(device)) => computes.push(Compute {
                device,
                label: "GPU (WebGPU)".into(),
            }),
            Ok(Err(e)) => notes.push(format!(
                "WebGPU did not start in the worker ({e}); the network runs on the CPU instead."
            )),
            Err(t) => notes.push(format!(
                "WebGPU did not start in the worker ({t}); the network runs on the CPU instead."
            )),
        }
    }
    computes.push(Compute {
        device: self_check::cpu_device(),
        label: "CPU".into(),
    });
    // The page cancels by terminating the worker, so there is nothing to ask.
    let progress = |stage, done, total| {
        post(&Report::Progress { stage, done, total }, None);
        std::future::ready(true)
    };
    if let Some(dates) = job.change {
        let mut change =
            change::run(dates, sources, job.choices, models, computes, progress).await?;
        notes.append(&mut change.notes);
        change.notes = notes;
        return Ok((Outcome::Change(Box::new(change)), read_errors));
    }
    let mut result = match &job.item {
        Some(item) => {
            let look = |look| post(&Report::Look(Box::new(look)), None);
            mapping::run_item(item, models, computes, TO_SHOW, progress, look).await?
        }
        None => mapping::run(sources, job.choices, models, computes, TO_SHOW, progress).await?,
    };
    notes.append(&mut result.notes);
    result.notes = notes;
    Ok((Outcome::Map(Box::new(result)), read_errors))
}
