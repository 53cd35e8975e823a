//! Time limits for the steps of the page that can hang (the WebGPU adapter request, starting
//! WebGPU, its self-check, the model download), and browser timers that work in the page and in
//! the mapping worker alike.

use std::future::Future;

use glacier_model::deadline::{self, TimedOut};
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// How long the browser may take to answer `navigator.gpu.requestAdapter()`.
pub const ADAPTER_MS: u32 = 10_000;
/// How long burn may take to open the WebGPU device.
pub const GPU_START_MS: u32 = 30_000;
/// How long the probe network may take on WebGPU (it compiles its pipelines first).
pub const SELF_CHECK_MS: u32 = 60_000;
/// How long the model (≈ 0.2 MB) may take to download.
pub const MODEL_MS: u32 = 60_000;

/// Resolves after `ms` milliseconds through `setTimeout` of whichever global scope this runs in
/// (a browser timer, so the page stays live); at once where there is no timer.
pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok());
        let scheduled =
            set_timeout.is_some_and(|f| f.call2(&global, &resolve, &JsValue::from(ms)).is_ok());
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Lets the browser paint and handle clicks between steps of a long computation.
pub async fn yield_now() {
    sleep_ms(0).await;
}

/// Runs `work` for at most `limit_ms`.
///
/// # Errors
/// [`TimedOut`] naming `what` (e.g. `the WebGPU adapter request`) when the time ran out.
pub async fn within<T>(
    limit_ms: u32,
    what: &str,
    work: impl Future<Output = T>,
) -> Result<T, TimedOut> {
    deadline::within(work, sleep_ms(limit_ms), what, limit_ms).await
}
