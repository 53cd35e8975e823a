//! What a model takes as input: channel names with their normalisation statistics, tile size and
//! overlap. It is stored in the model's config, so the page and the CLI build exactly the same
//! tensors.

use serde::{Deserialize, Serialize};

use glacier_raster::Window;

use crate::channels::{ChannelName, ChannelReader};
use crate::error::InputError;

/// One input channel and how it is normalised: `(value − mean) / std`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelStats {
    /// Channel name (see [`ChannelName::parse`]).
    pub name: String,
    /// Mean over the training pixels.
    pub mean: f32,
    /// Standard deviation over the training pixels (never 0).
    pub std: f32,
}

/// Where the normalisation statistics come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Normalisation {
    /// The training pixels' statistics stored in [`InputSpec::channels`], for every scene.
    #[default]
    Training,
    /// Each scene is standardised with its own statistics ([`scene_statistics`]). This makes the
    /// network's input invariant to any per-band affine map `a·x + b` (a > 0): 8-bit DN,
    /// top-of-atmosphere and surface reflectance of the same scene give the same tensor (up to
    /// saturation and rounding). The stored statistics are then those of the training scene,
    /// kept for the record.
    Scene,
}

/// What a model's band values are: the scaling a scene must have for the model's stored
/// statistics to mean anything (checked for [`Normalisation::Training`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Units {
    /// Physical values: reflectance (top of atmosphere or surface), kelvin for thermal; what
    /// Landsat bands with their MTL, Collection 2 Level-2 and HLS give.
    Physical,
    /// Values as stored in the files (e.g. 8-bit DNs without an MTL): one sensor's numbers.
    Stored,
}

impl Units {
    /// In words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Units::Physical => "reflectance (bands calibrated with their MTL, Level-2 or HLS)",
            Units::Stored => "values as stored in the files (uncalibrated, e.g. 8-bit DNs)",
        }
    }
}

/// A model's input specification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputSpec {
    /// Channels in tensor order.
    pub channels: Vec<ChannelStats>,
    /// Tile size in pixels (a multiple of the network's `2^depth`).
    pub tile: u32,
    /// Overlap between neighbouring tiles in pixels.
    pub overlap: u32,
    /// Where the statistics used at prediction time come from.
    #[serde(default)]
    pub normalisation: Normalisation,
    /// What the training bands were (absent in files made before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Units>,
}

impl InputSpec {
    /// The channel names, parsed.
    ///
    /// # Errors
    /// [`InputError::BadMapping`] for a name this version does not know.
    pub fn channel_names(&self) -> Result<Vec<ChannelName>, InputError> {
        self.channels
            .iter()
            .map(|c| {
                ChannelName::parse(&c.name).ok_or_else(|| InputError::BadMapping {
                    detail: format!(
                        "the model asks for channel {:?}, which this version cannot build",
                        c.name
                    ),
                })
            })
            .collect()
    }

    /// Normalises `channels` (one `Vec` per channel, in spec order) in place and returns which
    /// pixels are valid (every channel finite). Invalid values become 0, the mean after
    /// normalisation, so they do not disturb their neighbours' convolutions.
    pub fn normalise(&self, channels: &mut [Vec<f32>]) -> Vec<bool> {
        let len = channels.first().map_or(0, Vec::len);
        let mut valid = vec![true; len];
        for (values, stats) in channels.iter_mut().zip(&self.channels) {
            let inv = 1.0 / stats.std;
            for (v, ok) in values.iter_mut().zip(valid.iter_mut()) {
                if v.is_finite() {
                    *v = (*v - stats.mean) * inv;
                } else {
                    *v = 0.0;
                    *ok = false;
                }
            }
        }
        valid
    }

