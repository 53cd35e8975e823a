//! The export files of a run (the mask as GeoTIFF, its patches as GeoJSON; for a change, the
//! change GeoTIFF, the table per glacier and the summary) as browser `Blob`s,
//! made where the run computed and moved out of its [`MapResult`]: the page's wasm memory never
//! holds them (a whole scene's exports are tens of MB), and the browser may keep them on disk.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag};

use crate::change_result::ChangeResult;
use crate::map_result::MapResult;
use crate::protocol::Outcome;
use glacier_map::Classification;

/// One classification's export files.
#[derive(Clone, Default)]
pub struct ExportBlobs {
    /// The mask as a GeoTIFF.
    pub geotiff: Option<Blob>,
    /// The glacier patches as GeoJSON (`None` when there is none: the reason is in the notes).
    pub geojson: Option<Blob>,
}

/// A change's files.
#[derive(Clone, Default)]
pub struct ChangeBlobs {
    /// The change classes as a GeoTIFF.
    pub geotiff: Option<Blob>,
    /// The table per glacier (CSV), when outlines were given.
    pub csv: Option<Blob>,
    /// The summary (JSON).
    pub json: Option<Blob>,
}

impl ChangeBlobs {
    /// Moves `c`'s files into blobs (leaving them empty in `c`).
    fn take(c: &mut ChangeResult) -> ChangeBlobs {
        let files = std::mem::take(&mut c.files);
        ChangeBlobs {
            geotiff: blob(&files.geotiff, "image/tiff"),
            csv: files.csv.and_then(|b| blob(&b, "text/csv")),
            json: blob(files.json.as_bytes(), "application/json"),
        }
    }
}

/// The export files of both classifications, or of a change.
#[derive(Clone, Default)]
pub struct Exports {
    /// The network's.
    pub network: ExportBlobs,
    /// The NDSI baseline's.
    pub ndsi: ExportBlobs,
    /// A change's.
    pub change: ChangeBlobs,
}

fn blob(bytes: &[u8], mime: &str) -> Option<Blob> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

impl ExportBlobs {
    /// Moves `c`'s export bytes into blobs (leaving them empty in `c`).
    fn take(c: &mut Classification) -> ExportBlobs {
        let Some(exports) = c.exports.as_mut() else {
            return ExportBlobs::default();
        };
        let geotiff = blob(&std::mem::take(&mut exports.geotiff), "image/tiff");
        let geojson = match &mut exports.geojson {
            Ok(text) => blob(std::mem::take(text).as_bytes(), "application/geo+json"),
            Err(_) => None,
        };
        ExportBlobs { geotiff, geojson }
    }
}

impl Exports {
    /// Moves the export bytes of a run's outcome into blobs.
    pub fn take_outcome(outcome: &mut Outcome) -> Exports {
        match outcome {
            Outcome::Map(result) => Exports::take(result),
            Outcome::Change(change) => Exports {
                change: ChangeBlobs::take(change),
                ..Exports::default()
            },
        }
    }

    /// Moves the export bytes of `result`'s classifications into blobs.
    pub fn take(result: &mut MapResult) -> Exports {
        Exports {
            network: result
                .network
                .as_mut()
                .map(ExportBlobs::take)
                .unwrap_or_default(),
            ndsi: result
                .ndsi
                .as_mut()
                .map(ExportBlobs::take)
                .unwrap_or_default(),
            change: ChangeBlobs::default(),
        }
    }

    /// As a JS array for `postMessage` (blobs cross without copying their bytes): network
    /// GeoTIFF, network GeoJSON, NDSI GeoTIFF, NDSI GeoJSON, change GeoTIFF, change CSV,
    /// change JSON, `null` where absent.
    pub fn to_js(&self) -> Array {
        [
            &self.network.geotiff,
            &self.network.geojson,
            &self.ndsi.geotiff,
            &self.ndsi.geojson,
            &self.change.geotiff,
            &self.change.csv,
            &self.change.json,
        ]
        .into_iter()
        .map(|b| b.as_ref().map_or(JsValue::NULL, |b| b.into()))
        .collect()
    }

    /// Reads what [`Exports::to_js`] made; missing or foreign entries become `None`.
    pub fn from_js(value: &JsValue) -> Exports {
        let at = |i: u32| {
            value
                .dyn_ref::<Array>()
                .and_then(|a| a.get(i).dyn_into::<Blob>().ok())
        };
        Exports {
            network: ExportBlobs {
                geotiff: at(0),
                geojson: at(1),
            },
            ndsi: ExportBlobs {
                geotiff: at(2),
                geojson: at(3),
            },
            change: ChangeBlobs {
                geotiff: at(4),
                csv: at(5),
                json: at(6),
            },
        }
    }
}
