//! `cargo xtask validate`: every check, cheapest first, stopping at the first failure.

use anyhow::Result;
use std::time::Instant;

use crate::cmd::{command, run_step};
use crate::setup::BROWSER_TESTS_DIR;

/// The page's crate; it only builds for wasm32.
const WEB_CRATE: &str = "glacier-web";
/// Crates compiled to wasm32 (the page and the library crates it uses).
const WASM_CRATES: &[&str] = &[
    "glacier-web",
    "glacier-model",
    "glacier-raster",
    "glacier-landsat",
    "glacier-terrain",
    "glacier-labels",
    "glacier-inputs",
    "glacier-infer",
];

/// Runs all checks in order of cost.
pub fn run() -> Result<()> {
    let start = Instant::now();
    run_step(
        "fmt",
        &mut command("cargo", &["fmt", "--all", "--", "--check"]),
    )?;
    run_step(
        "clippy (native)",
        &mut command(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--exclude",
                WEB_CRATE,
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        ),
    )?;
    let mut wasm_clippy = command("cargo", &["clippy", "--target", "wasm32-unknown-unknown"]);
    for krate in WASM_CRATES {
        wasm_clippy.args(["-p", krate]);
    }
    wasm_clippy.args(["--", "-D", "warnings"]);
    wasm_clippy.env("CLIPPY_CONF_DIR", ".clippy/wasm");
    run_step("clippy (wasm32, with wasm bans)", &mut wasm_clippy)?;
    run_step(
        "tests (native)",
        &mut command("cargo", &["test", "--workspace", "--exclude", WEB_CRATE]),
    )?;
    crate::bench::onnx_check()?;
    web_build()?;
    browser_tests()?;
    println!(
        "\nvalidate: all checks passed in {:.0} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn trunk(args: &[&str]) -> std::process::Command {
    // trunk 0.21 only looks for `Trunk.toml` (capitalised); name the project's file explicitly.
    let mut c = command("trunk", &["--config", "trunk.toml"]);
    c.args(args);
    // Never let trunk download wasm-bindgen or wasm-opt: `setup` installed them.
    c.env("TRUNK_OFFLINE", "true");
    c.env("TRUNK_SKIP_VERSION_CHECK", "true");
    c
}

/// Builds the page into `dist/` (release).
pub fn web_build() -> Result<()> {
    run_step(
        "web build (trunk, release)",
        &mut trunk(&["build", "--release"]),
    )
}

/// Builds and serves the page on 127.0.0.1:8080 until interrupted.
pub fn serve() -> Result<()> {
    println!("\nServing the page at http://127.0.0.1:8080/ (Ctrl-C stops)");
    run_step("trunk serve", &mut trunk(&["serve", "--release"]))
}

/// Runs the browser tests in headless Chromium against `dist/`.
pub fn browser_tests() -> Result<()> {
    let mut c = command("node", &["run.mjs", "../../dist"]);
    c.current_dir(BROWSER_TESTS_DIR);
    run_step("browser tests (headless Chromium)", &mut c)
}
