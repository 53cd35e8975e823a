//! The network's numbers as plain values, in the layouts burn stores them in, checked once.

use crate::error::KernelError;

/// A convolution's weights, `[out, in, k, k]` row-major (burn's `Conv2d` layout), and its bias.
#[derive(Clone, Debug)]
pub struct ConvWeights {
    /// Output channels.
    pub outputs: usize,
    /// Input channels.
    pub inputs: usize,
    /// Kernel side (3 for the blocks, 1 for the head and the spatial gate).
    pub kernel: usize,
    /// `outputs × inputs × kernel × kernel` values.
    pub weight: Vec<f32>,
    /// `outputs` values (zeros when the layer has none).
    pub bias: Vec<f32>,
}

/// A 2×2, stride-2 transposed convolution: `[in, out, 2, 2]` (burn's `ConvTranspose2d`
/// layout) and its bias.
#[derive(Clone, Debug)]
pub struct UpWeights {
    /// Input channels.
    pub inputs: usize,
    /// Output channels.
    pub outputs: usize,
    /// `inputs × outputs × 2 × 2` values.
    pub weight: Vec<f32>,
    /// `outputs` values.
    pub bias: Vec<f32>,
}

/// How scSE merges its two recalibrated maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// Element-wise maximum.
    Max,
    /// Element-wise sum.
    Add,
}

/// An scSE block (Roy et al. 2018): the channel gate's two linear layers (burn's `Linear`
/// layout, `[in, out]`), the spatial gate's `C → 1` weights, and how the gates combine.
#[derive(Clone, Debug)]
pub struct ScSeWeights {
    /// Channels `C`.
    pub channels: usize,
    /// Hidden width of the channel gate.
    pub hidden: usize,
    /// `C × hidden`, then `hidden` biases.
    pub squeeze: (Vec<f32>, Vec<f32>),
    /// `hidden × C`, then `C` biases.
    pub excite: (Vec<f32>, Vec<f32>),
    /// `C` weights and one bias of the spatial gate.
    pub spatial: (Vec<f32>, f32),
    /// How the two gates' outputs are merged.
    pub combine: Combine,
}

/// Two 3×3 convolutions with ReLU (batch norm already folded in), then scSE.
#[derive(Clone, Debug)]
pub struct BlockWeights {
    /// First convolution.
    pub conv1: ConvWeights,
    /// Second convolution.
    pub conv2: ConvWeights,
    /// The scSE block after them.
    pub scse: ScSeWeights,
}

/// The whole U-Net: `depth` encoder blocks, a bottleneck, `depth` up-convolutions and decoder
/// blocks (deepest first), and a 1×1 head.
#[derive(Clone, Debug)]
pub struct UNetWeights {
    /// Encoder blocks, shallowest first.
    pub encoders: Vec<BlockWeights>,
    /// The block at the bottom.
    pub bottleneck: BlockWeights,
    /// Up-convolutions, deepest first.
    pub ups: Vec<UpWeights>,
    /// Decoder blocks, deepest first; each takes `[up, skip]` concatenated.
    pub decoders: Vec<BlockWeights>,
    /// The 1×1 head.
    pub head: ConvWeights,
}

impl ConvWeights {
    pub(crate) fn check(
        &self,
        what: &str,
        inputs: usize,
        kernel: usize,
    ) -> Result<(), KernelError> {
        let want = self.outputs * self.inputs * self.kernel * self.kernel;
        if self.inputs != inputs || self.kernel != kernel {
            return Err(KernelError::Shape {
                what: what.into(),
                detail: format!(
                    "takes {} channels with a {}×{} kernel where {inputs} channels and {kernel}×{kernel} fit",
                    self.inputs, self.kernel, self.kernel
                ),
            });
        }
        check_len(what, "weight", self.weight.len(), want)?;
        check_len(what, "bias", self.bias.len(), self.outputs)
    }
}

impl ScSeWeights {
    fn check(&self, what: &str, channels: usize) -> Result<(), KernelError> {
        if self.channels != channels || self.hidden == 0 {
            return Err(KernelError::Shape {
                what: format!("{what} scSE"),
                detail: format!(
                    "has {} channels and {} hidden where {channels} channels fit",
                    self.channels, self.hidden
                ),
            });
        }
        let (c, h) = (self.channels, self.hidden);
        check_len(what, "squeeze weight", self.squeeze.0.len(), c * h)?;
        check_len(what, "squeeze bias", self.squeeze.1.len(), h)?;
        check_len(what, "excite weight", self.excite.0.len(), h * c)?;
        check_len(what, "excite bias", self.excite.1.len(), c)?;
        check_len(what, "spatial weight", self.spatial.0.len(), c)
    }
}

impl BlockWeights {
    /// Channels out of the block.
    pub fn outputs(&self) -> usize {
        self.conv2.outputs
    }

    fn check(&self, what: &str, inputs: usize) -> Result<usize, KernelError> {
        self.conv1.check(&format!("{what} conv1"), inputs, 3)?;
        self.conv2
            .check(&format!("{what} conv2"), self.conv1.outputs, 3)?;
        self.scse.check(what, self.conv2.outputs)?;
        Ok(self.conv2.outputs)
    }
}

impl UNetWeights {
    /// Input channels the network takes.
    pub fn inputs(&self) -> usize {
        self.encoders
            .first()
            .unwrap_or(&self.bottleneck)
            .conv1
            .inputs
    }

    /// Checks that every layer's shape fits the one before it.
    ///
    /// # Errors
    /// [`KernelError::Shape`] naming the first layer that does not fit.
    pub fn check(&self) -> Result<(), KernelError> {
        let depth = self.encoders.len();
        if self.ups.len() != depth || self.decoders.len() != depth {
            return Err(KernelError::Shape {
                what: "the U-Net".into(),
                detail: format!(
                    "has {depth} encoders, {} up-convolutions and {} decoders",
                    self.ups.len(),
                    self.decoders.len()
                ),
            });
        }
        let mut channels = self.inputs();
        let mut skips = Vec::new();
        for (i, block) in self.encoders.iter().enumerate() {
            channels = block.check(&format!("encoder {i}"), channels)?;
            skips.push(channels);
        }
        channels = self.bottleneck.check("bottleneck", channels)?;
        for (i, (up, block)) in self.ups.iter().zip(&self.decoders).enumerate() {
            let what = format!("up-convolution {i}");
            if up.inputs != channels {
                return Err(KernelError::Shape {
                    what,
                    detail: format!("takes {} channels where {channels} come", up.inputs),
                });
            }
            check_len(&what, "weight", up.weight.len(), up.inputs * up.outputs * 4)?;
            check_len(&what, "bias", up.bias.len(), up.outputs)?;
            let skip = skips.pop().unwrap_or(0);
            channels = block.check(&format!("decoder {i}"), up.outputs + skip)?;
        }
        self.head.check("head", channels, 1)
    }
}

fn check_len(what: &str, part: &str, got: usize, want: usize) -> Result<(), KernelError> {
    if got == want {
        Ok(())
    } else {
        Err(KernelError::Shape {
            what: what.into(),
            detail: format!("{part} holds {got} values where {want} fit"),
        })
    }
}
