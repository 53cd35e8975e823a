//! Radiometric augmentation: what changes between scenes and across one scene's slopes, drawn
//! per chip and applied to chips that are already normalised.
//!
//! The flips and rotations in `augment` change where things are; these change how bright they
//! are. For one chip, in physical units (reflectance, or values as stored):
//!
//! `x' = g · k_c · x + f · w_c · m_c`
//!
//! - `g`: illumination, log-uniform in [1/[`ILLUMINATION`], [`ILLUMINATION`]], the same for
//!   every band (sun elevation, a slope facing the sun or away from it);
//! - `k_c`: a band's own gain, uniform in 1 ± [`BAND_GAIN`] (one sensor against another:
//!   Landsat 8 against Sentinel-2 in HLS, Landsat 7 against 8);
//! - `f · w_c · m_c`: haze, added light, `f` uniform in [0, [`HAZE`]] times the band's weight
//!   `w_c` (strongest in blue, nearly none in SWIR: scattering falls with wavelength) times the
//!   band's mean `m_c` in the statistics that normalised the chip (so it needs no units).
//!
//! Thermal, elevation, slope and the indices are left alone: light does not change them. Since
//! a chip is stored as `(x − m) / s`, the same change there is
//! `x'ₙ = g·k_c · xₙ + (g·k_c − 1 + f·w_c) · m/s`; [`ChannelLight`] carries `m/s`.
//! No-data pixels (0 after normalising) stay 0.

use glacier_inputs::{ChannelName, InputSpec};
use glacier_landsat::Channel;

use crate::augment::Rng;

/// Largest illumination factor (and its inverse the smallest).
pub const ILLUMINATION: f32 = 1.4;
/// Largest departure of one band's gain from 1.
pub const BAND_GAIN: f32 = 0.05;
/// Largest haze, as a share of a band's mean (times the band's weight).
pub const HAZE: f32 = 0.15;

/// How one normalised channel of one chip moves when its light changes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelLight {
    /// The channel's mean over its standard deviation in the statistics that normalised it.
    pub mean_over_std: f32,
    /// How much of the haze this band receives (blue 1, SWIR 0.05).
    pub haze_weight: f32,
}

/// The light each channel of `spec` takes: `None` for channels light does not change.
pub fn channel_lights(spec: &InputSpec) -> Vec<Option<ChannelLight>> {
    spec.channels
        .iter()
        .map(|stats| {
            let haze_weight = match ChannelName::parse(&stats.name)? {
                ChannelName::Band(Channel::Blue) => 1.0,
                ChannelName::Band(Channel::Green) => 0.8,
                ChannelName::Band(Channel::Red) => 0.6,
                ChannelName::Band(Channel::Nir) => 0.3,
                ChannelName::Band(Channel::Swir1 | Channel::Swir2) => 0.05,
                _ => return None,
            };
            Some(ChannelLight {
                mean_over_std: stats.mean / stats.std,
                haze_weight,
            })
        })
        .collect()
}

/// A uniform draw in [0, 1).
fn uniform(rng: &mut Rng) -> f32 {
    (rng.next() >> 40) as f32 / (1u64 << 24) as f32
}

/// Relights one chip's channels (`planes`: `lights.len()` planes, one after another) with one
/// draw of `rng`.
pub(crate) fn relight(planes: &mut [f32], lights: &[Option<ChannelLight>], rng: &mut Rng) {
    let g = ILLUMINATION.powf(2.0 * uniform(rng) - 1.0);
    let f = HAZE * uniform(rng);
    let plane_len = planes.len() / lights.len().max(1);
    for (plane, light) in planes.chunks_mut(plane_len.max(1)).zip(lights) {
        let k = 1.0 + BAND_GAIN * (2.0 * uniform(rng) - 1.0);
        let Some(light) = light else { continue };
        let scale = g * k;
        let shift = (scale - 1.0 + f * light.haze_weight) * light.mean_over_std;
        for v in plane.iter_mut().filter(|v| **v != 0.0) {
            *v = scale * *v + shift;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glacier_inputs::{ChannelStats, Normalisation};

    fn spec(names: &[&str]) -> InputSpec {
        InputSpec {
            channels: names
                .iter()
                .map(|n| ChannelStats {
                    name: (*n).into(),
                    mean: 0.2,
                    std: 0.1,
                })
                .collect(),
            tile: 256,
            overlap: 32,
            normalisation: Normalisation::Training,
            units: None,
        }
    }

    #[test]
    fn relit_values_are_physical_changes_seen_through_the_same_statistics() {
        let lights = channel_lights(&spec(&["green", "nir", "tir", "elevation"]));
        assert_eq!(lights[0].map(|l| l.haze_weight), Some(0.8));
        assert!(lights[2].is_none() && lights[3].is_none(), "{lights:?}");
        // Physical 0.3, 0.1 in green; normalised (x − 0.2) / 0.1 = 1, −1; 0 is no data.
        let before = [1.0f32, -1.0, 0.0];
        let mut planes: Vec<f32> = before.iter().copied().cycle().take(12).collect();
        let mut rng = Rng(99);
        relight(&mut planes, &lights, &mut rng);
        // Replay the draws: g, f, then one band gain per channel.
        let mut replay = Rng(99);
        let g = ILLUMINATION.powf(2.0 * uniform(&mut replay) - 1.0);
        let f = HAZE * uniform(&mut replay);
        let k_green = 1.0 + BAND_GAIN * (2.0 * uniform(&mut replay) - 1.0);
        assert!((1.0 / ILLUMINATION..=ILLUMINATION).contains(&g) && (0.0..HAZE).contains(&f));
        for (i, physical) in [0.3f32, 0.1].into_iter().enumerate() {
            let relit = g * k_green * physical + f * 0.8 * 0.2;
            let expected = (relit - 0.2) / 0.1;
            assert!(
                (planes[i] - expected).abs() < 1e-5,
                "{} vs {expected}",
                planes[i]
            );
        }
        assert_eq!(planes[2], 0.0, "no data stays no data");
        assert_ne!(&planes[3..6], &before[..], "nir relit");
        assert_eq!(
            &planes[6..12],
            &[1.0, -1.0, 0.0, 1.0, -1.0, 0.0],
            "tir, elevation as they were"
        );
    }
}
