//! scSE (Roy, Navab & Wachinger 2018) in place on a feature map: the channel gate from the
//! map's mean per channel, then one pass that computes each pixel's spatial gate and merges.

use crate::feature::Feature;
use crate::isa::{Isa, madd, multiversion};
use crate::rows::{for_each_row, map_rows};
use crate::weights::{Combine, ScSeWeights};

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Recalibrates `map` in place.
pub(crate) fn recalibrate(isa: Isa, s: &ScSeWeights, map: &mut Feature) {
    let c = map.channels;
    // Mean per channel: f32 sums per row (rows in parallel), added up in f64 in row order, so
    // the result does not depend on the number of threads.
    let row_len = map.row_len();
    let width = map.width;
    let per_row = map_rows(
        &map.data[row_len..(map.height + 1) * row_len],
        row_len,
        |_, row| {
            let mut sums = vec![0.0f32; c];
            for pixel in row[c..(width + 1) * c].chunks_exact(c) {
                for (s, v) in sums.iter_mut().zip(pixel) {
                    *s += v;
                }
            }
            sums
        },
    );
    let mut sums = vec![0.0f64; c];
    for row in &per_row {
        for (s, r) in sums.iter_mut().zip(row) {
            *s += f64::from(*r);
        }
    }
    let n = (map.height * map.width) as f64;
    let mean: Vec<f32> = sums.iter().map(|s| (s / n) as f32).collect();
    // The channel gate: sigmoid(excite(relu(squeeze(mean)))); burn's Linear is `[in, out]`.
    let hidden: Vec<f32> = (0..s.hidden)
        .map(|j| {
            let z = (0..c).fold(s.squeeze.1[j], |z, i| {
                z + mean[i] * s.squeeze.0[i * s.hidden + j]
            });
            z.max(0.0)
        })
        .collect();
    let gate: Vec<f32> = (0..c)
        .map(|k| {
            let z = (0..s.hidden).fold(s.excite.1[k], |z, j| z + hidden[j] * s.excite.0[j * c + k]);
            sigmoid(z)
        })
        .collect();
    for_each_row(map.interior_rows_mut(), row_len, |_, row| {
        merge_row(isa, s, &gate, &mut row[c..(width + 1) * c]);
    });
}

multiversion! {
    /// The spatial gate and the merge over one row's pixels.
    fn merge_row => merge_row_generic(s: &ScSeWeights, gate: &[f32], pixels: &mut [f32])
}

#[inline(always)]
fn merge_row_generic<const FMA: bool>(s: &ScSeWeights, gate: &[f32], pixels: &mut [f32]) {
    let c = gate.len();
    let (ws, bs) = (&s.spatial.0[..c], s.spatial.1);
    for pixel in pixels.chunks_exact_mut(c) {
        let g = sigmoid(bs + dot::<FMA>(pixel, ws));
        match s.combine {
            Combine::Max => {
                for (v, k) in pixel.iter_mut().zip(gate) {
                    *v = (*v * k).max(*v * g);
                }
            }
            Combine::Add => {
                for (v, k) in pixel.iter_mut().zip(gate) {
                    *v = *v * k + *v * g;
                }
            }
        }
    }
}

/// `Σ a·b` in eight running sums added pairwise at the end: pixels' gates are independent, so
/// this is throughput-bound, where one running sum waits out each multiply-add's latency (a
/// 32-channel pixel: 32 dependent steps, 4 here).
#[inline(always)]
fn dot<const FMA: bool>(a: &[f32], b: &[f32]) -> f32 {
    const N: usize = 8;
    let mut sums = [0.0f32; N];
    let (mut ac, mut bc) = (a.chunks_exact(N), b.chunks_exact(N));
    for (a, b) in (&mut ac).zip(&mut bc) {
        for l in 0..N {
            sums[l] = madd::<FMA>(a[l], b[l], sums[l]);
        }
    }
    for (l, (a, b)) in ac.remainder().iter().zip(bc.remainder()).enumerate() {
        sums[l] = madd::<FMA>(*a, *b, sums[l]);
    }
    let [s0, s1, s2, s3, s4, s5, s6, s7] = sums;
    ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7))
}
