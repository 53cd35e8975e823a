//! The shipped model: fetched from beside the page, checked against the SHA-256 recorded at build
//! time, and parsed.

use glacier_infer::ModelBundle;
use sha2::{Digest, Sha256};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// File name of the shipped model (trunk copies it next to `index.html`).
pub const MODEL_FILE: &str = env!("GLACIER_MODEL_FILE");
/// Its SHA-256, computed from `models/` when the page was built.
pub const MODEL_SHA256: &str = env!("GLACIER_MODEL_SHA256");

/// A model that passed the integrity check.
#[derive(Clone, Debug)]
pub struct LoadedModel {
    /// Header and weights.
    pub bundle: ModelBundle,
    /// The file's bytes (the page hands them to the mapping worker, which checks them again).
    pub bytes: Vec<u8>,
}

impl LoadedModel {
    /// A line for the page: name, precision, size, parameters, channels.
    pub fn describe(&self) -> String {
        let h = &self.bundle.header;
        let channels: Vec<&str> = h.input.channels.iter().map(|c| c.name.as_str()).collect();
        format!(
            "{} ({}, {:.0} kB, {} parameters; channels {}; SHA-256 verified)",
            h.name,
            h.precision,
            self.bytes.len() as f64 / 1000.0,
            self.bundle.parameters(),
            channels.join(", ")
        )
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `bytes` against [`MODEL_SHA256`] and parses them.
///
/// # Errors
/// A sentence naming the file and what to do.
pub fn verify(bytes: &[u8]) -> Result<LoadedModel, String> {
    let digest = hex(&Sha256::digest(bytes));
    if digest != MODEL_SHA256 {
        return Err(format!(
            "the model file {MODEL_FILE} is not the one this page was built with (SHA-256 {digest}, \
             expected {MODEL_SHA256}); reload the page, and if it persists the site was deployed \
             with a mismatched model"
        ));
    }
    let bundle = ModelBundle::from_bytes(MODEL_FILE, bytes).map_err(|e| e.to_string())?;
    Ok(LoadedModel {
        bundle,
        bytes: bytes.to_vec(),
    })
}

/// Fetches the model from beside the page and verifies it.
///
/// # Errors
/// A sentence naming the file, what failed, and what to do.
pub async fn fetch() -> Result<LoadedModel, String> {
    let window = web_sys::window().ok_or("no window object (not running in a page)")?;
    let failed = |what: &str, e: wasm_bindgen::JsValue| {
        format!(
            "could not load the model {MODEL_FILE}: {what} ({e:?}); check the connection and reload \
             the page (the NDSI baseline still works)"
        )
    };
    let response = JsFuture::from(window.fetch_with_str(MODEL_FILE))
        .await
        .map_err(|e| failed("the request failed", e))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|e| failed("fetch returned no response", e))?;
    if !response.ok() {
        return Err(format!(
            "could not load the model {MODEL_FILE}: the server answered {} {}; the site was \
             deployed without it (trunk copies it from models/)",
            response.status(),
            response.status_text()
        ));
    }
    let buffer = response
        .array_buffer()
        .map_err(|e| failed("the body could not be read", e))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|e| failed("the body could not be read", e))?;
    verify(&js_sys::Uint8Array::new(&buffer).to_vec())
}
