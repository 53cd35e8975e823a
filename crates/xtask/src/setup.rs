//! `cargo xtask setup`: install what the build and the tests need, from package registries only.
//!
//! Versions were measured on the project's machine (see `ARCHITECTURE.md`): trunk 0.22 needs a
//! newer rustc than stable 1.95, so trunk is pinned to 0.21.14; wasm-bindgen-cli must equal the
//! wasm-bindgen crate in Cargo.lock and installs without `--locked` (its lock file names a crate
//! version the registry no longer has).

use anyhow::{Context, Result, bail};
use std::path::Path;

use crate::cmd::{command, output, run_step};

/// trunk release that builds on Rust 1.95 (0.22.x needs ≥ 1.96.1).
pub const TRUNK_VERSION: &str = "0.21.14";
/// Debian packages: the browser, its WebDriver, Mesa's lavapipe (software Vulkan), and GDAL (an
/// independent reader our written GeoTIFFs are checked with).
const APT_PACKAGES: &[&str] = &[
    "chromium",
    "chromium-driver",
    "mesa-vulkan-drivers",
    "gdal-bin",
];
/// A single-node SLURM cluster for the job-array test (crates/glacier-cli/tests/slurm_cli.rs),
/// without its recommended plugins (HDF5, InfluxDB, IPMI, …: 27 packages the test never uses).
const SLURM_PACKAGES: &[&str] = &["--no-install-recommends", "slurm-wlm", "munge"];
const LAVAPIPE_ICD: &str = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json";
/// Where the browser tests' npm packages live.
pub const BROWSER_TESTS_DIR: &str = "tests/browser";
/// Where the page's npm packages live (Leaflet, bundled into `dist/` by trunk).
pub const WEB_DIR: &str = "web";

/// Installs everything that is missing; does nothing for what is already there.
pub fn run() -> Result<()> {
    wasm_target()?;
    trunk()?;
    wasm_bindgen_cli()?;
    apt_packages()?;
    npm_packages()?;
    s3_server()?;
    crate::sample::ensure()?;
    println!("setup: everything is installed");
    Ok(())
}

