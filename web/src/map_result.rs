//! The outcome of a run as the page holds it (sent from the mapping worker in postcard), and
//! what is drawn from it: the preview, and the scene on the web map.

use glacier_map::{Classification, Sampling};
use glacier_raster::grid::source_positions;
use glacier_raster::{Grid, LonLatBounds, lon_lat_bounds, web_mercator_grid};
use serde::{Deserialize, Serialize};

use crate::timing::Timings;

/// Longest side of the preview image.
pub const PREVIEW_MAX: u32 = 1024;

/// Which classification the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The trained network.
    Network,
    /// The NDSI-threshold baseline.
    Ndsi,
}

/// The outcome of a run (sent from the mapping worker to the page in postcard).
#[derive(Serialize, Deserialize)]
pub struct MapResult {
    /// Scene size.
    pub size: (u32, u32),
    /// CRS and pixel size in words.
    pub grid: String,
    /// Pixel area, km².
    pub pixel_km2: f64,
    /// Which bands the false-colour preview uses.
    pub composite: String,
    /// False-colour preview RGBA pixels without overlay, and their size.
    pub base: (Vec<u8>, u32, u32),
    /// The network's mask, when the scene had its channels and the model loaded.
    pub network: Option<Classification>,
    /// The baseline's mask, when the scene had green and SWIR1.
    pub ndsi: Option<Classification>,
    /// Things the visitor should know (a classifier that could not run, a backend fallback).
    pub notes: Vec<String>,
    /// Which shipped model mapped the scene and why the others did not.
    pub model_choice: Option<String>,
    /// The outlines compared with, when some were dropped.
    pub outlines: Option<String>,
    /// The dropped outlines sampled at the preview's pixels (1 inside).
    pub outlines_preview: Option<Vec<u8>>,
    /// Where the scene lies on the web map; `None` when its CRS cannot be placed (see notes).
    pub placement: Option<Placement>,
    /// How long each stage took.
    pub timings: Timings,
    /// MiB of wasm memory of the module that mapped (the worker's, or the page's), at the end:
    /// the run's peak, since wasm memory only grows.
    pub memory_mb: f64,
    /// Which scene pixels the preview shows.
    pub sampling: Sampling,
    /// The acquisition date (`YYYY-MM-DD`), where the run knew it (an archive item's).
    pub acquired: Option<String>,
    /// The satellite or product, where the run knew it (an archive item's platform).
    pub sensor: Option<String>,
    /// The scene grid, on the side that mapped it (not sent: the page has the grid in words).
    #[serde(skip)]
    pub scene_grid: Option<Grid>,
}

/// The scene on a web map: a north-up Web Mercator grid over it (so a web map can stretch an
/// image between two lon/lat corners without distortion) and, for each of its pixels, the
/// preview pixel it shows.
#[derive(Serialize, Deserialize)]
pub struct Placement {
    /// The grid's bounds in longitude/latitude.
    #[serde(with = "BoundsDef")]
    pub bounds: LonLatBounds,
    /// Map image width in pixels.
    pub width: u32,
    /// Map image height in pixels.
    pub height: u32,
    /// Preview index per map pixel (`u32::MAX` outside the scene).
    index: Vec<u32>,
}

/// [`LonLatBounds`] for serde (glacier-raster has no serde dependency).
#[derive(Serialize, Deserialize)]
#[serde(remote = "LonLatBounds")]
struct BoundsDef {
    west: f64,
    south: f64,
    east: f64,
    north: f64,
}

impl Placement {
    /// The placement of `grid`'s scene, whose preview samples it as `preview` does.
    pub fn new(grid: &Grid, preview: &Sampling) -> Result<Placement, String> {
        let merc = web_mercator_grid(grid, PREVIEW_MAX).map_err(|e| e.to_string())?;
        let bounds = lon_lat_bounds(&merc).map_err(|e| e.to_string())?;
        let (w, h) = (grid.width as f32, grid.height as f32);
        let index = source_positions(&merc, grid, 16)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|p| match p {
                Some((c, r)) if (0.0..w).contains(&c) && (0.0..h).contains(&r) => {
                    (r as u32 / preview.step) * preview.width + c as u32 / preview.step
                }
                _ => u32::MAX,
            })
            .collect();
        Ok(Placement {
            bounds,
            width: merc.width,
            height: merc.height,
            index,
        })
    }

    /// An RGBA image on the map grid: `colour(preview index)` inside the scene, transparent
    /// outside.
    pub fn paint(&self, colour: impl Fn(usize) -> [u8; 4]) -> Vec<u8> {
        self.index
            .iter()
            .flat_map(|&i| {
                if i == u32::MAX {
                    [0; 4]
                } else {
                    colour(i as usize)
                }
            })
            .collect()
    }

    /// Like [`Placement::paint`] for a 0/1 layer, drawing only its edges (where a map pixel's
    /// value differs from its right or lower neighbour's).
    pub fn edges(&self, inside: impl Fn(usize) -> bool, colour: [u8; 4]) -> Vec<u8> {
        let (w, h) = (self.width as usize, self.height as usize);
        let value: Vec<bool> = self
            .index
            .iter()
            .map(|&i| i != u32::MAX && inside(i as usize))
            .collect();
        let mut rgba = vec![0u8; w * h * 4];
        for r in 0..h {
            for c in 0..w {
                let v = value[r * w + c];
                let right = c + 1 < w && value[r * w + c + 1] != v;
                let below = r + 1 < h && value[(r + 1) * w + c] != v;
                if right || below {
                    rgba[(r * w + c) * 4..(r * w + c) * 4 + 4].copy_from_slice(&colour);
                }
            }
        }
        rgba
    }
}

