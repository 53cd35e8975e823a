//! The glacier page: a Leptos client-side app compiled to WebAssembly.
//!
//! A visitor drops a Landsat scene and sees its glaciers (the shipped network, run on WebGPU or the
//! CPU, beside the NDSI baseline), with the numbers and a GeoTIFF to take away. On start the page also finds out which compute backend it
//! can use (WebGPU, else the CPU) and runs the backend self-check ([`glacier_model::ProbeNet`]).

mod adapter;
mod app;
mod archive_search;
mod assign;
mod backend;
mod bench_hooks;
mod change;
mod change_result;
mod engine;
mod exports;
mod files;
mod map_result;
mod map_view;
mod mapping;
mod model;
mod offline;
mod panic_report;
mod protocol;
mod remote;
mod sample;
mod scene_panel;
mod self_check;
mod test_hooks;
mod tiff_header;
mod timeout;
mod timing;
mod worker;
mod worker_client;

// The linker's constructors (`inventory` registrations of cubecl's IR dialects and pliron). When
// no code calls `__wasm_call_ctors`, wasm-ld treats the module as a "command" and calls it at the
// start of *every* exported function, wasm-bindgen's externref-table helpers included: measured
// 2026-12-02 in a CPU profile of WebGPU inference on the page's thread, 48 % of the thread's
// time was re-running constructors inside `create_bind_group` alone. Calling it once here, as
// inventory's documentation advises, makes wasm-ld leave the exports alone.
#[cfg(target_family = "wasm")]
#[allow(unsafe_code)]
unsafe extern "C" {
    fn __wasm_call_ctors();
}

fn main() {
    // SAFETY: wasm-ld synthesises `__wasm_call_ctors`; it runs each static constructor once, and
    // this is its only call, before any code that reads what they register.
    #[cfg(target_family = "wasm")]
    #[allow(unsafe_code)]
    unsafe {
        __wasm_call_ctors();
    }
    // The same module runs twice: as the page, and as the page's mapping worker.
    if worker::in_worker() {
        worker::start();
        return;
    }
    panic_report::install();
    leptos::mount::mount_to_body(app::App);
}
