//! `--backend cpu|kernels|flex|wgpu`: what computes.

use anyhow::{Context, Result};
use burn::tensor::Device;
use clap::ValueEnum;

/// The compute backend chosen on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Backend {
    /// The CPU: the U-Net on this project's kernels (glacier-kernels, every core), anything
    /// else on burn's ndarray backend.
    Cpu,
    /// The CPU, the U-Net on this project's kernels (as `cpu`; `bench-model` times them in a
    /// row of their own, and `cpu` and `flex` there as burn alone).
    Kernels,
    /// The CPU: the U-Net on this project's kernels, anything else (training) on burn's flex
    /// backend (gemm kernels on every core).
    Flex,
    /// burn's wgpu backend (Vulkan/Metal/DX12; Mesa lavapipe on a machine without a GPU).
    Wgpu,
}

impl Backend {
    /// The name `--backend` takes for it.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }

    /// What computes, in words for progress lines and task records: the CPU runs the U-Net on
    /// this project's kernels whichever burn device holds the rest.
    pub fn label(self, device: &Device) -> String {
        match self {
            Backend::Cpu | Backend::Kernels | Backend::Flex => {
                "CPU (this project's kernels)".to_owned()
            }
            Backend::Wgpu => format!("GPU (burn wgpu, {device:?})"),
        }
    }

    /// The device, with a line on stderr saying which one computes.
    pub fn device(self) -> Result<Device> {
        Ok(match self {
            Backend::Cpu | Backend::Kernels => glacier_model::devices::cpu(),
            Backend::Flex => glacier_model::devices::flex(),
            Backend::Wgpu => pollster::block_on(glacier_model::devices::gpu())
                .context("no wgpu adapter (install a Vulkan driver, e.g. mesa-vulkan-drivers, or use --backend cpu)")?,
        })
    }
}

/// The three-band model shipped in `models/`, built into the binary (357 kB), so an installed
/// or copied `glacier` needs no model path.
const SHIPPED_MODEL: &[u8] = include_bytes!("../../../models/unet-scse-grn.glcm");
/// The model for scenes with SWIR, shipped beside it.
const SHIPPED_SWIR_MODEL: &[u8] = include_bytes!("../../../models/unet-scse-swir.glcm");

/// The models `--model` offers a scene: the file given, or every shipped model built in (the
/// scene gets the one that uses the most of its bands, `glacier_map::choose_model`).
pub fn load_models(path: Option<&std::path::Path>) -> Result<Vec<glacier_infer::ModelBundle>> {
    match path {
        Some(p) => Ok(vec![read_model(p)?]),
        None => Ok(vec![
            load_model(None)?,
            glacier_infer::ModelBundle::from_bytes(
                "unet-scse-swir (shipped, built in)",
                SHIPPED_SWIR_MODEL,
            )?,
        ]),
    }
}

/// What `--model` names: the file given, or the shipped model built in.
pub fn model_name(path: Option<&std::path::Path>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "unet-scse-grn (the shipped model, built in)".to_owned(),
    }
}

/// Reads the model `--model` names, or the shipped model built in when it names none.
pub fn load_model(path: Option<&std::path::Path>) -> Result<glacier_infer::ModelBundle> {
    match path {
        Some(p) => read_model(p),
        None => Ok(glacier_infer::ModelBundle::from_bytes(
            &model_name(None),
            SHIPPED_MODEL,
        )?),
    }
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