/// Least pixels across a quick look's area ([`glacier_map::quick_look`]).
pub const LOOK_SIDE: u32 = 256;

/// A quick look at a scene being mapped, from its files' overviews, on the web map's grid
/// (sent from the mapping worker before the run's result).
#[derive(Serialize, Deserialize)]
pub struct Look {
    /// Where the image lies.
    #[serde(with = "BoundsDef")]
    pub bounds: LonLatBounds,
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// RGBA pixels (transparent outside the scene).
    pub rgba: Vec<u8>,
    /// The overview level read (0: the full resolution).
    pub level: usize,
}

impl Look {
    /// The quick look of `scene` on the web map, when it has one.
    pub fn of(scene: &glacier_inputs::Scene) -> Option<Look> {
        let look = glacier_map::quick_look(scene, LOOK_SIDE)?;
        let placement = Placement::new(&look.grid, &look.preview.sampling).ok()?;
        let rgba = &look.preview.rgba;
        let map = placement.paint(|i| {
            rgba.get(i * 4..i * 4 + 4)
                .and_then(|p| p.try_into().ok())
                .unwrap_or([0; 4])
        });
        Some(Look {
            bounds: placement.bounds,
            width: placement.width,
            height: placement.height,
            rgba: map,
            level: look.level,
        })
    }
}

/// Colour of glacier pixels on the map and in the preview.
pub const GLACIER_RGBA: [u8; 4] = [0, 200, 255, 255];
/// Colour of the dropped outlines on the map.
pub const OUTLINE_RGBA: [u8; 4] = [255, 214, 0, 255];

impl MapResult {
    /// The classification for `shown`, else the one there is.
    pub fn pick(&self, shown: Shown) -> Option<&Classification> {
        match shown {
            Shown::Network => self.network.as_ref().or(self.ndsi.as_ref()),
            Shown::Ndsi => self.ndsi.as_ref().or(self.network.as_ref()),
        }
    }

    /// The preview with `shown`'s glacier pixels in cyan.
    pub fn preview(&self, shown: Shown) -> Vec<u8> {
        let mut rgba = self.base.0.clone();
        if let Some(c) = self.pick(shown) {
            for (px, m) in rgba
                .chunks_exact_mut(4)
                .zip(c.preview_mask.iter().flatten())
            {
                if *m == 1 {
                    px.copy_from_slice(&GLACIER_RGBA);
                }
            }
        }
        rgba
    }

    /// Total pixels of the scene.
    pub fn pixels(&self) -> u64 {
        u64::from(self.size.0) * u64::from(self.size.1)
    }

    /// The false colour on the map grid.
    pub fn map_base(&self) -> Option<Vec<u8>> {
        let p = self.placement.as_ref()?;
        Some(p.paint(|i| {
            let px = &self.base.0[i * 4..i * 4 + 4];
            [px[0], px[1], px[2], px[3]]
        }))
    }

    /// `shown`'s glacier pixels on the map grid (transparent elsewhere).
    pub fn map_mask(&self, shown: Shown) -> Option<Vec<u8>> {
        let (p, c) = (self.placement.as_ref()?, self.pick(shown)?);
        let samples = c.preview_mask.as_ref()?;
        Some(p.paint(|i| {
            if samples[i] == 1 {
                GLACIER_RGBA
            } else {
                [0; 4]
            }
        }))
    }

    /// The dropped outlines' edges on the map grid.
    pub fn map_outlines(&self) -> Option<Vec<u8>> {
        let (p, t) = (self.placement.as_ref()?, self.outlines_preview.as_ref()?);
        Some(p.edges(|i| t[i] == 1, OUTLINE_RGBA))
    }

    /// The map view as one image: false colour, `shown`'s glacier at `opacity` (0–1), outlines.
    pub fn map_picture(&self, shown: Shown, opacity: f64) -> Option<Vec<u8>> {
        let mut rgba = self.map_base()?;
        let mask = self.map_mask(shown)?;
        let a = opacity.clamp(0.0, 1.0) as f32;
        for (px, m) in rgba.chunks_exact_mut(4).zip(mask.chunks_exact(4)) {
            if m[3] != 0 {
                for (p, m) in px.iter_mut().zip(m).take(3) {
                    *p = (f32::from(*p) * (1.0 - a) + f32::from(*m) * a) as u8;
                }
            }
        }
        if let Some(edges) = self.map_outlines() {
            for (px, e) in rgba.chunks_exact_mut(4).zip(edges.chunks_exact(4)) {
                if e[3] != 0 {
                    px.copy_from_slice(e);
                }
            }
        }
        Some(rgba)
    }
}
