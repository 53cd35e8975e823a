//! Chips: fixed-size tiles of input channels and labels, written for training.
//!
//! # On-disk format (a directory)
//! - `chips.json`: [`ChipSet`] — channel names, chip size, the split settings, per-split chip
//!   counts, normalisation statistics of the training chips, and the source files.
//! - `{split}_x.f32`: the channels, little-endian f32, shape `[n, channels, size, size]`, raw
//!   physical values (NaN where there is no data; normalise with the statistics at load time).
//! - `{split}_y.u8`: labels, shape `[n, size, size]`: 1 glacier, 0 not glacier, 255 ignore (no
//!   data, cloud, or outside the area the outlines are trusted for).
//!
//! `split` is `train`, `validation` or `test`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use glacier_inputs::{ChannelName, ChannelReader, ChannelStats, StatsAccumulator, Units};
use glacier_labels::{Outlines, rasterize};
use glacier_raster::Window;
use serde::{Deserialize, Serialize};

use crate::config::Progress;
use crate::split::{SpatialSplit, Split};

/// How chips are cut.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChipOptions {
    /// Chip size in pixels (square).
    pub size: u32,
    /// Step between chips (≤ size for overlap).
    pub stride: u32,
    /// Drop chips with more than this share of ignored label pixels.
    pub max_ignored: f32,
    /// The spatial split.
    pub split: SpatialSplit,
}

impl Default for ChipOptions {
    /// 64-px chips every 32 px, at most 20 % ignored pixels, the default split.
    fn default() -> Self {
        ChipOptions {
            size: 64,
            stride: 32,
            max_ignored: 0.2,
            split: SpatialSplit::default(),
        }
    }
}

/// The description written to `chips.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChipSet {
    /// Channel names in tensor order.
    pub channels: Vec<String>,
    /// Options used.
    pub options: ChipOptions,
    /// Chips per split.
    pub counts: BTreeMap<String, usize>,
    /// Glacier share of the labelled pixels, per split.
    pub glacier_share: BTreeMap<String, f64>,
    /// Normalisation statistics from the training chips.
    pub stats: Vec<ChannelStats>,
    /// Where the data came from.
    pub sources: Vec<String>,
    /// What the band values are (absent in sets made before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Units>,
}

/// Errors while making chips.
#[derive(Debug, thiserror::Error)]
pub enum ChipError {
    /// Inputs could not be read.
    #[error(transparent)]
    Inputs(#[from] glacier_inputs::InputError),
    /// Outlines could not be used.
    #[error(transparent)]
    Labels(#[from] glacier_labels::LabelError),
    /// The chips lack a channel that was asked for (by a model, or by `--channels`).
    #[error(
        "{dir}: the chips hold channels {have:?}, not {missing:?}; make chips with --channels {wanted}"
    )]
    MissingChannel {
        /// Chip directory.
        dir: String,
        /// The channels the chips hold.
        have: Vec<String>,
        /// The first channel asked for that they lack.
        missing: String,
        /// Every channel asked for, comma-separated.
        wanted: String,
    },
    /// Output could not be written.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

/// Where labels come from.
pub struct Labels<'a> {
    /// Glacier outlines; `None` for a scene known to hold no glacier at all (every pixel with
    /// data is labelled "not glacier").
    pub outlines: Option<&'a Outlines>,
    /// Label "not glacier" only within this many pixels of an outline (`None`: everywhere).
    /// For an inventory that covers one glacier of an icefield, "outside" is not "not glacier"
    /// far from the outline.
    pub trusted_within: Option<u32>,
}

/// `true` within `radius` pixels (square neighbourhood) of a 1 in `mask`.
pub fn dilate(mask: &[u8], width: usize, height: usize, radius: usize) -> Vec<bool> {
    let mut rows = vec![false; mask.len()];
    for r in 0..height {
        let line = &mask[r * width..(r + 1) * width];
        let mut last = None;
        for c in 0..width {
            if line[c] == 1 {
                last = Some(c);
            }
            rows[r * width + c] = last.is_some_and(|l| c - l <= radius);
        }
        let mut next = None;
        for c in (0..width).rev() {
            if line[c] == 1 {
                next = Some(c);
            }
            rows[r * width + c] |= next.is_some_and(|n| n - c <= radius);
        }
    }
    let mut out = vec![false; mask.len()];
    for c in 0..width {
        let mut last = None;
        for r in 0..height {
            if rows[r * width + c] {
                last = Some(r);
            }
            out[r * width + c] = last.is_some_and(|l| r - l <= radius);
        }
        let mut next = None;
        for r in (0..height).rev() {
            if rows[r * width + c] {
                next = Some(r);
            }
            out[r * width + c] |= next.is_some_and(|n| n - r <= radius);
        }
    }
    out
}

