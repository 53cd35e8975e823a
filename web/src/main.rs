//! The glacier page: a Leptos client-side app compiled to WebAssembly.
//!
//! A visitor drops a Landsat scene and sees its glaciers (the shipped network, run on WebGPU or the
//! CPU, beside the NDSI baseline), with the numbers and a GeoTIFF to take away. On start the page also finds out which compute backend it
//! can use (WebGPU, else the CPU) and runs the backend self-check ([`glacier_model::ProbeNet`]).

mod adapter;
mod app;
mod assign;
mod bench_hooks;
mod exports;
mod files;
mod map_view;
mod mapping;
mod model;
mod network;
mod panic_report;
mod recognise;
mod scene_panel;
mod self_check;
mod timing;
mod worker;
mod worker_client;

fn main() {
    // The same module runs twice: as the page, and as the page's mapping worker.
    if worker::in_worker() {
        worker::start();
        return;
    }
    panic_report::install();
    leptos::mount::mount_to_body(app::App);
}
