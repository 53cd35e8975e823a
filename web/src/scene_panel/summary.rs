//! The numbers of the classification shown: classifier, glacier area and share, no data, where
//! it computed, the scene, the scores against the visitor's outlines.

use leptos::prelude::*;

use super::result_view::MapResultView;
use super::state::SceneState;
use crate::map_result::Shown;

/// The numbers, one `dt`/`dd` pair each.
#[component]
pub fn MapSummary(state: SceneState) -> impl IntoView {
    let stat = move |f: fn(&MapResultView, Shown) -> String| state.of_result(f);
    view! {
        <dl>
            <dt>"Classifier"</dt>
            <dd data-testid="classifier-used">{stat(classifier)}</dd>
            <dt>"Model"</dt>
            <dd data-testid="model-choice">{stat(model_choice)}</dd>
            <dt>"Glacier area"</dt>
            <dd><span data-testid="glacier-area-km2">{stat(glacier_km2)}</span>" km²"</dd>
            <dt>"Glacier pixels"</dt>
            <dd data-testid="glacier-pixels">{stat(glacier_pixels)}</dd>
            <dt>"Glacier share of valid pixels"</dt>
            <dd data-testid="glacier-share">{stat(glacier_share)}</dd>
            <dt>"No data (fill, cloud)"</dt>
            <dd data-testid="nodata-share">{stat(nodata_share)}</dd>
            <dt>"Computed in"</dt>
            <dd data-testid="ran-in">{stat(ran_in)}</dd>
            <dt>"Scene"</dt>
            <dd data-testid="scene-grid">{stat(scene_grid)}</dd>
            <dt>"Against the outlines"</dt>
            <dd data-testid="scores">{stat(scores)}</dd>
            <dt>"Preview"</dt>
            <dd>{stat(preview)}</dd>
        </dl>
    }
}

/// `part / whole`, 0 when `whole` is 0.
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn classifier(r: &MapResultView, s: Shown) -> String {
    r.result
        .pick(s)
        .map(|c| c.label.clone())
        .unwrap_or_default()
}

/// Which model ran and why (the same for both classifications: it is the run's).
fn model_choice(r: &MapResultView, _: Shown) -> String {
    r.result.model_choice.clone().unwrap_or_else(|| "—".into())
}

fn glacier_km2(r: &MapResultView, s: Shown) -> String {
    r.result
        .pick(s)
        .map(|c| format!("{:.2}", c.glacier as f64 * r.result.pixel_km2))
        .unwrap_or_default()
}

fn glacier_pixels(r: &MapResultView, s: Shown) -> String {
    r.result
        .pick(s)
        .map(|c| c.glacier.to_string())
        .unwrap_or_default()
}

fn glacier_share(r: &MapResultView, s: Shown) -> String {
    r.result
        .pick(s)
        .map(|c| format!("{:.1} %", share(c.glacier, c.valid) * 100.0))
        .unwrap_or_default()
}

fn nodata_share(r: &MapResultView, s: Shown) -> String {
    let pixels = r.result.pixels();
    r.result
        .pick(s)
        .map(|c| format!("{:.1} %", share(pixels - c.valid, pixels) * 100.0))
        .unwrap_or_default()
}

fn ran_in(r: &MapResultView, _: Shown) -> String {
    r.ran_in.clone()
}

fn scene_grid(r: &MapResultView, _: Shown) -> String {
    let (width, height) = r.result.size;
    format!("{width} × {height} px, {}", r.result.grid)
}

fn scores(r: &MapResultView, s: Shown) -> String {
    match (r.result.pick(s).and_then(|c| c.scores), &r.result.outlines) {
        (Some(sc), Some(file)) => format!(
            "IoU {:.3}, precision {:.3}, recall {:.3} ({} px compared; outside {} counts as not \
             glacier)",
            sc.iou, sc.precision, sc.recall, sc.pixels, file
        ),
        _ => "none compared (to compare, add a GeoJSON or a shapefile's .shp and .prj; see the \
              notes if you did)"
            .into(),
    }
}

fn preview(r: &MapResultView, _: Shown) -> String {
    format!("false colour {}, glacier in cyan", r.result.composite)
}
