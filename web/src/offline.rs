//! Offline use: registers the service worker (`sw.js`, written into each build by
//! `web/offline/write_service_worker.sh`), which keeps the page, its models and the sample
//! scene in this browser, and says when that is done.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What the page says once everything is kept.
pub const READY: &str = "Saved in this browser for offline use: the page, its models and the \
    sample open and map without a connection from now on.";

/// Registers the service worker and writes how it went to `line`.
pub fn register(line: RwSignal<String>) {
    line.set("Saving the page in this browser for offline use…".into());
    spawn_local(async move {
        line.set(match kept().await {
            Ok(()) => READY.into(),
            Err(e) => format!("Offline use is not available: {e}."),
        });
    });
}

/// Registers `sw.js` and waits until it is active (its install kept every file).
async fn kept() -> Result<(), String> {
    let window = web_sys::window().ok_or("not running in a page")?;
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return Err(
            "this browser offers no service workers to this page (they need https or localhost)"
                .into(),
        );
    }
    let container = navigator.service_worker();
    JsFuture::from(container.register("sw.js"))
        .await
        .map_err(|e| format!("the browser refused the service worker ({})", describe(&e)))?;
    let ready = container.ready().map_err(|e| describe(&e))?;
    JsFuture::from(ready).await.map_err(|e| describe(&e))?;
    Ok(())
}

/// A JavaScript error's message, or its debug form.
fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
