//! Augmentation and batching: a small deterministic generator ([`Rng`]), the eight symmetries
//! of the square ([`augment`]) and chips to tensors ([`batch`]), relit when asked
//! ([`crate::radiometry`]).

use burn::tensor::{Device, Tensor, TensorData};

use crate::data::ChipData;
use crate::radiometry::relight;

/// A small deterministic generator (xorshift) for shuffling and augmentation.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    /// The next value.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Flips and rotates one chip's square plane in place by `op` (0..8: rot90ᵏ, then optional flip).
fn augment(plane: &mut [f32], s: usize, op: u64, scratch: &mut Vec<f32>) {
    if op == 0 {
        return;
    }
    scratch.clear();
    scratch.extend_from_slice(plane);
    for r in 0..s {
        for c in 0..s {
            let (mut rr, mut cc) = (r, c);
            for _ in 0..op % 4 {
                (rr, cc) = (cc, s - 1 - rr);
            }
            if op >= 4 {
                cc = s - 1 - cc;
            }
            plane[rr * s + cc] = scratch[r * s + c];
        }
    }
}

/// How a training batch is augmented.
pub(crate) struct Augmentation<'a> {
    /// The generator every draw comes from.
    pub(crate) rng: &'a mut Rng,
    /// Relight each chip too (illumination, band gain, haze), after the flips are drawn.
    pub(crate) radiometric: bool,
}

/// Builds a batch: inputs `[b, c, s, s]`, targets and weights `[b, 1, s, s]`; each chip flipped
/// and rotated by a draw of the generator, and relit when asked (`None`: as stored).
pub(crate) fn batch(
    data: &ChipData,
    ids: &[usize],
    augmentation: Option<Augmentation<'_>>,
    device: &Device,
) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
    let (c, s) = (data.c, data.s);
    let mut x = Vec::with_capacity(ids.len() * c * s * s);
    let mut y = Vec::with_capacity(ids.len() * s * s);
    let mut w = Vec::with_capacity(ids.len() * s * s);
    let mut scratch = Vec::new();
    let (ops, mut relit): (Vec<u64>, Option<&mut Rng>) = match augmentation {
        Some(a) => (
            ids.iter().map(|_| a.rng.next() % 8).collect(),
            a.radiometric.then_some(a.rng),
        ),
        None => (vec![0; ids.len()], None),
    };
    for (&i, &op) in ids.iter().zip(&ops) {
        let chip_start = x.len();
        for ch in 0..c {
            let start = (i * c + ch) * s * s;
            let mut plane = data.x[start..start + s * s].to_vec();
            augment(&mut plane, s, op, &mut scratch);
            x.extend(plane);
        }
        if let Some(rng) = relit.as_deref_mut() {
            let lights = data.lights.get(i * c..(i + 1) * c).unwrap_or(&[]);
            if lights.len() == c {
                relight(&mut x[chip_start..], lights, rng);
            }
        }
        let labels = data.labels(i);
        let mut t: Vec<f32> = labels.iter().map(|l| f32::from(*l == 1)).collect();
        let mut m: Vec<f32> = labels.iter().map(|l| f32::from(*l != 255)).collect();
        augment(&mut t, s, op, &mut scratch);
        augment(&mut m, s, op, &mut scratch);
        y.extend(t);
        w.extend(m);
    }
    let b = ids.len();
    (
        Tensor::from_data(TensorData::new(x, [b, c, s, s]), device),
        Tensor::from_data(TensorData::new(y, [b, 1, s, s]), device),
        Tensor::from_data(TensorData::new(w, [b, 1, s, s]), device),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn augmentations_are_the_eight_symmetries_of_the_square() {
        let s = 3;
        let base: Vec<f32> = (0..9).map(|v| v as f32).collect();
        let mut seen = Vec::new();
        let mut scratch = Vec::new();
        for op in 0..8 {
            let mut p = base.clone();
            augment(&mut p, s, op, &mut scratch);
            let mut sorted = p.clone();
            sorted.sort_by(f32::total_cmp);
            assert_eq!(sorted, base, "a permutation");
            assert!(!seen.contains(&p), "op {op} repeats another");
            seen.push(p);
        }
        // op 1 rotates: the top-left corner goes to the top-right.
        let mut p = base.clone();
        augment(&mut p, s, 1, &mut scratch);
        assert_eq!(p[2], 0.0);
    }
}
