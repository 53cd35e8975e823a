//! The downloads: the shown classification's mask (GeoTIFF) and outlines (GeoJSON), and the
//! map view as a PNG.

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::result_view::{Export, MapResultView};
use super::state::SceneState;
use crate::map_result::Shown;
use crate::map_view::png_data_url;

/// The download links of the classification shown.
#[component]
pub fn ExportLinks(state: SceneState) -> impl IntoView {
    view! {
        <ul class="exports">
            <li>
                <a data-testid="export-geotiff" download="glacier_mask.tif"
                    href=state.of_result(geotiff_url)>
                    "the mask as GeoTIFF"
                </a>
                " (1 glacier, 0 not, 255 no data; on the scene's grid and CRS)"
            </li>
            <li>
                <a data-testid="export-geojson" download="glacier_outlines.geojson"
                    href=state.of_result(geojson_url)>
                    "the glacier outlines as GeoJSON"
                </a>
                " (one polygon per glacier patch along pixel edges, WGS 84 lon/lat, with pixels and km²)"
            </li>
            <li>
                <a data-testid="export-png" download="glacier_map.png" href="#"
                    on:click=move |ev: MouseEvent| save_picture(&ev, state)>
                    "the map view as PNG"
                </a>
                " (false colour, glacier and outlines as on the map, Web Mercator)"
            </li>
        </ul>
    }
}

fn geotiff_url(r: &MapResultView, s: Shown) -> String {
    r.url(s, Export::GeoTiff).unwrap_or_default()
}

fn geojson_url(r: &MapResultView, s: Shown) -> String {
    r.url(s, Export::GeoJson).unwrap_or_default()
}

/// Points the PNG link at the map view as it is now (false colour, glacier at the chosen
/// opacity, outlines), just before the browser follows it.
fn save_picture(ev: &MouseEvent, state: SceneState) {
    let url = state.result.with_untracked(|r| {
        let r = r.as_ref()?;
        let p = r.result.placement.as_ref()?;
        let picture = r
            .result
            .map_picture(state.shown.get_untracked(), state.opacity.get_untracked())?;
        Some(png_data_url(&picture, (p.width, p.height)))
    });
    follow_with(
        ev,
        state,
        url,
        "The PNG needs a mapped scene that could be placed on the map.",
    );
}

/// Points the clicked link at `url` just before the browser follows it; without one (`None`:
/// `missing` says why, or the error) the click does nothing and the visitor is told.
pub fn follow_with(
    ev: &MouseEvent,
    state: SceneState,
    url: Option<Result<String, String>>,
    missing: &str,
) {
    let link: Option<web_sys::HtmlAnchorElement> = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("a").ok().flatten())
        .and_then(|a| a.dyn_into().ok());
    match (link, url) {
        (Some(a), Some(Ok(u))) => a.set_href(&u),
        (_, Some(Err(e))) => {
            ev.prevent_default();
            state.report([format!("The PNG could not be made: {e}")]);
        }
        _ => {
            ev.prevent_default();
            state.report([missing.into()]);
        }
    }
}