/// The scene chips are cut from.
pub struct ChipScene<'a, 'r> {
    /// Its channels, read by window.
    pub reader: &'a mut ChannelReader<'r>,
    /// Its grid.
    pub grid: &'a glacier_raster::Grid,
    /// The channels each chip holds, in order.
    pub names: &'a [ChannelName],
    /// The files it came from, recorded in `chips.json`.
    pub sources: Vec<String>,
}

/// Cuts chips from `scene` with labels from `labels` and writes them to `dir`, reporting the
/// chip positions done to `progress` ([`Progress::items`], "chips cut") row by row.
///
/// # Errors
/// [`ChipError`] from reading inputs or writing files.
pub fn write_chips(
    scene: ChipScene<'_, '_>,
    labels_from: &Labels<'_>,
    options: &ChipOptions,
    dir: &Path,
    progress: &mut dyn Progress,
) -> Result<ChipSet, ChipError> {
    let ChipScene {
        reader,
        grid,
        names,
        sources,
    } = scene;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ChipError::Io {
            path: path.clone(),
            source,
        }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let labels = match labels_from.outlines {
        Some(outlines) => rasterize(outlines, grid)?,
        None => vec![0u8; grid.width as usize * grid.height as usize],
    };
    let trusted = labels_from.trusted_within.map(|r| {
        dilate(
            &labels,
            grid.width as usize,
            grid.height as usize,
            r as usize,
        )
    });
    let trusted = trusted.as_deref();
    let size = options.size;
    let mut files: BTreeMap<
        Split,
        (
            std::io::BufWriter<std::fs::File>,
            std::io::BufWriter<std::fs::File>,
        ),
    > = BTreeMap::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut glacier: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut stats = StatsAccumulator::default();
    let w = grid.width;
    let positions = |len: u32| -> Vec<u32> {
        if len < size {
            return Vec::new();
        }
        (0..=(len - size) / options.stride.max(1))
            .map(|i| i * options.stride.max(1))
            .collect()
    };
    let (rows, cols) = (positions(grid.height), positions(w));
    let total = rows.len() * cols.len();
    for (done_rows, row) in rows.into_iter().enumerate() {
        progress.items("chips cut", done_rows * cols.len(), total);
        for &col in &cols {
            let chip = Window::new(col, row, size, size);
            let Some(split) = options.split.chip_split(chip) else {
                continue;
            };
            let channels = reader.read(names, chip)?;
            let masked = reader.qa_mask(chip)?;
            let mut y = Vec::with_capacity((size * size) as usize);
            for r in 0..size {
                for c in 0..size {
                    let i = (r * size + c) as usize;
                    let g = ((row + r) * w + col + c) as usize;
                    let no_data = masked[i] || channels.iter().any(|ch| !ch[i].is_finite());
                    let label = labels[g];
                    let untrusted = label == 0 && trusted.is_some_and(|t| !t[g]);
                    y.push(if no_data || untrusted { 255u8 } else { label });
                }
            }
            let ignored = y.iter().filter(|v| **v == 255).count() as f32 / y.len() as f32;
            if ignored > options.max_ignored {
                continue;
            }
            let (fx, fl) = match files.entry(split) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let x = dir.join(format!("{}_x.f32", split.name()));
                    let l = dir.join(format!("{}_y.u8", split.name()));
                    let fx = std::fs::File::create(&x).map_err(io(&x))?;
                    let fl = std::fs::File::create(&l).map_err(io(&l))?;
                    e.insert((std::io::BufWriter::new(fx), std::io::BufWriter::new(fl)))
                }
            };
            let xpath = dir.join(format!("{}_x.f32", split.name()));
            for ch in &channels {
                let bytes: Vec<u8> = ch.iter().flat_map(|v| v.to_le_bytes()).collect();
                fx.write_all(&bytes).map_err(io(&xpath))?;
            }
            fl.write_all(&y).map_err(io(&xpath))?;
            if split == Split::Train {
                stats.add(&channels);
            }
            *counts.entry(split.name().into()).or_default() += 1;
            let e = glacier.entry(split.name().into()).or_default();
            e.0 += y.iter().filter(|v| **v == 1).count() as u64;
            e.1 += y.iter().filter(|v| **v != 255).count() as u64;
        }
    }
    progress.items("chips cut", total, total);
    for (split, (mut fx, mut fl)) in files {
        let path = dir.join(format!("{}_x.f32", split.name()));
        fx.flush().map_err(io(&path))?;
        fl.flush().map_err(io(&path))?;
    }
    let set = ChipSet {
        channels: names.iter().map(|n| n.name().to_owned()).collect(),
        options: options.clone(),
        counts,
        glacier_share: glacier
            .into_iter()
            .map(|(k, (g, n))| (k, if n > 0 { g as f64 / n as f64 } else { 0.0 }))
            .collect(),
        stats: stats.finish(names),
        sources,
        units: Some(reader.scene().units(names)),
    };
    let json = dir.join("chips.json");
    let text = serde_json::to_string_pretty(&set).unwrap_or_default();
    std::fs::write(&json, text).map_err(io(&json))?;
    Ok(set)
}
