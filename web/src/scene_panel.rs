//! The scene section: drop or pick files, see what was recognised, map glaciers, export.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::assign::{self, Assignable, BandAssignment, Choice};
use crate::engine::Engine;
use crate::exports::{ExportBlobs, Exports};
use crate::files;
use crate::map_result::{MapResult, Shown};
use crate::map_view::{MapLayers, MapView, draw, png_data_url};
use crate::mapping::{self, Compute};
use crate::model::LoadedModel;
use crate::panic_report;
use crate::tiff_header;
use crate::timeout::yield_now;
use crate::timing::{Timings, now_ms};
use crate::worker::Job;
use crate::worker_client::{self, Canceller, RunError};
use glacier_inputs::recognise::{self, Recognised};

/// The status line after Cancel.
const CANCELLED_STATUS: &str = "mapping cancelled; what was shown before is still shown";

/// Maps on the page's own thread (when no worker could start): reads the files, then runs
/// [`mapping::run`], yielding between steps so the page paints and Cancel is seen.
async fn map_on_page(
    list: Vec<web_sys::File>,
    choices: Vec<Choice>,
    model: Option<LoadedModel>,
    computes: Vec<Compute>,
    status: RwSignal<String>,
    cancel: RwSignal<bool>,
) -> Result<(MapResult, Vec<String>), String> {
    let started = now_ms();
    let (sources, read_errors) = files::read_all(&list).await;
    if cancel.get_untracked() {
        return Err(mapping::CANCELLED.into());
    }
    let read_ms = now_ms() - started;
    let read_mb = crate::timing::wasm_memory_bytes() / 1_048_576.0;
    let mut result = mapping::run(
        sources,
        choices,
        model,
        computes,
        |stage, done, total| async move {
            status.set(progress_text(&stage, done, total));
            yield_now().await;
            !cancel.get_untracked()
        },
    )
    .await?;
    result
        .timings
        .0
        .insert(0, ("read files into memory".into(), read_ms, read_mb));
    Ok((result, read_errors))
}

