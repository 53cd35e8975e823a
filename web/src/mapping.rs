//! Mapping glaciers in the dropped scene with the network and the NDSI baseline, and drawing
//! the result.

use burn::tensor::Device;
use glacier_infer::{Confusion, Predictor, Scores};
use glacier_inputs::baseline::{classify, plan};
use glacier_inputs::plausibility::{self, PlausibleMap};
use glacier_inputs::{
    ArchiveFormat, ChannelName, ChannelReader, FileSource, Scene, SceneBuilder, Unpacked, unpack,
};
use glacier_labels::Outlines;
use glacier_landsat::Channel;
use glacier_raster::grid::source_positions;
use glacier_raster::{
    Grid, LonLatBounds, RasterSpec, Window, lon_lat_bounds, web_mercator_grid, write_geotiff,
};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::assign::{Choice, is_landsat89};
use crate::model::LoadedModel;
use crate::network::{self, NetworkError};
use crate::timing::{Timings, now_ms};

/// Rows read per step of the first pass; each step yields to the browser.
const ROWS_PER_STEP: u32 = 256;
/// Longest side of the preview image.
const PREVIEW_MAX: u32 = 1024;
/// Steps of making one classifier's exports (GeoTIFF; GeoJSON; scores), with a pause after each.
const EXPORT_STEPS: usize = 3;

/// The error text of a run the visitor cancelled.
pub const CANCELLED: &str = "cancelled";

/// Which classification the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// The trained network.
    Network,
    /// The NDSI-threshold baseline.
    Ndsi,
}

/// A device to try, with the words the page uses for it.
#[derive(Clone)]
pub struct Compute {
    /// burn device.
    pub device: Device,
    /// e.g. `GPU (WebGPU)`, `CPU`.
    pub label: String,
}

/// One classifier's mask over the scene.
#[derive(Serialize, Deserialize)]
pub struct Classification {
    /// What computed it, e.g. `network unet-scse-grn on GPU (WebGPU)`.
    pub label: String,
    /// Mask sampled at the preview's pixels.
    pub preview_mask: Vec<u8>,
    /// Glacier pixels.
    pub glacier: u64,
    /// Pixels with data.
    pub valid: u64,
    /// The mask as a GeoTIFF (1 glacier, 0 not, 255 no data).
    pub geotiff: Vec<u8>,
    /// The glacier patches as GeoJSON polygons in lon/lat, or why there are none.
    pub geojson: Result<String, String>,
    /// Agreement with the dropped outlines on the pixels with data.
    pub scores: Option<Scores>,
}

