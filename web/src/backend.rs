//! Which backend computes: the WebGPU adapter, burn's WebGPU device, the self-check on both
//! backends and the gate on it ([`glacier_model::gate`]), each browser step with a time limit
//! ([`crate::timeout`]), so a hung step ends in the CPU, with the reason shown.

use glacier_model::gate::Gate;
use leptos::prelude::*;

use crate::adapter::{self, AdapterInfo};
use crate::engine::Engine;
use crate::self_check::{self, ProbeRun};
use crate::test_hooks::{self, hang_if_asked};
use crate::timeout::{self, within};

/// Which backend computes, and why.
#[derive(Clone, Debug, PartialEq)]
pub enum Backend {
    /// WebGPU through burn's wgpu backend.
    Gpu(AdapterInfo),
    /// burn's flex CPU backend, with the reason WebGPU is not available.
    Cpu(String),
    /// burn's flex CPU backend because WebGPU failed the self-check (the sentence says how).
    Refused(String),
}

impl Backend {
    /// The label the page shows.
    pub fn label(&self) -> String {
        match self {
            Backend::Gpu(info) => format!("GPU (WebGPU: {})", info.label()),
            Backend::Cpu(reason) => format!("CPU (WebGPU unavailable: {reason})"),
            Backend::Refused(sentence) => format!("CPU ({sentence})"),
        }
    }
}

/// The self-check's outputs and verdict, as the page shows them.
#[derive(Clone, Copy)]
pub struct Probes {
    /// On WebGPU.
    pub gpu: RwSignal<Option<ProbeRun>>,
    /// On the CPU.
    pub cpu: RwSignal<Option<ProbeRun>>,
    /// The gate's sentence, once both ran.
    pub verdict: RwSignal<Option<String>>,
}

/// `?backend=cpu` in the address forces the CPU path (for comparing the two, and for tests).
fn cpu_forced() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| {
            q.trim_start_matches('?')
                .split('&')
                .any(|p| p == "backend=cpu")
        })
}

/// The WebGPU adapter and device, or why not.
async fn open_gpu() -> Result<(AdapterInfo, burn::tensor::Device), String> {
    let limit = test_hooks::limit_ms("adapter", timeout::ADAPTER_MS);
    let info = within(limit, "the WebGPU adapter request", async {
        hang_if_asked("adapter").await;
        adapter::request().await
    })
    .await
    .map_err(|t| t.to_string())??;
    let limit = test_hooks::limit_ms("gpu", timeout::GPU_START_MS);
    let device = within(limit, "starting WebGPU", async {
        hang_if_asked("gpu").await;
        self_check::gpu_device().await
    })
    .await
    .map_err(|t| t.to_string())??;
    Ok((info, device))
}

/// Finds the backend, runs the self-check on the CPU and on WebGPU, and hands WebGPU to
/// `engine` only when it agrees with the CPU. `report` gets each step for the status line.
pub async fn detect(
    backend: RwSignal<Option<Backend>>,
    probes: Probes,
    errors: RwSignal<Vec<String>>,
    engine: Engine,
    report: impl Fn(&str),
) {
    let mut gpu = None;
    if cpu_forced() {
        backend.set(Some(Backend::Cpu("disabled by ?backend=cpu".into())));
    } else {
        match open_gpu().await {
            Ok((info, device)) => {
                gpu = Some(device);
                backend.set(Some(Backend::Gpu(info)));
            }
            Err(reason) => backend.set(Some(Backend::Cpu(reason))),
        }
    }

    report("self-check on CPU…");
    match self_check::run(&self_check::cpu_device()).await {
        Ok(run) => probes.cpu.set(Some(run)),
        Err(e) => errors.update(|list| list.push(format!("CPU self-check failed: {e}"))),
    }
    if let Some(device) = gpu {
        report("self-check on WebGPU…");
        let limit = test_hooks::limit_ms("self-check", timeout::SELF_CHECK_MS);
        let checked = within(limit, "the probe network on WebGPU", async {
            hang_if_asked("self-check").await;
            self_check::run(&device).await
        })
        .await
        .map_err(|t| t.to_string())
        .and_then(|r| r);
        match checked {
            Ok(mut run) => {
                if let Some(offset) = test_hooks::gpu_offset() {
                    run.values.iter_mut().for_each(|v| *v += offset);
                }
                let gate = probes
                    .cpu
                    .with_untracked(|c| c.as_ref().map(|c| Gate::judge(&run.values, &c.values)));
                probes.gpu.set(Some(run));
                match gate {
                    Some(gate) if gate.passed() => {
                        probes.verdict.set(Some(gate.sentence()));
                        engine.gpu.set(Some(device));
                    }
                    Some(gate) => {
                        probes.verdict.set(Some(gate.sentence()));
                        backend.set(Some(Backend::Refused(gate.sentence())));
                    }
                    None => backend.set(Some(Backend::Cpu(
                        "the CPU self-check failed, so WebGPU could not be checked against it"
                            .into(),
                    ))),
                }
            }
            Err(e) => {
                errors.update(|list| list.push(format!("WebGPU self-check failed: {e}")));
                backend.set(Some(Backend::Cpu(format!(
                    "WebGPU failed the self-check: {e}"
                ))));
            }
        }
    }
    engine.detected.set(true);
    report("self-check done");
}
