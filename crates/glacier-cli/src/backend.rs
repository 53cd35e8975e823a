//! `--backend cpu|flex|wgpu`: which burn device computes.

use anyhow::{Context, Result};
use burn::tensor::Device;
use clap::ValueEnum;

/// The compute backend chosen on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Backend {
    /// burn's ndarray backend on the CPU.
    Cpu,
    /// burn's flex backend on the CPU (newer; gemm kernels on every core).
    Flex,
    /// burn's wgpu backend (Vulkan/Metal/DX12; Mesa lavapipe on a machine without a GPU).
    Wgpu,
}

impl Backend {
    /// The device, with a line on stderr saying which one computes.
    pub fn device(self) -> Result<Device> {
        Ok(match self {
            Backend::Cpu => glacier_model::devices::cpu(),
            Backend::Flex => glacier_model::devices::flex(),
            Backend::Wgpu => pollster::block_on(glacier_model::devices::gpu())
                .context("no wgpu adapter (install a Vulkan driver, e.g. mesa-vulkan-drivers, or use --backend cpu)")?,
        })
    }
}

/// The model shipped in `models/`, used when `--model` is not given.
pub fn default_model() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/unet-scse-grn.glcm")
}

/// Reads a model file.
pub fn read_model(path: &std::path::Path) -> Result<glacier_infer::ModelBundle> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "cannot read the model {} (give one with --model FILE)",
            path.display()
        )
    })?;
    Ok(glacier_infer::ModelBundle::from_bytes(
        &path.display().to_string(),
        &bytes,
    )?)
}
