//! The page's side of the mapping worker ([`crate::worker`]): starts a dedicated module worker
//! that instantiates this same, already compiled wasm module, hands it the dropped files and the
//! job, relays its progress, and terminates it when the run ends or the visitor cancels (which
//! also gives the run's memory back to the browser).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::exports::Exports;
use crate::mapping::Stopped;
use crate::protocol::{Job, Outcome, Report};
use crate::timing::{now_ms, wasm_memory_bytes};

/// How long a worker may take to start before the page maps on its own thread.
const START_TIMEOUT_MS: i32 = 30_000;

/// Why a run did not produce a result.
pub enum RunError {
    /// No worker could start (the reason); the page can map on its own thread instead.
    NoWorker(String),
    /// The run stopped with a message for the visitor.
    Failed(String),
    /// The visitor cancelled.
    Cancelled,
    /// The worker panicked (a bug; the message says where).
    Panicked(String),
}

impl From<Stopped> for RunError {
    fn from(stopped: Stopped) -> RunError {
        match stopped {
            Stopped::Cancelled => RunError::Cancelled,
            Stopped::Failed(e) => RunError::Failed(e),
        }
    }
}

/// A started worker with its listeners (they live as long as it does).
struct Running {
    worker: Worker,
    tx: UnboundedSender<(Report, Exports)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

/// Stops the run in progress, if any: the Cancel button holds one.
#[derive(Clone, Default)]
pub struct Canceller(Rc<RefCell<Option<Running>>>);

impl Canceller {
    /// Terminates the worker at once (even in the middle of a tile); the run ends with
    /// [`RunError::Cancelled`]. Returns whether a run was going.
    pub fn cancel(&self) -> bool {
        match self.0.borrow_mut().take() {
            Some(running) => {
                running.worker.terminate();
                let _ = running
                    .tx
                    .unbounded_send((Report::Cancelled, Exports::default()));
                true
            }
            None => false,
        }
    }

    fn finish(&self) {
        if let Some(running) = self.0.borrow_mut().take() {
            running.worker.terminate();
        }
    }
}

/// The absolute URL of this module's JavaScript glue, from the `modulepreload` link trunk puts in
/// `index.html`.
fn glue_url() -> Result<String, String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let href = document
        .query_selector("link[rel=modulepreload]")
        .ok()
        .flatten()
        .and_then(|l| l.get_attribute("href"))
        .ok_or("index.html names no module to load (no modulepreload link)")?;
    let base = document
        .base_uri()
        .ok()
        .flatten()
        .ok_or("the page has no base URL")?;
    web_sys::Url::new_with_base(&href, &base)
        .map(|u| u.href())
        .map_err(|e| format!("bad module URL {href}: {e:?}"))
}

/// A blob URL of the worker's bootstrap: import the glue, instantiate the module the page sends
/// (compiled once, by the page), which runs `main` → [`crate::worker::start`].
fn bootstrap_url(glue: &str) -> Result<String, String> {
    let script = format!(
        "import init from {glue:?};\n\
         self.onmessage = (e) => {{\n\
           self.onmessage = null;\n\
           init({{ module_or_path: e.data }}).catch((err) => self.postMessage(`the module did not start: ${{err}}`));\n\
         }};\n"
    );
    let parts = Array::of1(&JsValue::from_str(&script));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| format!("{e:?}"))?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))
}

