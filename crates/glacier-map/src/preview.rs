//! A small picture of the scene: every `step`-th pixel of three bands, stretched into false
//! colour. The first pass fills it; masks and outlines are sampled at the same pixels.

use glacier_inputs::Scene;
use glacier_landsat::Channel;
use serde::{Deserialize, Serialize};

/// Which scene pixels a preview shows: every `step`-th in both directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sampling {
    /// Scene pixels between two preview pixels.
    pub step: u32,
    /// Preview width.
    pub width: u32,
    /// Preview height.
    pub height: u32,
}

impl Sampling {
    /// The sampling of a `w × h` scene whose longest side becomes at most `max_side` pixels.
    pub fn new(w: u32, h: u32, max_side: u32) -> Sampling {
        let step = w.max(h).div_ceil(max_side.max(1)).max(1);
        Sampling {
            step,
            width: w.div_ceil(step),
            height: h.div_ceil(step),
        }
    }

    /// Preview pixels.
    pub fn pixels(&self) -> usize {
        self.width as usize * self.height as usize
    }

    /// Index in the preview of scene pixel `(r, c)`, when it is sampled.
    pub fn index(&self, r: u32, c: u32) -> Option<usize> {
        (r.is_multiple_of(self.step) && c.is_multiple_of(self.step))
            .then(|| (r / self.step) as usize * self.width as usize + (c / self.step) as usize)
    }

    /// A `w × h` scene layer sampled at the preview's pixels.
    pub fn sample(&self, values: &[u8], w: u32, h: u32) -> Vec<u8> {
        let mut out = vec![255u8; self.pixels()];
        for r in (0..h).step_by(self.step as usize) {
            for c in (0..w).step_by(self.step as usize) {
                if let (Some(p), Some(v)) = (
                    self.index(r, c),
                    values.get(r as usize * w as usize + c as usize),
                ) {
                    out[p] = *v;
                }
            }
        }
        out
    }
}

/// The scene's preview: which bands, where, and the picture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// Which scene pixels it shows.
    pub sampling: Sampling,
    /// The bands shown as red, green and blue.
    pub bands: [Channel; 3],
    /// RGBA pixels, row-major.
    pub rgba: Vec<u8>,
}

/// Bands for the false-colour preview, best first among those the scene has.
pub fn composite(scene: &Scene) -> Option<[Channel; 3]> {
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

/// False colour from raw samples (three channels per pixel): each channel stretched between
/// its 2nd and 98th percentile, so reflectance, scaled reflectance and 8-bit DNs all look
/// alike; NaN is black.
pub fn false_colour(raw: &[f32]) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scene_is_sampled_so_its_longest_side_fits() {
        let s = Sampling::new(7551, 7351, 1024);
        assert_eq!((s.step, s.width, s.height), (8, 944, 919));
        assert_eq!(s.index(8, 16), Some(944 + 2));
        assert_eq!(s.index(9, 16), None);
        let small = Sampling::new(3, 2, 1024);
        assert_eq!((small.step, small.width, small.height), (1, 3, 2));
        assert_eq!(
            small.sample(&[1, 2, 3, 4, 5, 6], 3, 2),
            vec![1, 2, 3, 4, 5, 6]
        );
    }

    #[test]
    fn false_colour_stretches_each_band_and_paints_no_data_black() {
        let raw = [
            0.0,
            10.0,
            100.0,
            1.0,
            20.0,
            200.0,
            f32::NAN,
            f32::NAN,
            f32::NAN,
        ];
        let rgba = false_colour(&raw);
        assert_eq!(&rgba[0..4], &[0, 0, 0, 255]);
        assert_eq!(&rgba[4..8], &[255, 255, 255, 255]);
        assert_eq!(&rgba[8..12], &[0, 0, 0, 255]);
    }
}