/// The outcome of a run (sent from the mapping worker to the page in bincode).
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
    fn new(grid: &Grid, preview: &Preview) -> Result<Placement, String> {
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
            for (px, m) in rgba.chunks_exact_mut(4).zip(&c.preview_mask) {
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
        Some(p.paint(|i| {
            if c.preview_mask[i] == 1 {
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

/// False colour from the preview's raw samples (three channels per pixel): each channel
/// stretched between its 2nd and 98th percentile, so reflectance, scaled reflectance and 8-bit
/// DNs all look alike; NaN is black.
fn false_colour(raw: &[f32]) -> Vec<u8> {
    let mut ranges = [(0.0f32, 1.0f32); 3];
    for (k, range) in ranges.iter_mut().enumerate() {
        let mut v: Vec<f32> = raw
            .iter()
            .skip(k)
            .step_by(3)
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        if v.is_empty() {
            continue;
        }
        v.sort_by(f32::total_cmp);
        let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
        let (lo, hi) = (at(0.02), at(0.98));
        *range = (lo, if hi > lo { hi } else { lo + 1.0 });
    }
    let mut out = Vec::with_capacity(raw.len() / 3 * 4);
    for px in raw.chunks_exact(3) {
        for (k, v) in px.iter().enumerate() {
            let (lo, hi) = ranges[k];
            out.push(if v.is_finite() {
                (((v - lo) / (hi - lo)).clamp(0.0, 1.0).powf(0.8) * 255.0) as u8
            } else {
                0
            });
        }
        out.push(255);
    }
    out
}

/// Preview sampling: every `step`-th pixel in both directions.
struct Preview {
    step: u32,
    width: u32,
    height: u32,
}

impl Preview {
    fn new(w: u32, h: u32) -> Preview {
        let step = w.max(h).div_ceil(PREVIEW_MAX).max(1);
        Preview {
            step,
            width: w.div_ceil(step),
            height: h.div_ceil(step),
        }
    }

    /// Index in the preview of scene pixel `(r, c)`, when it is sampled.
    fn index(&self, r: u32, c: u32) -> Option<usize> {
        (r.is_multiple_of(self.step) && c.is_multiple_of(self.step))
            .then(|| ((r / self.step) * self.width + c / self.step) as usize)
    }

    /// A `w × h` scene layer sampled at the preview's pixels.
    fn sample(&self, values: &[u8], w: u32, h: u32) -> Vec<u8> {
        let mut out = vec![255u8; (self.width * self.height) as usize];
        for r in (0..h).step_by(self.step as usize) {
            for c in (0..w).step_by(self.step as usize) {
                if let Some(p) = self.index(r, c) {
                    out[p] = values[(r * w + c) as usize];
                }
            }
        }
        out
    }
}

/// One classifier's outputs from its mask, in [`EXPORT_STEPS`] steps; `pause(step)` is awaited
/// after each (the page paints, and sees Cancel: `false` stops with [`CANCELLED`]).
async fn classification<P, Fut>(
    label: String,
    mask: &[u8],
    grid: &Grid,
    preview: &Preview,
    truth: Option<&[u8]>,
    mut pause: P,
) -> Result<Classification, String>
where
    P: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let (w, h) = (grid.width, grid.height);
    let preview_mask = preview.sample(mask, w, h);
    let spec = RasterSpec {
        width: w,
        height: h,
        bands: 1,
        transform: grid.transform,
        crs: Some(grid.crs.clone()),
        nodata: Some(255.0),
        descriptions: vec![label.clone()],
    };
    let mut tiff = std::io::Cursor::new(Vec::new());
    write_geotiff(
        "glacier_mask.tif",
        &mut tiff,
        &spec,
        |first, rows, bands: &mut [Vec<u8>]| {
            let start = (first * w) as usize;
            bands[0].copy_from_slice(&mask[start..start + (rows * w) as usize]);
            Ok(())
        },
    )
    .map_err(|e| e.to_string())?;
    if !pause(1).await {
        return Err(CANCELLED.into());
    }
    let patches = glacier_labels::polygonize(mask, w, h, |v| v == 1);
    let geojson = glacier_labels::to_geojson(&patches, grid, "glacier_mask.geojson")
        .map_err(|e| format!("No GeoJSON export: {e}"));
    drop(patches);
    if !pause(2).await {
        return Err(CANCELLED.into());
    }
    let classified = Classification {
        label,
        geojson,
        preview_mask,
        glacier: mask.iter().filter(|v| **v == 1).count() as u64,
        valid: mask.iter().filter(|v| **v != 255).count() as u64,
        geotiff: tiff.into_inner(),
        scores: truth.map(|t| {
            let mut c = Confusion::default();
            for (m, t) in mask.iter().zip(t) {
                if *m != 255 {
                    c.add(*m == 1, *t == 1);
                }
            }
            c.scores()
        }),
    };
    if !pause(EXPORT_STEPS).await {
        return Err(CANCELLED.into());
    }
    Ok(classified)
}

/// Glacier outlines among the dropped files: a GeoJSON, or a shapefile's `.shp` with its `.prj`
/// (without the `.prj` the error asks for it). `Ok(None)` when there are none.
fn outlines<S: FileSource>(sources: &[S]) -> Result<Option<Outlines>, String> {
    let lower = |s: &S| s.name().to_ascii_lowercase();
    if let Some(g) = sources.iter().find(|s| lower(s).ends_with(".geojson")) {
        let bytes = crate::files::bytes_of(g)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| format!("{} is not UTF-8 text, so not GeoJSON", g.name()))?;
        return Outlines::from_geojson(g.name(), text)
            .map(Some)
            .map_err(|e| e.to_string());
    }
    let Some(shp) = sources.iter().find(|s| lower(s).ends_with(".shp")) else {
        return Ok(None);
    };
    let stem = lower(shp).trim_end_matches(".shp").to_owned();
    let prj = match sources.iter().find(|s| lower(s) == format!("{stem}.prj")) {
        Some(p) => Some(String::from_utf8_lossy(&crate::files::bytes_of(p)?).into_owned()),
        None => None,
    };
    Outlines::from_shapefile(shp.name(), &crate::files::bytes_of(shp)?, prj.as_deref())
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Bands for the false-colour preview, best first among those the scene has.
fn composite(scene: &Scene) -> Option<[Channel; 3]> {
    use Channel::{Green, Nir, Red, Swir1};
    [
        [Swir1, Nir, Green],
        [Nir, Red, Green],
        [Swir1, Green, Green],
        [Red, Green, Green],
    ]
    .into_iter()
    .find(|set| set.iter().all(|c| scene.channels.contains_key(c)))
}

/// What the network needs that the scene lacks, or `None` when it can run.
fn missing_for_network(predictor: &Predictor, reader: &mut ChannelReader<'_>) -> Option<String> {
    reader
        .read(predictor.names(), Window::new(0, 0, 1, 1))
        .err()
        .map(|e| {
            let names: Vec<&str> = predictor.names().iter().map(|n| n.name()).collect();
            format!(
                "The network was not run: it needs {} ({e}).",
                names.join(", ")
            )
        })
}

/// Which files of a dropped archive the map was made from, for the notes under the map.
fn archive_note(unpacked: &Unpacked) -> String {
    let archive = unpacked
        .files
        .first()
        .and_then(|f| f.name().rsplit_once('/'))
        .map_or("the archive", |(a, _)| a);
    let used: Vec<&str> = unpacked
        .files
        .iter()
        .map(|f| f.name().rsplit('/').next().unwrap_or(f.name()))
        .collect();
    format!(
        "From {archive}: {} ({} other files in it were not read).",
        used.join(", "),
        unpacked.skipped.len()
    )
}

/// Maps the scene in `sources`: a first pass (preview and NDSI baseline) strip by strip, then the
/// network tile by tile on the first of `computes` that works. `progress(stage, done, total)`
/// is awaited between steps so the browser can paint; when it answers `false` the run stops
/// with [`CANCELLED`].
///
/// # Errors
/// A message naming the file and the fix, when no classifier can run.
pub async fn run<S, F, Fut>(
    sources: Vec<S>,
    choices: Vec<Choice>,
    model: Option<LoadedModel>,
    computes: Vec<Compute>,
    mut progress: F,
) -> Result<MapResult, String>
where
    S: FileSource + Clone + 'static,
    F: FnMut(String, usize, usize) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut timings = Timings::default();
    let mut t = now_ms();
    let mut notes = Vec::new();
    // Outlines that cannot be read only cost the comparison, never the map.
    let outlines = outlines(&sources).unwrap_or_else(|e| {
        notes.push(format!("The outlines were not compared: {e}"));
        None
    });
    let mut builder = SceneBuilder::new();
    // Landsat 8/9 files by their names, others by the visitor's choices; the rest (a DEM) is
    // listed as unused: neither classifier takes elevation.
    for (file, band, channel) in &choices {
        if let Some(s) = sources.iter().find(|s| s.name() == file) {
            builder.map_band(*channel, Box::new(s.clone()), *band);
        }
    }
    for s in sources {
        if is_landsat89(s.name()) {
            builder.add_file(Box::new(s));
        } else if let Some(format) = ArchiveFormat::of(s.name()) {
            // A scene archive as USGS delivers it: its members are read in place.
            let unpacked = unpack(Arc::new(s), format).map_err(|e| e.to_string())?;
            notes.push(archive_note(&unpacked));
            for member in unpacked.files {
                builder.add_file(member);
            }
        }
    }
    let scene = builder.build().map_err(|e| e.to_string())?;
    let grid = scene.grid.clone();
    let (w, h) = (grid.width, grid.height);
    // Checked, not `w * h`: in wasm32 a large header's product wraps.
    let pixels = grid
        .checked_pixels()
        .map_err(|e| format!("{}: {e}", scene.reference_file))?;
    let truth = match &outlines {
        Some(o) => match glacier_labels::rasterize(o, &grid) {
            Ok(t) => Some(t),
            Err(e) => {
                notes.push(format!("The outlines were not compared: {e}"));
                None
            }
        },
        None => None,
    };
    let mut reader = ChannelReader::new(&scene, None);
    t = timings.stage("scene headers and outlines", t);

    let mut predictor = None;
    match (&model, computes.first()) {
        (Some(m), Some(first)) => {
            let p = Predictor::new(&m.bundle, &first.device).map_err(|e| e.to_string())?;
            match missing_for_network(&p, &mut reader) {
                None => predictor = Some(p),
                Some(why) => notes.push(why),
            }
        }
        _ => notes.push("The network was not run: the model did not load (see above).".into()),
    }
    if predictor.is_some() {
        t = timings.stage("model onto the device", t);
    }
    let ndsi_ok = scene.channels.contains_key(&Channel::Green)
        && scene.channels.contains_key(&Channel::Swir1);
    if !ndsi_ok {
        notes.push("The NDSI baseline was not run: it needs green (B3) and swir1 (B6).".into());
    }
    let bands = composite(&scene);
    let (Some(bands), true) = (bands, predictor.is_some() || ndsi_ok) else {
        return Err(format!(
            "Nothing can be mapped with these files: {} Add the missing bands of the same scene.",
            notes.join(" ")
        ));
    };

    // First pass: the preview and the NDSI baseline.
    // The baseline's thresholds are for reflectance: on values as stored (a band table without
    // an MTL or in-file scale) the NIR test is left out and the label and a note say so.
    let baseline = plan(
        scene.channels.contains_key(&Channel::Nir),
        scene.calibrated(&[Channel::Green, Channel::Swir1, Channel::Nir]),
    );
    let rules = baseline.rules;
    let with_nir = rules.nir_min.is_some();
    if let (true, Some(caveat)) = (ndsi_ok, &baseline.caveat) {
        notes.push(caveat.clone());
    }
    let mut names: Vec<ChannelName> = bands.iter().map(|c| ChannelName::Band(*c)).collect();
    if ndsi_ok {
        names.push(ChannelName::Ndsi);
        if with_nir {
            names.push(ChannelName::Band(Channel::Nir));
        }
    }
    // Where glacier can be (NDSI > 0, NIR > 0.11), for the network's mask once it exists.
    let mut plausible = (ndsi_ok && with_nir).then(|| PlausibleMap::new(pixels));
    let preview = Preview::new(w, h);
    let mut raw = vec![f32::NAN; (preview.width * preview.height * 3) as usize];
    let mut ndsi_mask = if ndsi_ok {
        vec![255u8; pixels]
    } else {
        Vec::new()
    };
    let stage = if ndsi_ok {
        "reading bands, NDSI baseline"
    } else {
        "reading bands"
    };
    let mut row = 0;
    while row < h {
        let rows = ROWS_PER_STEP.min(h - row);
        let window = Window::new(0, row, w, rows);
        let v = reader.read(&names, window).map_err(|e| e.to_string())?;
        let masked = reader.qa_mask(window).map_err(|e| e.to_string())?;
        if ndsi_ok {
            let nir = with_nir.then(|| &v[4][..]);
            let classes = classify(&rules, &v[3], nir, None);
            let start = (row * w) as usize;
            if let Some(map) = plausible.as_mut() {
                map.record(start, &v[3], &v[4]);
            }
            for (i, class) in classes.iter().enumerate() {
                ndsi_mask[start + i] = match class {
                    Some(_) if masked[i] => 255,
                    Some(true) => 1,
                    Some(false) => 0,
                    None => 255,
                };
            }
        }
        for r in (row..row + rows).filter(|r| r.is_multiple_of(preview.step)) {
            for c in (0..w).step_by(preview.step as usize) {
                if let Some(p) = preview.index(r, c) {
                    let i = ((r - row) * w + c) as usize;
                    raw[p * 3..p * 3 + 3].copy_from_slice(&[v[0][i], v[1][i], v[2][i]]);
                }
            }
        }
        row += rows;
        if !progress(stage.into(), row as usize, h as usize).await {
            return Err(CANCELLED.into());
        }
    }
    t = timings.stage(format!("decode + preprocess ({stage}), {w} × {h} px"), t);
    let ndsi = if ndsi_ok {
        Some(
            classification(
                baseline.label.clone(),
                &ndsi_mask,
                &grid,
                &preview,
                truth.as_deref(),
                |step| progress("NDSI baseline exports".into(), step, EXPORT_STEPS),
            )
            .await?,
        )
    } else {
        None
    };
    drop(ndsi_mask);
    if ndsi.is_some() {
        t = timings.stage("NDSI mask exports (GeoTIFF, GeoJSON)", t);
    }

    // Second pass: the network, on the first device that works.
    let mut network = None;
    if let (Some(mut p), Some(m)) = (predictor, &model) {
        for (attempt, compute) in computes.iter().enumerate() {
            if attempt > 0 {
                match Predictor::new(&m.bundle, &compute.device) {
                    Ok(next) => p = next,
                    Err(e) => {
                        notes.push(format!(
                            "The network could not start on {}: {e}",
                            compute.label
                        ));
                        continue;
                    }
                }
            }
            let stage = format!("network on {}", compute.label);
            let outcome = network::classify(&p, &mut reader, w, h, |done, total| {
                progress(stage.clone(), done, total)
            })
            .await;
            t = timings.stage(format!("network inference on {}", compute.label), t);
            match outcome {
                Ok(mut mask) => {
                    let mut label =
                        format!("network {} on {}", m.bundle.header.name, compute.label);
                    if let Some(map) = &plausible {
                        let called = mask.iter().filter(|v| **v == 1).count() as u64;
                        notes.push(plausibility::note(map.apply(&mut mask), called));
                        label.push_str(", where NDSI > 0 and NIR > 0.11");
                    }
                    network = Some(
                        classification(label, &mask, &grid, &preview, truth.as_deref(), |step| {
                            progress("network exports".into(), step, EXPORT_STEPS)
                        })
                        .await?,
                    );
                    t = timings.stage("network mask exports (GeoTIFF, GeoJSON)", t);
                    break;
                }
                Err(NetworkError::Cancelled) => return Err(CANCELLED.into()),
                Err(NetworkError::Input(e)) => {
                    notes.push(format!("The network stopped: {e}"));
                    break;
                }
                Err(NetworkError::Backend(e)) => notes.push(format!(
                    "The network failed on {}: {e}; trying the next backend.",
                    compute.label
                )),
            }
        }
    }
    if network.is_none() && ndsi.is_none() {
        return Err(notes.join(" "));
    }
    let placement = match Placement::new(&grid, &preview) {
        Ok(p) => Some(p),
        Err(e) => {
            notes.push(format!("The scene cannot be placed on the map: {e}"));
            None
        }
    };
    timings.stage("map placement (UTM → Web Mercator)", t);
    for c in [&network, &ndsi].into_iter().flatten() {
        if let Err(e) = &c.geojson {
            notes.push(e.clone());
            break;
        }
    }
    let outlines_preview = truth.as_ref().map(|t| preview.sample(t, w, h));
    Ok(MapResult {
        size: (w, h),
        grid: format!("{}, {} m pixels", grid.crs, grid.transform.dx),
        pixel_km2: (grid.transform.dx * grid.transform.dy).abs() / 1e6,
        composite: bands.map(|c| ChannelName::Band(c).name()).join(" / "),
        base: (false_colour(&raw), preview.width, preview.height),
        network,
        ndsi,
        notes,
        outlines: truth.is_some().then(|| outlines.map(|o| o.file)).flatten(),
        outlines_preview,
        placement,
        timings,
        memory_mb: crate::timing::wasm_memory_bytes() / 1_048_576.0,
    })
}
