//! The web map: Leaflet (bundled from npm, never a CDN) with an OpenStreetMap basemap when online
//! and not switched off,
//! the scene's false colour, the glacier mask and the dropped outlines as image overlays.
//!
//! The overlays are already on a Web Mercator grid (resampled in Rust, see
//! [`crate::map_result::Placement`]), so Leaflet's linear stretch between two lon/lat corners puts
//! every pixel where it belongs.

use leaflet::{ImageOverlay, ImageOverlayOptions, LatLng, LatLngBounds, Map, MapOptions};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};

use glacier_raster::LonLatBounds;

#[wasm_bindgen]
extern "C" {
    /// Leaflet's `L.ImageOverlay`, for the methods the `leaflet` crate does not bind.
    #[wasm_bindgen(js_name = ImageOverlay, js_namespace = L)]
    type OverlayMethods;
    #[wasm_bindgen(method, js_name = setOpacity)]
    fn set_opacity(this: &OverlayMethods, opacity: f64);
}

/// Whether the address asks for no basemap (`?basemap=off`).
fn basemap_off_in_address() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| {
            q.trim_start_matches('?')
                .split('&')
                .any(|p| p == "basemap=off")
        })
}

/// Images for the map, each a PNG data URL on the same Web Mercator grid.
#[derive(Clone, PartialEq)]
pub struct MapLayers {
    /// Where the grid lies.
    pub bounds: LonLatBounds,
    /// The false-colour composite.
    pub base: String,
    /// The shown classifier's glacier pixels.
    pub mask: String,
    /// The dropped outlines' edges, when some were dropped.
    pub outlines: Option<String>,
}

/// A canvas that is not in the page (for encoding PNGs).
///
/// # Errors
/// A message when the browser gives none.
pub fn detached_canvas() -> Result<web_sys::HtmlCanvasElement, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| "the browser gave no canvas".into())
}

/// `canvas`'s 2D context.
///
/// # Errors
/// A message when the browser gives none.
pub fn context_2d(
    canvas: &web_sys::HtmlCanvasElement,
) -> Result<web_sys::CanvasRenderingContext2d, String> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        .ok_or_else(|| "the browser gave no 2D canvas".into())
}

/// Encodes RGBA pixels as a PNG data URL (through a detached canvas).
///
/// # Errors
/// A message when the browser gives no 2D canvas.
pub fn png_data_url(rgba: &[u8], (w, h): (u32, u32)) -> Result<String, String> {
    let canvas = detached_canvas()?;
    draw(&canvas, rgba, (w, h))?;
    canvas
        .to_data_url()
        .map_err(|e| format!("PNG encoding: {e:?}"))
}

/// Draws RGBA pixels onto `canvas`, resizing it to `w × h`.
///
/// # Errors
/// A message when the browser gives no 2D canvas or refuses the pixels.
pub fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    pixels: &[u8],
    (w, h): (u32, u32),
) -> Result<(), String> {
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx = context_2d(canvas)?;
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(Clamped(pixels), w, h)
        .map_err(|e| format!("image: {e:?}"))?;
    ctx.put_image_data(&image, 0.0, 0.0)
        .map_err(|e| format!("image: {e:?}"))
}

/// Fits `bounds` without animation, so the scene is where it belongs at once (and in screenshots).
fn fit(map: &Map, bounds: &LatLngBounds) {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"animate".into(), &false.into());
    map.fit_bounds_with_options(bounds, &options);
}

/// Leaflet measures its container once; the map starts inside a hidden section (size 0), so
/// overlays added then would be drawn 0 px wide. A `ResizeObserver` tells Leaflet every size
/// change, and fits the scene again when the map goes from hidden to shown.
fn follow_size(
    div: &web_sys::HtmlDivElement,
    map: StoredValue<Option<Map>, LocalStorage>,
    fitted: StoredValue<Option<LatLngBounds>, LocalStorage>,
) {
    let element = div.clone();
    let mut was_hidden = element.offset_width() == 0;
    let on_resize = Closure::<dyn FnMut()>::new(move || {
        let hidden = element.offset_width() == 0;
        map.with_value(|m| {
            let Some(m) = m else { return };
            m.invalidate_size(false);
            if was_hidden && !hidden {
                fitted.with_value(|b| {
                    if let Some(b) = b {
                        fit(m, b);
                    }
                });
            }
        });
        was_hidden = hidden;
    });
    match web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        Ok(observer) => {
            observer.observe(div);
            // Both live as long as the page: the map is never removed.
            on_resize.forget();
            std::mem::forget(observer);
        }
        Err(e) => web_sys::console::warn_1(&e),
    }
}

fn lat_lng_bounds(b: &LonLatBounds) -> LatLngBounds {
    LatLngBounds::new(&LatLng::new(b.south, b.west), &LatLng::new(b.north, b.east))
}

/// The area `map` shows, clamped to the globe; `None` while it has no size (hidden).
fn shown_area(map: &Map) -> Option<LonLatBounds> {
    if map.get_size().x() <= 0.0 {
        return None;
    }
    let b = map.get_bounds();
    let (sw, ne) = (b.get_south_west(), b.get_north_east());
    let area = LonLatBounds {
        west: sw.lng().max(-180.0),
        south: sw.lat().max(-90.0),
        east: ne.lng().min(180.0),
        north: ne.lat().min(90.0),
    };
    (area.west < area.east && area.south < area.north).then_some(area)
}

