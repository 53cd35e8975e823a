//! What to map and what to keep: the input of [`crate::map_scene`].

use burn::tensor::Device;
use glacier_infer::ModelBundle;
use glacier_inputs::Scene;
use glacier_inputs::channels::Dem;
use glacier_labels::Outlines;

/// A device to try the network on, with the words reports and labels use for it.
#[derive(Clone, Debug)]
pub struct Compute {
    /// The burn device.
    pub device: Device,
    /// e.g. `GPU (WebGPU)`, `CPU`.
    pub label: String,
}

/// The network to run: the models on offer (the scene gets the one that uses the most of its
/// bands, [`crate::choice::choose_model`]) and the devices to try, in order (the next is tried
/// when one fails, e.g. WebGPU then the CPU).
pub struct NetworkRequest<'a> {
    /// The models, in order of preference among equals; at least one.
    pub models: Vec<&'a ModelBundle>,
    /// Devices, first choice first; at least one.
    pub computes: Vec<Compute>,
    /// Keep the network's glacier only where the plausibility rule holds (NDSI > 0,
    /// NIR > 0.11), where the scene has green, SWIR1 and NIR in reflectance and the model does
    /// not take SWIR1 itself.
    pub plausibility_rule: bool,
}

/// What the result keeps of each classification (each costs memory on a whole scene).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Keep {
    /// The mask on the scene grid (one byte a pixel).
    pub masks: bool,
    /// The network's probabilities on the scene grid (four bytes a pixel).
    pub probabilities: bool,
    /// The exports: the mask as a GeoTIFF and its patches as GeoJSON.
    pub exports: bool,
    /// A false-colour preview whose longest side is at most this many pixels, with each
    /// mask and the outlines sampled at its pixels.
    pub preview: Option<u32>,
}

/// A scene to map and how.
pub struct MapRequest<'a> {
    /// The scene (see [`crate::files::scene_from_files`] or `glacier_inputs::SceneBuilder`).
    pub scene: &'a Scene,
    /// Elevation on the scene's area, for models that take elevation or slope.
    pub dem: Option<Dem>,
    /// Outlines to score each classification against.
    pub outlines: Option<Outlines>,
    /// The network, when it is to run.
    pub network: Option<NetworkRequest<'a>>,
    /// Whether to run the NDSI baseline (where the scene has green and SWIR1).
    pub ndsi: bool,
    /// What to keep.
    pub keep: Keep,
}
