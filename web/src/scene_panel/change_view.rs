//! A change as the section holds it: the [`ChangeResult`] with its files as blob URLs (revoked
//! when the change is replaced), and the map layers drawn from it.

use crate::change_result::{ChangeLayer, ChangeResult};
use crate::exports::ChangeBlobs;
use crate::map_view::{MapLayers, png_data_url};

/// A download of a change.
#[derive(Clone, Copy)]
pub enum ChangeExport {
    /// The change classes as a GeoTIFF.
    GeoTiff,
    /// The table per glacier.
    Csv,
    /// The summary.
    Json,
}

/// A [`ChangeResult`] with its files as blob URLs.
pub struct ChangeView {
    /// The change.
    pub change: ChangeResult,
    /// Where the run computed.
    pub ran_in: String,
    urls: [Option<String>; 3],
}

impl ChangeView {
    /// `change` with its `blobs` turned into URLs (revoked when this is dropped).
    pub fn new(change: ChangeResult, blobs: ChangeBlobs, ran_in: String) -> Self {
        let url = |b: Option<web_sys::Blob>| {
            b.and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok())
        };
        ChangeView {
            change,
            ran_in,
            urls: [url(blobs.geotiff), url(blobs.csv), url(blobs.json)],
        }
    }

    /// The download URL of `export` (empty when there is none).
    pub fn url(&self, export: ChangeExport) -> String {
        let i = match export {
            ChangeExport::GeoTiff => 0,
            ChangeExport::Csv => 1,
            ChangeExport::Json => 2,
        };
        self.urls[i].clone().unwrap_or_default()
    }

    /// The map's layers for `layer` as PNG data URLs; `None` when its date could not be placed.
    pub fn map_layers(&self, layer: ChangeLayer) -> Option<Result<MapLayers, String>> {
        let c = &self.change;
        let date = c.date_of(layer);
        let p = date.placement.as_ref()?;
        let size = (p.width, p.height);
        let png = |rgba: Option<Vec<u8>>| rgba.map(|px| png_data_url(&px, size)).transpose();
        Some((|| -> Result<MapLayers, String> {
            let overlay = match layer {
                ChangeLayer::Change => c.map_change(),
                ChangeLayer::Before | ChangeLayer::After => date.map_mask(c.shown()),
            };
            Ok(MapLayers {
                bounds: p.bounds,
                base: png(date.map_base())?.unwrap_or_default(),
                mask: png(overlay)?.unwrap_or_default(),
                outlines: png(date.map_outlines())?,
            })
        })())
    }
}

impl Drop for ChangeView {
    fn drop(&mut self) {
        for url in self.urls.iter().flatten() {
            let _ = web_sys::Url::revoke_object_url(url);
        }
    }
}
