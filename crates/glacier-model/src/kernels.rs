//! The U-Net handed to `glacier-kernels`, this project's CPU kernels for it.
//!
//! The kernels take plain numbers; this reads them out of the burn modules, batch norms folded
//! in first ([`crate::fold`]). It reads values back synchronously: call it for a network on a
//! CPU device ([`crate::devices::is_cpu`]).

use burn::module::Param;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::tensor::Tensor;
use glacier_kernels::{BlockWeights, Combine, ConvWeights, ScSeWeights, UNetWeights, UpWeights};

use crate::net::SegNet;
use crate::scse::{ScSe, ScSeCombine};
use crate::unet::{ConvBlock, UNet};

impl SegNet {
    /// The network's numbers for [`glacier_kernels::UNet`], or why the kernels do not run it
    /// (the 3D CNN, or a layer they do not cover).
    ///
    /// # Errors
    /// A sentence naming what the kernels do not cover.
    pub fn kernel_weights(&self) -> Result<UNetWeights, String> {
        match self {
            SegNet::UNet(net) => net.kernel_weights(),
            SegNet::Spectral3d(_) => Err("the kernels run the U-Net, not the 3D CNN".into()),
        }
    }
}

impl UNet {
    /// See [`SegNet::kernel_weights`]; batch norms are folded into a copy first.
    ///
    /// # Errors
    /// As [`SegNet::kernel_weights`].
    pub fn kernel_weights(&self) -> Result<UNetWeights, String> {
        let net = self.clone().fold_batch_norm();
        let blocks = |b: &[ConvBlock]| b.iter().map(block).collect::<Result<Vec<_>, _>>();
        Ok(UNetWeights {
            encoders: blocks(&net.encoders)?,
            bottleneck: block(&net.bottleneck)?,
            ups: net.ups.iter().map(up).collect::<Result<_, _>>()?,
            decoders: blocks(&net.decoders)?,
            head: conv(&net.head, 1)?,
        })
    }
}

fn values<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, String> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| format!("a weight could not be read: {e:?}"))
}

fn bias(p: Option<&Param<Tensor<1>>>, n: usize) -> Result<Vec<f32>, String> {
    p.map_or_else(|| Ok(vec![0.0; n]), |b| values(b.val()))
}

fn conv(c: &Conv2d, side: usize) -> Result<ConvWeights, String> {
    let [outputs, inputs, kh, kw] = c.weight.val().dims();
    let same = matches!(c.padding, PaddingConfig2d::Same)
        || (side == 1 && matches!(c.padding, PaddingConfig2d::Valid));
    if [kh, kw] != [side, side]
        || c.stride != [1, 1]
        || c.dilation != [1, 1]
        || c.groups != 1
        || !same
    {
        return Err(format!(
            "the kernels cover {side}×{side} convolutions of stride 1 with the input's size kept; one is {kh}×{kw}, stride {:?}",
            c.stride
        ));
    }
    Ok(ConvWeights {
        outputs,
        inputs,
        kernel: side,
        weight: values(c.weight.val())?,
        bias: bias(c.bias.as_ref(), outputs)?,
    })
}

fn up(c: &ConvTranspose2d) -> Result<UpWeights, String> {
    let [inputs, outputs, kh, kw] = c.weight.val().dims();
    if [kh, kw] != [2, 2] || c.stride != [2, 2] || c.padding != [0, 0] || c.groups != 1 {
        return Err("the kernels cover 2×2 up-convolutions of stride 2 without padding".into());
    }
    Ok(UpWeights {
        inputs,
        outputs,
        weight: values(c.weight.val())?,
        bias: bias(c.bias.as_ref(), outputs)?,
    })
}

fn scse(s: &ScSe) -> Result<ScSeWeights, String> {
    let [channels, hidden] = s.squeeze.weight.val().dims();
    let spatial = conv(&s.spatial, 1)?;
    Ok(ScSeWeights {
        channels,
        hidden,
        squeeze: (
            values(s.squeeze.weight.val())?,
            bias(s.squeeze.bias.as_ref(), hidden)?,
        ),
        excite: (
            values(s.excite.weight.val())?,
            bias(s.excite.bias.as_ref(), channels)?,
        ),
        spatial: (spatial.weight, spatial.bias.first().copied().unwrap_or(0.0)),
        combine: match s.combine {
            ScSeCombine::Max => Combine::Max,
            ScSeCombine::Add => Combine::Add,
        },
    })
}

fn block(b: &ConvBlock) -> Result<BlockWeights, String> {
    if b.norm1.is_some() || b.norm2.is_some() {
        return Err("a batch norm was left unfolded".into());
    }
    Ok(BlockWeights {
        conv1: conv(&b.conv1, 3)?,
        conv2: conv(&b.conv2, 3)?,
        scse: scse(&b.scse)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Architecture;
    use crate::unet::UNetConfig;
    use burn::tensor::Distribution;

    #[test]
    fn the_kernels_compute_what_burn_computes() {
        let device = crate::devices::cpu();
        for (combine, norm) in [(ScSeCombine::Max, true), (ScSeCombine::Add, false)] {
            let config = UNetConfig::new(3)
                .with_depth(2)
                .with_base_width(8)
                .with_batch_norm(norm)
                .with_scse_combine(combine);
            let net = Architecture::UNet(config).init(&device);
            let input =
                Tensor::<4>::random([1, 3, 32, 24], Distribution::Normal(0.0, 1.0), &device);
            let want = values(net.forward(input.clone())).expect("f32");
            let kernels =
                glacier_kernels::UNet::new(&net.kernel_weights().expect("covered")).expect("fits");
            let got = kernels
                .forward(&values(input).expect("f32"), 3, 32, 24)
                .expect("runs");
            let max = want
                .iter()
                .zip(&got)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(max < 1e-4, "{combine:?}: max |Δ logit| {max}");
        }
    }
}
