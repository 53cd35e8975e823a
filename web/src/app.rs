//! The page's root component.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::adapter::AdapterInfo;
use crate::backend::{self, Backend, Probes};
use crate::engine::Engine;
use crate::model;
use crate::self_check::ProbeRun;
use crate::test_hooks::{self, hang_if_asked};
use crate::timeout::{self, within};

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
    let offline = RwSignal::new(String::new());
    crate::offline::register(offline);
    let gpu_run = RwSignal::new(None::<ProbeRun>);
    let cpu_run = RwSignal::new(None::<ProbeRun>);
    let engine = Engine {
        models: RwSignal::new_local(None),
        gpu: RwSignal::new_local(None),
        detected: RwSignal::new(false),
    };
    spawn_local(async move {
        let limit = test_hooks::limit_ms("model", timeout::MODEL_MS);
        let what = format!("the download of the models {}", model::files());
        let loaded = within(limit, &what, async {
            hang_if_asked("model").await;
            model::fetch_all().await
        })
        .await
        .unwrap_or_else(|t| {
            Err(format!(
                "could not load the models: {t}; check the connection and reload the page (the \
                 NDSI baseline still works)"
            ))
        });
        if let Err(e) = &loaded {
            errors.update(|list| list.push(e.clone()));
        }
        engine.models.set(Some(loaded));
    });

    // The self-check reports on the shared status line only until the visitor starts a scene.
    let report = move |text: &str| {
        let current = status.get_untracked();
        if current.starts_with("self-check") || current.starts_with("detecting") {
            status.set(text.to_owned());
        }
    };
    let probes = Probes {
        gpu: gpu_run,
        cpu: cpu_run,
        verdict: RwSignal::new(None),
    };
    spawn_local(backend::detect(backend, probes, errors, engine, report));

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
                    "when it has one), and your files are never uploaded. Besides the page and its model "
                    "(from the site serving this page), the one thing fetched is the OpenStreetMap "
                    "basemap for the area on screen, which tells OpenStreetMap's tile servers roughly "
                    "where you are looking; switch it off under the map."
                </p>
                <p class="offline" data-testid="offline">{move || offline.get()}</p>
            </header>
            <crate::scene_panel::ScenePanel status=status errors=errors engine=engine />
            <p class="status" data-testid="status" role="status">{move || status.get()}</p>
            <ul class="errors" data-testid="errors" role="alert">
                {move || errors.get().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
            </ul>
            <section class="model">
                <h2>"Models"</h2>
                <p data-testid="model">
                    {move || engine.models.with(|m| match m {
                        None => "loading…".to_string(),
                        Some(Ok(m)) => format!(
                            "{} models, each SHA-256 verified; a scene gets the one that uses the \
                             most of its bands",
                            m.len()
                        ),
                        Some(Err(_)) => "not loaded (see the message above); the NDSI baseline still works".into(),
                    })}
                </p>
                <ul class="models" data-testid="models">
                    {move || engine.models.with(|m| match m {
                        Some(Ok(models)) => models.iter().map(model_item).collect_view().into_any(),
                        _ => ().into_any(),
                    })}
                </ul>
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
                    <dt>"Verdict"</dt>
                    <dd data-testid="probe-verdict">
                        {move || probes.verdict.get().unwrap_or_else(|| "—".into())}
                    </dd>
                </dl>
                <output hidden data-testid="probe-gpu">{move || values_json(gpu_run.get())}</output>
                <output hidden data-testid="probe-cpu">{move || values_json(cpu_run.get())}</output>
            </section>
        </main>
    }
}

/// One shipped model: its line, and what it was trained on in its own words
/// (`glacier export --summary`), so the page stays right when a model changes.
fn model_item(m: &model::LoadedModel) -> impl IntoView {
    let name = m.bundle.header.name.clone();
    let summary = if m.bundle.header.summary.is_empty() {
        "Compare its map with the NDSI baseline; the model card (models/*.md in the project) \
         says what it was trained on."
            .to_string()
    } else {
        m.bundle.header.summary.clone()
    };
    view! {
        <li data-testid=format!("model-{name}")>
            <span class="model-line">{m.describe()}</span>
            <p class="caveat" data-testid=format!("model-summary-{name}")>{summary}</p>
        </li>
    }
}
