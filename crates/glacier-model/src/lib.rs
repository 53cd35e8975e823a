//! burn modules for glacier segmentation.
//!
//! Every module here runs on any burn [`Device`](burn::tensor::Device): burn's flex CPU backend
//! natively and in wasm, ndarray natively, wgpu natively (Vulkan, Metal, DX12) and WebGPU in the
//! browser. Nothing in
//! this crate touches files, threads or clocks, so the page and the native CLI share it unchanged.
//!
//! - [`scse`]: concurrent spatial and channel squeeze & excitation (Roy et al. 2018).
//! - [`unet`]: the U-Net with scSE after every encoder and decoder block.
//! - [`spectral3d`]: the 3D CNN variant: bands as a depth axis, scSE before a per-pixel head.
//! - [`net`]: either network behind one type, as a model file names it.
//! - [`fold`]: batch norm folded into the convolution before it, for inference.
//! - [`kernels`]: the U-Net's numbers handed to `glacier-kernels`, the project's CPU kernels.
//! - [`probe`]: a small fixed-weight network that checks a backend computes what the CPU computes.
//! - [`quantize`]: weight-only int8 storage of a module's parameters, and loading them back.
//! - `onnx` (feature `onnx`): the U-Net written as an ONNX model, for other runtimes.
//! - [`devices`]: how to obtain the CPU and GPU devices the rest of the project uses.
//! - [`gate`]: whether the GPU may compute, from the probe's output against the CPU's.
//! - [`deadline`]: a future raced against a caller's timer (for browser steps that can hang).

pub mod deadline;
pub mod devices;
pub mod fold;
pub mod gate;
pub mod kernels;
pub mod net;
#[cfg(feature = "onnx")]
pub mod onnx;
pub mod probe;
pub mod quantize;
pub mod scse;
pub mod spectral3d;
pub mod unet;

pub use net::{Architecture, SegNet};
pub use probe::{PROBE_INPUT_SHAPE, ProbeNet};
pub use quantize::{
    Precision, StoredTensor, StoredValues, WeightError, export_weights, import_weights,
};
pub use scse::{ScSe, ScSeCombine, ScSeConfig};
pub use spectral3d::{Spectral3dCnn, Spectral3dCnnConfig};
pub use unet::{UNet, UNetConfig};
