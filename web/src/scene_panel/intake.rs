//! Taking the files a visitor drops or picks: which are kept, what each is, and whether the
//! scene can be mapped at once or the visitor must first say what the bands hold.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::run::CANCELLED_STATUS;
use super::state::SceneState;
use crate::assign::{self, Assignable};
use crate::files;
use crate::protocol::ItemJob;
use crate::sample;
use crate::tiff_header;
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
        spawn_local(self.intake(list));
    }

    /// Maps the archive item the page's link names (`?item=URL&bbox=W,S,E,N`), if any.
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
        let bbox = params.get("bbox");
        self.recognised.set(vec![Recognised {
            name: url.clone(),
            what: format!(
                "archive item (STAC), its bands read over HTTP{}",
                bbox.as_deref()
                    .map(|b| format!(", only the area {b}"))
                    .unwrap_or_default()
            ),
            scene: String::new(),
        }]);
        self.files.set(Vec::new());
        self.chosen.set(Vec::new());
        self.assignable.set(Vec::new());
        self.item.set(Some(ItemJob { url, bbox }));
        self.map_scene();
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
        let has_landsat89 = kept
            .iter()
            .any(|f| assign::is_landsat89(&f.name()) || assign::is_archive(&f.name()));
        self.chosen.set(Vec::new());
        self.assignable.set(if has_landsat89 {
            Vec::new()
        } else {
            others.clone()
        });
        self.files.set(kept);
        self.busy.set(false);
        if has_landsat89 || others.is_empty() {
            self.map_scene();
            return;
        }
        // Only files without a Landsat 8/9 name: the visitor says what they hold first.
        let hints = other_landsat_hints(&others);
        self.hints.set(hints.clone());
        self.report(hints);
        self.status.set(
            "mapping stopped: no file has a Landsat 8/9 name; choose what their bands hold \
             (below), then press Map"
                .into(),
        );
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
