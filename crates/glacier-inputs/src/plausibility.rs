//! A physical plausibility rule for the network's glacier: where a scene has green, SWIR1 and NIR
//! in reflectance, glacier is kept only where NDSI > 0 and NIR > 0.11.
//!
//! Ice and snow reflect green far more than SWIR1 (NDSI > 0; bare and debris-free ice well above
//! 0.4), and reflect NIR (water does not: Dozier's NIR > 0.11 water test). The network sees
//! only green, red and NIR, each scene standardised by its own statistics, and calls open water
//! glacier on scenes it never saw. Measured with the shipped model, none of these scenes in its
//! training (`glacier eval` on chips reports the network with and without the rule;
//! `glacier predict` on the whole ice-free scenes; 2026-12-05):
//!
//! | held out | network | with this rule | NDSI > 0, NIR > 0.05 | NDSI baseline |
//! |---|---:|---:|---:|---:|
//! | Liverpool L8 Level-2 (no ice), whole scene: share called glacier | 74.9 % | 0.26 % | 0.85 % | 0.0 % |
//! | Manaus L9 Level-2 (no ice), whole scene: share called glacier | 16.0 % | 0.01 % | 0.02 % | 0.0 % |
//! | Athabasca HLS S30 test chips: IoU | 0.807 | 0.813 | 0.829 | 0.795 |
//! | Athabasca HLS S30 test chips: recall | 0.994 | 0.921 | 0.944 | 0.926 |
//!
//! The NIR threshold is Dozier's, not tuned here: the looser 0.05 scores better at Athabasca
//! but leaves more of the Irish Sea. The rule also removes glacier the network found where ice
//! is in deep shadow (NIR ≤ 0.11) or covered by debris (NDSI ≤ 0): at Athabasca its recall drops
//! to the baseline's. No labelled scene here with SWIR has much debris-covered ice, so that loss
//! is not measured.

use crate::baseline::{NdsiRules, classify};
use crate::scene::Scene;
use glacier_landsat::Channel;

/// The rule: NDSI > 0 and NIR reflectance > 0.11.
pub const RULES: NdsiRules = NdsiRules {
    ndsi_min: 0.0,
    nir_min: Some(0.11),
    slope_max: None,
};

/// Whether the rule can run on `scene`: it has green, SWIR1 and NIR, all in reflectance (its
/// thresholds mean nothing on values as stored).
pub fn applies(scene: &Scene) -> bool {
    let needed = [Channel::Green, Channel::Swir1, Channel::Nir];
    needed.iter().all(|c| scene.channels.contains_key(c)) && scene.calibrated(&needed)
}

/// Sets `mask` pixels the network called glacier (1) to not glacier (0) where the rule does not
/// hold (or cannot be computed: NDSI or NIR missing); returns how many it changed. `mask`,
/// `ndsi` and `nir` cover the same pixels.
pub fn keep_plausible(mask: &mut [u8], ndsi: &[f32], nir: &[f32]) -> u64 {
    let plausible = classify(&RULES, ndsi, Some(nir), None);
    let mut removed = 0;
    for (m, ok) in mask.iter_mut().zip(plausible) {
        if *m == 1 && ok != Some(true) {
            *m = 0;
            removed += 1;
        }
    }
    removed
}

/// Where the rule holds over a whole scene, one bit a pixel, recorded strip by strip while the
/// bands are read and applied once the network's mask exists (the page reads the bands for its
/// baseline before the network runs).
#[derive(Clone, Debug)]
pub struct PlausibleMap {
    bits: Vec<u64>,
    len: usize,
}

impl PlausibleMap {
    /// A map of `pixels` pixels where the rule holds nowhere yet.
    pub fn new(pixels: usize) -> PlausibleMap {
        PlausibleMap {
            bits: vec![0; pixels.div_ceil(64)],
            len: pixels,
        }
    }

    /// Records the rule for the pixels from `start` on (row-major scene index). Pixels beyond
    /// the scene are ignored.
    pub fn record(&mut self, start: usize, ndsi: &[f32], nir: &[f32]) {
        for (k, ok) in classify(&RULES, ndsi, Some(nir), None)
            .into_iter()
            .enumerate()
        {
            let i = start + k;
            if i >= self.len {
                break;
            }
            let bit = 1u64 << (i % 64);
            if ok == Some(true) {
                self.bits[i / 64] |= bit;
            } else {
                self.bits[i / 64] &= !bit;
            }
        }
    }

    /// Whether the rule holds at pixel `i`.
    pub fn holds(&self, i: usize) -> bool {
        i < self.len && self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// [`keep_plausible`] with the recorded rule, over a whole-scene `mask`; returns how many
    /// glacier pixels it set to not glacier.
    pub fn apply(&self, mask: &mut [u8]) -> u64 {
        let mut removed = 0;
        for (i, m) in mask.iter_mut().enumerate() {
            if *m == 1 && !self.holds(i) {
                *m = 0;
                removed += 1;
            }
        }
        removed
    }
}

/// What the rule did, in words for a map's notes.
pub fn note(removed: u64, glacier_before: u64) -> String {
    format!(
        "The network's glacier was kept only where {} (a plausibility rule: snow and ice reflect \
         green more than SWIR1, water reflects no NIR). It removed {removed} of the {glacier_before} \
         pixels the network called glacier; debris-covered ice, whose NDSI is below 0, is removed \
         too.",
        RULES.describe()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glacier_stays_only_where_snow_index_and_nir_say_it_can() {
        // Ice, water (high NDSI, no NIR), a burn scar (NDSI < 0), no data, not glacier.
        let ndsi = [0.7, 0.6, -0.3, f32::NAN, 0.7];
        let nir = [0.5, 0.02, 0.15, 0.5, 0.5];
        let mut mask = [1, 1, 1, 1, 0];
        assert_eq!(keep_plausible(&mut mask, &ndsi, &nir), 3);
        assert_eq!(mask, [1, 0, 0, 0, 0]);
        // A no-data pixel (255) is never touched.
        let mut nodata = [255];
        assert_eq!(keep_plausible(&mut nodata, &[-0.5], &[0.0]), 0);
        assert_eq!(nodata, [255]);
    }

    #[test]
    fn the_bit_map_records_strips_and_equals_the_streaming_rule() {
        // 150 pixels over three 64-bit words, recorded in two strips of uneven length.
        let ndsi: Vec<f32> = (0..150).map(|i| (i as f32 - 75.0) / 75.0).collect();
        let nir: Vec<f32> = (0..150).map(|i| (i % 7) as f32 / 20.0).collect();
        let mut map = PlausibleMap::new(150);
        map.record(0, &ndsi[..70], &nir[..70]);
        map.record(70, &ndsi[70..], &nir[70..]);
        // Recording again overwrites (a strip read twice, say).
        map.record(70, &ndsi[70..], &nir[70..]);
        let all_glacier = vec![1u8; 150];
        let (mut streamed, mut mapped) = (all_glacier.clone(), all_glacier);
        let removed = keep_plausible(&mut streamed, &ndsi, &nir);
        assert_eq!(map.apply(&mut mapped), removed);
        assert_eq!(mapped, streamed);
        // Pixel 100: NDSI 0.33, NIR 0.1 (100 % 7 = 2) → not plausible; 104: NIR 0.3 → plausible.
        assert!(!map.holds(100) && map.holds(104));
        assert!(removed > 75 && removed < 150, "{removed}");
        assert!(!map.holds(150), "outside the scene");
    }
}
