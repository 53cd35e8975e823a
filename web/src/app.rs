//! The page's root component.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::adapter::{self, AdapterInfo};
use crate::model;
use crate::scene_panel::Engine;
use crate::self_check::{self, ProbeRun};

/// Which backend computes, and why.
#[derive(Clone, Debug, PartialEq)]
enum Backend {
    /// WebGPU through burn's wgpu backend.
    Gpu(AdapterInfo),
    /// burn's flex CPU backend, with the reason WebGPU is not used.
    Cpu(String),
}

impl Backend {
    fn label(&self) -> String {
        match self {
            Backend::Gpu(info) => format!("GPU (WebGPU: {})", info.label()),
            Backend::Cpu(reason) => format!("CPU (WebGPU unavailable: {reason})"),
        }
    }
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

fn values_json(run: Option<ProbeRun>) -> String {
    run.map(|r| {
        let items: Vec<String> = r.values.iter().map(|v| format!("{v:e}")).collect();
        format!("[{}]", items.join(","))
    })
    .unwrap_or_default()
}

fn timing(run: Option<ProbeRun>) -> String {
    run.map(|r| format!("{:.0} ms cold, {:.0} ms warm", r.cold_ms, r.warm_ms))
        .unwrap_or_else(|| "—".into())
}

/// The page.
#[component]
pub fn App() -> impl IntoView {
    let backend = RwSignal::new(None::<Backend>);
    let status = RwSignal::new("detecting WebGPU…".to_string());
    let errors = RwSignal::new(Vec::<String>::new());
    let gpu_run = RwSignal::new(None::<ProbeRun>);
    let cpu_run = RwSignal::new(None::<ProbeRun>);
    let engine = Engine {
        model: RwSignal::new_local(None),
        gpu: RwSignal::new_local(None),
        detected: RwSignal::new(false),
    };
    spawn_local(async move {
        let loaded = model::fetch().await;
        if let Err(e) = &loaded {
            errors.update(|list| list.push(e.clone()));
        }
        engine.model.set(Some(loaded));
    });

    // The self-check reports on the shared status line only until the visitor starts a scene.
    let report = move |text: &str| {
        let current = status.get_untracked();
        if current.starts_with("self-check") || current.starts_with("detecting") {
            status.set(text.to_owned());
        }
    };
    spawn_local(async move {
        let mut gpu = None;
        if cpu_forced() {
            backend.set(Some(Backend::Cpu("disabled by ?backend=cpu".into())));
        } else {
            match adapter::request().await {
                Err(reason) => backend.set(Some(Backend::Cpu(reason))),
                Ok(info) => match self_check::gpu_device().await {
                    Ok(device) => {
                        gpu = Some(device);
                        backend.set(Some(Backend::Gpu(info)));
                    }
                    Err(reason) => backend.set(Some(Backend::Cpu(reason))),
                },
            }
        }

        report("self-check on CPU…");
        match self_check::run(&self_check::cpu_device()).await {
            Ok(run) => cpu_run.set(Some(run)),
            Err(e) => errors.update(|list| list.push(format!("CPU self-check failed: {e}"))),
        }
        if let Some(device) = gpu {
            report("self-check on WebGPU…");
            match self_check::run(&device).await {
                Ok(run) => {
                    gpu_run.set(Some(run));
                    engine.gpu.set(Some(device));
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
    });

    let max_diff = move || match (gpu_run.get(), cpu_run.get()) {
        (Some(g), Some(c)) => {
            format!(
                "{:.1e}",
                glacier_model::probe::max_abs_diff(&g.values, &c.values)
            )
        }
        _ => "—".into(),
    };
    let adapter_field = move |pick: fn(&AdapterInfo) -> String| {
        move || match backend.get() {
            Some(Backend::Gpu(info)) => {
                let value = pick(&info);
                if value.is_empty() {
                    "not disclosed by the browser".into()
                } else {
                    value
                }
            }
            _ => "—".into(),
        }
    };

    view! {
        <main>
            <header>
                <h1>"Glacier mapper"</h1>
                <p class="intro">
                    "Map glaciers in a Landsat 8/9 scene without leaving your browser: the scene is "
                    "read, calibrated and classified on this computer (on its GPU through WebGPU "
                    "when it has one), and nothing is uploaded anywhere."
                </p>
            </header>
            <crate::scene_panel::ScenePanel status=status errors=errors engine=engine />
            <p class="status" data-testid="status" role="status">{move || status.get()}</p>
            <ul class="errors" data-testid="errors" role="alert">
                {move || errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
            </ul>
            <section class="model">
                <h2>"Model"</h2>
                <p data-testid="model">
                    {move || engine.model.with(|m| match m {
                        None => "loading…".to_string(),
                        Some(Ok(m)) => m.describe(),
                        Some(Err(_)) => "not loaded (see the message above); the NDSI baseline still works".into(),
                    })}
                </p>
                // The model says what it was trained on (`glacier export --summary`), so the
                // page stays right when the model changes.
                <p class="caveat" data-testid="model-summary">
                    {move || engine.model.with(|m| match m {
                        Some(Ok(m)) if !m.bundle.header.summary.is_empty() => {
                            m.bundle.header.summary.clone()
                        }
                        _ => "Compare its map with the NDSI baseline; the model card \
                              (models/*.md in the project) says what it was trained on."
                            .to_string(),
                    })}
                </p>
            </section>
            <section class="backend">
                <h2>"Compute backend"</h2>
                <p class="backend-label" data-testid="backend">
                    {move || backend.get().map(|b| b.label()).unwrap_or_else(|| "detecting…".into())}
                </p>
                <dl>
                    <dt>"Adapter vendor"</dt>
                    <dd data-testid="adapter-vendor">{adapter_field(|i| i.vendor.clone())}</dd>
                    <dt>"Architecture"</dt>
                    <dd data-testid="adapter-architecture">{adapter_field(|i| i.architecture.clone())}</dd>
                    <dt>"Description"</dt>
                    <dd data-testid="adapter-description">{adapter_field(|i| i.description.clone())}</dd>
                    <dt>"Software / fallback adapter"</dt>
                    <dd data-testid="adapter-software">
                        {adapter_field(|i| if i.software { "yes".into() } else { "no".into() })}
                    </dd>
                </dl>
            </section>
            <section class="self-check">
                <h2>"Backend self-check"</h2>
                <p>
                    "A small fixed network (convolutions and an scSE block) runs on WebGPU and on the "
                    "CPU; both must give the same numbers."
                </p>
                <dl>
                    <dt>"WebGPU"</dt>
                    <dd data-testid="probe-gpu-time">{move || timing(gpu_run.get())}</dd>
                    <dt data-testid="probe-cpu-label">"CPU (burn flex)"</dt>
                    <dd data-testid="probe-cpu-time">{move || timing(cpu_run.get())}</dd>
                    <dt>"Largest difference"</dt>
                    <dd data-testid="probe-max-diff">{max_diff}</dd>
                </dl>
                <output hidden data-testid="probe-gpu">{move || values_json(gpu_run.get())}</output>
                <output hidden data-testid="probe-cpu">{move || values_json(cpu_run.get())}</output>
            </section>
        </main>
    }
}