fn wasm_target() -> Result<()> {
    let installed =
        output(&mut command("rustup", &["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run_step(
        "rustup target add wasm32-unknown-unknown",
        &mut command("rustup", &["target", "add", "wasm32-unknown-unknown"]),
    )
}

fn installed_version(program: &str) -> Option<String> {
    output(&mut command(program, &["--version"]))
        .and_then(|s| s.split_whitespace().nth(1).map(str::to_owned))
}

fn trunk() -> Result<()> {
    if installed_version("trunk").as_deref() == Some(TRUNK_VERSION) {
        return Ok(());
    }
    let mut install = command(
        "cargo",
        &["install", "--locked", "trunk", "--version", TRUNK_VERSION],
    );
    // trunk's release profile asks for fat LTO and one codegen unit: fine for its binary
    // releases, slow to compile once per machine. It only orchestrates the build (cargo,
    // wasm-bindgen, file copies), so it is built without them: 5 min 27 s against 6 min 23 s
    // with them (2 cores, 2026-12-05).
    install.env("CARGO_PROFILE_RELEASE_LTO", "false");
    install.env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16");
    run_step("install trunk", &mut install)
}

/// The wasm-bindgen version recorded in Cargo.lock.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(v.trim_matches('"').to_owned());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package; run `cargo generate-lockfile`")
}

fn wasm_bindgen_cli() -> Result<()> {
    let want = locked_wasm_bindgen()?;
    if installed_version("wasm-bindgen").as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    run_step(
        "install wasm-bindgen-cli",
        &mut command(
            "cargo",
            &["install", "--force", "wasm-bindgen-cli", "--version", &want],
        ),
    )
}

fn apt_packages() -> Result<()> {
    let have_all = Path::new("/usr/bin/chromium").exists()
        && Path::new("/usr/bin/chromedriver").exists()
        && Path::new(LAVAPIPE_ICD).exists()
        && Path::new("/usr/bin/gdalinfo").exists();
    if !have_all {
        apt_install(
            APT_PACKAGES,
            "apt-get install chromium, chromedriver, lavapipe, GDAL",
        )?;
    }
    if Path::new("/usr/sbin/slurmd").exists() && Path::new("/usr/sbin/munged").exists() {
        return Ok(());
    }
    apt_install(SLURM_PACKAGES, "apt-get install SLURM and munge")
}

/// GDAL's Python bindings in Debian's own Python, which `cargo xtask bench-decode` times GDAL
/// with (not needed by the tests).
pub fn python_gdal() -> Result<()> {
    let have = command("/usr/bin/python3", &["-c", "from osgeo import gdal"])
        .output()
        .is_ok_and(|o| o.status.success());
    if have {
        return Ok(());
    }
    apt_install(&["python3-gdal"], "apt-get install python3-gdal")
}

/// ONNX Runtime versions the model benchmark installs (PyPI wheels, into a venv under target/).
const ONNX_RUNTIME: &[&str] = &["onnxruntime==1.32.0", "numpy==2.4.6", "onnx==1.23.2"];

/// A Python with ONNX Runtime and NumPy: `target/onnx-venv`, made with pip when missing; returns
/// its interpreter.
pub fn onnx_runtime() -> Result<String> {
    let venv = "target/onnx-venv";
    let python = format!("{venv}/bin/python");
    let have = command(&python, &["-c", "import onnxruntime, numpy, onnx"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        run_step(
            "python3 -m venv target/onnx-venv",
            &mut command("python3", &["-m", "venv", venv]),
        )?;
        let mut args = vec!["-m", "pip", "install", "-q"];
        args.extend_from_slice(ONNX_RUNTIME);
        run_step(
            "pip install onnxruntime numpy onnx",
            &mut command(&python, &args),
        )?;
    }
    Ok(python)
}

/// moto's S3 server (the AWS SDK's own test double, a real S3 API over HTTP) for the test of
/// task outputs in object storage: `target/moto-venv/bin/moto_server`, made with pip when
/// missing. The test finds it there.
const MOTO: &str = "moto[server]==5.2.6";

fn s3_server() -> Result<()> {
    let venv = "target/moto-venv";
    if std::path::Path::new(&format!("{venv}/bin/moto_server")).is_file() {
        return Ok(());
    }
    run_step(
        "python3 -m venv target/moto-venv",
        &mut command("python3", &["-m", "venv", venv]),
    )?;
    run_step(
        "pip install moto[server] (an S3 server for the object-storage test)",
        &mut command(
            &format!("{venv}/bin/python"),
            &["-m", "pip", "install", "-q", MOTO],
        ),
    )
}

/// `apt-get update` and `apt-get install` of `packages`, through `sudo` unless root.
pub fn apt_install(packages: &[&str], what: &str) -> Result<()> {
    let is_root = output(&mut command("id", &["-u"])).is_some_and(|s| s.trim() == "0");
    let apt = |args: &[&str]| {
        let mut full = vec!["apt-get"];
        full.extend_from_slice(args);
        if is_root {
            command(full[0], &full[1..])
        } else {
            command("sudo", &full)
        }
    };
    run_step("apt-get update", &mut apt(&["update", "-qq"]))?;
    let mut install = vec!["install", "-y", "-qq"];
    install.extend_from_slice(packages);
    let mut c = apt(&install);
    c.env("DEBIAN_FRONTEND", "noninteractive");
    run_step(what, &mut c)
}

fn npm_packages() -> Result<()> {
    npm_ci(WEB_DIR, "npm ci (page: Leaflet)")?;
    npm_ci(BROWSER_TESTS_DIR, "npm ci (browser tests)")
}

/// `npm ci` in `dir` unless its `node_modules` is newer than its lock file.
fn npm_ci(dir: &str, what: &str) -> Result<()> {
    let dir = Path::new(dir);
    let marker = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (marker.metadata(), lock.metadata()) {
        (Ok(m), Ok(l)) => m.modified()? >= l.modified()?,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    let mut c = command("npm", &["ci", "--no-audit", "--no-fund"]);
    c.current_dir(dir);
    run_step(what, &mut c)
}
