//! The other backends natively must compute what ndarray computes: wgpu (the GPU path) and
//! burn's newer CPU backend, flex.
//!
//! On a machine without a GPU, wgpu runs on a software Vulkan driver (Mesa lavapipe, Debian
//! package `mesa-vulkan-drivers`). With no adapter at all the test is skipped with a message, except
//! under `CI=true`, where a missing adapter is a failure.

use glacier_model::probe::max_abs_diff;
use glacier_model::{ProbeNet, devices};
use std::sync::OnceLock;

/// The wgpu device, initialised once per test process (burn's runtime registers only once).
/// `None` (test skipped) without an adapter outside CI; a panic under `CI=true`.
fn gpu() -> Option<burn::tensor::Device> {
    static GPU: OnceLock<Result<burn::tensor::Device, String>> = OnceLock::new();
    match GPU.get_or_init(|| pollster::block_on(devices::gpu()).map_err(|e| e.to_string())) {
        Ok(device) => Some(device.clone()),
        Err(err) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: no wgpu adapter ({err}); install mesa-vulkan-drivers for lavapipe");
            None
        }
        Err(err) => panic!("CI=true but no wgpu adapter: {err}"),
    }
}

fn run(device: &burn::tensor::Device) -> Vec<f32> {
    ProbeNet::new(device)
        .forward(ProbeNet::input(device))
        .into_data()
        .try_to_vec::<f32>()
        .expect("probe output is f32")
}

#[test]
fn probe_on_wgpu_matches_ndarray() {
    let Some(gpu) = gpu() else { return };
    let on_gpu = run(&gpu);
    let on_cpu = run(&devices::cpu());
    let diff = max_abs_diff(&on_gpu, &on_cpu);
    eprintln!(
        "wgpu vs ndarray: {} values, max |diff| = {diff:e}",
        on_cpu.len()
    );
    assert!(diff <= 1e-4, "wgpu differs from ndarray by {diff}");
}

/// A small U-Net with the same weights on ndarray and on `other` must give the same output.
fn assert_unet_matches_ndarray(other: &burn::tensor::Device, name: &str) {
    use burn::module::Module;
    use glacier_model::UNetConfig;
    let cpu = devices::cpu();
    // Same weights on both devices: initialise once, then move.
    let net = UNetConfig::new(6)
        .with_depth(2)
        .with_base_width(8)
        .init(&cpu);
    let input = ProbeNet::input(&cpu);
    let on_cpu = net
        .forward(input.clone())
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32");
    let on_other = net
        .to_device(other)
        .forward(input.to_device(other))
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32");
    let diff = max_abs_diff(&on_other, &on_cpu);
    eprintln!(
        "U-Net {name} vs ndarray: {} values, max |diff| = {diff:e}",
        on_cpu.len()
    );
    assert!(diff <= 1e-4, "{name} differs from ndarray by {diff}");
}

#[test]
fn unet_on_wgpu_matches_ndarray() {
    let Some(gpu) = gpu() else { return };
    assert_unet_matches_ndarray(&gpu, "wgpu");
}

#[test]
fn unet_on_flex_matches_ndarray() {
    assert_unet_matches_ndarray(&devices::flex(), "flex");
}
