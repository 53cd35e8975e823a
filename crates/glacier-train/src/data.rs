//! Chips read back from a chip directory: the on-disk splits in memory ([`ChipData`]), the
//! input spec a set's statistics give ([`input_spec`]) and channels picked by name
//! ([`channel_positions`], [`select_spec`]). What training and evaluation both read.

use std::path::Path;

use glacier_inputs::{ChannelName, InputSpec, Normalisation, StatsAccumulator};

use crate::chips::{ChipError, ChipSet};
use crate::radiometry::{ChannelLight, channel_lights};
use crate::split::Split;

/// One split's chips in memory.
pub struct ChipData {
    /// Channels, `[n, c, s, s]`: physical values (NaN = no data) or normalised (NaN → 0).
    pub x: Vec<f32>,
    /// Labels, `[n, s, s]`: 1, 0, or 255 (ignore).
    pub y: Vec<u8>,
    /// Number of chips.
    pub n: usize,
    /// Channels.
    pub c: usize,
    /// Chip size.
    pub s: usize,
    /// `[n, c]`: how each chip's normalised channels move when their light changes (see
    /// [`radiometry`](crate::radiometry)); empty until [`ChipData::normalised`].
    pub lights: Vec<Option<ChannelLight>>,
}

/// Reads `chips.json` of a chip directory.
///
/// # Errors
/// [`ChipError::Io`] when it is missing or not a chip description.
pub fn read_chip_set(dir: &Path) -> Result<ChipSet, ChipError> {
    let path = dir.join("chips.json");
    let err = |source| ChipError::Io {
        path: path.display().to_string(),
        source,
    };
    let text = std::fs::read_to_string(&path).map_err(err)?;
    serde_json::from_str(&text).map_err(|e| {
        err(std::io::Error::other(format!(
            "not a chip description ({e}); make chips with `glacier chips`"
        )))
    })
}

impl ChipData {
    /// Loads `split` from a chip directory, values as stored (physical, NaN = no data).
    ///
    /// # Errors
    /// [`ChipError::Io`] when the files are missing or their sizes do not match `chips.json`.
    pub fn load(dir: &Path, set: &ChipSet, split: Split) -> Result<ChipData, ChipError> {
        let n = set.counts.get(split.name()).copied().unwrap_or(0);
        let (c, s) = (set.channels.len(), set.options.size as usize);
        if n == 0 {
            return Ok(ChipData {
                x: Vec::new(),
                y: Vec::new(),
                n,
                c,
                s,
                lights: Vec::new(),
            });
        }
        let read = |name: String| {
            let path = dir.join(&name);
            std::fs::read(&path).map_err(|source| ChipError::Io {
                path: path.display().to_string(),
                source,
            })
        };
        let xb = read(format!("{}_x.f32", split.name()))?;
        let y = read(format!("{}_y.u8", split.name()))?;
        if xb.len() != n * c * s * s * 4 || y.len() != n * s * s {
            return Err(ChipError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::other(format!(
                    "{} chips do not match chips.json ({n} × {c} × {s}²); make the chips again",
                    split.name()
                )),
            });
        }
        let x = xb
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Ok(ChipData {
            x,
            y,
            n,
            c,
            s,
            lights: Vec::new(),
        })
    }

    /// One chip's channels, one `Vec` per channel.
    pub fn chip(&self, i: usize) -> Vec<Vec<f32>> {
        let plane = self.s * self.s;
        let start = i * self.c * plane;
        self.x[start..start + self.c * plane]
            .chunks(plane)
            .map(<[f32]>::to_vec)
            .collect()
    }

    /// One chip's labels.
    pub fn labels(&self, i: usize) -> &[u8] {
        let plane = self.s * self.s;
        &self.y[i * plane..(i + 1) * plane]
    }

    /// A copy holding only the channels at `positions` (indices into this data's channels), in
    /// that order.
    pub fn select(&self, positions: &[usize]) -> ChipData {
        let plane = self.s * self.s;
        let mut x = Vec::with_capacity(self.n * positions.len() * plane);
        for i in 0..self.n {
            let start = i * self.c * plane;
            for &k in positions {
                x.extend_from_slice(&self.x[start + k * plane..start + (k + 1) * plane]);
            }
        }
        ChipData {
            x,
            y: self.y.clone(),
            n: self.n,
            c: positions.len(),
            s: self.s,
            lights: Vec::new(),
        }
    }

    /// Appends `other`'s chips (same channels and chip size).
    pub(crate) fn append(&mut self, other: ChipData) {
        debug_assert!(other.n == 0 || (other.c == self.c && other.s == self.s));
        self.x.extend(other.x);
        self.y.extend(other.y);
        self.lights.extend(other.lights);
        self.n += other.n;
    }

    /// A copy normalised with `spec` (NaN → 0), with each chip's [`ChannelLight`]s.
    pub fn normalised(&self, spec: &InputSpec) -> ChipData {
        let mut x = Vec::with_capacity(self.x.len());
        let lights = channel_lights(spec);
        for i in 0..self.n {
            let mut channels = self.chip(i);
            spec.normalise(&mut channels);
            channels.into_iter().for_each(|c| x.extend(c));
        }
        ChipData {
            x,
            y: self.y.clone(),
            n: self.n,
            c: self.c,
            s: self.s,
            lights: lights.repeat(self.n),
        }
    }
}

/// The input spec for a chip set: its training statistics, or for [`Normalisation::Scene`] the
/// statistics of all its chips (label-free; what prediction computes on a whole scene).
///
/// # Errors
/// [`ChipError`] when chips cannot be read or a channel name is unknown.
pub fn input_spec(
    dir: &Path,
    set: &ChipSet,
    normalisation: Normalisation,
    tile: u32,
) -> Result<InputSpec, ChipError> {
    let channels = match normalisation {
        Normalisation::Training => set.stats.clone(),
        Normalisation::Scene => {
            let names = set
                .channels
                .iter()
                .map(|n| {
                    ChannelName::parse(n).ok_or_else(|| ChipError::Io {
                        path: dir.display().to_string(),
                        source: std::io::Error::other(format!("unknown channel {n:?}")),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut acc = StatsAccumulator::default();
            for split in [Split::Train, Split::Validation, Split::Test] {
                let data = ChipData::load(dir, set, split)?;
                for i in 0..data.n {
                    acc.add(&data.chip(i));
                }
            }
            acc.finish(&names)
        }
    };
    Ok(InputSpec {
        channels,
        tile,
        overlap: tile / 8,
        normalisation,
        units: set.units,
    })
}

/// The positions of `names` among `set`'s channels, in the order of `names`.
///
/// # Errors
/// [`ChipError::MissingChannel`] when a channel is not in the chips.
pub fn channel_positions(
    dir: &Path,
    set: &ChipSet,
    names: &[String],
) -> Result<Vec<usize>, ChipError> {
    names
        .iter()
        .map(|name| {
            set.channels
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| ChipError::MissingChannel {
                    dir: dir.display().to_string(),
                    have: set.channels.clone(),
                    missing: name.clone(),
                    wanted: names.join(","),
                })
        })
        .collect()
}

/// `spec` reduced to the channels at `positions`.
pub fn select_spec(spec: &InputSpec, positions: &[usize]) -> InputSpec {
    InputSpec {
        channels: positions
            .iter()
            .filter_map(|&k| spec.channels.get(k).cloned())
            .collect(),
        ..spec.clone()
    }
}
