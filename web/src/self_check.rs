//! The backend self-check: the probe network on the GPU and on the CPU, compared.

use crate::timing::now_ms;
use burn::tensor::Device;
use glacier_model::{ProbeNet, devices};

/// The probe's output on one device and how long it took.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeRun {
    /// Output values, row-major `[1, 1, 32, 32]`.
    pub values: Vec<f32>,
    /// First run (compiles kernels / builds pipelines), in milliseconds.
    pub cold_ms: f64,
    /// Second run, in milliseconds.
    pub warm_ms: f64,
}

async fn forward(net: &ProbeNet, device: &Device) -> Result<Vec<f32>, String> {
    let data = net
        .forward(ProbeNet::input(device))
        .into_data_async()
        .await
        .map_err(|e| format!("reading the result back failed: {e:?}"))?;
    data.try_to_vec::<f32>()
        .map_err(|e| format!("unexpected result type: {e:?}"))
}

/// Runs the probe twice on `device` (cold, then warm).
///
/// # Errors
/// A readable sentence when the backend fails to run or read back.
pub async fn run(device: &Device) -> Result<ProbeRun, String> {
    let net = ProbeNet::new(device);
    let start = now_ms();
    forward(&net, device).await?;
    let cold_ms = now_ms() - start;
    let start = now_ms();
    let values = forward(&net, device).await?;
    let warm_ms = now_ms() - start;
    Ok(ProbeRun {
        values,
        cold_ms,
        warm_ms,
    })
}

thread_local! {
    /// The page thread's WebGPU device once created: burn registers one per thread and refuses
    /// a second ("a server is still registered"), so later users (the benchmark hooks) share it.
    static GPU: std::cell::RefCell<Option<Device>> = const { std::cell::RefCell::new(None) };
}

/// Acquires burn's WebGPU device (the one already made on this thread, if any).
///
/// # Errors
/// Why the GPU device could not be created.
pub async fn gpu_device() -> Result<Device, String> {
    if let Some(device) = GPU.with(|g| g.borrow().clone()) {
        return Ok(device);
    }
    let device = devices::gpu()
        .await
        .map_err(|e| format!("burn could not start WebGPU: {e}"))?;
    GPU.with(|g| *g.borrow_mut() = Some(device.clone()));
    Ok(device)
}

/// The page's CPU device: burn's flex backend compiled to wasm (one thread, SIMD128).
pub fn cpu_device() -> Device {
    devices::flex()
}
