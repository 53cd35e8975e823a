//! The outcome of a change run as the page holds it (sent from the mapping worker in postcard),
//! and the change layer drawn from it on the earlier date's placement.

use glacier_change::compare::{CLASS_COLOURS, class};
use glacier_change::{GlacierChange, Summary};
use serde::{Deserialize, Serialize};

use crate::map_result::{MapResult, OUTLINE_RGBA, Shown};

/// The change's download files (moved into blobs before the result reaches the page's memory,
/// see [`crate::exports`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ChangeFiles {
    /// The change classes as a uint8 GeoTIFF with a colour table, on the earlier date's grid.
    pub geotiff: Vec<u8>,
    /// One row per outline, largest loss first, when outlines were given.
    pub csv: Option<Vec<u8>>,
    /// The summary as `glacier change` prints it.
    pub json: String,
}

/// Two dates mapped and compared.
#[derive(Serialize, Deserialize)]
pub struct ChangeResult {
    /// The earlier date's map (its masks dropped once compared).
    pub before: MapResult,
    /// The later date's map.
    pub after: MapResult,
    /// The two acquisition dates, `YYYY-MM-DD`, earlier first.
    pub dates: [String; 2],
    /// Which classification was compared, in words.
    pub compared: String,
    /// Whether the network's masks were compared (else the NDSI baseline's).
    pub network: bool,
    /// The numbers, as `glacier change` prints them.
    pub summary: Summary,
    /// One row per outline on the grid, largest loss first (empty without outlines).
    pub glaciers: Vec<GlacierChange>,
    /// The outlines' file, when some were given.
    pub outlines: Option<String>,
    /// The change class of each preview pixel of the earlier date ([`class`]).
    pub classes_preview: Vec<u8>,
    /// What the visitor should know about the comparison.
    pub notes: Vec<String>,
    /// The downloads.
    pub files: ChangeFiles,
}

/// Which layer the map shows of a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeLayer {
    /// Lost, gained and stable ice over the earlier date's false colour.
    Change,
    /// The earlier date's glacier over its false colour.
    Before,
    /// The later date's glacier over its false colour.
    After,
}

/// The colour of a change class on the map (opaque), `None` for classes not drawn (no glacier
/// on either date, no data).
pub fn class_rgba(value: u8) -> Option<[u8; 4]> {
    match value {
        class::STABLE | class::LOST | class::GAINED => {
            let [r, g, b] = CLASS_COLOURS[value as usize];
            Some([r, g, b, 255])
        }
        _ => None,
    }
}

impl ChangeResult {
    /// The change classes on the map grid of the earlier date (transparent where nothing
    /// changed colour); `None` when that date could not be placed.
    pub fn map_change(&self) -> Option<Vec<u8>> {
        let p = self.before.placement.as_ref()?;
        Some(p.paint(|i| {
            self.classes_preview
                .get(i)
                .and_then(|v| class_rgba(*v))
                .unwrap_or([0; 4])
        }))
    }

    /// The map view of the change as one image: the earlier date's false colour, the classes
    /// at `opacity` (0–1), the outlines' edges.
    pub fn map_picture(&self, opacity: f64) -> Option<Vec<u8>> {
        let mut rgba = self.before.map_base()?;
        let change = self.map_change()?;
        let a = opacity.clamp(0.0, 1.0) as f32;
        for (px, m) in rgba.chunks_exact_mut(4).zip(change.chunks_exact(4)) {
            if m[3] != 0 {
                for (p, m) in px.iter_mut().zip(m).take(3) {
                    *p = (f32::from(*p) * (1.0 - a) + f32::from(*m) * a) as u8;
                }
            }
        }
        if let Some(edges) = self.before.map_outlines() {
            for (px, e) in rgba.chunks_exact_mut(4).zip(edges.chunks_exact(4)) {
                if e[3] != 0 {
                    px.copy_from_slice(&OUTLINE_RGBA);
                }
            }
        }
        Some(rgba)
    }

    /// The classification compared, as the page names it.
    pub fn shown(&self) -> Shown {
        if self.network {
            Shown::Network
        } else {
            Shown::Ndsi
        }
    }

    /// The date `layer` shows (the earlier one for the change).
    pub fn date_of(&self, layer: ChangeLayer) -> &MapResult {
        match layer {
            ChangeLayer::Change | ChangeLayer::Before => &self.before,
            ChangeLayer::After => &self.after,
        }
    }
}
