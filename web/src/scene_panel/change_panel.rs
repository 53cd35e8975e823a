//! A change on the page: the two dates and which layer the map shows (above the map); the
//! legend, the numbers, the table per glacier and the downloads (below it).

use leptos::prelude::*;

use super::change_table::GlacierTable;
use super::change_view::{ChangeExport, ChangeView};
use super::map_panel::Opacity;
use super::state::SceneState;
use crate::change_result::{ChangeLayer, class_rgba};
use glacier_change::class;

/// The dates and the layer choice: the change, or either date's glacier.
#[component]
pub fn ChangeDates(state: SceneState) -> impl IntoView {
    let layer = state.layer;
    let radio =
        move |which: ChangeLayer, testid: &'static str, label: fn(&ChangeView) -> String| {
            view! {
                <label>
                    <input type="radio" name="change-layer" data-testid=testid
                        prop:checked=move || layer.get() == which
                        on:change=move |_| layer.set(which) />
                    " " {state.of_change(label)}
                </label>
            }
        };
    view! {
        <p class="change-dates" data-testid="change-dates">{state.of_change(dates)}</p>
        <fieldset class="classifier" data-testid="change-layer">
            <legend>"Show"</legend>
            {radio(ChangeLayer::Change, "show-change", |_| "the change: ice lost, gained and kept".into())}
            {radio(ChangeLayer::Before, "show-before", |c| format!("the glacier on {}", c.change.dates[0]))}
            {radio(ChangeLayer::After, "show-after", |c| format!("the glacier on {}", c.change.dates[1]))}
        </fieldset>
    }
}

fn dates(c: &ChangeView) -> String {
    let [before, after] = &c.change.dates;
    format!("{before} → {after}, compared: {}", c.change.compared)
}

/// A legend swatch in a class's colour.
fn swatch(value: u8) -> String {
    let [r, g, b, _] = class_rgba(value).unwrap_or([0; 4]);
    format!("background: rgb({r}, {g}, {b})")
}

