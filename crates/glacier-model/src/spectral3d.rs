//! A 3D CNN that treats the spectral bands as a depth axis, with an scSE gate before a per-pixel
//! head: the "3D CNN variant" compared with the U-Net.
//!
//! The input `[B, C, H, W]` (C named channels) becomes a one-feature volume `[B, 1, C, H, W]`;
//! `layers` 3×3×3 convolutions (each with optional batch norm and ReLU) learn spectral-spatial
//! filters shared across bands, keeping the band axis (zero padding); the `F` features of each of
//! the `C` bands are flattened back into `F·C` channels, recalibrated by scSE (the channel gate
//! weighs band × feature pairs, the spatial gate positions), and a 1×1 convolution gives the
//! logit(s) per pixel. Fully convolutional: any tile size works, the receptive field is
//! `2·layers + 1` pixels across.

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, Conv3d, Conv3dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig3d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use crate::scse::{ScSe, ScSeCombine, ScSeConfig};

/// Configuration of a [`Spectral3dCnn`]; build one with [`Spectral3dCnnConfig::init`].
#[derive(Config, Debug)]
pub struct Spectral3dCnnConfig {
    /// Input channels `C`, the depth of the spectral volume.
    pub in_channels: usize,
    /// Output channels: 1 glacier logit, or one per class.
    #[config(default = 1)]
    pub out_channels: usize,
    /// Features `F` of every 3D convolution.
    #[config(default = 8)]
    pub filters: usize,
    /// Number of 3×3×3 convolutions.
    #[config(default = 3)]
    pub layers: usize,
    /// Batch normalisation after each convolution.
    #[config(default = true)]
    pub batch_norm: bool,
    /// scSE channel reduction ratio (over the `F·C` flattened channels).
    #[config(default = 2)]
    pub scse_reduction: usize,
    /// How scSE merges its two gates.
    #[config(default = "ScSeCombine::Max")]
    pub scse_combine: ScSeCombine,
}

impl Spectral3dCnnConfig {
    /// Creates the network with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> Spectral3dCnn {
        let layers = (0..self.layers.max(1))
            .map(|k| {
                let input = if k == 0 { 1 } else { self.filters };
                SpectralConv {
                    conv: Conv3dConfig::new([input, self.filters], [3, 3, 3])
                        .with_padding(PaddingConfig3d::Explicit(1, 1, 1))
                        .init(device),
                    norm: self
                        .batch_norm
                        .then(|| BatchNormConfig::new(self.filters).init(device)),
                }
            })
            .collect();
        let flat = self.filters * self.in_channels;
        Spectral3dCnn {
            layers,
            scse: ScSeConfig::new(flat)
                .with_reduction(self.scse_reduction)
                .with_combine(self.scse_combine)
                .init(device),
            head: Conv2dConfig::new([flat, self.out_channels], [1, 1]).init(device),
        }
    }
}

/// One 3×3×3 convolution with optional batch norm, then ReLU.
#[derive(Module, Debug)]
pub struct SpectralConv {
    conv: Conv3d,
    norm: Option<BatchNorm>,
}

/// The 3D CNN. See the [module docs](self).
#[derive(Module, Debug)]
pub struct Spectral3dCnn {
    layers: Vec<SpectralConv>,
    scse: ScSe,
    head: Conv2d,
}

impl Spectral3dCnn {
    /// Logits per pixel.
    ///
    /// # Shapes
    /// - input: `[batch, in_channels, height, width]`
    /// - output: `[batch, out_channels, height, width]`
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let [batch, bands, height, width] = input.dims();
        let x = self.volume(input);
        let [_, filters, _, _, _] = x.dims();
        // [B, F, C, H, W] → [B, F·C, H, W]: channel f·C + c is feature f of band c.
        let flat = x.reshape([batch, filters * bands, height, width]);
        self.head.forward(self.scse.forward(flat))
    }

    /// The 3D convolutions over the spectral volume.
    ///
    /// # Shapes
    /// - input: `[batch, bands, height, width]`
    /// - output: `[batch, filters, bands, height, width]`
    fn volume(&self, input: Tensor<4>) -> Tensor<5> {
        let [batch, bands, height, width] = input.dims();
        let mut x: Tensor<5> = input.reshape([batch, 1, bands, height, width]);
        for layer in &self.layers {
            x = layer.conv.forward(x);
            if let Some(norm) = &layer.norm {
                x = norm.forward(x);
            }
            x = relu(x);
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices;
    use burn::module::Param;
    use burn::tensor::TensorData;

    #[test]
    fn shapes_and_parameter_count_of_a_tiny_net() {
        let device = devices::cpu();
        let net = Spectral3dCnnConfig::new(3)
            .with_filters(2)
            .with_layers(2)
            .with_batch_norm(false)
            .init(&device);
        // Counted by hand: conv 1→2 (2·27 + 2 = 56), conv 2→2 (4·27 + 2 = 110); scSE over
        // 2·3 = 6 channels, hidden 3: 6·3 + 3 + 3·6 + 6 + 6 + 1 = 52; head 6 + 1 = 7.
        assert_eq!(net.num_params(), 225);
        let out = net.forward(Tensor::zeros([2, 3, 17, 23], &device));
        assert_eq!(out.dims(), [2, 1, 17, 23]);
    }

    #[test]
    fn bands_are_a_depth_axis_not_channels() {
        // One 3×3×3 convolution whose only non-zero weight is tap [depth 0, row 1, col 1]:
        // feature 0 of band c is band c − 1 of the input (zero before the first band), so bands
        // are neighbours along a convolved axis, not independent input channels.
        let device = devices::cpu();
        let mut net = Spectral3dCnnConfig::new(3)
            .with_filters(1)
            .with_layers(1)
            .with_batch_norm(false)
            .init(&device);
        let mut kernel = vec![0.0f32; 27];
        kernel[4] = 1.0;
        let conv = &mut net.layers[0].conv;
        conv.weight = Param::from_tensor(Tensor::from_data(
            TensorData::new(kernel, [1, 1, 3, 3, 3]),
            &device,
        ));
        conv.bias = Some(Param::from_tensor(Tensor::zeros([1], &device)));
        let input = Tensor::<4>::from_data(
            TensorData::new(vec![1.0f32, 2.0, 3.0], [1, 3, 1, 1]),
            &device,
        );
        let volume = net.volume(input);
        assert_eq!(volume.dims(), [1, 1, 3, 1, 1]);
        let values = volume.into_data().try_to_vec::<f32>().expect("f32");
        assert_eq!(values, [0.0, 1.0, 2.0]);
    }
}
