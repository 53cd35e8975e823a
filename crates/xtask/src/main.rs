//! `cargo xtask`: the project's one entry point for set-up, serving and testing.
//!
//! - `setup`    installs what is missing (wasm target, trunk, wasm-bindgen-cli, Chromium,
//!   lavapipe, npm packages). Idempotent; only uses package registries.
//! - `serve`    `setup`, then builds the page and serves it on <http://127.0.0.1:8080/>.
//! - `validate` runs the checks, cheapest first: fmt → native tests (clippy lints our crates as
//!   they compile) → the ONNX export checked by ONNX Runtime → the page's wasm build (clippy
//!   with the wasm bans, as it compiles) → browser tests.
//! - `clippy`   clippy alone in check mode, natively and for wasm32: the quick lint pass.
//! - `test`     `setup` + `validate`: what CI runs.
//! - `sample`   fetches the page's sample scene into `web/sample/` (PyPI, SHA-256 checked);
//!   `setup` and every page build do it when it is missing.
//! - `web-build` builds the page into `dist/` (release).
//! - `e2e`      runs the browser tests against an already built `dist/`.
//! - `bench-decode` times full GeoTIFF decodes, ours beside GDAL, and prints a table.
//! - `bench-archive` prints the bytes and requests of reading 1/81 of a real scene's COG by
//!   range, as the CLI and as the page read it, against the tiles the area touches.
//! - `bench-model` times the shipped model per tile and per megapixel on ndarray, flex and wgpu,
//!   and ONNX Runtime on the same tiles with the same weights.
//! - `bench-tasks` times six cluster tasks over real bands, each process beside its record's
//!   phases, then the same tasks as a SLURM job array on one node.
//! - `bench-page` times each stage of a run in the page (headless Chromium, WebGPU and CPU);
//!   `--full` adds a scene-sized input on the CPU, `--full-gpu` on WebGPU as well.
//! - `container` builds the `Containerfile` with Podman (base images made from Debian and
//!   rustup where Docker Hub cannot be reached) and maps a real scene in the image; never part
//!   of `test`.
//! - `fuzz`     seeds and runs the fuzz targets of `fuzz/` (nightly, cargo-fuzz; installed when
//!   missing), `--seconds N` each, and prints what each did; never part of `test`.

mod bench;
mod bench_archive;
mod bench_tasks;
mod cmd;
mod container;
mod fuzz;
mod onnx;
mod sample;
mod setup;
mod validate;

use anyhow::{Result, bail};

/// Runs `f`, then prints the per-step time table whether it passed or not.
fn timed(f: impl FnOnce() -> Result<()>) -> Result<()> {
    let start = std::time::Instant::now();
    let result = f();
    cmd::print_timings(start.elapsed().as_secs_f64());
    result
}

/// What `cargo xtask --help` prints.
const USAGE: &str = "usage: cargo xtask <command>

  setup         install what is missing (wasm target, trunk, wasm-bindgen-cli, Chromium, GDAL, npm packages)
  serve         setup, then build the page and serve it on http://127.0.0.1:8080/
  test          setup + validate: what CI runs
  validate      fmt, native tests (linted), ONNX check, the page's wasm build (linted), browser tests
  clippy        clippy alone, natively and for wasm32
  sample        fetch the page's sample scene into web/sample/ (PyPI geoutils 0.0.8, checked)
  web-build     build the page into dist/ (release)
  e2e           browser tests against an already built dist/
  bench-decode  GeoTIFF decoding, ours beside GDAL
  bench-model   the shipped model per tile: ndarray, flex, wgpu and ONNX Runtime
  bench-archive bytes and requests to read 1/81 of a real scene COG by range
  bench-tasks   cluster tasks: start-up, headers, fetch, network; sequential against a SLURM array
  bench-page    each stage of a run in the page [--full | --full-gpu] [--archive]
  container     build the Containerfile (Podman) and map a real scene in the image
  fuzz          seed and run the fuzz targets (nightly) [--seconds N] [TARGET ...]";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(
        args.first().map(String::as_str),
        Some("-h" | "--help" | "help")
    ) {
        println!("{USAGE}");
        return Ok(());
    }
    let root = cmd::workspace_root()?;
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("setup") => setup::run(),
        Some("serve") => {
            setup::run()?;
            validate::serve()
        }
        Some("validate") => timed(validate::run),
        Some("test") => timed(|| {
            setup::run()?;
            validate::run()
        }),
        Some("clippy") => validate::clippy(),
        Some("sample") => sample::ensure(),
        Some("web-build") => validate::web_build(),
        Some("e2e") => validate::browser_tests(),
        Some("bench-decode") => bench::run(),
        Some("bench-model") => bench::model(),
        Some("bench-archive") => bench_archive::run(),
        Some("bench-tasks") => bench_tasks::run(),
        Some("bench-page") => bench::page(
            args.iter()
                .map(String::as_str)
                .filter(|a| ["--full", "--full-gpu", "--archive"].contains(a))
                .collect(),
        ),
        Some("container") => timed(container::run),
        Some("fuzz") => fuzz::run(&args[1..]),
        other => {
            eprintln!("{USAGE}");
            bail!("unknown or missing xtask command: {other:?}")
        }
    }
}
