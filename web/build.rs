//! Records the shipped model's file name and SHA-256 so the page can check what it fetches.

use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::path::Path;

/// The model the page ships (trunk copies it beside the page, see `web/index.html`).
const MODEL: &str = "../models/unet-scse-grn.glcm";

// The wasm bans (.clippy/wasm) apply to this file too, but build scripts run natively.
#[allow(clippy::disallowed_methods)]
fn main() {
    println!("cargo:rerun-if-changed={MODEL}");
    let bytes = std::fs::read(MODEL).unwrap_or_else(|e| {
        panic!(
            "cannot read the shipped model {MODEL}: {e} (run `glacier export` or restore models/)"
        )
    });
    let digest = Sha256::digest(&bytes);
    let hex = digest.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    let name = Path::new(MODEL)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("model.glcm");
    println!("cargo:rustc-env=GLACIER_MODEL_FILE={name}");
    println!("cargo:rustc-env=GLACIER_MODEL_SHA256={hex}");
    println!("cargo:rustc-env=GLACIER_MODEL_BYTES={}", bytes.len());
}
