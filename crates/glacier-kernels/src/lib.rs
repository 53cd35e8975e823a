//! The scSE U-Net on the CPU, with kernels written for its shapes.
//!
//! burn's CPU backends run the network as a graph of general operations, each a pass over
//! memory with its own buffers; this crate runs the one network this project ships as a fixed
//! sequence of fused kernels over channels-last maps (see [`UNet::forward`]):
//!
//! - [`conv`]: 3×3 convolution + bias + ReLU (batch norm folded in beforehand), direct, with a
//!   register tile of 8 pixels × 8 output channels;
//! - [`scse`]: both scSE gates and their merge, in place;
//! - [`resample`]: 2×2 max pooling, and the 2×2 up-convolution written beside the skip
//!   connection (the concatenation costs no copy of its own);
//! - [`isa`]: each kernel compiled for AVX2 + FMA and for the build's own target (wasm SIMD128
//!   in the page), chosen once at run time;
//! - rows of a layer on every core natively (rayon), on one thread in wasm.
//!
//! It takes plain numbers ([`UNetWeights`], burn's layouts) and has no burn dependency:
//! `glacier-model` hands a loaded network over. `cargo xtask bench-model` times it beside
//! burn's backends and ONNX Runtime.

mod conv;
mod error;
mod feature;
pub mod isa;
mod resample;
mod rows;
mod scse;
mod tile;
mod weights;

pub use error::KernelError;
pub use isa::Isa;
pub use weights::{BlockWeights, Combine, ConvWeights, ScSeWeights, UNetWeights, UpWeights};

use conv::Conv3x3;
use feature::{Feature, Scratch};
use resample::Up;

struct Block {
    conv1: Conv3x3,
    conv2: Conv3x3,
    scse: ScSeWeights,
}

impl Block {
    fn new(w: &BlockWeights) -> Block {
        Block {
            conv1: Conv3x3::new(&w.conv1, true),
            conv2: Conv3x3::new(&w.conv2, true),
            scse: w.scse.clone(),
        }
    }

    fn run(&self, isa: Isa, input: &Feature, scratch: &Scratch) -> Feature {
        let x = self.conv1.run(isa, input, scratch);
        let mut y = self.conv2.run(isa, &x, scratch);
        scratch.give(x);
        scse::recalibrate(isa, &self.scse, &mut y);
        y
    }
}

/// The network, ready to run.
pub struct UNet {
    inputs: usize,
    encoders: Vec<Block>,
    bottleneck: Block,
    ups: Vec<Up>,
    decoders: Vec<Block>,
    head: ConvWeights,
    isa: Isa,
    scratch: Scratch,
}

impl UNet {
    /// Checks and repacks the weights; the instruction set is the best this CPU has.
    ///
    /// # Errors
    /// [`KernelError::Shape`] when a layer does not fit the one before it.
    pub fn new(weights: &UNetWeights) -> Result<UNet, KernelError> {
        weights.check()?;
        Ok(UNet {
            inputs: weights.inputs(),
            encoders: weights.encoders.iter().map(Block::new).collect(),
            bottleneck: Block::new(&weights.bottleneck),
            ups: weights.ups.iter().map(Up::new).collect(),
            decoders: weights.decoders.iter().map(Block::new).collect(),
            head: weights.head.clone(),
            isa: Isa::detect(),
            scratch: Scratch::default(),
        })
    }

    /// The same network on another instruction set (for comparisons; `isa` must be one this
    /// CPU has, which [`Isa::detect`] tells: a better one is refused).
    pub fn with_isa(mut self, isa: Isa) -> UNet {
        if isa == Isa::Plain || isa == Isa::detect() {
            self.isa = isa;
        }
        self
    }

    /// The instruction set the kernels run with.
    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Sides of an input must be a multiple of this.
    pub fn size_multiple(&self) -> usize {
        1 << self.encoders.len()
    }

    /// Output channels (logits per pixel).
    pub fn outputs(&self) -> usize {
        self.head.outputs
    }

    /// Per-pixel logits of one image.
    ///
    /// # Shapes
    /// - `planes`: `channels × height × width` (burn's NCHW for one image)
    /// - returns: `outputs × height × width`
    ///
    /// # Errors
    /// [`KernelError::Input`] when the channels or the sides do not fit.
    pub fn forward(
        &self,
        planes: &[f32],
        channels: usize,
        height: usize,
        width: usize,
    ) -> Result<Vec<f32>, KernelError> {
        let m = self.size_multiple();
        if channels != self.inputs {
            return Err(KernelError::Input(format!(
                "has {channels} channels where the network takes {}",
                self.inputs
            )));
        }
        if height == 0 || width == 0 || !height.is_multiple_of(m) || !width.is_multiple_of(m) {
            return Err(KernelError::Input(format!(
                "is {width} × {height} px where the sides must be positive multiples of {m}"
            )));
        }
        if planes.len() != channels * height * width {
            return Err(KernelError::Input(format!(
                "holds {} values where {channels} × {height} × {width} fit",
                planes.len()
            )));
        }
        rows::in_pool(|| self.run(planes, channels, height, width))
    }

    /// [`UNet::forward`] on checked input.
    fn run(
        &self,
        planes: &[f32],
        channels: usize,
        height: usize,
        width: usize,
    ) -> Result<Vec<f32>, KernelError> {
        let (isa, scratch) = (self.isa, &self.scratch);
        let mut skips = Vec::with_capacity(self.encoders.len());
        let mut x = Feature::from_planes(planes, channels, height, width, scratch);
        for encoder in &self.encoders {
            let features = encoder.run(isa, &x, scratch);
            scratch.give(std::mem::replace(
                &mut x,
                resample::max_pool(&features, scratch),
            ));
            skips.push(features);
        }
        let bottom = self.bottleneck.run(isa, &x, scratch);
        scratch.give(std::mem::replace(&mut x, bottom));
        for (up, decoder) in self.ups.iter().zip(&self.decoders) {
            let skip = skips
                .pop()
                .ok_or_else(|| KernelError::Input("has no skip".into()))?;
            let joined = up.run_beside(isa, &x, &skip, scratch);
            scratch.give(skip);
            let next = decoder.run(isa, &joined, scratch);
            scratch.give(joined);
            scratch.give(std::mem::replace(&mut x, next));
        }
        let logits = self.head_planes(&x);
        scratch.give(x);
        Ok(logits)
    }

    /// The 1×1 head, into planes.
    fn head_planes(&self, x: &Feature) -> Vec<f32> {
        let (h, w, c) = (x.height, x.width, x.channels);
        let outs = self.head.outputs;
        let mut out = vec![0.0; outs * h * w];
        for (o, plane) in out.chunks_exact_mut(h * w).enumerate() {
            let wo = &self.head.weight[o * c..(o + 1) * c];
            let b = self.head.bias[o];
            for y in 0..h {
                let start = x.at(y, 0);
                let src = &x.data[start..start + w * c];
                for (d, pixel) in plane[y * w..(y + 1) * w]
                    .iter_mut()
                    .zip(src.chunks_exact(c))
                {
                    *d = pixel.iter().zip(wo).fold(b, |z, (v, k)| z + v * k);
                }
            }
        }
        out
    }
}
