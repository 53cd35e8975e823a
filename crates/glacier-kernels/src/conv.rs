//! 3×3 convolution (stride 1, zero padding 1) with its bias and ReLU in one pass.
//!
//! Direct, not im2col: each output pixel's 3 × 3 × C_in neighbours are read in place from the
//! padded NHWC input by the register tile ([`crate::tile`]: 8 pixels × 8 output channels), so
//! each weight vector loaded serves eight pixels and each input value eight channels.

use crate::feature::{Feature, Scratch};
use crate::isa::{Isa, multiversion};
use crate::rows::for_each_row;
use crate::tile::{LANES, PAIRS, Reads, Writes, pack, tiles_along};
use crate::weights::ConvWeights;

/// A 3×3 convolution with its weights packed for the tile.
pub(crate) struct Conv3x3 {
    inputs: usize,
    outputs: usize,
    relu: bool,
    packed: Vec<f32>,
    bias: Vec<[f32; LANES]>,
}

impl Conv3x3 {
    /// Packs burn-layout weights (`[out, in, 3, 3]`), already checked to be 3×3.
    pub(crate) fn new(w: &ConvWeights, relu: bool) -> Conv3x3 {
        let (packed, bias) = pack(
            w.outputs,
            9,
            w.inputs,
            |o, t, c| w.weight[(o * w.inputs + c) * 9 + t],
            &w.bias,
        );
        Conv3x3 {
            inputs: w.inputs,
            outputs: w.outputs,
            relu,
            packed,
            bias,
        }
    }

    /// The convolution of `input` (which must have `inputs` channels) into a new map.
    pub(crate) fn run(&self, isa: Isa, input: &Feature, scratch: &Scratch) -> Feature {
        assert_eq!(
            input.channels, self.inputs,
            "checked when the net was built"
        );
        let mut out = scratch.feature(input.height, input.width, self.outputs);
        let width = input.width;
        let src = &input.data;
        for_each_row(
            out.interior_rows_mut(),
            (width + 2) * self.outputs,
            |y, row| {
                conv_row(isa, self, src, width, y, row);
            },
        );
        out
    }
}

multiversion! {
    /// One output row (`y`, interior) of the convolution into `row` (a padded row).
    fn conv_row => conv_row_generic(conv: &Conv3x3, src: &[f32], width: usize, y: usize, row: &mut [f32])
}

#[inline(always)]
fn conv_row_generic<const FMA: bool>(
    conv: &Conv3x3,
    src: &[f32],
    width: usize,
    y: usize,
    row: &mut [f32],
) {
    let (cin, cout) = (conv.inputs, conv.outputs);
    let stride = (width + 2) * cin;
    // Padded rows y, y + 1 and y + 2.
    let window = &src[y * stride..(y + 3) * stride];
    let taps: [usize; 9] = std::array::from_fn(|t| (t / 3) * stride + (t % 3) * cin);
    let per_block = 9 * cin * LANES;
    let blocks = conv.bias.len();
    let mut b = 0;
    while b < blocks {
        let pair = PAIRS && b + 1 < blocks;
        let mut reads = Reads {
            src: window,
            base: 0,
            step: cin,
            taps: &taps,
            inputs: cin,
            weights: &conv.packed[b * per_block..],
            block_stride: per_block,
        };
        let mut writes = Writes {
            first: 0,
            step: cout,
            lanes: cout - b * LANES,
            relu: conv.relu,
        };
        let bias = &conv.bias[b..];
        tiles_along::<FMA>(pair, &mut reads, bias, row, &mut writes, width, |x| {
            (x * cin, (x + 1) * cout + b * LANES)
        });
        b += if pair { 2 } else { 1 };
    }
}
