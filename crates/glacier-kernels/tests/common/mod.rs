//! Random weights of a given U-Net shape and a plain reference forward pass (NCHW, the
//! operations one by one as burn's modules define them).
// Written as the maths reads, index by index: it is the reference, not a kernel.
#![allow(dead_code, missing_docs, clippy::needless_range_loop)]

use glacier_kernels::{BlockWeights, Combine, ConvWeights, ScSeWeights, UNetWeights, UpWeights};

/// A small deterministic generator (xorshift), values in [-a, a].
pub struct Numbers(u64);

impl Numbers {
    pub fn new(seed: u64) -> Numbers {
        Numbers(seed.max(1))
    }
    pub fn next(&mut self, a: f32) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * a
    }
    pub fn many(&mut self, n: usize, a: f32) -> Vec<f32> {
        (0..n).map(|_| self.next(a)).collect()
    }
}

fn conv(r: &mut Numbers, i: usize, o: usize, k: usize) -> ConvWeights {
    let a = (1.0 / (i * k * k) as f32).sqrt() * 1.7;
    ConvWeights {
        outputs: o,
        inputs: i,
        kernel: k,
        weight: r.many(o * i * k * k, a),
        bias: r.many(o, 0.1),
    }
}

fn block(r: &mut Numbers, i: usize, o: usize, combine: Combine) -> BlockWeights {
    let h = (o / 2).max(1);
    BlockWeights {
        conv1: conv(r, i, o, 3),
        conv2: conv(r, o, o, 3),
        scse: ScSeWeights {
            channels: o,
            hidden: h,
            squeeze: (r.many(o * h, 0.5), r.many(h, 0.1)),
            excite: (r.many(h * o, 0.5), r.many(o, 0.1)),
            spatial: (r.many(o, 0.5), r.next(0.1)),
            combine,
        },
    }
}

/// A U-Net of `depth` levels, `base` channels at the top.
pub fn unet(seed: u64, inputs: usize, depth: usize, base: usize, combine: Combine) -> UNetWeights {
    let mut r = Numbers::new(seed);
    let width = |l: usize| base << l;
    let encoders = (0..depth)
        .map(|l| {
            block(
                &mut r,
                if l == 0 { inputs } else { width(l - 1) },
                width(l),
                combine,
            )
        })
        .collect();
    let bottleneck = block(
        &mut r,
        if depth == 0 { inputs } else { width(depth - 1) },
        width(depth),
        combine,
    );
    let ups = (0..depth)
        .rev()
        .map(|l| UpWeights {
            inputs: width(l + 1),
            outputs: width(l),
            weight: r.many(width(l + 1) * width(l) * 4, 0.3),
            bias: r.many(width(l), 0.1),
        })
        .collect();
    let decoders = (0..depth)
        .rev()
        .map(|l| block(&mut r, 2 * width(l), width(l), combine))
        .collect();
    UNetWeights {
        encoders,
        bottleneck,
        ups,
        decoders,
        head: conv(&mut r, width(0), 1, 1),
    }
}

/// NCHW map of one image.
#[derive(Clone)]
pub struct Map {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub v: Vec<f32>,
}

fn conv_ref(x: &Map, k: &ConvWeights, relu: bool) -> Map {
    let (h, w) = (x.h, x.w);
    let s = k.kernel;
    let pad = s as isize / 2;
    let mut v = vec![0.0f32; k.outputs * h * w];
    for o in 0..k.outputs {
        for y in 0..h {
            for xx in 0..w {
                let mut z = k.bias[o] as f64;
                for i in 0..k.inputs {
                    for ky in 0..s {
                        for kx in 0..s {
                            let (sy, sx) = (
                                y as isize + ky as isize - pad,
                                xx as isize + kx as isize - pad,
                            );
                            if sy < 0 || sx < 0 || sy >= h as isize || sx >= w as isize {
                                continue;
                            }
                            z += k.weight[((o * k.inputs + i) * s + ky) * s + kx] as f64
                                * x.v[(i * h + sy as usize) * w + sx as usize] as f64;
                        }
                    }
                }
                let z = z as f32;
                v[(o * h + y) * w + xx] = if relu { z.max(0.0) } else { z };
            }
        }
    }
    Map {
        c: k.outputs,
        h,
        w,
        v,
    }
}

