//! A panic in wasm is a bug: log it to the console and show it in the page.

use wasm_bindgen::JsCast;

/// Installs a panic hook that logs to the console and appends a visible report to the page.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&info.to_string());
    }));
}

/// Appends a visible report of a panic (`message`: where and what) to the page; the mapping
/// worker's panics arrive here as messages.
pub fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(report) = document.create_element("div") else {
        return;
    };
    let _ = report.set_attribute("data-testid", "panic");
    let _ = report.set_attribute("role", "alert");
    report.set_class_name("panic");
    report.set_text_content(Some(&format!(
        "The page hit an internal error and stopped: {message}. Please reload; \
             if it happens again, report it with this message."
    )));
    if let Some(body) = document.body() {
        let _ = body.append_child(report.unchecked_ref());
    }
}
