//! The devices this project runs on, in one place.
//!
//! burn 0.22 picks a backend from the [`Device`] a tensor lives on, so choosing "CPU" or "GPU" is
//! choosing a device. Two CPU backends, both pure Rust: flex (gemm kernels, several times faster;
//! natively and in wasm) and, natively only, ndarray (the project's reference results); the GPU
//! device is burn's wgpu backend (Vulkan/Metal/DX12 natively, WebGPU in the browser). On a CPU
//! device the U-Net itself runs on this project's kernels (`glacier-kernels`, through
//! [`crate::kernels`]); burn's CPU backends load the model, train, and run what the kernels do
//! not cover (the 3D CNN).

use burn::tensor::Device;
pub use burn::tensor::wgpu::WgpuInitError;

/// The reference CPU device: burn's ndarray backend.
///
/// burn 0.22 marks ndarray deprecated in favour of its newer [`flex`] backend, which computes
/// faster (measured natively and in the browser, see ARCHITECTURE.md); ndarray stays the
/// reference the other backends are tested against. Native only: the page's CPU device is flex.
#[cfg(not(target_family = "wasm"))]
#[allow(deprecated)]
pub fn cpu() -> Device {
    Device::ndarray()
}

/// The CPU device of burn's `flex` backend: gemm kernels, natively on every core (rayon), in wasm
/// on one thread with SIMD128 (the workspace builds wasm with `+simd128`, `.cargo/config.toml`).
pub fn flex() -> Device {
    Device::flex()
}

/// Whether `device` computes on the CPU (flex, or natively ndarray): where a tensor's values can
/// be read back synchronously, also in the browser.
pub fn is_cpu(device: &Device) -> bool {
    #[cfg(not(target_family = "wasm"))]
    if *device == cpu() {
        return true;
    }
    *device == flex()
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
