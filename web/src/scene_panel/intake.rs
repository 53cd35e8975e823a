//! Taking the files a visitor drops or picks: which are kept, what each is, and whether the
//! scene can be mapped at once or the visitor must first say what the bands hold.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::run::CANCELLED_STATUS;
use super::state::SceneState;
use crate::assign::{self, Assignable};
use crate::files;
use crate::protocol::{DateJob, ItemJob};
use crate::sample;
use crate::tiff_header;
use glacier_inputs::dates::{ByDate, by_date};
use glacier_inputs::recognise::{self, Recognised};

impl SceneState {
    /// Takes the dropped or picked files (nothing when a run is going), then maps them, or asks
    /// for band assignments when no file has a Landsat 8/9 name.
    pub fn take_files(self, list: Option<web_sys::FileList>) {
        let Some(list) = list else { return };
        if !self.claim() {
            return;
        }
        self.cancel.set(false);
        self.item.set(None);
        self.compare_item.set(None);
        spawn_local(self.intake(list));
    }

    /// Maps the archive item the page's link names (`?item=URL&bbox=W,S,E,N`), if any, or with
    /// `&compare=URL2` the change between the two items' dates.
    pub fn take_linked_item(self) {
        let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
            return;
        };
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return;
        };
        let Some(url) = params.get("item") else {
            return;
        };
        let job = |url| ItemJob {
            url,
            bbox: params.get("bbox"),
            token_endpoint: params.get("token-endpoint"),
        };
        let compare = params.get("compare").map(job);
        self.map_items(job(url), compare);
    }

    /// Maps `area` (`west,south,east,north`, or the whole scene) of the archive item at `url`
    /// (a result of the archive search; nothing when a run is going), its asset tokens from
    /// `token_endpoint` when given.
    pub fn map_item(self, url: String, area: Option<String>, token_endpoint: Option<String>) {
        if self.busy.get_untracked() {
            self.report(["A scene is being mapped; wait for it to finish.".into()]);
            return;
        }
        let item = ItemJob {
            url,
            bbox: area,
            token_endpoint,
        };
        self.map_items(item, None);
    }

    /// Lists `item` (and `compare`, the second date of a change) as what will be mapped, and
    /// maps them in place of any files.
    fn map_items(self, item: ItemJob, compare: Option<ItemJob>) {
        let row = |job: &ItemJob, what: &str| Recognised {
            name: job.url.clone(),
            what: format!(
                "{what}archive item (STAC), its bands read over HTTP{}",
                job.bbox
                    .as_deref()
                    .map(|b| format!(", only the area {b}"))
                    .unwrap_or_default()
            ),
            scene: String::new(),
        };
        let first = if compare.is_some() {
            "first date: "
        } else {
            ""
        };
        let mut rows = vec![row(&item, first)];
        rows.extend(compare.iter().map(|c| row(c, "second date: ")));
        self.recognised.set(rows);
        self.files.set(Vec::new());
        self.chosen.set(Vec::new());
        self.assignable.set(Vec::new());
        self.compare_item.set(compare);
        self.item.set(Some(item));
        self.map_scene();
    }

    /// The two dates to compare, when the files kept are of two acquisition dates (each with
    /// the files every date shares) or the link names two items; `None` for one scene.
    pub fn dates_to_compare(self, list: &[web_sys::File]) -> Option<[DateJob; 2]> {
        if let (Some(a), Some(b)) = (self.item.get_untracked(), self.compare_item.get_untracked()) {
            return Some([DateJob::Item(a), DateJob::Item(b)]);
        }
        let names: Vec<String> = list.iter().map(web_sys::File::name).collect();
        let grouped = by_date(names.iter().map(String::as_str));
        let [(d1, f1), (d2, f2)] = <[_; 2]>::try_from(grouped.dates).ok()?;
        let job = |date, mut files: Vec<String>| {
            files.extend(grouped.shared.iter().cloned());
            DateJob::Files { date, names: files }
        };
        Some([job(d1, f1), job(d2, f2)])
    }

    /// Fetches the sample scene from beside the page and maps it, its bands assigned as a
    /// visitor would (nothing when a run is going).
    pub fn take_sample(self) {
        if !self.claim() {
            return;
        }
        self.cancel.set(false);
        spawn_local(async move {
            self.status
                .set("fetching the sample scene (2.5 MB)…".into());
            let fetched = sample::fetch_files().await;
            self.busy.set(false);
            if self.cancel.get_untracked() {
                self.status.set(CANCELLED_STATUS.into());
                return;
            }
            match fetched {
                Ok(files) => {
                    self.item.set(None);
                    self.compare_item.set(None);
                    self.recognised.set(sample::recognised());
                    self.assignable.set(Vec::new());
                    self.hints.set(Vec::new());
                    self.chosen.set(sample::choices());
                    self.files.set(files);
                    self.map_scene();
                }
                Err(e) => {
                    self.report([e]);
                    self.status
                        .set("the sample could not be loaded; see the message below".into());
                }
            }
        });
    }

    async fn intake(self, list: web_sys::FileList) {
        self.status.set("reading files…".into());
        let files::Screened {
            files: mut kept,
            mut refused,
            errors: mut file_errors,
        } = files::screen(list);
        let Some((others, unreadable)) = self.band_counts(&kept, &mut file_errors).await else {
            // Nothing of the new files is taken: the page stays as it was.
            self.status.set(CANCELLED_STATUS.into());
            self.busy.set(false);
            return;
        };
        kept.retain(|f| !unreadable.contains(&f.name()));
        refused.extend(
            unreadable
                .into_iter()
                .map(|name| (name, "not read: see the message below".into())),
        );
        self.report(file_errors);
        self.recognised.set(recognised(&kept, refused));
        let names: Vec<String> = kept.iter().map(web_sys::File::name).collect();
        let grouped = by_date(names.iter().map(String::as_str));
        if grouped.dates.len() > 2 {
            self.files.set(Vec::new());
            self.busy.set(false);
            self.report([format!(
                "These files are of {} acquisition dates: {}. The page maps one date, or the \
                 change between two: drop the files of one date, or of two.",
                grouped.dates.len(),
                grouped.describe()
            )]);
            self.status
                .set("mapping stopped: files of more than two dates (see below)".into());
            return;
        }
        let to_assign = to_assign(&kept, others, &grouped);
        self.chosen.set(Vec::new());
        self.assignable.set(to_assign.clone());
        self.files.set(kept);
        self.busy.set(false);
        if to_assign.is_empty() {
            self.map_scene();
            return;
        }
        // Files without a Landsat 8/9 name: the visitor says what they hold first.
        let hints = other_landsat_hints(&to_assign);
        self.hints.set(hints.clone());
        self.report(hints);
        self.status.set(if grouped.dates.len() == 2 {
            format!(
                "mapping stopped: two dates ({}); choose what the bands of the files without a \
                 Landsat 8/9 name hold (below), then press Map",
                grouped.describe()
            )
        } else {
            "mapping stopped: no file has a Landsat 8/9 name; choose what their bands hold \
             (below), then press Map"
                .into()
        });
    }

    /// Band counts of the GeoTIFFs among `kept` without a Landsat 8/9 name, from their headers
    /// (a few small pieces; never the pixels, nor more of a file that is not a TIFF), and the
    /// names of those that could not be read (why goes to `errors`). Landsat-named files are
    /// not read on this thread. `None` when the visitor cancelled.
    async fn band_counts(
        self,
        kept: &[web_sys::File],
        errors: &mut Vec<String>,
    ) -> Option<(Vec<Assignable>, Vec<String>)> {
        let mut others = Vec::new();
        let mut unreadable = Vec::new();
        for file in kept
            .iter()
            .filter(|f| assign::needs_bands_chosen(&f.name()))
        {
            if self.cancel.get_untracked() {
                break;
            }
            match tiff_header::band_count(file).await {
                Ok(Some(bands)) => others.push(Assignable {
                    name: file.name(),
                    bands,
                }),
                Ok(None) => {}
                Err(e) => {
                    errors.push(e);
                    unreadable.push(file.name());
                }
            }
        }
        (!self.cancel.get_untracked()).then_some((others, unreadable))
    }
}

