//! The devices this project runs on, in one place.
//!
//! burn 0.22 picks a backend from the [`Device`] a tensor lives on, so choosing "CPU" or "GPU" is
//! choosing a device. The CPU device is burn's ndarray backend (pure Rust, works in wasm); the GPU
//! device is burn's wgpu backend (Vulkan/Metal/DX12 natively, WebGPU in the browser).

use burn::tensor::Device;
pub use burn::tensor::wgpu::WgpuInitError;

/// The CPU device: burn's ndarray backend.
///
/// burn 0.22 marks ndarray deprecated in favour of its newer `flex` backend; ndarray stays the
/// project's CPU reference until `flex` has been measured against it in the browser.
#[allow(deprecated)]
pub fn cpu() -> Device {
    Device::ndarray()
}

/// The CPU device of burn's `flex` backend (gemm kernels, all cores; native only).
#[cfg(not(target_family = "wasm"))]
pub fn flex() -> Device {
    Device::flex()
}

/// Acquires a GPU device through wgpu, choosing the graphics API automatically.
///
/// In the browser this is WebGPU; natively Vulkan (also software Vulkan such as Mesa lavapipe),
/// Metal or DX12.
///
/// # Errors
/// [`WgpuInitError`] when no adapter is available (for example a browser without WebGPU) or the
/// runtime was already initialised with other options.
pub async fn gpu() -> Result<Device, WgpuInitError> {
    Device::wgpu_options().init_async().await
}
