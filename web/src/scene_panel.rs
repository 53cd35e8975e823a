//! The scene section: drop or pick files, see what was recognised, map glaciers, export.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{Clamped, JsCast};

use crate::files;
use crate::mapping::{self, MapResult};
use crate::recognise::{self, Recognised};

/// Lets the browser paint between steps of a long computation.
async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    (pixels, w, h): &(Vec<u8>, u32, u32),
) -> Result<(), String> {
    canvas.set_width(*w);
    canvas.set_height(*h);
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        .ok_or("the browser gave no 2D canvas")?;
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), *w, *h)
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

/// The scene section. `status` and `errors` are the page-wide status line and error list.
#[component]
pub fn ScenePanel(status: RwSignal<String>, errors: RwSignal<Vec<String>>) -> impl IntoView {
    let recognised = RwSignal::new(Vec::<Recognised>::new());
    let result = RwSignal::new(None::<MapResultView>);
    let busy = RwSignal::new(false);
    let canvas = NodeRef::<html::Canvas>::new();

    let take_files = move |list: Option<web_sys::FileList>| {
        let Some(list) = list else { return };
        if busy.get_untracked() {
            errors.update(|e| {
                e.push("A scene is being mapped; wait for it to finish before adding files.".into())
            });
            return;
        }
        busy.set(true);
        spawn_local(async move {
            status.set("reading files…".into());
            let (sources, read_errors) = files::read_all(list).await;
            errors.update(|e| e.extend(read_errors));
            recognised.set(
                sources
                    .iter()
                    .map(|s| recognise::describe(&s.name))
                    .collect(),
            );
            status.set("mapping glaciers (NDSI baseline)… 0 %".into());
            let outcome = mapping::run(sources, |done, total| async move {
                status.set(format!(
                    "mapping glaciers (NDSI baseline)… {} %",
                    done * 100 / total.max(1)
                ));
                yield_now().await;
            })
            .await;
            match outcome {
                Ok(r) => {
                    if let Some(c) = canvas.get_untracked()
                        && let Err(e) = draw(&c, &r.preview)
                    {
                        errors.update(|list| list.push(e));
                    }
                    result.set(Some(MapResultView::from(&r)));
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

    let on_change = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        take_files(input.and_then(|i| i.files()));
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        take_files(ev.data_transfer().and_then(|d| d.files()));
    };

    view! {
        <section class="scene">
            <h2>"Your scene"</h2>
            <p>
                "Drop the band GeoTIFFs of a Landsat 8/9 scene (at least green B3 and SWIR1 B6; "
                "NIR B5 and QA_PIXEL help) with its MTL file, or NASA HLS L30 bands. Nothing leaves "
                "this computer."
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
            <div class="result" class:hidden=move || result.get().is_none()>
                <p class="classifier">
                    "Classifier: NDSI threshold (NDSI > 0.4, NIR > 0.11) – the classical baseline. "
                    "The trained network is not shipped yet."
                </p>
                <dl>
                    <dt>"Glacier area"</dt>
                    <dd><span data-testid="glacier-area-km2">{move || result.get().map(|r| format!("{:.2}", r.glacier_km2)).unwrap_or_default()}</span>" km²"</dd>
                    <dt>"Glacier share of valid pixels"</dt>
                    <dd data-testid="glacier-share">{move || result.get().map(|r| format!("{:.1} %", r.glacier_share * 100.0)).unwrap_or_default()}</dd>
                    <dt>"No data (fill, cloud)"</dt>
                    <dd data-testid="nodata-share">{move || result.get().map(|r| format!("{:.1} %", r.nodata_share * 100.0)).unwrap_or_default()}</dd>
                    <dt>"Scene"</dt>
                    <dd data-testid="scene-grid">{move || result.get().map(|r| format!("{} × {} px, {}", r.size.0, r.size.1, r.grid)).unwrap_or_default()}</dd>
                    <dt>"Preview"</dt>
                    <dd>{move || result.get().map(|r| format!("false colour {}, glacier in cyan", r.composite)).unwrap_or_default()}</dd>
                </dl>
                <canvas node_ref=canvas class="preview" data-testid="preview"></canvas>
                <p>
                    <a data-testid="export-geotiff" download="glacier_mask.tif"
                        href=move || result.get().and_then(|r| r.geotiff_url).unwrap_or_default()>
                        "Download the mask as GeoTIFF"
                    </a>
                    " (1 glacier, 0 not, 255 no data; on the scene's grid and CRS)"
                </p>
            </div>
        </section>
    }
}

/// What the view keeps of a [`MapResult`] (the GeoTIFF becomes a blob URL).
#[derive(Clone, Debug, PartialEq)]
pub struct MapResultView {
    glacier_km2: f64,
    glacier_share: f64,
    nodata_share: f64,
    size: (u32, u32),
    grid: String,
    composite: String,
    geotiff_url: Option<String>,
}

impl From<&MapResult> for MapResultView {
    fn from(r: &MapResult) -> Self {
        MapResultView {
            glacier_km2: r.glacier_km2,
            glacier_share: r.glacier_share,
            nodata_share: r.nodata_share,
            size: r.size,
            grid: r.grid.clone(),
            composite: r.composite.clone(),
            geotiff_url: blob_url(&r.geotiff, "image/tiff"),
        }
    }
}
