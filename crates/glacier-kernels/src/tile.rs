//! The register tile every convolution here runs on: `P` output pixels × [`LANES`] output
//! channels, summed over taps (neighbour offsets) and input channels.

use crate::isa::madd;

/// Output channels computed together (one AVX2 register, two SIMD128 registers).
pub(crate) const LANES: usize = 8;
/// Output pixels computed together: 8 natively (64 accumulators: 8 of the 16 AVX2 registers);
/// 4 in wasm (32 accumulators: 8 of the 16 vector registers a browser gives SIMD128 on x86).
pub(crate) const PIXELS: usize = if cfg!(target_family = "wasm") { 4 } else { 8 };
/// Output pixels of a two-block tile (12 accumulators), where two blocks are computed together:
/// natively, not in wasm (there only the one-block tile is written in SIMD128 instructions).
pub(crate) const PAIR_PIXELS: usize = 6;
/// Whether layers with two blocks or more run the two-block tile.
pub(crate) const PAIRS: bool = !cfg!(target_family = "wasm");

/// Where a tile reads: pixel `p`'s channel `c` under tap `t` is
/// `src[base + taps[t] + p · step + c]`, and block `k`'s weights for it are the [`LANES`] values
/// at `weights[k · block_stride + (t · inputs + c) · LANES ..]`.
pub(crate) struct Reads<'a> {
    pub(crate) src: &'a [f32],
    pub(crate) base: usize,
    pub(crate) step: usize,
    pub(crate) taps: &'a [usize],
    pub(crate) inputs: usize,
    pub(crate) weights: &'a [f32],
    pub(crate) block_stride: usize,
}

/// Where a tile writes: pixel `p`'s sums of block `k` go to `dst[first + p · step + k · LANES ..]`,
/// `lanes` values in all over the blocks (the last block may hold fewer than [`LANES`]), with
/// ReLU where asked.
pub(crate) struct Writes {
    pub(crate) first: usize,
    pub(crate) step: usize,
    pub(crate) lanes: usize,
    pub(crate) relu: bool,
}

/// `P` pixels' sums over `B` blocks of [`LANES`] output channels, starting from `bias`, written
/// out. Each input value loaded serves `B · LANES` channels, each weight vector `P` pixels: on
/// AVX2, 6 pixels × 2 blocks (12 accumulators, 8 loads per 12 multiply-adds) where a layer has
/// 16 outputs or more, 8 × 1 (9 loads per 8) where it has 8. The sums never leave the function
/// as a value: returned, the 256-byte tile was copied out with `memcpy` (5 % of a tile, `perf`).
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn tile<const P: usize, const B: usize, const FMA: bool>(
    r: &Reads<'_>,
    bias: &[[f32; LANES]],
    dst: &mut [f32],
    w: &Writes,
) {
    #[cfg(all(target_family = "wasm", target_feature = "simd128"))]
    if P == 4 && B == 1 {
        return simd128::tile4(r, &bias[0], dst, w);
    }
    let cin = r.inputs;
    let last = r.taps.iter().max().copied().unwrap_or(0);
    // Every read below is inside these bounds.
    assert!(P == 0 || r.base + last + (P - 1) * r.step + cin <= r.src.len());
    assert!(B == 0 || (B - 1) * r.block_stride + r.taps.len() * cin * LANES <= r.weights.len());
    assert!(bias.len() >= B);
    let mut acc: [[[f32; LANES]; B]; P] = [std::array::from_fn(|k| bias[k]); P];
    for (t, off) in r.taps.iter().enumerate() {
        let at = r.base + off;
        let wk = t * cin * LANES;
        for c in 0..cin {
            // SAFETY: `k·block_stride + wk + c·LANES + LANES ≤ (B−1)·block_stride +
            // taps·cin·LANES ≤ weights.len()` (asserted).
            let wv: [[f32; LANES]; B] = std::array::from_fn(|k| unsafe {
                r.weights
                    .as_ptr()
                    .add(k * r.block_stride + wk + c * LANES)
                    .cast::<[f32; LANES]>()
                    .read_unaligned()
            });
            for (p, a) in acc.iter_mut().enumerate() {
                // SAFETY: `at + p·step + c < base + last + (P−1)·step + cin ≤ src.len()`.
                let v = unsafe { *r.src.get_unchecked(at + p * r.step + c) };
                for (a, wv) in a.iter_mut().zip(&wv) {
                    for l in 0..LANES {
                        a[l] = madd::<FMA>(v, wv[l], a[l]);
                    }
                }
            }
        }
    }
    for (p, a) in acc.iter().enumerate() {
        for (k, a) in a.iter().enumerate() {
            let at = w.first + p * w.step + k * LANES;
            let lanes = w.lanes.saturating_sub(k * LANES).min(LANES);
            // A whole block as one fixed-size store: with a variable length LLVM calls `memcpy`
            // for every pixel where there is no ReLU (the up-convolution).
            if let Some(d) = dst.get_mut(at..at + LANES).filter(|_| lanes == LANES) {
                for (d, v) in d.iter_mut().zip(a) {
                    *d = if w.relu { v.max(0.0) } else { *v };
                }
            } else {
                for (d, v) in dst[at..at + lanes].iter_mut().zip(a) {
                    *d = if w.relu { v.max(0.0) } else { *v };
                }
            }
        }
    }
}