/// The map. `layers` are shown when set; `opacity` (0–1) applies to the glacier mask; `view`
/// follows the area on screen after each move or zoom.
#[component]
pub fn MapView(
    layers: Signal<Option<MapLayers>>,
    opacity: RwSignal<f64>,
    view: RwSignal<Option<LonLatBounds>>,
    errors: RwSignal<Vec<String>>,
) -> impl IntoView {
    let container = NodeRef::<html::Div>::new();
    let map = StoredValue::new_local(None::<Map>);
    // The OpenStreetMap basemap: on unless the visitor switches it off (or opens `?basemap=off`).
    let basemap = RwSignal::new(!basemap_off_in_address());
    let tiles = StoredValue::new_local(None::<leaflet::TileLayer>);
    let shown = StoredValue::new_local(Vec::<ImageOverlay>::new());
    let mask = StoredValue::new_local(None::<ImageOverlay>);
    // The bounds last fitted, to fit again when a hidden map becomes visible.
    let fitted = StoredValue::new_local(None::<LatLngBounds>);

    container.on_load(move |div| {
        let options = MapOptions::new();
        options.set_zoom_snap(0.25);
        match Map::new_with_element(&div, &options) {
            Ok(m) => {
                m.set_view(&LatLng::new(28.0, 86.9), 3.0);
                // Tiles load only when online; offline the overlays stand alone.
                let tile_options = leaflet::TileLayerOptions::new();
                tile_options.set_max_zoom(19.0);
                tile_options.set_attribution(
                    "© <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> \
                     contributors"
                        .into(),
                );
                let layer = leaflet::TileLayer::new_options(
                    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    &tile_options,
                );
                if basemap.get_untracked() {
                    layer.add_to(&m);
                }
                tiles.set_value(Some(layer));
                let shown = m.clone();
                m.on_move_end(Box::new(move |_| {
                    if let Some(area) = shown_area(&shown) {
                        view.set(Some(area));
                    }
                }));
                map.set_value(Some(m));
                follow_size(&div, map, fitted);
            }
            Err(e) => errors.update(|list| {
                list.push(format!(
                    "The map could not start ({e:?}); the numbers and exports still work."
                ))
            }),
        }
    });

    Effect::new(move |_| {
        let layers = layers.get();
        let alpha = opacity.get_untracked();
        map.with_value(|m| {
            let Some(m) = m else { return };
            for old in shown.get_value() {
                old.remove();
            }
            mask.set_value(None);
            let Some(layers) = layers else {
                shown.set_value(Vec::new());
                return;
            };
            // The container may have been hidden (size 0) since Leaflet last measured it.
            m.invalidate_size(false);
            let bounds = lat_lng_bounds(&layers.bounds);
            let overlay = |url: &str, opacity: f64, z: f64| {
                let options = ImageOverlayOptions::new();
                options.set_opacity(opacity);
                options.set_z_index(z);
                options.set_class_name("pixelated".into());
                let o = ImageOverlay::new_with_options(url, &bounds, &options);
                o.add_to(m);
                o
            };
            let mut added = vec![overlay(&layers.base, 1.0, 1.0)];
            let glacier = overlay(&layers.mask, alpha, 2.0);
            added.push(glacier.clone());
            mask.set_value(Some(glacier));
            if let Some(outlines) = &layers.outlines {
                added.push(overlay(outlines, 1.0, 3.0));
            }
            shown.set_value(added);
            fit(m, &bounds);
            fitted.set_value(Some(bounds));
        });
    });

    // Switching the basemap adds or removes its tile layer; nothing else is fetched.
    Effect::new(move |_| {
        let on = basemap.get();
        map.with_value(|m| {
            tiles.with_value(|t| {
                if let (Some(m), Some(t)) = (m, t) {
                    if on {
                        t.add_to(m);
                    } else {
                        t.remove();
                    }
                }
            })
        });
    });

    Effect::new(move |_| {
        let alpha = opacity.get();
        mask.with_value(|m| {
            if let Some(m) = m {
                m.unchecked_ref::<OverlayMethods>().set_opacity(alpha);
            }
        });
    });

    let bound = move |pick: fn(&LonLatBounds) -> f64| {
        move || {
            layers.with(|l| {
                l.as_ref()
                    .map(|l| format!("{:.7}", pick(&l.bounds)))
                    .unwrap_or_default()
            })
        }
    };
    view! {
        <div class="map" node_ref=container data-testid="map"></div>
        <label class="basemap">
            <input type="checkbox" data-testid="basemap"
                prop:checked=move || basemap.get()
                on:change=move |ev| basemap.set(event_target_checked(&ev)) />
            " OpenStreetMap basemap: fetches the map tiles of the area on screen from \
              tile.openstreetmap.org (switch off, or open the page with ?basemap=off, to fetch \
              nothing)"
        </label>
        // The bounds handed to Leaflet, for tests and for anyone checking the placement.
        <output hidden data-testid="overlay-bounds"
            data-west=bound(|b| b.west) data-south=bound(|b| b.south)
            data-east=bound(|b| b.east) data-north=bound(|b| b.north)></output>
    }
}