/// The legend, the opacity, the numbers, the notes, the table and the downloads.
#[component]
pub fn ChangeDetails(state: SceneState) -> impl IntoView {
    let no_outlines = move || {
        state
            .change
            .with(|c| c.as_ref().is_none_or(|c| c.change.outlines.is_none()))
    };
    let km2 = move |f: fn(&ChangeView) -> f64| state.of_change(move |c| format!("{:.3}", f(c)));
    let notes = move || {
        state.change.with(|c| {
            let Some(c) = c else { return Vec::new() };
            let c = &c.change;
            let dated = |date: &String, notes: &Vec<String>| {
                notes
                    .iter()
                    .map(|n| format!("{date}: {n}"))
                    .collect::<Vec<_>>()
            };
            c.notes
                .iter()
                .cloned()
                .chain(dated(&c.dates[0], &c.before.notes))
                .chain(dated(&c.dates[1], &c.after.notes))
                .collect()
        })
    };
    view! {
        <div class="map-controls">
            <Opacity state=state testid="change-opacity" />
            <ul class="legend" data-testid="change-legend">
                <li><span class="swatch" style=swatch(class::LOST)></span>"ice lost (glacier on the first date, not on the second)"</li>
                <li><span class="swatch" style=swatch(class::GAINED)></span>"ice gained"</li>
                <li><span class="swatch" style=swatch(class::STABLE)></span>"glacier on both dates"</li>
                <li class:hidden=no_outlines><span class="swatch outlines"></span>{state.of_change(outlines)}</li>
                <li>"not coloured: no glacier on either date, or no data on one of them (cloud, fill, outside a scene)"</li>
            </ul>
        </div>
        <ul class="notes" data-testid="change-notes">
            {move || notes().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
        </ul>
        <dl>
            <dt>"Ice lost"</dt>
            <dd><span data-testid="change-lost-km2">{km2(|c| c.change.summary.km2.lost)}</span>" km²"</dd>
            <dt>"Ice gained"</dt>
            <dd><span data-testid="change-gained-km2">{km2(|c| c.change.summary.km2.gained)}</span>" km²"</dd>
            <dt>"Glacier on both dates"</dt>
            <dd><span data-testid="change-stable-km2">{km2(|c| c.change.summary.km2.stable)}</span>" km²"</dd>
            <dt>"Glacier area"</dt>
            <dd data-testid="change-areas">{state.of_change(areas)}</dd>
            <dt>"Net change"</dt>
            <dd data-testid="change-net">{state.of_change(net)}</dd>
            <dt>"No data on either date"</dt>
            <dd data-testid="change-nodata">{state.of_change(|c| format!("{:.1} % of the first date's scene", c.change.summary.no_data_share * 100.0))}</dd>
            <dt>"Unsure (probability 0.3–0.7 on either date)"</dt>
            <dd data-testid="change-ambiguous">{state.of_change(ambiguous)}</dd>
            <dt>"Grids"</dt>
            <dd data-testid="change-alignment">{state.of_change(alignment)}</dd>
            <dt>"Computed in"</dt>
            <dd data-testid="change-ran-in">{state.of_change(|c| c.ran_in.clone())}</dd>
        </dl>
        <GlacierTable state=state />
        <ChangeDownloads state=state />
    }
}

fn outlines(c: &ChangeView) -> String {
    format!(
        "your outlines ({})",
        c.change.outlines.clone().unwrap_or_default()
    )
}

fn areas(c: &ChangeView) -> String {
    let s = &c.change.summary;
    let [before, after] = &c.change.dates;
    format!(
        "{:.3} ± {:.3} km² on {before}, {:.3} ± {:.3} km² on {after} (where both dates have data)",
        s.km2.before, s.uncertainty_km2.before, s.km2.after, s.uncertainty_km2.after
    )
}

fn net(c: &ChangeView) -> String {
    let s = &c.change.summary;
    let percent = s
        .net_change_percent
        .map(|p| format!(" ({p:+.2} %)"))
        .unwrap_or_default();
    format!(
        "{:+.3} ± {:.3} km²{percent}; the uncertainty is the buffer method's (± half a pixel \
         along each date's glacier boundary, the dates combined in quadrature)",
        s.km2.net_change, s.uncertainty_km2.change
    )
}

fn ambiguous(c: &ChangeView) -> String {
    c.change.summary.ambiguous_km2.map_or_else(
        || "— (the NDSI baseline gives no probabilities)".into(),
        |a| format!("{a:.3} km²"),
    )
}

fn alignment(c: &ChangeView) -> String {
    let s = &c.change.summary;
    format!(
        "the second date onto the first's grid ({} × {} px, {}): {}",
        s.size[0], s.size[1], s.crs, s.alignment
    )
}

/// The downloads: the change GeoTIFF, the table, the summary, the map with its legend.
#[component]
fn ChangeDownloads(state: SceneState) -> impl IntoView {
    let url = move |e: ChangeExport| state.of_change(move |c| c.url(e));
    let no_table = move || {
        state
            .change
            .with(|c| c.as_ref().is_none_or(|c| c.change.glaciers.is_empty()))
    };
    view! {
        <ul class="exports">
            <li>
                <a data-testid="change-geotiff" download="glacier_change.tif" href=url(ChangeExport::GeoTiff)>
                    "the change as GeoTIFF"
                </a>
                " (0 no glacier, 1 on both dates, 2 lost, 3 gained, 255 no data; with its colours, \
                  on the first date's grid)"
            </li>
            <li class:hidden=no_table>
                <a data-testid="change-csv" download="glacier_change.csv" href=url(ChangeExport::Csv)>
                    "the table per glacier as CSV"
                </a>
                " (as glacier change --csv writes it)"
            </li>
            <li>
                <a data-testid="change-json" download="glacier_change.json" href=url(ChangeExport::Json)>
                    "the numbers as JSON"
                </a>
                " (as glacier change prints them)"
            </li>
            <li>
                <a data-testid="change-png" download="glacier_change.png" href="#"
                    on:click=move |ev| super::change_picture::save(&ev, state)>
                    "the map of the change as PNG, with its legend"
                </a>
            </li>
        </ul>
    }
}