/// A row of `count` pixels through the tile: two blocks at a time where `pair` (6 pixels per
/// tile), else one (8 natively, 4 in wasm), the last pixels one by one; `at(i)` gives pixel
/// `i`'s read base and first write.
#[inline(always)]
pub(crate) fn tiles_along<const FMA: bool>(
    pair: bool,
    reads: &mut Reads<'_>,
    bias: &[[f32; LANES]],
    dst: &mut [f32],
    writes: &mut Writes,
    count: usize,
    at: impl Fn(usize) -> (usize, usize),
) {
    let mut i = 0;
    let run = |i: usize, reads: &mut Reads<'_>, writes: &mut Writes| {
        (reads.base, writes.first) = at(i);
    };
    if pair {
        while i + PAIR_PIXELS <= count {
            run(i, reads, writes);
            tile::<PAIR_PIXELS, 2, FMA>(reads, bias, dst, writes);
            i += PAIR_PIXELS;
        }
        for i in i..count {
            run(i, reads, writes);
            tile::<1, 2, FMA>(reads, bias, dst, writes);
        }
    } else {
        while i + PIXELS <= count {
            run(i, reads, writes);
            tile::<PIXELS, 1, FMA>(reads, bias, dst, writes);
            i += PIXELS;
        }
        for i in i..count {
            run(i, reads, writes);
            tile::<1, 1, FMA>(reads, bias, dst, writes);
        }
    }
}

/// Packs `outputs` channels' weights into blocks of [`LANES`]: block `b`, tap `t`, input `c`,
/// lane `l` holds `weight(b · LANES + l, t, c)`, zero past `outputs`. Returns the packed values
/// and the blocks' biases.
pub(crate) fn pack(
    outputs: usize,
    taps: usize,
    inputs: usize,
    weight: impl Fn(usize, usize, usize) -> f32,
    bias: &[f32],
) -> (Vec<f32>, Vec<[f32; LANES]>) {
    let blocks = outputs.div_ceil(LANES);
    let per_block = taps * inputs * LANES;
    let mut packed = vec![0.0; blocks * per_block];
    let mut biases = vec![[0.0; LANES]; blocks];
    for (o, value) in bias.iter().enumerate().take(outputs) {
        let (b, l) = (o / LANES, o % LANES);
        biases[b][l] = *value;
        for t in 0..taps {
            for c in 0..inputs {
                packed[b * per_block + (t * inputs + c) * LANES + l] = weight(o, t, c);
            }
        }
    }
    (packed, biases)
}

