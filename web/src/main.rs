//! The glacier page: a Leptos client-side app compiled to WebAssembly.
//!
//! On start it finds out which compute backend it can use (WebGPU, else the CPU), then runs the
//! backend self-check ([`glacier_model::ProbeNet`]) on both and shows the result.

mod adapter;
mod app;
mod panic_report;
mod self_check;

fn main() {
    panic_report::install();
    leptos::mount::mount_to_body(app::App);
}
