//! The scene section: drop or pick files, see what was recognised, map glaciers, export.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{Clamped, JsCast};

use crate::assign::{self, Assignable, BandAssignment, Choice};
use crate::files;
use crate::mapping::{self, Compute, MapResult, Shown};
use crate::model::LoadedModel;
use crate::recognise::{self, Recognised};

/// Lets the browser paint between steps of a long computation.
async fn yield_now() {
    sleep_ms(0).await;
}

/// Resolves after `ms` milliseconds (a browser timer, so the page stays live).
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    pixels: &[u8],
    (w, h): (u32, u32),
) -> Result<(), String> {
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        .ok_or("the browser gave no 2D canvas")?;
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), w, h)
        .map_err(|e| format!("preview image: {e:?}"))?;
    ctx.put_image_data(&image, 0.0, 0.0)
        .map_err(|e| format!("preview image: {e:?}"))
}

fn blob_url(bytes: &[u8], mime: &str) -> Option<String> {
    let array = js_sys::Array::new();
    array.push(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&array, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// What the scene panel needs from the page: the model and the devices, once known.
#[derive(Clone, Copy)]
pub struct Engine {
    /// The shipped model, or why it did not load; `None` while loading.
    pub model: RwSignal<Option<Result<LoadedModel, String>>, LocalStorage>,
    /// The WebGPU device once it passed the self-check.
    pub gpu: RwSignal<Option<burn::tensor::Device>, LocalStorage>,
    /// Whether backend detection (and the self-check) has finished.
    pub detected: RwSignal<bool>,
}

impl Engine {
    /// Waits until the model and the backend are settled, then returns the model (if it loaded)
    /// and the devices to try, GPU first.
    async fn ready(self) -> (Option<LoadedModel>, Vec<Compute>) {
        while !self.detected.get_untracked() || self.model.with_untracked(Option::is_none) {
            sleep_ms(50).await;
        }
        let model = self.model.get_untracked().and_then(Result::ok);
        let mut computes = Vec::new();
        if let Some(device) = self.gpu.get_untracked() {
            computes.push(Compute {
                device,
                label: "GPU (WebGPU)".into(),
            });
        }
        computes.push(Compute {
            device: glacier_model::devices::cpu(),
            label: "CPU".into(),
        });
        (model, computes)
    }
}

/// The scene section. `status` and `errors` are the page-wide status line and error list.
#[component]
pub fn ScenePanel(
    status: RwSignal<String>,
    errors: RwSignal<Vec<String>>,
    engine: Engine,
) -> impl IntoView {
    let recognised = RwSignal::new(Vec::<Recognised>::new());
    let result = RwSignal::new_local(None::<MapResultView>);
    let shown = RwSignal::new(Shown::Network);
    let busy = RwSignal::new(false);
    let canvas = NodeRef::<html::Canvas>::new();

    // Redraw the preview whenever the result or the shown classifier changes.
    Effect::new(move |_| {
        let which = shown.get();
        result.with(|r| {
            if let (Some(r), Some(c)) = (r, canvas.get()) {
                let pixels = r.result.preview(which);
                if let Err(e) = draw(&c, &pixels, (r.result.base.1, r.result.base.2)) {
                    errors.update(|list| list.push(e));
                }
            }
        });
    });

    let sources = RwSignal::new_local(Vec::<glacier_inputs::BytesSource>::new());
    let assignable = RwSignal::new(Vec::<Assignable>::new());
    let chosen = RwSignal::new(Vec::<Choice>::new());

    // Marks the panel busy; false (with a message) when a run is already going.
    let claim = move || {
        if busy.get_untracked() {
            errors.update(|e| {
                e.push("A scene is being mapped; wait for it to finish before adding files.".into())
            });
            return false;
        }
        busy.set(true);
        true
    };

    // Maps the files held in `sources` with the visitor's band choices.
    let map_scene = move || {
        if !claim() {
            return;
        }
        spawn_local(async move {
            status.set("waiting for the model and the backend…".into());
            let (model, computes) = engine.ready().await;
            let outcome = mapping::run(
                sources.get_untracked(),
                chosen.get_untracked(),
                model,
                computes,
                |stage, done, total| async move {
                    status.set(format!("mapping: {stage}… {} %", done * 100 / total.max(1)));
                    yield_now().await;
                },
            )
            .await;
            match outcome {
                Ok(r) => {
                    if r.network.is_none() {
                        shown.set(Shown::Ndsi);
                    }
                    result.set(Some(MapResultView::new(r)));
                    status.set("mapping done".into());
                }
                Err(e) => {
                    errors.update(|list| list.push(e));
                    status.set(
                        "mapping stopped: see the message below; add or replace files to try again"
                            .into(),
                    );
                }
            }
            busy.set(false);
        });
    };

    let take_files = move |list: Option<web_sys::FileList>| {
        let Some(list) = list else { return };
        if !claim() {
            return;
        }
        spawn_local(async move {
            status.set("reading files…".into());
            let (read, read_errors) = files::read_all(list).await;
            errors.update(|e| e.extend(read_errors));
            recognised.set(read.iter().map(|s| recognise::describe(&s.name)).collect());
            let others = assign::assignables(&read);
            let has_landsat89 = read.iter().any(|s| assign::is_landsat89(&s.name));
            chosen.set(Vec::new());
            assignable.set(if has_landsat89 {
                Vec::new()
            } else {
                others.clone()
            });
            sources.set(read);
            busy.set(false);
            if has_landsat89 || others.is_empty() {
                map_scene();
                return;
            }
            // Only files without a Landsat 8/9 name: the visitor says what they hold first.
            let landsat_other: Vec<String> = others
                .iter()
                .filter_map(|a| {
                    let parsed = glacier_landsat::LandsatFileName::parse(&a.name)?;
                    Some(format!(
                        "{} is a {} file; the model takes Landsat 8/9 (OLI/TIRS) bands. Use a \
                         Landsat 8 or 9 scene, or, if you know what its bands hold, choose them \
                         below and press Map.",
                        a.name, parsed.mission
                    ))
                })
                .collect();
            errors.update(|e| e.extend(landsat_other));
            status.set(
                "mapping stopped: no file has a Landsat 8/9 name; choose what their bands hold \
                 (below), then press Map"
                    .into(),
            );
        });
    };

    let on_change = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        take_files(input.and_then(|i| i.files()));
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        take_files(ev.data_transfer().and_then(|d| d.files()));
    };
    // Reads a number of the shown classification.
    let stat = move |f: fn(&MapResultView, Shown) -> String| {
        move || result.with(|r| r.as_ref().map(|r| f(r, shown.get())).unwrap_or_default())
    };
    let has = move |which: Shown| {
        move || {
            result.with(|r| {
                r.as_ref().is_some_and(|r| match which {
                    Shown::Network => r.result.network.is_some(),
                    Shown::Ndsi => r.result.ndsi.is_some(),
                })
            })
        }
    };

    view! {
        <section class="scene">
            <h2>"Your scene"</h2>
            <p>
                "Drop the band GeoTIFFs of a Landsat 8/9 scene with its MTL file, or NASA HLS L30 "
                "bands. The network takes green (B3), red (B4) and NIR (B5); the NDSI baseline takes "
                "green and SWIR1 (B6); QA_PIXEL masks clouds. Nothing leaves this computer."
            </p>
            <label class="drop" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
                "Drop files here, or "
                <input type="file" multiple data-testid="scene-files" on:change=on_change />
            </label>
            <table class="recognised" data-testid="recognised">
                <tbody>
                    {move || recognised.get().into_iter().map(|r| view! {
                        <tr><td>{r.name}</td><td>{r.what}</td><td>{r.scene}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <BandAssignment files=assignable chosen=chosen />
            <button data-testid="map-scene" class:hidden=move || assignable.with(Vec::is_empty)
                prop:disabled=move || busy.get() || chosen.with(Vec::is_empty)
                on:click=move |_| map_scene()>
                "Map"
            </button>
            <div class="result" class:hidden=move || result.with(Option::is_none)>
                <fieldset class="classifier" data-testid="classifier">
                    <legend>"Show"</legend>
                    <label>
                        <input type="radio" name="shown" data-testid="show-network"
                            prop:checked=move || shown.get() == Shown::Network
                            prop:disabled=move || !has(Shown::Network)()
                            on:change=move |_| shown.set(Shown::Network) />
                        " the trained network"
                    </label>
                    <label>
                        <input type="radio" name="shown" data-testid="show-ndsi"
                            prop:checked=move || shown.get() == Shown::Ndsi
                            prop:disabled=move || !has(Shown::Ndsi)()
                            on:change=move |_| shown.set(Shown::Ndsi) />
                        " the NDSI baseline (snow index > 0.4): the classical method, for comparison"
                    </label>
                </fieldset>
                <ul class="notes" data-testid="notes">
                    {move || result.with(|r| r.as_ref().map(|r| r.result.notes.clone()).unwrap_or_default())
                        .into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                </ul>
                <dl>
                    <dt>"Classifier"</dt>
                    <dd data-testid="classifier-used">{stat(|r, s| r.result.pick(s).map(|c| c.label.clone()).unwrap_or_default())}</dd>
                    <dt>"Glacier area"</dt>
                    <dd><span data-testid="glacier-area-km2">{stat(|r, s| r.result.pick(s).map(|c| format!("{:.2}", c.glacier as f64 * r.result.pixel_km2)).unwrap_or_default())}</span>" km²"</dd>
                    <dt>"Glacier pixels"</dt>
                    <dd data-testid="glacier-pixels">{stat(|r, s| r.result.pick(s).map(|c| c.glacier.to_string()).unwrap_or_default())}</dd>
                    <dt>"Glacier share of valid pixels"</dt>
                    <dd data-testid="glacier-share">{stat(|r, s| r.result.pick(s).map(|c| format!("{:.1} %", share(c.glacier, c.valid) * 100.0)).unwrap_or_default())}</dd>
                    <dt>"No data (fill, cloud)"</dt>
                    <dd data-testid="nodata-share">{stat(|r, s| r.result.pick(s).map(|c| format!("{:.1} %", share(r.result.pixels() - c.valid, r.result.pixels()) * 100.0)).unwrap_or_default())}</dd>
                    <dt>"Scene"</dt>
                    <dd data-testid="scene-grid">{stat(|r, _| format!("{} × {} px, {}", r.result.size.0, r.result.size.1, r.result.grid))}</dd>
                    <dt>"Against the outlines"</dt>
                    <dd data-testid="scores">{stat(|r, s| match (r.result.pick(s).and_then(|c| c.scores), &r.result.outlines) {
                        (Some(sc), Some(file)) => format!("IoU {:.3}, precision {:.3}, recall {:.3} ({} px compared; outside {} counts as not glacier)", sc.iou, sc.precision, sc.recall, sc.pixels, file),
                        _ => "no outlines dropped (add a GeoJSON or a shapefile's .shp and .prj to compare)".into(),
                    })}</dd>
                    <dt>"Preview"</dt>
                    <dd>{stat(|r, _| format!("false colour {}, glacier in cyan", r.result.composite))}</dd>
                </dl>
                <canvas node_ref=canvas class="preview" data-testid="preview"></canvas>
                <p>
                    <a data-testid="export-geotiff" download="glacier_mask.tif"
                        href=stat(|r, s| r.url(s).unwrap_or_default())>
                        "Download the mask as GeoTIFF"
                    </a>
                    " (1 glacier, 0 not, 255 no data; on the scene's grid and CRS)"
                </p>
            </div>
        </section>
    }
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A [`MapResult`] with its GeoTIFFs as blob URLs.
pub struct MapResultView {
    result: MapResult,
    network_url: Option<String>,
    ndsi_url: Option<String>,
}

impl MapResultView {
    fn new(result: MapResult) -> Self {
        let url = |c: &Option<mapping::Classification>| {
            c.as_ref().and_then(|c| blob_url(&c.geotiff, "image/tiff"))
        };
        MapResultView {
            network_url: url(&result.network),
            ndsi_url: url(&result.ndsi),
            result,
        }
    }

    /// The download URL of the shown mask.
    fn url(&self, shown: Shown) -> Option<String> {
        match (shown, &self.network_url, &self.ndsi_url) {
            (Shown::Network, Some(u), _) | (Shown::Ndsi, _, Some(u)) => Some(u.clone()),
            (_, n, d) => n.clone().or(d.clone()),
        }
    }
}

impl Drop for MapResultView {
    fn drop(&mut self) {
        for url in [&self.network_url, &self.ndsi_url].into_iter().flatten() {
            let _ = web_sys::Url::revoke_object_url(url);
        }
    }
}