    /// Whether a scene whose bands are in `scene` units can be normalised with this spec: with
    /// [`Normalisation::Scene`] any units can (the network sees each scene standardised); with
    /// [`Normalisation::Training`] the scene must be in the units the statistics were taken in.
    ///
    /// # Errors
    /// [`InputError::UnitsMismatch`] saying which units the model takes and how to give them.
    pub fn check_units(&self, scene: Units) -> Result<(), InputError> {
        match (self.normalisation, self.units) {
            (Normalisation::Training, Some(model)) if model != scene => {
                Err(InputError::UnitsMismatch {
                    model: model.describe(),
                    scene: scene.describe(),
                    fix: match model {
                        Units::Physical => {
                            "add the scene's MTL file (or use its Level-2 or HLS bands), or map it \
                             with a model that normalises each scene itself"
                        }
                        Units::Stored => {
                            "map it with a model trained on calibrated bands, or one that \
                             normalises each scene itself"
                        }
                    },
                })
            }
            _ => Ok(()),
        }
    }

    /// This spec with `stats` (in spec order, e.g. from [`scene_statistics`]) as its
    /// normalisation statistics.
    pub fn with_statistics(&self, stats: Vec<ChannelStats>) -> InputSpec {
        InputSpec {
            channels: stats,
            ..self.clone()
        }
    }
}

/// Per-channel statistics of a scene: reads bands of `band_rows` rows every `every` rows
/// (all rows when `every <= band_rows`), leaving out QA-masked and no-data pixels. Memory holds
/// one band of rows. [`StatisticsPass`] does the same a band at a time.
///
/// # Errors
/// Read errors of the scene's files.
pub fn scene_statistics(
    reader: &mut ChannelReader<'_>,
    names: &[ChannelName],
    width: u32,
    height: u32,
    band_rows: u32,
    every: u32,
) -> Result<Vec<ChannelStats>, InputError> {
    let mut pass = StatisticsPass::new(width, height, band_rows, every);
    while pass.step(reader, names)? {}
    Ok(pass.finish(names))
}

/// [`scene_statistics`] one band of rows per [`StatisticsPass::step`], for a caller that
/// pauses between bands (the page, which must paint and see Cancel).
#[derive(Clone, Debug)]
pub struct StatisticsPass {
    width: u32,
    height: u32,
    band_rows: u32,
    every: u32,
    row: u32,
    acc: StatsAccumulator,
}

impl StatisticsPass {
    /// A pass over a `width × height` scene, as [`scene_statistics`] takes it.
    pub fn new(width: u32, height: u32, band_rows: u32, every: u32) -> StatisticsPass {
        let band_rows = band_rows.max(1);
        StatisticsPass {
            width,
            height,
            band_rows,
            every: every.max(band_rows),
            row: 0,
            acc: StatsAccumulator::default(),
        }
    }

    /// Reads the next band of rows; `false` when none was left.
    ///
    /// # Errors
    /// Read errors of the scene's files.
    pub fn step(
        &mut self,
        reader: &mut ChannelReader<'_>,
        names: &[ChannelName],
    ) -> Result<bool, InputError> {
        if self.row >= self.height {
            return Ok(false);
        }
        let rows = self.band_rows.min(self.height - self.row);
        let window = Window::new(0, self.row, self.width, rows);
        let mut channels = reader.read(names, window)?;
        let masked = reader.qa_mask(window)?;
        for values in &mut channels {
            for (v, m) in values.iter_mut().zip(&masked) {
                if *m {
                    *v = f32::NAN;
                }
            }
        }
        self.acc.add(&channels);
        self.row = self.row.saturating_add(self.every);
        Ok(true)
    }

    /// Rows passed so far and the scene's height (for progress).
    pub fn progress(&self) -> (u32, u32) {
        (self.row.min(self.height), self.height)
    }

    /// The statistics of the bands read, named.
    pub fn finish(&self, names: &[ChannelName]) -> Vec<ChannelStats> {
        self.acc.finish(names)
    }
}

