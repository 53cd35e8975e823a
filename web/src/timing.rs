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
    /// As JSON: `{"stages": [[name, ms, wasm MiB], …], "wasm_memory_mb": …,
    /// "mapping_memory_mb": …}`, the last the peak of the module that mapped
    /// ([`crate::map_result::MapResult::memory_mb`]).
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

/// Times the stages of a run from reports that say which stage is running: a stage ends when
/// the next one begins.
pub struct StageClock {
    done: Timings,
    current: String,
    since: f64,
}

impl StageClock {
    /// Starts timing `stage` at `now` (a [`now_ms`] reading).
    pub fn start(stage: String, now: f64) -> StageClock {
        StageClock {
            done: Timings::default(),
            current: stage,
            since: now,
        }
    }

    /// `stage` is running at `now`: when it is another stage than the current one, the current
    /// one ends.
    pub fn enter(&mut self, stage: String, now: f64) {
        if stage != self.current {
            let ended = std::mem::replace(&mut self.current, stage);
            self.done
                .0
                .push((ended, now - self.since, wasm_memory_bytes() / 1_048_576.0));
            self.since = now;
        }
    }

    /// Ends the current stage at `now`; the stages in the order they ran.
    pub fn finish(mut self, now: f64) -> Timings {
        self.enter(String::new(), now);
        self.done
    }
}
