//! `cargo xtask validate`: every check, cheapest first, stopping at the first failure.

use anyhow::{Context, Result, ensure};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::cmd::{command, run_step};
use crate::setup::BROWSER_TESTS_DIR;

/// The page's crate; it only builds for wasm32.
const WEB_CRATE: &str = "glacier-web";
/// Crates compiled to wasm32: the page, the library crates it uses, and `glacier-change`
/// (written for the page's two-date view too).
const WASM_CRATES: &[&str] = &[
    "glacier-web",
    "glacier-model",
    "glacier-raster",
    "glacier-landsat",
    "glacier-terrain",
    "glacier-labels",
    "glacier-inputs",
    "glacier-kernels",
    "glacier-infer",
    "glacier-change",
    "glacier-archive",
];

/// `CLIPPY_ARGS` for clippy-driver as a rustc wrapper: `-D warnings`, in the encoding
/// `cargo clippy` itself uses (each argument followed by `__CLIPPY_HACKERY__`).
const CLIPPY_DENY_WARNINGS: &str = "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__";

/// The active toolchain's clippy-driver (`rustup component add clippy` installs it).
fn clippy_driver() -> Result<PathBuf> {
    let out = command("rustc", &["--print", "sysroot"])
        .output()
        .context("could not run `rustc --print sysroot`")?;
    let sysroot = String::from_utf8(out.stdout).context("rustc printed a non-UTF-8 sysroot")?;
    let driver = Path::new(sysroot.trim()).join("bin").join("clippy-driver");
    ensure!(
        driver.exists(),
        "{} is missing: install clippy with `rustup component add clippy`",
        driver.display()
    );
    Ok(driver)
}

/// Makes `c` lint the workspace's own crates with clippy (`-D warnings`) while it compiles
/// them, as `cargo clippy` does in check mode: one build serves both. Dependencies compile as
/// usual (cargo applies the workspace wrapper to workspace members only). This replaced two
/// separate `cargo clippy` runs that type-checked every dependency again, natively and for
/// wasm32 (4 min 21 s and 5 min 48 s of a 38-min CI run on 2 cores, 2026-12-05).
fn linted(c: &mut Command, driver: &Path) {
    c.env("RUSTC_WORKSPACE_WRAPPER", driver);
    c.env("CLIPPY_ARGS", CLIPPY_DENY_WARNINGS);
}

/// Runs all checks in order of cost. Clippy runs inside the builds that the tests need: the
/// native test build (every workspace crate but the page, all targets the tests compile) and
/// the page's wasm32 build (the page and the library crates it uses, with the wasm bans of
/// `.clippy/wasm/clippy.toml`).
pub fn run() -> Result<()> {
    let start = Instant::now();
    run_step(
        "fmt",
        &mut command("cargo", &["fmt", "--all", "--", "--check"]),
    )?;
    let driver = clippy_driver()?;
    let mut tests = command("cargo", &["test", "--workspace", "--exclude", WEB_CRATE]);
    linted(&mut tests, &driver);
    run_step("tests (native), linted by clippy as they build", &mut tests)?;
    crate::onnx::check()?;
    crate::sample::ensure()?;
    let mut page = trunk(&["build", "--release"]);
    linted(&mut page, &driver);
    page.env("CLIPPY_CONF_DIR", ".clippy/wasm");
    run_step(
        "web build (trunk, release), linted by clippy with the wasm bans",
        &mut page,
    )?;
    browser_tests()?;
    println!(
        "\nvalidate: all checks passed in {:.0} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cargo xtask clippy`: clippy alone, natively (all targets) and for wasm32 with the wasm
/// bans, in check mode: the quick lint pass while developing. `validate` lints inside its
/// builds instead.
pub fn clippy() -> Result<()> {
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
    run_step("clippy (wasm32, with wasm bans)", &mut wasm_clippy)
}

fn trunk(args: &[&str]) -> Command {
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
    crate::sample::ensure()?;
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