fn progress_text(stage: &str, done: usize, total: usize) -> String {
    format!("mapping: {stage}… {} %", done * 100 / total.max(1))
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
    let cancel = RwSignal::new(false);
    let canceller = StoredValue::new_local(Canceller::default());
    let canvas = NodeRef::<html::Canvas>::new();
    let layers = RwSignal::new(None::<MapLayers>);
    // Drawing the map's layers, timed outside `mapping::run`.
    let render_ms = RwSignal::new(0.0);
    let opacity = RwSignal::new(0.7);

    // Redraw the map's layers (or, when the scene cannot be placed, the flat preview) whenever
    // the result or the shown classifier changes.
    Effect::new(move |_| {
        let which = shown.get();
        result.with(|r| {
            let Some(r) = r else {
                layers.set(None);
                return;
            };
            let started = now_ms();
            let flat = || match canvas.get() {
                Some(c) => draw(
                    &c,
                    &r.result.preview(which),
                    (r.result.base.1, r.result.base.2),
                ),
                None => Ok(()),
            };
            let drawn = match r.map_layers(which) {
                Some(Ok(l)) => {
                    layers.set(Some(l));
                    Ok(())
                }
                // All or nothing: the last scene's overlays never stay beside these numbers.
                Some(Err(e)) => {
                    layers.set(None);
                    Err(match flat() {
                        Ok(()) => format!(
                            "The map could not be drawn ({e}); its earlier layers were removed, \
                             and the flat preview below shows this scene."
                        ),
                        Err(also) => format!(
                            "The map could not be drawn ({e}; {also}); its earlier layers were \
                             removed: the numbers and downloads are for this scene."
                        ),
                    })
                }
                None => {
                    layers.set(None);
                    flat()
                }
            };
            if let Err(e) = drawn {
                errors.update(|list| list.push(e));
            }
            render_ms.set(now_ms() - started);
        });
    });

    // Messages asking the visitor to assign bands; they leave the error list once Map is pressed.
    let hints = RwSignal::new(Vec::<String>::new());
    let files = RwSignal::new_local(Vec::<web_sys::File>::new());
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
        cancel.set(false);
        let answered = hints.get_untracked();
        errors.update(|list| list.retain(|e| !answered.contains(e)));
        spawn_local(async move {
            status.set("waiting for the model and the backend…".into());
            let Some((model, computes)) = engine.ready(cancel).await else {
                status.set(CANCELLED_STATUS.into());
                busy.set(false);
                return;
            };
            let list = files.get_untracked();
            let choices = chosen.get_untracked();
            let job = Job {
                choices: choices.clone(),
                model: model.as_ref().map(|m| m.bytes.clone()),
                gpu: computes.len() > 1,
            };
            status.set("mapping: starting the worker…".into());
            let canceller = canceller.get_value();
            let outcome = match worker_client::map(&list, &job, &canceller, |stage, done, total| {
                status.set(progress_text(&stage, done, total))
            })
            .await
            {
                Ok((r, read_errors, exports)) => {
                    Ok((r, read_errors, exports, "a background worker".to_string()))
                }
                Err(RunError::NoWorker(_)) if cancel.get_untracked() => {
                    Err(RunError::Stopped(mapping::CANCELLED.into()))
                }
                Err(RunError::NoWorker(why)) => {
                    web_sys::console::warn_1(&format!("no mapping worker: {why}").into());
                    map_on_page(list, choices, model, computes, status, cancel)
                        .await
                        .map(|(mut r, e)| {
                            let exports = Exports::take(&mut r);
                            (
                                r,
                                e,
                                exports,
                                format!("the page's thread (no worker: {why})"),
                            )
                        })
                        .map_err(RunError::Stopped)
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok((r, read_errors, exports, ran_in)) => {
                    errors.update(|list| list.extend(read_errors));
                    if r.network.is_none() {
                        shown.set(Shown::Ndsi);
                    }
                    result.set(Some(MapResultView::new(r, exports, ran_in)));
                    status.set("mapping done".into());
                }
                Err(RunError::Stopped(e) | RunError::NoWorker(e)) if e == mapping::CANCELLED => {
                    status.set(CANCELLED_STATUS.into())
                }
                Err(RunError::Stopped(e) | RunError::NoWorker(e)) => {
                    errors.update(|list| list.push(e));
                    status.set(
                        "mapping stopped: see the message below; add or replace files to try again"
                            .into(),
                    );
                }
                Err(RunError::Panicked(message)) => {
                    panic_report::show(&message);
                    status.set(
                        "mapping stopped: the mapping worker hit an internal error (reported above)"
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
        cancel.set(false);
        spawn_local(async move {
            status.set("reading files…".into());
            let files::Screened {
                files: mut kept,
                mut refused,
                errors: mut file_errors,
            } = files::screen(list);
            // Band counts of the GeoTIFFs without a Landsat 8/9 name, from their headers (a few
            // small pieces; never the pixels, nor more of a file that is not a TIFF).
            // Landsat-named files are not read on this thread.
            let mut others = Vec::new();
            let mut unreadable = Vec::new();
            for file in kept
                .iter()
                .filter(|f| assign::needs_bands_chosen(&f.name()))
            {
                if cancel.get_untracked() {
                    break;
                }
                match tiff_header::band_count(file).await {
                    Ok(Some(bands)) => others.push(Assignable {
                        name: file.name(),
                        bands,
                    }),
                    Ok(None) => {}
                    Err(e) => {
                        file_errors.push(e);
                        unreadable.push(file.name());
                    }
                }
            }
            if cancel.get_untracked() {
                // Nothing of the new files is taken: the page stays as it was.
                status.set(CANCELLED_STATUS.into());
                busy.set(false);
                return;
            }
            kept.retain(|f| !unreadable.contains(&f.name()));
            refused.extend(
                unreadable
                    .into_iter()
                    .map(|name| (name, "not read: see the message below".into())),
            );
            errors.update(|e| e.extend(file_errors));
            recognised.set(
                kept.iter()
                    .map(|f| recognise::describe(&f.name()))
                    .chain(refused.into_iter().map(|(name, why)| Recognised {
                        name,
                        what: why,
                        scene: String::new(),
                    }))
                    .collect(),
            );
            let has_landsat89 = kept
                .iter()
                .any(|f| assign::is_landsat89(&f.name()) || assign::is_archive(&f.name()));
            chosen.set(Vec::new());
            assignable.set(if has_landsat89 {
                Vec::new()
            } else {
                others.clone()
            });
            files.set(kept);
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
            hints.set(landsat_other.clone());
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

    // Every stage of the last run, file reading and map drawing included.
    let all_timings = move || {
        let mut t = Timings::default();
        result.with(|r| {
            if let Some(r) = r {
                t.0.extend(r.result.timings.0.iter().cloned());
            }
        });
        t.0.push((
            "render map layers (PNG)".into(),
            render_ms.get(),
            crate::timing::wasm_memory_bytes() / 1_048_576.0,
        ));
        t
    };

    view! {
        <section class="scene">
            <h2>"Your scene"</h2>
            <p>
                "Drop a Landsat 8/9 scene as USGS delivers it (the .tar, or .tar.gz), or its band "
                "GeoTIFFs with the MTL file, or NASA HLS L30 bands. The network takes green (B3), "
                "red (B4) and NIR (B5); the NDSI baseline and the plausibility rule take green, "
                "SWIR1 (B6) and NIR; QA_PIXEL masks clouds. Your files stay on this computer: they "
                "are read and classified here, never uploaded."
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
            <button data-testid="cancel" class:hidden=move || !busy.get()
                prop:disabled=move || cancel.get()
                on:click=move |_| {
                    cancel.set(true);
                    canceller.with_value(Canceller::cancel);
                }>
                "Cancel"
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
                <MapView layers=layers.into() opacity=opacity errors=errors />
                <div class="map-controls">
                    <label>
                        "Glacier layer opacity "
                        <input type="range" min="0" max="1" step="0.05" data-testid="opacity"
                            prop:value=move || opacity.get().to_string()
                            on:input=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                    opacity.set(v);
                                }
                            } />
                    </label>
                    <ul class="legend" data-testid="legend">
                        <li><span class="swatch glacier"></span>{stat(|r, s| format!("glacier ({})", r.result.pick(s).map(|c| c.label.clone()).unwrap_or_default()))}</li>
                        <li class:hidden=move || result.with(|r| r.as_ref().is_none_or(|r| r.result.outlines.is_none()))>
                            <span class="swatch outlines"></span>{stat(|r, _| format!("your outlines ({})", r.result.outlines.clone().unwrap_or_default()))}
                        </li>
                        <li><span class="swatch scene"></span>{stat(|r, _| format!("the scene in false colour ({})", r.result.composite))}</li>
                    </ul>
                </div>
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
                    <dt>"Computed in"</dt>
                    <dd data-testid="ran-in">{stat(|r, _| r.ran_in.clone())}</dd>
                    <dt>"Scene"</dt>
                    <dd data-testid="scene-grid">{stat(|r, _| format!("{} × {} px, {}", r.result.size.0, r.result.size.1, r.result.grid))}</dd>
                    <dt>"Against the outlines"</dt>
                    <dd data-testid="scores">{stat(|r, s| match (r.result.pick(s).and_then(|c| c.scores), &r.result.outlines) {
                        (Some(sc), Some(file)) => format!("IoU {:.3}, precision {:.3}, recall {:.3} ({} px compared; outside {} counts as not glacier)", sc.iou, sc.precision, sc.recall, sc.pixels, file),
                        _ => "none compared (to compare, add a GeoJSON or a shapefile's .shp and .prj; see the notes if you did)".into(),
                    })}</dd>
                    <dt>"Preview"</dt>
                    <dd>{stat(|r, _| format!("false colour {}, glacier in cyan", r.result.composite))}</dd>
                </dl>
                <canvas node_ref=canvas class="preview" data-testid="preview"
                    class:hidden=move || layers.with(Option::is_some)></canvas>
                <ul class="exports">
                    <li>
                        <a data-testid="export-geotiff" download="glacier_mask.tif"
                            href=stat(|r, s| r.url(s, Export::GeoTiff).unwrap_or_default())>
                            "the mask as GeoTIFF"
                        </a>
                        " (1 glacier, 0 not, 255 no data; on the scene's grid and CRS)"
                    </li>
                    <li>
                        <a data-testid="export-geojson" download="glacier_outlines.geojson"
                            href=stat(|r, s| r.url(s, Export::GeoJson).unwrap_or_default())>
                            "the glacier outlines as GeoJSON"
                        </a>
                        " (one polygon per glacier patch along pixel edges, WGS 84 lon/lat, with pixels and km²)"
                    </li>
                    <li>
                        <a data-testid="export-png" download="glacier_map.png" href="#"
                            on:click=move |ev: leptos::ev::MouseEvent| save_picture(&ev, result, shown, opacity, errors)>
                            "the map view as PNG"
                        </a>
                        " (false colour, glacier and outlines as on the map, Web Mercator)"
                    </li>
                </ul>
                <details class="timings">
                    <summary>"How long each step took"</summary>
                    <dl>
                        {move || all_timings().0.into_iter().map(|(stage, ms, _)| view! {
                            <dt>{stage}</dt><dd>{format!("{ms:.0} ms")}</dd>
                        }).collect_view()}
                    </dl>
                    <output hidden data-testid="timings">{move || all_timings().to_json(result.with(|r| r.as_ref().map(|r| r.result.memory_mb)))}</output>
                </details>
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

/// What a download link offers.
#[derive(Clone, Copy)]
enum Export {
    GeoTiff,
    GeoJson,
}

/// Blob URLs of one classification's exports.
struct ExportUrls {
    geotiff: Option<String>,
    geojson: Option<String>,
}

impl ExportUrls {
    fn new(blobs: &ExportBlobs) -> ExportUrls {
        let url = |b: &Option<web_sys::Blob>| {
            b.as_ref()
                .and_then(|b| web_sys::Url::create_object_url_with_blob(b).ok())
        };
        ExportUrls {
            geotiff: url(&blobs.geotiff),
            geojson: url(&blobs.geojson),
        }
    }

    fn get(&self, export: Export) -> Option<&String> {
        match export {
            Export::GeoTiff => self.geotiff.as_ref(),
            Export::GeoJson => self.geojson.as_ref(),
        }
    }
}

impl Drop for ExportUrls {
    fn drop(&mut self) {
        for url in [&self.geotiff, &self.geojson].into_iter().flatten() {
            let _ = web_sys::Url::revoke_object_url(url);
        }
    }
}

/// A [`MapResult`] with its exports as blob URLs.
pub struct MapResultView {
    result: MapResult,
    /// Where the run computed: a background worker, or the page's thread and why.
    ran_in: String,
    network: Option<ExportUrls>,
    ndsi: Option<ExportUrls>,
}

impl MapResultView {
    fn new(result: MapResult, exports: Exports, ran_in: String) -> Self {
        MapResultView {
            ran_in,
            network: result
                .network
                .is_some()
                .then(|| ExportUrls::new(&exports.network)),
            ndsi: result
                .ndsi
                .is_some()
                .then(|| ExportUrls::new(&exports.ndsi)),
            result,
        }
    }

    /// The download URL of the shown classification's `export`.
    fn url(&self, shown: Shown, export: Export) -> Option<String> {
        let pick = match (shown, &self.network, &self.ndsi) {
            (Shown::Network, Some(u), _) | (Shown::Ndsi, _, Some(u)) => Some(u),
            (_, n, d) => n.as_ref().or(d.as_ref()),
        };
        pick.and_then(|u| u.get(export)).cloned()
    }

    /// The map's layers as PNG data URLs; `None` when the scene could not be placed.
    fn map_layers(&self, shown: Shown) -> Option<Result<MapLayers, String>> {
        let r = &self.result;
        let p = r.placement.as_ref()?;
        let size = (p.width, p.height);
        let png = |rgba: Option<Vec<u8>>| rgba.map(|px| png_data_url(&px, size)).transpose();
        Some((|| -> Result<MapLayers, String> {
            Ok(MapLayers {
                bounds: p.bounds,
                base: png(r.map_base())?.unwrap_or_default(),
                mask: png(r.map_mask(shown))?.unwrap_or_default(),
                outlines: png(r.map_outlines())?,
            })
        })())
    }
}

/// Points the PNG link at the map view as it is now (false colour, glacier at the chosen
/// opacity, outlines), just before the browser follows it.
fn save_picture(
    ev: &leptos::ev::MouseEvent,
    result: RwSignal<Option<MapResultView>, LocalStorage>,
    shown: RwSignal<Shown>,
    opacity: RwSignal<f64>,
    errors: RwSignal<Vec<String>>,
) {
    let link: Option<web_sys::HtmlAnchorElement> = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("a").ok().flatten())
        .and_then(|a| a.dyn_into().ok());
    let url = result.with_untracked(|r| {
        let r = r.as_ref()?;
        let p = r.result.placement.as_ref()?;
        let picture = r
            .result
            .map_picture(shown.get_untracked(), opacity.get_untracked())?;
        Some(png_data_url(&picture, (p.width, p.height)))
    });
    match (link, url) {
        (Some(a), Some(Ok(u))) => a.set_href(&u),
        (_, Some(Err(e))) => {
            ev.prevent_default();
            errors.update(|list| list.push(format!("The PNG could not be made: {e}")));
        }
        _ => {
            ev.prevent_default();
            errors.update(|list| {
                list.push("The PNG needs a mapped scene that could be placed on the map.".into())
            });
        }
    }
}
