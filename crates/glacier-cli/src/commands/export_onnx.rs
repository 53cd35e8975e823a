//! `glacier export-onnx`: a model file's network as ONNX.

use anyhow::Result;
use std::path::PathBuf;

use crate::backend::load_model;
use crate::onnx;

/// Write a model file's network as ONNX (f32 weights; input: normalised channels, output:
/// glacier probability; the input specification in the metadata).
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  glacier export-onnx --out unet-scse-grn.onnx")]
pub struct Args {
    /// Model file (default: the shipped model, built into this binary).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Output .onnx file.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `glacier export-onnx`.
pub fn run(args: Args) -> Result<()> {
    let bundle = load_model(args.model.as_deref())?;
    let bytes = onnx::export(&bundle, &args.out)?;
    eprintln!(
        "wrote {} ({bytes} bytes, ONNX opset {})",
        args.out.display(),
        glacier_model::onnx::OPSET
    );
    Ok(())
}
