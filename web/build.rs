//! Records the shipped models' file names and SHA-256 so the page can check what it fetches.

use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::path::Path;

/// The models the page ships, in order of preference among equals (trunk copies each beside
/// the page, see `web/index.html`; a scene gets the one that uses the most of its bands).
const MODELS: [&str; 2] = [
    "../models/unet-scse-grn.glcm",
    "../models/unet-scse-swir.glcm",
];

// The wasm bans (.clippy/wasm) apply to this file too, but build scripts run natively.
#[allow(clippy::disallowed_methods)]
fn main() {
    let mut table = String::from(
        "/// The shipped models: file name beside the page and SHA-256 at build time.\n\
         pub const SHIPPED: &[Shipped] = &[\n",
    );
    for model in MODELS {
        println!("cargo:rerun-if-changed={model}");
        let bytes = std::fs::read(model).unwrap_or_else(|e| {
            panic!(
                "cannot read the shipped model {model}: {e} (run `glacier export` or restore models/)"
            )
        });
        let hex = Sha256::digest(&bytes)
            .iter()
            .fold(String::new(), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            });
        let name = Path::new(model)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("model.glcm");
        let _ = writeln!(table, "    Shipped {{ file: {name:?}, sha256: {hex:?} }},");
    }
    table.push_str("];\n");
    let out = std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("no OUT_DIR: {e}"));
    std::fs::write(Path::new(&out).join("shipped_models.rs"), table)
        .unwrap_or_else(|e| panic!("cannot write shipped_models.rs: {e}"));
}
