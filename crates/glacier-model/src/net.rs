//! The networks a model file can hold, behind one type: the scSE U-Net and the 3D CNN.

use burn::config::Config;
use burn::module::Module;
use burn::tensor::{Device, Tensor};

use crate::spectral3d::{Spectral3dCnn, Spectral3dCnnConfig};
use crate::unet::{UNet, UNetConfig};

/// Which network, with its configuration; build one with [`Architecture::init`].
#[derive(Config, Debug)]
pub enum Architecture {
    /// The U-Net with scSE blocks.
    UNet(UNetConfig),
    /// The 3D CNN over the spectral axis.
    Spectral3d(Spectral3dCnnConfig),
}

impl Architecture {
    /// Creates the network with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> SegNet {
        match self {
            Architecture::UNet(c) => SegNet::UNet(c.init(device)),
            Architecture::Spectral3d(c) => SegNet::Spectral3d(c.init(device)),
        }
    }

    /// The name recorded in model files: `unet-scse` or `spectral3d-scse`.
    pub fn name(&self) -> &'static str {
        match self {
            Architecture::UNet(_) => "unet-scse",
            Architecture::Spectral3d(_) => "spectral3d-scse",
        }
    }

    /// Tile sides must be a multiple of this (the U-Net halves the tile `depth` times).
    pub fn size_multiple(&self) -> usize {
        match self {
            Architecture::UNet(c) => 1 << c.depth,
            Architecture::Spectral3d(_) => 1,
        }
    }
}

/// A segmentation network of either [`Architecture`].
// One network per model, never stored in bulk: the size gap between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum SegNet {
    /// The U-Net with scSE blocks.
    UNet(UNet),
    /// The 3D CNN over the spectral axis.
    Spectral3d(Spectral3dCnn),
}

impl SegNet {
    /// Logits per pixel.
    ///
    /// # Shapes
    /// - input: `[batch, in_channels, height, width]` (a multiple of
    ///   [`Architecture::size_multiple`] in height and width)
    /// - output: `[batch, out_channels, height, width]`
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        match self {
            SegNet::UNet(n) => n.forward(input),
            SegNet::Spectral3d(n) => n.forward(input),
        }
    }
}
