//! Concurrent spatial and channel squeeze & excitation (scSE), Roy, Navab & Wachinger 2018.
//!
//! Two gates recalibrate a feature map `U` of shape `[B, C, H, W]`:
//! - **cSE** (channel): global average pool → FC(C→C/r) → ReLU → FC(C/r→C) → sigmoid, one weight
//!   per channel, multiplied into `U`;
//! - **sSE** (spatial): 1×1 convolution C→1 → sigmoid, one weight per position, multiplied into `U`.
//!
//! The two recalibrated maps are combined element-wise, by maximum (the variant the paper found
//! best for segmentation) or by sum.

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Tensor};

/// How the channel- and spatially-recalibrated maps are merged.
#[derive(Config, Debug, Copy, PartialEq, Eq)]
pub enum ScSeCombine {
    /// Element-wise maximum (Roy et al.'s recommendation).
    Max,
    /// Element-wise sum.
    Add,
}

/// Configuration of an [`ScSe`] block; build one with [`ScSeConfig::init`].
#[derive(Config, Debug)]
pub struct ScSeConfig {
    /// Number of channels `C` of the feature map.
    pub channels: usize,
    /// Channel reduction ratio `r` of the cSE bottleneck (hidden width `max(1, C / r)`).
    #[config(default = 2)]
    pub reduction: usize,
    /// How the two gates' outputs are combined.
    #[config(default = "ScSeCombine::Max")]
    pub combine: ScSeCombine,
}

impl ScSeConfig {
    /// Width of the cSE bottleneck: `max(1, channels / reduction)`.
    pub fn hidden(&self) -> usize {
        (self.channels / self.reduction.max(1)).max(1)
    }

    /// Creates the block with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> ScSe {
        let hidden = self.hidden();
        ScSe {
            squeeze: LinearConfig::new(self.channels, hidden).init(device),
            excite: LinearConfig::new(hidden, self.channels).init(device),
            spatial: Conv2dConfig::new([self.channels, 1], [1, 1]).init(device),
            combine: self.combine,
        }
    }
}

/// The scSE block. See the [module docs](self).
#[derive(Module, Debug)]
pub struct ScSe {
    /// cSE bottleneck FC, `C → C/r`.
    pub squeeze: Linear,
    /// cSE expansion FC, `C/r → C`.
    pub excite: Linear,
    /// sSE 1×1 convolution, `C → 1`.
    pub spatial: Conv2d,
    /// How the two gates are merged.
    #[module(skip)]
    pub combine: ScSeCombine,
}

impl ScSe {
    /// Recalibrates `input`.
    ///
    /// # Shapes
    /// - input: `[batch, channels, height, width]`
    /// - output: `[batch, channels, height, width]`
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let [batch, channels, _, _] = input.dims();
        let pooled = input.clone().mean_dims(&[2, 3]).reshape([batch, channels]);
        let channel_gate = sigmoid(self.excite.forward(relu(self.squeeze.forward(pooled))))
            .reshape([batch, channels, 1, 1]);
        let spatial_gate = sigmoid(self.spatial.forward(input.clone()));
        let by_channel = input.clone() * channel_gate;
        let by_position = input * spatial_gate;
        match self.combine {
            ScSeCombine::Max => by_channel.max_pair(by_position),
            ScSeCombine::Add => by_channel + by_position,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices;
    use burn::module::Param;
    use burn::tensor::TensorData;

    fn sig(x: f32) -> f32 {
        1.0 / (1.0 + (-x).exp())
    }

    /// A 2-channel block with hand-set weights: hidden = mean(ch0), gates sigmoid(2h), sigmoid(-2h);
    /// spatial gate sigmoid(0.5 * ch0).
    fn hand_set(combine: ScSeCombine, device: &Device) -> ScSe {
        let mut block = ScSeConfig::new(2).with_combine(combine).init(device);
        let t2 = |v: [[f32; 2]; 1]| Tensor::<2>::from_data(TensorData::from(v), device);
        block.squeeze.weight = Param::from_tensor(Tensor::from_data(
            TensorData::from([[1.0f32], [0.0]]),
            device,
        ));
        block.squeeze.bias = Some(Param::from_tensor(Tensor::zeros([1], device)));
        block.excite.weight = Param::from_tensor(t2([[2.0, -2.0]]));
        block.excite.bias = Some(Param::from_tensor(Tensor::zeros([2], device)));
        block.spatial.weight = Param::from_tensor(Tensor::from_data(
            TensorData::new(vec![0.5f32, 0.0], [1, 2, 1, 1]),
            device,
        ));
        block.spatial.bias = Some(Param::from_tensor(Tensor::zeros([1], device)));
        block
    }

    fn expected(combine: ScSeCombine, ch0: [f32; 4], ch1: [f32; 4]) -> Vec<f32> {
        let h = (ch0.iter().sum::<f32>() / 4.0).max(0.0);
        let (g0, g1) = (sig(2.0 * h), sig(-2.0 * h));
        let mut out = Vec::new();
        for (c, gate) in [(ch0, g0), (ch1, g1)] {
            for (i, v) in c.iter().enumerate() {
                let s = sig(0.5 * ch0[i]);
                let (a, b) = (v * gate, v * s);
                out.push(match combine {
                    ScSeCombine::Max => a.max(b),
                    ScSeCombine::Add => a + b,
                });
            }
        }
        out
    }

    #[test]
    fn gates_match_hand_computation() {
        let device = devices::cpu();
        let ch0 = [1.0f32, 2.0, -1.0, 0.5];
        let ch1 = [3.0f32, -2.0, 0.25, 4.0];
        let input =
            Tensor::<4>::from_data(TensorData::new([ch0, ch1].concat(), [1, 2, 2, 2]), &device);
        for combine in [ScSeCombine::Max, ScSeCombine::Add] {
            let out = hand_set(combine, &device).forward(input.clone());
            assert_eq!(out.dims(), [1, 2, 2, 2]);
            let got = out.into_data().try_to_vec::<f32>().expect("f32 output");
            let want = expected(combine, ch0, ch1);
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() < 1e-6,
                    "{combine:?}: got {got:?}, want {want:?}"
                );
            }
        }
        // Spot-check one value fully by hand: ch1[0] = 3, channel gate sigmoid(-2 * 0.625)
        // = 0.22270, spatial gate sigmoid(0.5) = 0.62246 → max(0.66811, 1.86738) = 1.86738.
        let want = expected(ScSeCombine::Max, ch0, ch1)[4];
        assert!((want - 1.867_38).abs() < 1e-4, "{want}");
    }

    #[test]
    fn hidden_width_never_reaches_zero() {
        assert_eq!(ScSeConfig::new(16).with_reduction(4).hidden(), 4);
        assert_eq!(ScSeConfig::new(3).with_reduction(8).hidden(), 1);
        assert_eq!(ScSeConfig::new(3).with_reduction(0).hidden(), 3);
    }
}
