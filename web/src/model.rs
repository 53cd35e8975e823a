//! The shipped models: fetched from beside the page, each checked against the SHA-256 recorded
//! at build time, and parsed. Which one maps a scene is decided per scene
//! (`glacier_map::choose_model`).

use glacier_infer::ModelBundle;
use sha2::{Digest, Sha256};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A model file the page ships (trunk copies it next to `index.html`).
#[derive(Clone, Copy, Debug)]
pub struct Shipped {
    /// File name beside the page.
    pub file: &'static str,
    /// Its SHA-256, computed from `models/` when the page was built.
    pub sha256: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/shipped_models.rs"));

/// The shipped files' names, for messages.
pub fn files() -> String {
    SHIPPED
        .iter()
        .map(|m| m.file)
        .collect::<Vec<_>>()
        .join(", ")
}

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

/// Checks `bytes` against the shipped models' SHA-256 and parses them.
///
/// # Errors
/// A sentence naming what is wrong and what to do.
pub fn verify(bytes: &[u8]) -> Result<LoadedModel, String> {
    let digest = hex(&Sha256::digest(bytes));
    let Some(shipped) = SHIPPED.iter().find(|m| m.sha256 == digest) else {
        return Err(format!(
            "a model file is not one this page was built with (SHA-256 {digest}, expected one of \
             {}); reload the page, and if it persists the site was deployed with mismatched \
             models",
            files()
        ));
    };
    let bundle = ModelBundle::from_bytes(shipped.file, bytes).map_err(|e| e.to_string())?;
    Ok(LoadedModel {
        bundle,
        bytes: bytes.to_vec(),
    })
}

/// Fetches every shipped model from beside the page and verifies each.
///
/// # Errors
/// A sentence naming the file, what failed, and what to do.
pub async fn fetch_all() -> Result<Vec<LoadedModel>, String> {
    let mut models = Vec::with_capacity(SHIPPED.len());
    for shipped in SHIPPED {
        // `verify` hashes the bytes once and names the shipped file they are.
        models.push(verify(&fetch(shipped).await?)?);
    }
    Ok(models)
}

/// Fetches one model file's bytes from beside the page.
async fn fetch(shipped: &Shipped) -> Result<Vec<u8>, String> {
    let file = shipped.file;
    let window = web_sys::window().ok_or("no window object (not running in a page)")?;
    let failed = |what: &str, e: wasm_bindgen::JsValue| {
        format!(
            "could not load the model {file}: {what} ({e:?}); check the connection and reload \
             the page (the NDSI baseline still works)"
        )
    };
    let response = JsFuture::from(window.fetch_with_str(file))
        .await
        .map_err(|e| failed("the request failed", e))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|e| failed("fetch returned no response", e))?;
    if !response.ok() {
        return Err(format!(
            "could not load the model {file}: the server answered {} {}; the site was \
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
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
