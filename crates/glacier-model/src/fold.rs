//! Batch norm folded into the convolution before it, for inference.
//!
//! In inference a batch norm is a per-channel affine map with fixed numbers:
//! `y = γ · (x − μ) / √(σ² + ε) + β`. After a convolution `x = W ∗ u + b` it can be written into
//! the convolution itself: `W' = W · s`, `b' = (b − μ) · s + β` with `s = γ / √(σ² + ε)` per
//! output channel. The network then runs one operation where it ran two (and one pass over the
//! activation less), with the same output up to f32 rounding.

use burn::module::Param;
use burn::nn::BatchNorm;
use burn::nn::conv::Conv2d;
use burn::tensor::Tensor;

use crate::net::SegNet;
use crate::unet::{ConvBlock, UNet};

impl SegNet {
    /// The same network with every batch norm folded into its convolution (see the
    /// [module docs](self)): for inference only, since it drops the running statistics a
    /// training step would update. The U-Net only: the 3D CNN (not shipped) is returned as it
    /// is. It reads the folded values back to store them, synchronously: in the browser call it
    /// on a CPU device only ([`crate::devices::is_cpu`]; WebGPU reads back asynchronously).
    pub fn fold_batch_norm(self) -> SegNet {
        match self {
            SegNet::UNet(net) => SegNet::UNet(net.fold_batch_norm()),
            other => other,
        }
    }
}

impl UNet {
    /// See [`SegNet::fold_batch_norm`].
    pub fn fold_batch_norm(self) -> UNet {
        UNet {
            encoders: self.encoders.into_iter().map(ConvBlock::fold).collect(),
            bottleneck: self.bottleneck.fold(),
            decoders: self.decoders.into_iter().map(ConvBlock::fold).collect(),
            ..self
        }
    }
}

impl ConvBlock {
    fn fold(self) -> ConvBlock {
        let (conv1, norm1) = fold(self.conv1, self.norm1);
        let (conv2, norm2) = fold(self.conv2, self.norm2);
        ConvBlock {
            conv1,
            norm1,
            conv2,
            norm2,
            scse: self.scse,
        }
    }
}

/// `conv` followed by `norm` as one convolution (and no norm).
fn fold(conv: Conv2d, norm: Option<BatchNorm>) -> (Conv2d, Option<BatchNorm>) {
    let Some(norm) = norm else {
        return (conv, None);
    };
    let device = conv.weight.val().device();
    let mean = norm.running_mean.value().to_device(&device);
    let var = norm.running_var.value().to_device(&device);
    let scale = norm.gamma.val() / var.add_scalar(norm.epsilon).sqrt();
    let [out] = scale.dims();
    let weight = conv.weight.val() * scale.clone().reshape([out, 1, 1, 1]);
    let bias = conv
        .bias
        .as_ref()
        .map_or_else(|| Tensor::zeros([out], &device), Param::val);
    let bias = (bias - mean) * scale + norm.beta.val();
    // Stored as plain values: a tensor left as the result of these operations may be
    // recomputed by a lazy backend on every forward.
    let weight = Tensor::from_data(weight.into_data(), &device);
    let bias = Tensor::from_data(bias.into_data(), &device);
    (
        Conv2d {
            weight: Param::from_tensor(weight),
            bias: Some(Param::from_tensor(bias)),
            ..conv
        },
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Architecture;
    use crate::unet::UNetConfig;
    use burn::module::RunningState;
    use burn::tensor::Distribution;

    #[test]
    fn a_folded_network_gives_the_same_logits() {
        let device = crate::devices::cpu();
        let net =
            Architecture::UNet(UNetConfig::new(3).with_depth(2).with_base_width(4)).init(&device);
        // Fresh batch norms are identities: give them statistics and affine weights to fold.
        let SegNet::UNet(mut unet) = net else {
            unreachable!("a U-Net")
        };
        let random = |n: usize, lo: f64, hi: f64| {
            Tensor::<1>::random([n], Distribution::Uniform(lo, hi), &device)
        };
        for block in unet.encoders.iter_mut().chain(&mut unet.decoders) {
            for norm in [&mut block.norm1, &mut block.norm2].into_iter().flatten() {
                let [n] = norm.gamma.val().dims();
                norm.gamma = Param::from_tensor(random(n, 0.5, 2.0));
                norm.beta = Param::from_tensor(random(n, -1.0, 1.0));
                norm.running_mean = RunningState::new(random(n, -1.0, 1.0));
                norm.running_var = RunningState::new(random(n, 0.1, 3.0));
            }
        }
        let net = SegNet::UNet(unet);
        let input = Tensor::<4>::random([2, 3, 16, 16], Distribution::Normal(0.0, 1.0), &device);
        let before = net.forward(input.clone()).into_data();
        let folded = net.fold_batch_norm();
        let SegNet::UNet(u) = &folded else {
            unreachable!("a U-Net")
        };
        assert!(
            u.encoders
                .iter()
                .all(|b| b.norm1.is_none() && b.norm2.is_none())
        );
        let after = folded.forward(input).into_data();
        let (a, b): (Vec<f32>, Vec<f32>) = (
            before.try_to_vec::<f32>().expect("f32"),
            after.try_to_vec::<f32>().expect("f32"),
        );
        let max = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(max < 1e-4, "max |Δ logit| {max}");
        let spread = a.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(
            spread > 1e-3 && max < 1e-4 * spread.max(1.0),
            "max |Δ| {max} of {spread}"
        );
    }
}
