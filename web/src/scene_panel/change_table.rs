//! The change per glacier as a table: one row per outline on the grid, largest loss first, any
//! column sorted by a click on its heading (a second click reverses it).

use leptos::prelude::*;

use super::state::SceneState;
use glacier_change::GlacierChange;

/// A column: heading, the cell's text, and the value it sorts by.
struct Column {
    heading: &'static str,
    key: &'static str,
    text: fn(&GlacierChange) -> String,
    order: fn(&GlacierChange, &GlacierChange) -> std::cmp::Ordering,
}

fn by(
    f: fn(&GlacierChange) -> f64,
) -> impl Fn(&GlacierChange, &GlacierChange) -> std::cmp::Ordering {
    move |a, b| f(a).total_cmp(&f(b))
}

const COLUMNS: [Column; 10] = [
    Column {
        heading: "id",
        key: "id",
        text: |g| g.id.clone(),
        order: |a, b| a.id.cmp(&b.id),
    },
    Column {
        heading: "name",
        key: "name",
        text: |g| g.name.clone(),
        order: |a, b| a.name.cmp(&b.name),
    },
    Column {
        heading: "before km²",
        key: "before",
        text: |g| format!("{:.3}", g.before_km2),
        order: |a, b| by(|g| g.before_km2)(a, b),
    },
    Column {
        heading: "after km²",
        key: "after",
        text: |g| format!("{:.3}", g.after_km2),
        order: |a, b| by(|g| g.after_km2)(a, b),
    },
    Column {
        heading: "lost km²",
        key: "lost",
        text: |g| format!("{:.3}", g.lost_km2),
        order: |a, b| by(|g| g.lost_km2)(a, b),
    },
    Column {
        heading: "gained km²",
        key: "gained",
        text: |g| format!("{:.3}", g.gained_km2),
        order: |a, b| by(|g| g.gained_km2)(a, b),
    },
    Column {
        heading: "net km²",
        key: "net",
        text: |g| format!("{:+.3}", g.net_km2),
        order: |a, b| by(|g| g.net_km2)(a, b),
    },
    Column {
        heading: "net %",
        key: "percent",
        text: |g| {
            g.net_percent
                .map(|p| format!("{p:+.1}"))
                .unwrap_or_default()
        },
        order: |a, b| by(|g| g.net_percent.unwrap_or(f64::NAN))(a, b),
    },
    Column {
        heading: "± km²",
        key: "uncertainty",
        text: |g| format!("{:.3}", g.uncertainty_km2),
        order: |a, b| by(|g| g.uncertainty_km2)(a, b),
    },
    Column {
        heading: "no data",
        key: "nodata",
        text: |g| format!("{:.1} %", g.no_data_share * 100.0),
        order: |a, b| by(|g| g.no_data_share)(a, b),
    },
];

/// The table (hidden without outlines).
#[component]
pub fn GlacierTable(state: SceneState) -> impl IntoView {
    // The column sorted by and whether ascending; none: the change's own order.
    let sort = RwSignal::new(None::<(usize, bool)>);
    let rows = move || {
        state.change.with(|c| {
            let mut rows = c
                .as_ref()
                .map(|c| c.change.glaciers.clone())
                .unwrap_or_default();
            if let Some((i, ascending)) = sort.get() {
                rows.sort_by(|a, b| {
                    let o = (COLUMNS[i].order)(a, b);
                    if ascending { o } else { o.reverse() }
                });
            }
            rows
        })
    };
    let click = move |i: usize| {
        sort.update(|s| {
            *s = match *s {
                Some((j, ascending)) if j == i => Some((i, !ascending)),
                // Names and ids A→Z first; areas largest first, except net: largest loss first.
                _ => Some((i, i < 2 || COLUMNS[i].key == "net")),
            }
        })
    };
    let empty = move || {
        state
            .change
            .with(|c| c.as_ref().is_none_or(|c| c.change.glaciers.is_empty()))
    };
    let marker = move |i: usize| match sort.get() {
        Some((j, true)) if j == i => " ▲",
        Some((j, false)) if j == i => " ▼",
        _ => "",
    };
    view! {
        <table class="glaciers" data-testid="glacier-table" class:hidden=empty>
            <caption>"Per glacier (click a heading to sort; largest loss first to begin with)"</caption>
            <thead>
                <tr>
                    {COLUMNS.iter().enumerate().map(|(i, col)| view! {
                        <th>
                            <button data-testid=format!("sort-{}", col.key) on:click=move |_| click(i)>
                                {col.heading}{move || marker(i)}
                            </button>
                        </th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {move || rows().into_iter().map(|g| view! {
                    <tr data-testid="glacier-row">
                        {COLUMNS.iter().map(|col| view! { <td>{(col.text)(&g)}</td> }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
