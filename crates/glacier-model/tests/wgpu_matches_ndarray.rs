//! The GPU path natively: the probe network on burn's wgpu backend must match ndarray.
//!
//! On a machine without a GPU, wgpu runs on a software Vulkan driver (Mesa lavapipe, Debian
//! package `mesa-vulkan-drivers`). With no adapter at all the test is skipped with a message, except
//! under `CI=true`, where a missing adapter is a failure.

use glacier_model::probe::max_abs_diff;
use glacier_model::{ProbeNet, devices};

fn run(device: &burn::tensor::Device) -> Vec<f32> {
    ProbeNet::new(device)
        .forward(ProbeNet::input(device))
        .into_data()
        .try_to_vec::<f32>()
        .expect("probe output is f32")
}

#[test]
fn probe_on_wgpu_matches_ndarray() {
    let gpu = match pollster::block_on(devices::gpu()) {
        Ok(device) => device,
        Err(err) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("SKIPPED: no wgpu adapter ({err}); install mesa-vulkan-drivers for lavapipe");
            return;
        }
        Err(err) => panic!("CI=true but no wgpu adapter: {err}"),
    };
    let on_gpu = run(&gpu);
    let on_cpu = run(&devices::cpu());
    let diff = max_abs_diff(&on_gpu, &on_cpu);
    eprintln!(
        "wgpu vs ndarray: {} values, max |diff| = {diff:e}",
        on_cpu.len()
    );
    assert!(diff <= 1e-4, "wgpu differs from ndarray by {diff}");
}