/// The page's tile written with SIMD128 instructions: the page's wasm is optimised for size
/// (`opt-level = "s"`, which its link-time optimisation applies to every crate), and there the
/// plain tile above is not vectorised (490 ms a tile against 100 ms at opt-level 3, in node).
#[cfg(all(target_family = "wasm", target_feature = "simd128"))]
mod simd128 {
    use super::{LANES, Reads, Writes};
    use core::arch::wasm32::{f32x4_add, f32x4_mul, f32x4_pmax, f32x4_splat, v128, v128_load};

    /// [`super::tile`] for 4 pixels: 8 accumulators of 4 lanes, named so that they stay in
    /// registers at any optimisation level.
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(super) fn tile4(r: &Reads<'_>, bias: &[f32; LANES], dst: &mut [f32], w: &Writes) {
        let cin = r.inputs;
        let last = r.taps.iter().max().copied().unwrap_or(0);
        // Every read below is inside these bounds.
        assert!(r.base + last + 3 * r.step + cin <= r.src.len());
        assert!(r.weights.len() >= r.taps.len() * cin * LANES);
        // SAFETY: `bias` holds LANES = 8 values; v128 loads need no alignment.
        let (b0, b1) = unsafe {
            let p = bias.as_ptr();
            (
                v128_load(p.cast::<v128>()),
                v128_load(p.add(4).cast::<v128>()),
            )
        };
        let (mut a00, mut a01, mut a10, mut a11) = (b0, b1, b0, b1);
        let (mut a20, mut a21, mut a30, mut a31) = (b0, b1, b0, b1);
        let step = r.step;
        for (t, off) in r.taps.iter().enumerate() {
            let at = r.base + off;
            let wk = t * cin * LANES;
            for c in 0..cin {
                // SAFETY: weights: `wk + c·LANES + LANES ≤ taps·cin·LANES`; inputs:
                // `at + 3·step + c < base + last + 3·step + cin` (both asserted).
                unsafe {
                    let wp = r.weights.as_ptr().add(wk + c * LANES);
                    let (w0, w1) = (
                        v128_load(wp.cast::<v128>()),
                        v128_load(wp.add(4).cast::<v128>()),
                    );
                    let s = r.src.as_ptr().add(at + c);
                    let v = f32x4_splat(*s);
                    a00 = f32x4_add(a00, f32x4_mul(v, w0));
                    a01 = f32x4_add(a01, f32x4_mul(v, w1));
                    let v = f32x4_splat(*s.add(step));
                    a10 = f32x4_add(a10, f32x4_mul(v, w0));
                    a11 = f32x4_add(a11, f32x4_mul(v, w1));
                    let v = f32x4_splat(*s.add(2 * step));
                    a20 = f32x4_add(a20, f32x4_mul(v, w0));
                    a21 = f32x4_add(a21, f32x4_mul(v, w1));
                    let v = f32x4_splat(*s.add(3 * step));
                    a30 = f32x4_add(a30, f32x4_mul(v, w0));
                    a31 = f32x4_add(a31, f32x4_mul(v, w1));
                }
            }
        }
        let zero = f32x4_splat(0.0);
        for (p, (lo, hi)) in [(a00, a01), (a10, a11), (a20, a21), (a30, a31)]
            .into_iter()
            .enumerate()
        {
            // `pmax(0, x)` is `x.max(0.0)`: 0 where x is NaN, as the plain tile gives.
            let (lo, hi) = if w.relu {
                (f32x4_pmax(zero, lo), f32x4_pmax(zero, hi))
            } else {
                (lo, hi)
            };
            let mut sums = [0.0f32; LANES];
            // SAFETY: `sums` holds 8 values.
            unsafe {
                core::arch::wasm32::v128_store(sums.as_mut_ptr().cast::<v128>(), lo);
                core::arch::wasm32::v128_store(sums.as_mut_ptr().add(4).cast::<v128>(), hi);
            }
            let at = w.first + p * w.step;
            for (d, v) in dst[at..at + w.lanes.min(LANES)].iter_mut().zip(sums) {
                *d = v;
            }
        }
    }
}