/// Starts the worker; its reports arrive on the returned channel.
fn spawn(canceller: &Canceller) -> Result<UnboundedReceiver<(Report, Exports)>, String> {
    let url = bootstrap_url(&glue_url()?)?;
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(&url, &options).map_err(|e| format!("{e:?}"));
    let _ = web_sys::Url::revoke_object_url(&url);
    let worker = worker?;
    let (tx, rx) = unbounded();
    let on_message = {
        let tx = tx.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let started = now_ms();
            let (mut report, exports) = Report::decode(&ev.data());
            // What reading the worker's answer costs (a scene-sized result holds the preview's
            // megabytes of pixels), as one more row of the run's timings.
            if let Report::Done(outcome, _) = &mut report
                && let Outcome::Map(result) = outcome
            {
                result.timings.0.push((
                    "result from the worker (decode)".into(),
                    now_ms() - started,
                    wasm_memory_bytes() / 1_048_576.0,
                ));
            }
            let _ = tx.unbounded_send((report, exports));
        })
    };
    let on_error = {
        let tx = tx.clone();
        Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
            let _ = tx.unbounded_send((
                Report::Failed(format!("the mapping worker failed: {}", ev.message())),
                Exports::default(),
            ));
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker
        .post_message(&wasm_bindgen::module())
        .map_err(|e| format!("the module could not be sent to the worker: {e:?}"))?;
    *canceller.0.borrow_mut() = Some(Running {
        worker,
        tx,
        _on_message: on_message,
        _on_error: on_error,
    });
    Ok(rx)
}

/// Sends [`Report::Failed`] after [`START_TIMEOUT_MS`] unless `ready` was set by then.
fn start_timeout(canceller: &Canceller, ready: Rc<Cell<bool>>) {
    let Some(tx) = canceller.0.borrow().as_ref().map(|r| r.tx.clone()) else {
        return;
    };
    let fire = Closure::once_into_js(move || {
        if !ready.get() {
            let _ = tx.unbounded_send((
                Report::Failed(format!(
                    "it did not start within {} s",
                    START_TIMEOUT_MS / 1000
                )),
                Exports::default(),
            ));
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
            fire.unchecked_ref(),
            START_TIMEOUT_MS,
        );
    }
}

/// Maps `files` (or the job's items) in a new worker: one scene, or two dates and their
/// change; `progress(stage, done, total)` is called for each step. The outcome comes with its
/// export files.
///
/// # Errors
/// [`RunError`]: no worker, the run's own message, cancelled, or a panic.
pub async fn map(
    files: &[web_sys::File],
    job: &Job,
    canceller: &Canceller,
    mut progress: impl FnMut(String, usize, usize),
    mut on_look: impl FnMut(crate::map_result::Look),
) -> Result<(Outcome, Vec<String>, Exports), RunError> {
    let mut rx = spawn(canceller).map_err(RunError::NoWorker)?;
    let ready = Rc::new(Cell::new(false));
    start_timeout(canceller, ready.clone());
    let outcome = loop {
        let Some((report, exports)) = rx.next().await else {
            break Err(RunError::Cancelled);
        };
        match report {
            Report::Ready => {
                ready.set(true);
                if let Err(e) = post_job(canceller, files, job) {
                    break Err(e);
                }
            }
            Report::Progress { stage, done, total } => progress(stage, done, total),
            Report::Look(look) => on_look(*look),
            Report::Done(outcome, read_errors) => break Ok((outcome, read_errors, exports)),
            Report::Cancelled => break Err(RunError::Cancelled),
            Report::Failed(e) if !ready.get() => break Err(RunError::NoWorker(e)),
            Report::Failed(e) => break Err(RunError::Failed(e)),
            Report::Panicked(m) => break Err(RunError::Panicked(m)),
        }
    };
    canceller.finish();
    outcome
}

/// Sends the job and the files to the started worker: [`RunError::Cancelled`] when the visitor
/// cancelled meanwhile.
fn post_job(canceller: &Canceller, files: &[web_sys::File], job: &Job) -> Result<(), RunError> {
    let message = job.to_message(files).map_err(RunError::NoWorker)?;
    let running = canceller.0.borrow();
    let worker = &running.as_ref().ok_or(RunError::Cancelled)?.worker;
    worker.post_message(&message).map_err(|e| {
        RunError::NoWorker(format!("the files could not be sent to the worker: {e:?}"))
    })
}
