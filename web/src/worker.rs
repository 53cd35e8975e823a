//! The mapping worker: this same wasm module, instantiated a second time inside a dedicated Web
//! Worker, runs [`mapping::run`] (reading the files, decoding, preprocessing, the network) so the
//! page's thread only draws. The page starts it with [`crate::worker_client`].
//!
//! Protocol (every message a bincode [`Report`] or [`Job`] in a `Uint8Array`): the worker says
//! [`Report::Ready`]; the page sends `{job, files}` (a [`Job`] and the dropped `File`s, which
//! cross without copying their bytes); the worker answers with [`Report::Progress`] after each
//! step and ends with [`Report::Done`] (sent as `{report, exports}`: the export files travel
//! as blobs, see [`crate::exports`]), [`Report::Failed`] or, on a bug, [`Report::Panicked`].

use js_sys::{Array, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::assign::Choice;
use crate::exports::Exports;
use crate::files;
use crate::map_result::MapResult;
use crate::mapping::{self, Compute};
use crate::model;
use crate::self_check;
use crate::timeout;

/// What the page asks the worker to map (the files travel beside it).
#[derive(Serialize, Deserialize)]
pub struct Job {
    /// Bands the visitor assigned: file name, 0-based band, channel.
    pub choices: Vec<Choice>,
    /// The model file's bytes, when the page loaded and verified it.
    pub model: Option<Vec<u8>>,
    /// Whether to try WebGPU (the page found an adapter that passed the self-check).
    pub gpu: bool,
}

/// What the worker tells the page.
#[derive(Serialize, Deserialize)]
pub enum Report {
    /// Started and listening.
    Ready,
    /// `done` of `total` steps of `stage` are finished.
    Progress {
        /// Stage in words.
        stage: String,
        /// Steps finished.
        done: usize,
        /// Steps in the stage.
        total: usize,
    },
    /// The run finished; `read_errors` are files that could not be read.
    Done(Box<MapResult>, Vec<String>),
    /// The run stopped with a message for the visitor.
    Failed(String),
    /// A bug: the worker panicked (the message says where).
    Panicked(String),
}

impl Report {
    /// Encodes the report for `postMessage`.
    pub fn encode(&self) -> Uint8Array {
        let bytes = bincode::serialize(self).unwrap_or_else(|e| {
            bincode::serialize(&Report::Failed(format!("the worker's answer: {e}")))
                .unwrap_or_default()
        });
        Uint8Array::from(&bytes[..])
    }

    /// Decodes a message from the worker, with the export files that come with
    /// [`Report::Done`].
    pub fn decode(data: &JsValue) -> (Report, Exports) {
        match Reflect::get(data, &"report".into()) {
            Ok(report) if report.is_instance_of::<Uint8Array>() => {
                let exports = Reflect::get(data, &"exports".into()).unwrap_or(JsValue::NULL);
                (Report::decode_bytes(&report), Exports::from_js(&exports))
            }
            _ => (Report::decode_bytes(data), Exports::default()),
        }
    }

    fn decode_bytes(data: &JsValue) -> Report {
        let bytes = data
            .dyn_ref::<Uint8Array>()
            .map(Uint8Array::to_vec)
            .unwrap_or_default();
        bincode::deserialize(&bytes).unwrap_or_else(|e| {
            Report::Failed(format!(
                "the mapping worker sent an unreadable message: {e}"
            ))
        })
    }
}

/// Whether this instance runs inside a dedicated worker (not in the page).
pub fn in_worker() -> bool {
    js_sys::global().is_instance_of::<DedicatedWorkerGlobalScope>()
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(report: &Report) {
    let data = report.encode();
    let transfer = Array::of1(&data.buffer());
    if let Err(e) = scope().post_message_with_transfer(&data, &transfer) {
        web_sys::console::error_2(&"glacier worker: postMessage failed".into(), &e);
    }
}

/// Posts the final report with the run's export files beside it: `{report, exports}`.
fn post_done(report: &Report, exports: &Exports) {
    let data = report.encode();
    let message = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&message, &key.into(), value);
    let sent = set("report", &data)
        .and_then(|_| set("exports", &exports.to_js()))
        .and_then(|_| scope().post_message_with_transfer(&message, &Array::of1(&data.buffer())));
    if let Err(e) = sent {
        web_sys::console::error_2(&"glacier worker: postMessage failed".into(), &e);
    }
}

/// The worker's entry point (called from `main` instead of mounting the page): reports panics to
/// the page, listens for jobs, and says it is ready.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&Report::Panicked(format!("in the mapping worker: {info}")));
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        wasm_bindgen_futures::spawn_local(async move {
            match job(ev.data()).await {
                Ok((mut result, read_errors)) => {
                    let exports = Exports::take(&mut result);
                    post_done(&Report::Done(Box::new(result), read_errors), &exports);
                }
                Err(e) => post(&Report::Failed(e)),
            }
        });
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its one listener.
    on_message.forget();
    post(&Report::Ready);
}

/// Runs one job: reads the files, loads the model, makes the devices, maps.
async fn job(data: JsValue) -> Result<(MapResult, Vec<String>), String> {
    let field = |name: &str| Reflect::get(&data, &name.into()).unwrap_or(JsValue::UNDEFINED);
    let job = field("job")
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or("the page sent the worker no job")?;
    let job: Job =
        bincode::deserialize(&job).map_err(|e| format!("the page sent a bad job: {e}"))?;
    let files: Vec<web_sys::File> = field("files")
        .dyn_into::<Array>()
        .map_err(|_| "the page sent the worker no files")?
        .iter()
        .filter_map(|f| f.dyn_into().ok())
        .collect();

    // Read on demand (a window at a time), never whole: see `files::BlobSource`.
    let (sources, read_errors) = files::readable(files);

    let mut notes = Vec::new();
    let model = match job.model.as_deref().map(model::verify) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            notes.push(format!("The network was not run in the worker: {e}"));
            None
        }
        None => None,
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
    let mut result = mapping::run(
        sources,
        job.choices,
        model,
        computes,
        |stage, done, total| {
            post(&Report::Progress { stage, done, total });
            // The page cancels by terminating the worker, so there is nothing to ask.
            std::future::ready(true)
        },
    )
    .await?;
    notes.append(&mut result.notes);
    result.notes = notes;
    Ok((result, read_errors))
}
