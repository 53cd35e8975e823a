//! Stage timings of a run and the size of the wasm memory, shown in the page and read by the
//! page benchmark (`cargo xtask bench-page`).

use wasm_bindgen::JsCast;

/// Milliseconds since the page (or, in the mapping worker, the worker) started:
/// `performance.now()` of whichever global scope this runs in.
pub fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Bytes of the wasm linear memory. It only grows, so after a run it is the run's peak (plus
/// what earlier runs left): file bytes, decoded strips, masks and CPU tensors all live there;
/// GPU buffers do not.
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
        .into()
}

/// Named stages in the order they ran: name, milliseconds, and MiB of wasm memory of the module
/// that ran it at the stage's end (memory only grows, so the first stage after which it jumps
/// is the one that needed it).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Timings(pub Vec<(String, f64, f64)>);

impl Timings {
    /// Records `stage` as having run from `since` (a [`now_ms`] reading) until now; returns now.
    pub fn stage(&mut self, stage: impl Into<String>, since: f64) -> f64 {
        let now = now_ms();
        self.0
            .push((stage.into(), now - since, wasm_memory_bytes() / 1_048_576.0));
        now
    }

    /// As JSON: `{"stages": [[name, ms, wasm MiB], …], "wasm_memory_mb": …,
    /// "mapping_memory_mb": …}`, the last the peak of the module that mapped
    /// ([`crate::mapping::MapResult::memory_mb`]).
    pub fn to_json(&self, mapping_memory_mb: Option<f64>) -> String {
        let stages: Vec<String> = self
            .0
            .iter()
            .map(|(name, ms, mb)| format!("[{:?}, {ms:.1}, {mb:.1}]", name))
            .collect();
        format!(
            "{{\"stages\": [{}], \"wasm_memory_mb\": {:.1}, \"mapping_memory_mb\": {}}}",
            stages.join(", "),
            wasm_memory_bytes() / 1_048_576.0,
            mapping_memory_mb.map_or("null".into(), |m| format!("{m:.1}"))
        )
    }
}
