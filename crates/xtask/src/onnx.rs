//! The shipped model exported to ONNX and checked by ONNX Runtime on real tiles (a test step),
//! and those tiles: the real Everest crop's green, red and NIR (`bench-model` times them too).

use anyhow::{Result, bail};
use std::path::Path;

use crate::cmd::{command, run_step};

/// `--band` arguments for the real Everest crop: red and green from the RGB file, NIR from B4.
pub fn everest_bands() -> Result<[String; 3]> {
    let data = Path::new("../shared/data/everest_landsat7_rgi60_geoutils");
    if !data.is_dir() {
        bail!(
            "{} is missing: the model is run on the real tiles kept there",
            data.display()
        );
    }
    let rgb = data.join("LE71400412000304SGS00_RGB.tif");
    let nir = data.join("LE71400412000304SGS00_B4.tif");
    Ok([
        format!("red={}:1", rgb.display()),
        format!("green={}:2", rgb.display()),
        format!("nir={}", nir.display()),
    ])
}

/// The test step: the shipped model exported to ONNX passes the ONNX checker and, run by ONNX
/// Runtime on eight real Everest tiles, gives burn ndarray's probabilities (max difference
/// ≤ 1e-3); the network runs folded and as stored (`--as-stored`). Uses the debug `glacier` the
/// native tests built. Without `../shared/data` it is skipped with a message, except under
/// `CI=true`, where that fails.
pub fn check() -> Result<()> {
    let bands = match everest_bands() {
        Ok(b) => b,
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            println!("skipping the ONNX Runtime check: {e}");
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let check = "target/onnx-check";
    let mut export = command(
        "target/debug/glacier",
        &[
            "bench-model",
            "--backend",
            "kernels,cpu",
            "--runs",
            "1",
            "--as-stored",
            "--onnx-dir",
            check,
        ],
    );
    for b in &bands {
        export.args(["--band", b]);
    }
    run_step(
        "export the shipped model to ONNX (glacier bench-model --onnx-dir)",
        &mut export,
    )?;
    let python = crate::setup::onnx_runtime()?;
    run_step(
        "ONNX checker + ONNX Runtime equal burn on real tiles",
        &mut command(&python, &["tests/bench/onnx_runtime_timing.py", check, "1"]),
    )
}
