//! What the page and its mapping worker say to each other ([`crate::worker_client`] on the page,
//! [`crate::worker`] in the worker): both sides encode and decode here.
//!
//! Every message is a postcard [`Report`] or [`Job`] in a `Uint8Array`. The worker says
//! [`Report::Ready`]; the page sends `{job, files}` (a [`Job`] and the dropped `File`s, which
//! cross without copying their bytes); the worker answers with [`Report::Progress`] after each
//! step and ends with [`Report::Done`] (sent as `{report, exports}`: the export files travel as
//! blobs, see [`crate::exports`]) holding a map or a change, [`Report::Failed`], [`Report::Cancelled`] or, on a bug,
//! [`Report::Panicked`]. A text message comes from the worker's bootstrap script: the module did
//! not start.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use crate::assign::Choice;
use crate::change_result::ChangeResult;
use crate::exports::Exports;
use crate::map_result::MapResult;
use crate::mapping::Stopped;

/// What the page asks the worker to map (the files travel beside it).
#[derive(Serialize, Deserialize)]
pub struct Job {
    /// Bands the visitor assigned: file name, 0-based band, channel.
    pub choices: Vec<Choice>,
    /// The model files' bytes, as the page loaded and verified them (none when they did not
    /// load); the worker checks them again and the scene picks one.
    pub models: Vec<Vec<u8>>,
    /// Whether to try WebGPU (the page found an adapter that passed the self-check).
    pub gpu: bool,
    /// An archive item to map instead of files.
    pub item: Option<ItemJob>,
    /// Two dates to map and compare instead of one scene (earlier first, for files).
    pub change: Option<[DateJob; 2]>,
    /// Panic at the start (the browser tests' `test-worker-panic`, [`crate::test_hooks`]).
    pub panic: bool,
}

/// One date of a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DateJob {
    /// Dropped files: the date's own and those every date shares (outlines, a DEM).
    Files {
        /// `YYYY-MM-DD`, from the files' names.
        date: String,
        /// The files' names.
        names: Vec<String>,
    },
    /// An archive item (its date comes from the item).
    Item(ItemJob),
}

impl DateJob {
    /// The date in words, for progress and messages: `2020-08-16`, or the item's file name
    /// until the item is read.
    pub fn label(&self) -> String {
        match self {
            DateJob::Files { date, .. } => date.clone(),
            DateJob::Item(item) => {
                format!("item {}", item.url.rsplit('/').next().unwrap_or(&item.url))
            }
        }
    }
}

/// A STAC item to map, from the page's link (`?item=URL&bbox=W,S,E,N[&token-endpoint=URL]`)
/// or the archive search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemJob {
    /// The item's address.
    pub url: String,
    /// `west,south,east,north`: only this area.
    pub bbox: Option<String>,
    /// Where read tokens come from for every asset (as `glacier predict --token-endpoint`);
    /// without it, assets on Azure Blob Storage get the Planetary Computer's.
    pub token_endpoint: Option<String>,
}

impl Job {
    /// The message that starts a run: `{job, files}`.
    ///
    /// # Errors
    /// A message when the job cannot be encoded or the object not built.
    pub fn to_message(&self, files: &[web_sys::File]) -> Result<Object, String> {
        let bytes = postcard::to_allocvec(self).map_err(|e| format!("the job: {e}"))?;
        let message = Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&message, &key.into(), value);
        set("job", &Uint8Array::from(&bytes[..])).map_err(|e| format!("{e:?}"))?;
        set("files", &files.iter().collect::<Array>()).map_err(|e| format!("{e:?}"))?;
        Ok(message)
    }

    /// Reads what [`Job::to_message`] made.
    ///
    /// # Errors
    /// A message for the visitor when the job or the files are missing or unreadable.
    pub fn from_message(data: &JsValue) -> Result<(Job, Vec<web_sys::File>), String> {
        let field = |name: &str| Reflect::get(data, &name.into()).unwrap_or(JsValue::UNDEFINED);
        let job = field("job")
            .dyn_ref::<Uint8Array>()
            .map(Uint8Array::to_vec)
            .ok_or("the page sent the worker no job")?;
        let job: Job =
            postcard::from_bytes(&job).map_err(|e| format!("the page sent a bad job: {e}"))?;
        let files = field("files")
            .dyn_into::<Array>()
            .map_err(|_| "the page sent the worker no files")?
            .iter()
            .filter_map(|f| f.dyn_into().ok())
            .collect();
        Ok((job, files))
    }
}

/// What a finished run made.
#[derive(Serialize, Deserialize)]
pub enum Outcome {
    /// One scene's map.
    Map(Box<MapResult>),
    /// Two dates and the change between them.
    Change(Box<ChangeResult>),
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
    /// A quick look at the scene while it is mapped (an archive item's, from its overviews).
    Look(Box<crate::map_result::Look>),
    /// The run finished; `read_errors` are files that could not be read.
    Done(Outcome, Vec<String>),
    /// The run stopped with a message for the visitor.
    Failed(String),
    /// The run was cancelled. The worker's own runs never ask to stop (the page cancels by
    /// terminating the worker), so on the page this comes from
    /// [`crate::worker_client::Canceller`].
    Cancelled,
    /// A bug: the worker panicked (the message says where).
    Panicked(String),
}

impl From<Stopped> for Report {
    fn from(stopped: Stopped) -> Report {
        match stopped {
            Stopped::Cancelled => Report::Cancelled,
            Stopped::Failed(e) => Report::Failed(e),
        }
    }
}

impl Report {
    /// The report's postcard bytes.
    fn encode(&self) -> Uint8Array {
        let bytes = postcard::to_allocvec(self).unwrap_or_else(|e| {
            postcard::to_allocvec(&Report::Failed(format!("the worker's answer: {e}")))
                .unwrap_or_default()
        });
        Uint8Array::from(&bytes[..])
    }

    /// The report as a message for `postMessage` and the buffers to transfer with it: its bytes
    /// alone, or `{report, exports}` when export files come with it ([`Report::Done`]).
    ///
    /// # Errors
    /// The browser's error when the message object cannot be built.
    pub fn to_message(&self, exports: Option<&Exports>) -> Result<(JsValue, Array), JsValue> {
        let data = self.encode();
        let transfer = Array::of1(&data.buffer());
        let Some(exports) = exports else {
            return Ok((data.into(), transfer));
        };
        let message = Object::new();
        Reflect::set(&message, &"report".into(), &data)?;
        Reflect::set(&message, &"exports".into(), &exports.to_js())?;
        Ok((message.into(), transfer))
    }

    /// Decodes a message from the worker, with the export files that come with
    /// [`Report::Done`]; the bootstrap's text (the module did not start) becomes
    /// [`Report::Failed`].
    pub fn decode(data: &JsValue) -> (Report, Exports) {
        if let Some(text) = data.as_string() {
            return (Report::Failed(text), Exports::default());
        }
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
        postcard::from_bytes(&bytes).unwrap_or_else(|e| {
            Report::Failed(format!(
                "the mapping worker sent an unreadable message: {e}"
            ))
        })
    }
}
