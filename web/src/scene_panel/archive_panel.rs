//! "From the archive": search a STAC API for Landsat scenes over an area and a date range, list
//! what it finds, and map the area of the one the visitor picks. `?stac=<API>&bbox=W,S,E,N
//! [&datetime=…][&max-cloud=…]` fills the form and searches on opening.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::SceneState;
use crate::archive_search;
use glacier_archive::{Found, Search};

/// The API searched unless the visitor names another: the Planetary Computer's (Landsat
/// Collection 2 Level-2 as cloud-optimised GeoTIFFs on Azure Blob Storage, read with its SAS
/// tokens, see [`crate::remote::Signing`]).
const DEFAULT_API: &str = "https://planetarycomputer.microsoft.com/api/stac/v1";

/// Results listed at most.
const MAX_RESULTS: usize = 20;

/// One result as the list shows it.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: String,
    date: String,
    cloud: Option<f64>,
    url: Option<String>,
    thumbnail: Option<String>,
}

impl Row {
    fn of(found: &Found) -> Row {
        Row {
            id: found.item.id.clone(),
            date: found.item.date().unwrap_or("?").to_owned(),
            cloud: found.item.properties.cloud_cover,
            url: found.url.clone(),
            thumbnail: found
                .url
                .as_deref()
                .and_then(|url| found.item.thumbnail(url)),
        }
    }
}

/// The form's fields and what the last search found.
#[derive(Clone, Copy)]
struct Form {
    api: RwSignal<String>,
    bbox: RwSignal<String>,
    datetime: RwSignal<String>,
    max_cloud: RwSignal<String>,
    /// `?token-endpoint=`: where the items' asset tokens come from.
    token_endpoint: RwSignal<Option<String>>,
    rows: RwSignal<Vec<Row>>,
    searching: RwSignal<bool>,
}

impl Form {
    fn new() -> Form {
        Form {
            api: RwSignal::new(DEFAULT_API.into()),
            bbox: RwSignal::new(String::new()),
            datetime: RwSignal::new(String::new()),
            max_cloud: RwSignal::new("30".into()),
            token_endpoint: RwSignal::new(None),
            rows: RwSignal::new(Vec::new()),
            searching: RwSignal::new(false),
        }
    }

    /// Fills the form from `?stac=…&bbox=…`; whether the address asked for a search.
    fn fill_from_address(self) -> bool {
        let Some(params) = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        else {
            return false;
        };
        let Some(api) = params.get("stac") else {
            return false;
        };
        self.api.set(api);
        self.token_endpoint.set(params.get("token-endpoint"));
        for (key, field) in [
            ("bbox", self.bbox),
            ("datetime", self.datetime),
            ("max-cloud", self.max_cloud),
        ] {
            if let Some(v) = params.get(key) {
                field.set(v);
            }
        }
        true
    }

    /// The search the form describes.
    fn search(self) -> Result<Search, String> {
        let bbox = glacier_raster::parse_bbox(self.bbox.get_untracked().trim())
            .map_err(|e| format!("The area to search: {e}"))?;
        let max_cloud = self.max_cloud.get_untracked();
        let max_cloud = match max_cloud.trim() {
            "" => None,
            v => Some(v.parse::<f64>().map_err(|_| {
                format!("The cloud limit {v:?} is not a number: give a percentage such as 30")
            })?),
        };
        let datetime = self.datetime.get_untracked().trim().to_owned();
        Ok(Search {
            collections: vec!["landsat-c2-l2".into()],
            bbox: [bbox.west, bbox.south, bbox.east, bbox.north],
            datetime: (!datetime.is_empty()).then_some(datetime),
            max_cloud,
            limit: MAX_RESULTS,
        })
    }

    /// Runs the search, listing what it finds; messages go to the page.
    fn run(self, state: SceneState) {
        let search = match self.search() {
            Ok(s) => s,
            Err(e) => return state.report([e]),
        };
        let api = self.api.get_untracked().trim().to_owned();
        self.searching.set(true);
        state.status.set(format!("searching {api}…"));
        spawn_local(async move {
            match archive_search::find(&api, &search, MAX_RESULTS).await {
                Ok(found) => {
                    state.status.set(format!(
                        "the archive search found {} scene{}",
                        found.len(),
                        if found.len() == 1 { "" } else { "s" }
                    ));
                    self.rows.set(found.iter().map(Row::of).collect());
                }
                Err(e) => {
                    state.report([e]);
                    state
                        .status
                        .set("the archive search stopped: see the message below".into());
                }
            }
            self.searching.set(false);
        });
    }
}

/// A text field bound to `value`.
fn field(
    label: &'static str,
    testid: &'static str,
    value: RwSignal<String>,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input type="text" data-testid=testid placeholder=hint
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}

/// The panel: the form, and the results with a button each that maps the searched area.
#[component]
pub fn ArchivePanel(state: SceneState) -> impl IntoView {
    let form = Form::new();
    let asked = form.fill_from_address();
    if asked {
        form.run(state);
    }
    let map = move |url: Option<String>| match url {
        Some(url) => state.map_item(
            url,
            Some(form.bbox.get_untracked().trim().to_owned()),
            form.token_endpoint.get_untracked(),
        ),
        None => state.report([
            "This result gives no address of its own (no self link), so it cannot be opened."
                .into(),
        ]),
    };
    view! {
        <details class="archive" data-testid="archive-panel" prop:open=asked>
            <summary>"From the archive: search Landsat scenes over an area"</summary>
            <div class="archive-form">
                {field("STAC API ", "archive-api", form.api, DEFAULT_API)}
                {field("Area (west,south,east,north in degrees) ", "archive-bbox", form.bbox, "86.7,27.9,86.9,28.1")}
                <button data-testid="archive-use-view" prop:disabled=move || state.view.with(Option::is_none)
                    title="The area the map shows now (map a scene first, then pan and zoom)"
                    on:click=move |_| {
                        if let Some(b) = state.view.get_untracked() {
                            form.bbox.set(format!(
                                "{:.4},{:.4},{:.4},{:.4}", b.west, b.south, b.east, b.north
                            ));
                        }
                    }>"Use the map's view"</button>
                {field("Dates ", "archive-datetime", form.datetime, "2023-08-01/2023-10-31")}
                {field("Cloud cover below (%) ", "archive-max-cloud", form.max_cloud, "30")}
                <button data-testid="archive-search" prop:disabled=move || form.searching.get()
                    on:click=move |_| form.run(state)>"Search"</button>
            </div>
            <ul class="archive-results" data-testid="archive-results">
                {move || form.rows.get().into_iter().map(|row| {
                    let url = row.url.clone();
                    let cloud = row.cloud.map(|c| format!(", {c:.1} % cloud")).unwrap_or_default();
                    view! {
                        <li data-testid="archive-result">
                            {row.thumbnail.clone().map(|src| view! {
                                <img class="thumbnail" data-testid="archive-thumbnail" src=src
                                    loading="lazy" alt=format!("{} in natural colour", row.id) />
                            })}
                            <span>{format!("{} ({}{cloud})", row.id, row.date)}</span>
                            " "
                            <button data-testid="archive-map" prop:disabled=move || state.busy.get()
                                on:click=move |_| map(url.clone())>"Map this area"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </details>
    }
}
