//! Down and up: 2×2 max pooling, and the 2×2 stride-2 transposed convolution written straight
//! into the decoder's input beside the skip connection.

use crate::feature::{Feature, Scratch};
use crate::isa::{Isa, multiversion};
use crate::rows::for_each_row;
use crate::tile::{LANES, PAIRS, Reads, Writes, pack, tiles_along};
use crate::weights::UpWeights;

/// 2×2 max pooling, stride 2 (the map's sides are even: the net checks the input).
pub(crate) fn max_pool(input: &Feature, scratch: &Scratch) -> Feature {
    let (h, w, c) = (input.height / 2, input.width / 2, input.channels);
    let mut out = scratch.feature(h, w, c);
    let row_len = out.row_len();
    for_each_row(out.interior_rows_mut(), row_len, |y, row| {
        let (a, b) = (input.at(2 * y, 0), input.at(2 * y + 1, 0));
        let top = &input.data[a..a + 2 * w * c];
        let bottom = &input.data[b..b + 2 * w * c];
        let dst = &mut row[c..(w + 1) * c];
        for (x, d) in dst.chunks_exact_mut(c).enumerate() {
            let (l, r) = (2 * x * c, (2 * x + 1) * c);
            for (k, d) in d.iter_mut().enumerate() {
                *d = top[l + k]
                    .max(top[r + k])
                    .max(bottom[l + k].max(bottom[r + k]));
            }
        }
    });
    out
}

/// A transposed convolution packed for the register tile: each of the four output phases
/// (`ky`, `kx`) is a 1×1 convolution of the input.
pub(crate) struct Up {
    inputs: usize,
    outputs: usize,
    /// Per block of [`LANES`] outputs: `[phase][c_in][LANES]`.
    packed: Vec<f32>,
    bias: Vec<[f32; LANES]>,
}

impl Up {
    /// Packs burn-layout weights (`[in, out, 2, 2]`), already checked.
    pub(crate) fn new(w: &UpWeights) -> Up {
        let (packed, bias) = pack(
            w.outputs,
            4,
            w.inputs,
            |o, t, c| w.weight[(c * w.outputs + o) * 4 + t],
            &w.bias,
        );
        Up {
            inputs: w.inputs,
            outputs: w.outputs,
            packed,
            bias,
        }
    }

    /// `[up(input), skip]`: the up-convolution of `input` in the first channels of a map of
    /// twice its size, `skip`'s channels after them.
    pub(crate) fn run_beside(
        &self,
        isa: Isa,
        input: &Feature,
        skip: &Feature,
        scratch: &Scratch,
    ) -> Feature {
        assert_eq!(
            input.channels, self.inputs,
            "checked when the net was built"
        );
        let (h, w) = (skip.height, skip.width);
        let mut out = scratch.feature(h, w, self.outputs + skip.channels);
        let row_len = out.row_len();
        for_each_row(out.interior_rows_mut(), row_len, |y, row| {
            up_row(isa, self, input, skip, y, row);
        });
        out
    }
}

multiversion! {
    /// One output row of `[up(input), skip]`.
    fn up_row => up_row_generic(up: &Up, input: &Feature, skip: &Feature, y: usize, row: &mut [f32])
}

#[inline(always)]
fn up_row_generic<const FMA: bool>(
    up: &Up,
    input: &Feature,
    skip: &Feature,
    y: usize,
    row: &mut [f32],
) {
    let (cin, cout, cs) = (up.inputs, up.outputs, skip.channels);
    let channels = cout + cs;
    let per_block = 4 * cin * LANES;
    let (ky, from) = (y % 2, input.at(y / 2, 0));
    let columns = input.width;
    let blocks = up.bias.len();
    let mut b = 0;
    while b < blocks {
        // Two blocks of outputs at a time where there are two (as in a 3×3 convolution).
        let pair = PAIRS && b + 1 < blocks;
        let mut writes = Writes {
            first: 0,
            step: 2 * channels,
            lanes: cout - b * LANES,
            relu: false,
        };
        let bias = &up.bias[b..];
        for kx in 0..2 {
            let phase = b * per_block + (ky * 2 + kx) * cin * LANES;
            let mut reads = Reads {
                src: &input.data,
                base: from,
                step: cin,
                taps: &[0],
                inputs: cin,
                weights: &up.packed[phase..],
                block_stride: per_block,
            };
            // Input column j gives output column 2j + kx.
            tiles_along::<FMA>(pair, &mut reads, bias, row, &mut writes, columns, |j| {
                (from + j * cin, (2 * j + kx + 1) * channels + b * LANES)
            });
        }
        b += if pair { 2 } else { 1 };
    }
    // The skip connection's values beside the up-convolution's, pixel by pixel.
    let from = skip.at(y, 0);
    let src = &skip.data[from..from + skip.width * cs];
    let dst = &mut row[channels..(skip.width + 1) * channels];
    for (d, s) in dst.chunks_exact_mut(channels).zip(src.chunks_exact(cs)) {
        let d = &mut d[cout..];
        // Eight values at a time: a copy of a length LLVM does not know is a `memcpy` call.
        let mut eights = d.chunks_exact_mut(LANES);
        let mut from = s.chunks_exact(LANES);
        for (d, s) in (&mut eights).zip(&mut from) {
            let s: &[f32; LANES] = s.try_into().unwrap_or(&[0.0; LANES]);
            for (d, s) in d.iter_mut().zip(s) {
                *d = *s;
            }
        }
        for (d, s) in eights.into_remainder().iter_mut().zip(from.remainder()) {
            *d = *s;
        }
    }
}