/// The GeoTIFFs among `others` whose bands the visitor must name before a run: all of them
/// when no file of their date (or, for one scene, no file at all) has a Landsat 8/9 name or is
/// a scene archive; none otherwise (a DEM beside a Landsat scene is not asked about).
fn to_assign(kept: &[web_sys::File], others: Vec<Assignable>, grouped: &ByDate) -> Vec<Assignable> {
    let named = |name: &str| assign::is_landsat89(name) || assign::is_archive(name);
    if grouped.dates.len() < 2 {
        return if kept.iter().any(|f| named(&f.name())) {
            Vec::new()
        } else {
            others
        };
    }
    let unnamed_dates: Vec<&Vec<String>> = grouped
        .dates
        .iter()
        .map(|(_, files)| files)
        .filter(|files| !files.iter().any(|f| named(f)))
        .collect();
    others
        .into_iter()
        .filter(|a| unnamed_dates.iter().any(|files| files.contains(&a.name)))
        .collect()
}

/// The recognised-files table: what each kept file is, then the refused ones and why.
fn recognised(kept: &[web_sys::File], refused: Vec<(String, String)>) -> Vec<Recognised> {
    kept.iter()
        .map(|f| recognise::describe(&f.name()))
        .chain(refused.into_iter().map(|(name, why)| Recognised {
            name,
            what: why,
            scene: String::new(),
        }))
        .collect()
}

/// Messages for the files among `others` named as another Landsat mission's: the model takes
/// Landsat 8/9 bands, unless the visitor says what these hold.
fn other_landsat_hints(others: &[Assignable]) -> Vec<String> {
    others
        .iter()
        .filter_map(|a| {
            let parsed = glacier_landsat::LandsatFileName::parse(&a.name)?;
            Some(format!(
                "{} is a {} file; the model takes Landsat 8/9 (OLI/TIRS) bands. Use a Landsat 8 \
                 or 9 scene, or, if you know what its bands hold, choose them below and press \
                 Map.",
                a.name, parsed.mission
            ))
        })
        .collect()
}
