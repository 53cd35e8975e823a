//! U-Net with scSE blocks for per-pixel glacier segmentation.
//!
//! Encoder: `depth` blocks of (3×3 conv → [batch norm] → ReLU) × 2 → scSE, each followed by 2×2
//! max pooling; a bottleneck block; decoder: 2×2 transposed convolution up, concatenation with
//! the encoder's skip connection, the same block; a 1×1 convolution gives one logit per pixel and
//! class. scSE recalibrates the output of every encoder and decoder block, as Roy et al. (2018)
//! place it in their U-Net.

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use crate::scse::{ScSe, ScSeCombine, ScSeConfig};

/// Configuration of a [`UNet`]; build one with [`UNetConfig::init`].
#[derive(Config, Debug)]
pub struct UNetConfig {
    /// Input channels (e.g. 3 for green/red/NIR, 11 for the full Landsat + terrain + indices set).
    pub in_channels: usize,
    /// Output channels: 1 glacier logit, or one per class.
    #[config(default = 1)]
    pub out_channels: usize,
    /// Number of 2× down-samplings; inputs must be multiples of `2^depth` pixels.
    #[config(default = 3)]
    pub depth: usize,
    /// Channels of the first block; each level down doubles it.
    #[config(default = 16)]
    pub base_width: usize,
    /// Batch normalisation after each convolution.
    #[config(default = true)]
    pub batch_norm: bool,
    /// Dropout probability before the head (active only while training).
    #[config(default = 0.0)]
    pub dropout: f64,
    /// scSE channel reduction ratio.
    #[config(default = 2)]
    pub scse_reduction: usize,
    /// How scSE merges its two gates.
    #[config(default = "ScSeCombine::Max")]
    pub scse_combine: ScSeCombine,
}

/// Two 3×3 convolutions (each with optional batch norm and ReLU), then scSE.
#[derive(Module, Debug)]
pub struct ConvBlock {
    pub(crate) conv1: Conv2d,
    pub(crate) norm1: Option<BatchNorm>,
    pub(crate) conv2: Conv2d,
    pub(crate) norm2: Option<BatchNorm>,
    pub(crate) scse: ScSe,
}

impl ConvBlock {
    fn new(input: usize, output: usize, config: &UNetConfig, device: &Device) -> Self {
        let conv = |i, o| {
            Conv2dConfig::new([i, o], [3, 3])
                .with_padding(PaddingConfig2d::Same)
                .init(device)
        };
        let norm = || {
            config
                .batch_norm
                .then(|| BatchNormConfig::new(output).init(device))
        };
        ConvBlock {
            conv1: conv(input, output),
            norm1: norm(),
            conv2: conv(output, output),
            norm2: norm(),
            scse: ScSeConfig::new(output)
                .with_reduction(config.scse_reduction)
                .with_combine(config.scse_combine)
                .init(device),
        }
    }

    /// # Shapes
    /// - input: `[batch, in, h, w]` → output: `[batch, out, h, w]`
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let norm = |n: &Option<BatchNorm>, t: Tensor<4>| match n {
            Some(n) => n.forward(t),
            None => t,
        };
        let x = relu(norm(&self.norm1, self.conv1.forward(x)));
        let x = relu(norm(&self.norm2, self.conv2.forward(x)));
        self.scse.forward(x)
    }
}

/// The U-Net. See the [module docs](self).
#[derive(Module, Debug)]
pub struct UNet {
    pub(crate) encoders: Vec<ConvBlock>,
    pub(crate) pool: MaxPool2d,
    pub(crate) bottleneck: ConvBlock,
    pub(crate) ups: Vec<ConvTranspose2d>,
    pub(crate) decoders: Vec<ConvBlock>,
    pub(crate) dropout: Dropout,
    pub(crate) head: Conv2d,
}

impl UNetConfig {
    /// Creates the network with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> UNet {
        let width = |level: usize| self.base_width << level;
        let encoders = (0..self.depth)
            .map(|l| {
                let input = if l == 0 {
                    self.in_channels
                } else {
                    width(l - 1)
                };
                ConvBlock::new(input, width(l), self, device)
            })
            .collect();
        let bottleneck_in = if self.depth == 0 {
            self.in_channels
        } else {
            width(self.depth - 1)
        };
        let bottleneck = ConvBlock::new(bottleneck_in, width(self.depth), self, device);
        // Decoder level l (from the deepest up) halves width(l + 1) to width(l).
        let ups = (0..self.depth)
            .rev()
            .map(|l| {
                ConvTranspose2dConfig::new([width(l + 1), width(l)], [2, 2])
                    .with_stride([2, 2])
                    .init(device)
            })
            .collect();
        let decoders = (0..self.depth)
            .rev()
            .map(|l| ConvBlock::new(2 * width(l), width(l), self, device))
            .collect();
        UNet {
            encoders,
            pool: MaxPool2dConfig::new([2, 2]).init(),
            bottleneck,
            ups,
            decoders,
            dropout: DropoutConfig::new(self.dropout).init(),
            head: Conv2dConfig::new([width(0), self.out_channels], [1, 1]).init(device),
        }
    }
}

impl UNet {
    /// Per-pixel logits.
    ///
    /// # Shapes
    /// - input: `[batch, in_channels, h, w]`, with `h` and `w` multiples of `2^depth`
    /// - output: `[batch, out_channels, h, w]`
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let mut skips = Vec::with_capacity(self.encoders.len());
        let mut x = input;
        for encoder in &self.encoders {
            let features = encoder.forward(x);
            x = self.pool.forward(features.clone());
            skips.push(features);
        }
        x = self.bottleneck.forward(x);
        for (up, decoder) in self.ups.iter().zip(&self.decoders) {
            let skip = skips.pop().unwrap_or_else(|| x.clone());
            x = decoder.forward(Tensor::cat(vec![up.forward(x), skip], 1));
        }
        self.head.forward(self.dropout.forward(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices;

    #[test]
    fn shapes_and_parameter_count_of_a_tiny_net() {
        let device = devices::cpu();
        let net = UNetConfig::new(3)
            .with_depth(1)
            .with_base_width(4)
            .with_batch_norm(false)
            .init(&device);
        // Counted by hand: encoder 112 + 148 + scSE 27; bottleneck 296 + 584 + scSE 85;
        // up 132; decoder 292 + 148 + scSE 27; head 5.
        assert_eq!(net.num_params(), 1856);
        let out = net.forward(Tensor::zeros([2, 3, 32, 32], &device));
        assert_eq!(out.dims(), [2, 1, 32, 32]);
    }

    #[test]
    fn default_depth_keeps_the_tile_size() {
        let device = devices::cpu();
        let net = UNetConfig::new(6).init(&device);
        let out = net.forward(Tensor::ones([1, 6, 64, 64], &device));
        assert_eq!(out.dims(), [1, 1, 64, 64]);
        let values = out.into_data().try_to_vec::<f32>().expect("f32");
        assert!(values.iter().all(|v| v.is_finite()));
    }
}
