//! Searching a STAC API from the page's own thread: each request of [`glacier_archive::find`]
//! through the browser's `fetch` (async, so the page keeps painting while a search runs).

use glacier_archive::{ArchiveError, Found, Request, Search};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A message for the visitor, naming the address.
pub struct SearchError(pub String);

impl From<ArchiveError> for SearchError {
    fn from(e: ArchiveError) -> Self {
        SearchError(e.to_string())
    }
}

/// The body of `request`'s answer.
///
/// # Errors
/// A sentence naming the address: unreachable (or not allowing this page's origin), or an
/// HTTP error status.
async fn text(request: Request) -> Result<String, SearchError> {
    let url = request.url().to_owned();
    let failed = |e: wasm_bindgen::JsValue| {
        let detail = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}"));
        SearchError(format!(
            "could not read {url} ({detail}): the STAC API may not allow cross-origin reads \
             from this page (CORS), or cannot be reached; check the address"
        ))
    };
    let init = web_sys::RequestInit::new();
    let body;
    match &request {
        Request::Get(_) => init.set_method("GET"),
        Request::Post { body: json, .. } => {
            init.set_method("POST");
            body = wasm_bindgen::JsValue::from_str(&json.to_string());
            init.set_body(&body);
        }
    }
    let req = web_sys::Request::new_with_str_and_init(&url, &init).map_err(failed)?;
    if matches!(request, Request::Post { .. }) {
        req.headers()
            .set("Content-Type", "application/json")
            .map_err(failed)?;
    }
    let window = web_sys::window().ok_or_else(|| SearchError("no window".into()))?;
    let answer: web_sys::Response = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    if !answer.ok() {
        return Err(SearchError(format!(
            "{url}: the server answered {} {}; check the STAC API address (its landing page, \
             e.g. https://planetarycomputer.microsoft.com/api/stac/v1)",
            answer.status(),
            answer.status_text()
        )));
    }
    let text = JsFuture::from(answer.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    text.as_string()
        .ok_or_else(|| SearchError(format!("{url}: the answer is not text")))
}

/// The items the STAC API at `api` finds for `search`, at most `max_items`.
///
/// # Errors
/// A message for the visitor naming the address and what went wrong.
pub async fn find(api: &str, search: &Search, max_items: usize) -> Result<Vec<Found>, String> {
    glacier_archive::find(api, search, max_items, text)
        .await
        .map_err(|SearchError(e)| e)
}
