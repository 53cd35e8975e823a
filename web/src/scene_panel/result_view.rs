//! A run's result as the section holds it: the [`MapResult`] with its export files as blob URLs
//! (revoked when the result is replaced), and the map layers drawn from it.

use crate::exports::{ExportBlobs, Exports};
use crate::map_result::{MapResult, Shown};
use crate::map_view::{MapLayers, png_data_url};

/// What a download link offers.
#[derive(Clone, Copy)]
pub enum Export {
    /// The mask as a GeoTIFF.
    GeoTiff,
    /// The glacier patches as GeoJSON.
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
    /// The result.
    pub result: MapResult,
    /// Where the run computed: a background worker, or the page's thread and why.
    pub ran_in: String,
    network: Option<ExportUrls>,
    ndsi: Option<ExportUrls>,
}

impl MapResultView {
    /// `result` with its `exports` (turned into blob URLs, revoked when this is dropped).
    pub fn new(result: MapResult, exports: Exports, ran_in: String) -> Self {
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
    pub fn url(&self, shown: Shown, export: Export) -> Option<String> {
        let pick = match (shown, &self.network, &self.ndsi) {
            (Shown::Network, Some(u), _) | (Shown::Ndsi, _, Some(u)) => Some(u),
            (_, n, d) => n.as_ref().or(d.as_ref()),
        };
        pick.and_then(|u| u.get(export)).cloned()
    }

    /// The map's layers as PNG data URLs; `None` when the scene could not be placed.
    pub fn map_layers(&self, shown: Shown) -> Option<Result<MapLayers, String>> {
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