/// Accumulates per-channel mean and standard deviation over many windows (finite values only).
#[derive(Clone, Debug, Default)]
pub struct StatsAccumulator {
    count: Vec<u64>,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl StatsAccumulator {
    /// Adds one window's channels.
    pub fn add(&mut self, channels: &[Vec<f32>]) {
        if self.count.len() < channels.len() {
            self.count.resize(channels.len(), 0);
            self.sum.resize(channels.len(), 0.0);
            self.sum_sq.resize(channels.len(), 0.0);
        }
        for (i, values) in channels.iter().enumerate() {
            for v in values.iter().filter(|v| v.is_finite()) {
                let v = f64::from(*v);
                self.count[i] += 1;
                self.sum[i] += v;
                self.sum_sq[i] += v * v;
            }
        }
    }

    /// The statistics, named; a channel with no spread gets std 1 so normalising never divides
    /// by zero.
    pub fn finish(&self, names: &[ChannelName]) -> Vec<ChannelStats> {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let n = self.count.get(i).copied().unwrap_or(0) as f64;
                let (mean, var) = if n > 0.0 {
                    let mean = self.sum[i] / n;
                    (mean, (self.sum_sq[i] / n - mean * mean).max(0.0))
                } else {
                    (0.0, 1.0)
                };
                let std = var.sqrt();
                ChannelStats {
                    name: name.name().to_owned(),
                    mean: mean as f32,
                    std: if std > 1e-12 { std as f32 } else { 1.0 },
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_normalise_and_round_trip() {
        let names = ChannelName::parse_list("nir,ndsi").expect("names");
        let mut acc = StatsAccumulator::default();
        acc.add(&[vec![1.0, 2.0, f32::NAN], vec![0.5, 0.5, 0.5]]);
        acc.add(&[vec![3.0], vec![0.5]]);
        let stats = acc.finish(&names);
        // nir: 1, 2, 3 → mean 2, population std √(2/3); ndsi constant → std 1.
        assert!((stats[0].mean - 2.0).abs() < 1e-6);
        assert!((stats[0].std - (2.0f32 / 3.0).sqrt()).abs() < 1e-6);
        assert_eq!((stats[1].mean, stats[1].std), (0.5, 1.0));
        let spec = InputSpec {
            channels: stats,
            tile: 256,
            overlap: 32,
            normalisation: Normalisation::Training,
            units: Some(Units::Physical),
        };
        let json = serde_json::to_string(&spec).expect("serialises");
        let back: InputSpec = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, spec);
        assert_eq!(back.channel_names().expect("known"), names);
        let mut channels = vec![vec![2.0, f32::NAN], vec![0.5, 1.5]];
        let valid = spec.normalise(&mut channels);
        assert_eq!(valid, vec![true, false]);
        assert_eq!(channels[0], vec![0.0, 0.0]);
        assert_eq!(channels[1], vec![0.0, 1.0]);
    }

    #[test]
    fn training_statistics_need_the_units_they_were_taken_in() {
        let spec = |normalisation, units| InputSpec {
            channels: Vec::new(),
            tile: 256,
            overlap: 32,
            normalisation,
            units,
        };
        let physical = spec(Normalisation::Training, Some(Units::Physical));
        assert!(physical.check_units(Units::Physical).is_ok());
        let err = physical
            .check_units(Units::Stored)
            .expect_err("DNs refused");
        let text = err.to_string();
        assert!(
            text.contains("reflectance") && text.contains("MTL"),
            "{text}"
        );
        assert!(
            spec(Normalisation::Training, Some(Units::Stored))
                .check_units(Units::Physical)
                .is_err()
        );
        // Per-scene normalisation takes any units; files without the record are not checked.
        assert!(
            spec(Normalisation::Scene, Some(Units::Physical))
                .check_units(Units::Stored)
                .is_ok()
        );
        assert!(
            spec(Normalisation::Training, None)
                .check_units(Units::Stored)
                .is_ok()
        );
        // Old files (no `units` key) still parse.
        let old = r#"{"channels":[],"tile":256,"overlap":32,"normalisation":"scene"}"#;
        let parsed: InputSpec = serde_json::from_str(old).expect("old spec");
        assert_eq!(parsed.units, None);
    }
}
