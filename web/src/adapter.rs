//! What WebGPU adapter the browser offers, read through `navigator.gpu` from JavaScript.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The adapter `navigator.gpu.requestAdapter()` returned.
#[derive(Clone, Debug, PartialEq)]
pub struct AdapterInfo {
    /// `GPUAdapterInfo.vendor`, e.g. `google`, `nvidia`.
    pub vendor: String,
    /// `GPUAdapterInfo.architecture`, e.g. `swiftshader`, `ampere`.
    pub architecture: String,
    /// `GPUAdapterInfo.description` (often empty unless the browser unmasks it).
    pub description: String,
    /// Whether the adapter is a fallback or software rasteriser (SwiftShader, llvmpipe).
    pub software: bool,
}

impl AdapterInfo {
    /// A short human label, e.g. `google swiftshader (software)`.
    pub fn label(&self) -> String {
        let mut parts: Vec<&str> = [&self.vendor, &self.architecture, &self.description]
            .into_iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        parts.dedup();
        let name = if parts.is_empty() {
            "unnamed adapter".to_string()
        } else {
            parts.join(" ")
        };
        if self.software {
            format!("{name} (software)")
        } else {
            name
        }
    }
}

fn text(object: &JsValue, key: &str) -> String {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn flag(object: &JsValue, key: &str) -> bool {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Asks the browser for a WebGPU adapter.
///
/// # Errors
/// A sentence a visitor can read: why there is no adapter.
pub async fn request() -> Result<AdapterInfo, String> {
    let navigator = web_sys::window()
        .ok_or("no window object (not running in a page)")?
        .navigator();
    let gpu = Reflect::get(&navigator, &JsValue::from_str("gpu")).unwrap_or(JsValue::UNDEFINED);
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
    }
    let request_adapter: Function = Reflect::get(&gpu, &JsValue::from_str("requestAdapter"))
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("navigator.gpu.requestAdapter is not a function")?;
    let promise: Promise = request_adapter
        .call0(&gpu)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or("navigator.gpu.requestAdapter() did not return a promise")?;
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| format!("requestAdapter() failed: {e:?}"))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("the browser offers no WebGPU adapter (requestAdapter() returned null)".into());
    }
    let info = Reflect::get(&adapter, &JsValue::from_str("info")).unwrap_or(JsValue::UNDEFINED);
    let vendor = text(&info, "vendor");
    let architecture = text(&info, "architecture");
    let description = text(&info, "description");
    let known_software = ["swiftshader", "llvmpipe", "lavapipe", "warp"]
        .iter()
        .any(|s| {
            [&architecture, &description]
                .iter()
                .any(|f| f.to_lowercase().contains(s))
        });
    let software =
        flag(&info, "isFallbackAdapter") || flag(&adapter, "isFallbackAdapter") || known_software;
    Ok(AdapterInfo {
        vendor,
        architecture,
        description,
        software,
    })
}