fn sig(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn scse_ref(x: &Map, s: &ScSeWeights) -> Map {
    let n = x.h * x.w;
    let mean: Vec<f32> = (0..x.c)
        .map(|c| {
            (x.v[c * n..(c + 1) * n]
                .iter()
                .map(|v| *v as f64)
                .sum::<f64>()
                / n as f64) as f32
        })
        .collect();
    let hidden: Vec<f32> = (0..s.hidden)
        .map(|j| {
            (0..x.c)
                .fold(s.squeeze.1[j], |z, i| {
                    z + mean[i] * s.squeeze.0[i * s.hidden + j]
                })
                .max(0.0)
        })
        .collect();
    let gate: Vec<f32> = (0..x.c)
        .map(|k| {
            sig((0..s.hidden).fold(s.excite.1[k], |z, j| {
                z + hidden[j] * s.excite.0[j * x.c + k]
            }))
        })
        .collect();
    let mut out = x.clone();
    for p in 0..n {
        let g = sig((0..x.c).fold(s.spatial.1, |z, c| z + x.v[c * n + p] * s.spatial.0[c]));
        for c in 0..x.c {
            let v = x.v[c * n + p];
            out.v[c * n + p] = match s.combine {
                Combine::Max => (v * gate[c]).max(v * g),
                Combine::Add => v * gate[c] + v * g,
            };
        }
    }
    out
}

fn block_ref(x: &Map, b: &BlockWeights) -> Map {
    scse_ref(
        &conv_ref(&conv_ref(x, &b.conv1, true), &b.conv2, true),
        &b.scse,
    )
}

fn pool_ref(x: &Map) -> Map {
    let (h, w) = (x.h / 2, x.w / 2);
    let mut v = vec![0.0; x.c * h * w];
    for c in 0..x.c {
        for y in 0..h {
            for xx in 0..w {
                let at = |dy: usize, dx: usize| x.v[(c * x.h + 2 * y + dy) * x.w + 2 * xx + dx];
                v[(c * h + y) * w + xx] = at(0, 0).max(at(0, 1)).max(at(1, 0)).max(at(1, 1));
            }
        }
    }
    Map { c: x.c, h, w, v }
}

fn up_ref(x: &Map, u: &UpWeights) -> Map {
    let (h, w) = (x.h * 2, x.w * 2);
    let mut v = vec![0.0; u.outputs * h * w];
    for o in 0..u.outputs {
        for y in 0..h {
            for xx in 0..w {
                let mut z = u.bias[o];
                for i in 0..u.inputs {
                    z += x.v[(i * x.h + y / 2) * x.w + xx / 2]
                        * u.weight[((i * u.outputs + o) * 2 + y % 2) * 2 + xx % 2];
                }
                v[(o * h + y) * w + xx] = z;
            }
        }
    }
    Map {
        c: u.outputs,
        h,
        w,
        v,
    }
}

/// The reference forward pass: logits, `outputs × h × w`.
pub fn forward_ref(net: &UNetWeights, input: &Map) -> Vec<f32> {
    let mut skips = Vec::new();
    let mut x = input.clone();
    for e in &net.encoders {
        let f = block_ref(&x, e);
        x = pool_ref(&f);
        skips.push(f);
    }
    x = block_ref(&x, &net.bottleneck);
    for (u, d) in net.ups.iter().zip(&net.decoders) {
        let skip = skips.pop().expect("a skip per level");
        let up = up_ref(&x, u);
        let mut v = up.v;
        v.extend_from_slice(&skip.v);
        x = block_ref(
            &Map {
                c: up.c + skip.c,
                h: skip.h,
                w: skip.w,
                v,
            },
            d,
        );
    }
    conv_ref(&x, &net.head, false).v
}
