//! Switches for the browser tests (`tests/browser/run.mjs`), read from the page's address; a
//! visitor never sets them, and without them the page behaves as it always does.
//!
//! - `test-gpu-offset=X`: adds X (a number, or `NaN`) to the WebGPU self-check's output, so the
//!   GPU disagrees with the CPU.
//! - `test-ready-delay-ms=N`: each run waits N ms more for the model and the backend, as if they
//!   were still loading (to press Cancel during that wait).
//! - `test-hang=STEP[,STEP]`: the step (`adapter`, `gpu`, `self-check`, `model`) never answers,
//!   and its time limit is [`HUNG_LIMIT_MS`], so the page's time-out path runs at once.
//! - `test-worker-panic=N`: the page's Nth run (from 1) panics in the mapping worker, to see a
//!   bug reported and the page kept usable.

use std::sync::atomic::{AtomicU32, Ordering};

/// The time limit of a step that `test-hang` holds.
pub const HUNG_LIMIT_MS: u32 = 1500;

/// The value of `?name=…` in the page's address (never in the mapping worker).
fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// What `test-gpu-offset` adds to the GPU's self-check output.
pub fn gpu_offset() -> Option<f32> {
    param("test-gpu-offset").and_then(|v| v.parse().ok())
}

/// Extra milliseconds each run waits for the model and the backend.
pub fn ready_delay_ms() -> f64 {
    param("test-ready-delay-ms")
        .and_then(|v| v.parse().ok())
        .filter(|ms: &f64| ms.is_finite() && *ms > 0.0)
        .unwrap_or(0.0)
}

/// Whether `test-hang` names `step`.
fn hangs(step: &str) -> bool {
    param("test-hang").is_some_and(|v| v.split(',').any(|s| s == step))
}

/// `normal`, or [`HUNG_LIMIT_MS`] when `test-hang` holds `step`.
pub fn limit_ms(step: &str, normal: u32) -> u32 {
    if hangs(step) { HUNG_LIMIT_MS } else { normal }
}

/// Never returns when `test-hang` holds `step`; at once otherwise.
pub async fn hang_if_asked(step: &str) {
    if hangs(step) {
        std::future::pending::<()>().await;
    }
}

/// Runs started on this page so far (for `test-worker-panic`).
static RUNS: AtomicU32 = AtomicU32::new(0);

/// Counts a run; whether `test-worker-panic` asks it to panic in the worker.
pub fn worker_panics_this_run() -> bool {
    let run = RUNS.fetch_add(1, Ordering::Relaxed) + 1;
    param("test-worker-panic").and_then(|v| v.parse::<u32>().ok()) == Some(run)
}
