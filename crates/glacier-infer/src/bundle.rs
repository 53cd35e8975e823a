//! The model file.
//!
//! # Layout (little-endian)
//! | bytes | content |
//! |---|---|
//! | 4 | magic `GLCM` |
//! | 4 | format version, `u32` (currently 1) |
//! | 4 | header length `H`, `u32` |
//! | H | header, UTF-8 JSON: [`ModelHeader`] |
//! | … | weights, one tensor after another in the header's `tensors` order: `int8` = one `f32` scale per slice along the first dimension, then the `i8` values; `f32` = the values |
//!
//! The scheme behind `int8` is in [`glacier_model::quantize`]. Everything the page needs to build
//! the network's input (channel names, statistics, normalisation mode, tile and overlap) is in
//! the header, so a loaded model says exactly which tensors to build.

use burn::tensor::Device;
use glacier_inputs::InputSpec;
use glacier_model::{
    Architecture, Precision, SegNet, Spectral3dCnnConfig, StoredTensor, StoredValues, UNetConfig,
    import_weights,
};
use serde::{Deserialize, Serialize};

use crate::error::InferError;
use crate::sizes;

/// File magic.
pub const MAGIC: &[u8; 4] = b"GLCM";
/// Format version written and read.
pub const FORMAT_VERSION: u32 = 1;

/// How one tensor is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// f32 values.
    F32,
    /// Per-slice scales, then i8 values.
    Int8,
}

/// One tensor's entry in the header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TensorEntry {
    /// Shape.
    pub shape: Vec<usize>,
    /// Storage.
    pub encoding: Encoding,
}

/// Probabilities the exported model gave on a fixed real tile, recorded at export so any build
/// (native, wasm, CPU, GPU) can check it computes the same.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReferenceCheck {
    /// Which scene and bands (a description a test can rebuild the input from).
    pub scene: String,
    /// Window on the scene grid: column, row, width, height.
    pub window: [u32; 4],
    /// Every `step`-th pixel of the window (row-major) is recorded.
    pub step: usize,
    /// Glacier probabilities at those pixels (NaN recorded as -1).
    pub probabilities: Vec<f32>,
    /// Pixels of the whole window at or above the threshold.
    pub glacier_pixels: u64,
}

/// The JSON header.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelHeader {
    /// Short name, e.g. `unet-scse-grn-everest`.
    pub name: String,
    /// Architecture: `unet-scse` or `spectral3d-scse` (see [`Architecture::name`]).
    pub architecture: String,
    /// The U-Net's configuration, for `unet-scse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unet: Option<UNetConfig>,
    /// The 3D CNN's configuration, for `spectral3d-scse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spectral3d: Option<Spectral3dCnnConfig>,
    /// What the network takes as input.
    pub input: InputSpec,
    /// Probability at or above which a pixel is glacier.
    pub threshold: f32,
    /// `int8` or `f32`.
    pub precision: String,
    /// The stored tensors, in the network's parameter visiting order.
    pub tensors: Vec<TensorEntry>,
    /// Free-form provenance: data, split, training settings, history.
    #[serde(default)]
    pub training: serde_json::Value,
    /// Free-form metrics recorded at export.
    #[serde(default)]
    pub metrics: serde_json::Value,
    /// Reference probabilities for checking a build.
    #[serde(default)]
    pub check: Option<ReferenceCheck>,
    /// What the model was trained on and how far to trust it, in plain words for the page's
    /// visitors (`glacier export --summary`; empty in older files).
    #[serde(default)]
    pub summary: String,
}

impl ModelHeader {
    /// The network this header describes, when its architecture and configuration agree.
    pub fn network(&self) -> Option<Architecture> {
        match (self.architecture.as_str(), &self.unet, &self.spectral3d) {
            ("unet-scse", Some(c), _) => Some(Architecture::UNet(c.clone())),
            ("spectral3d-scse", _, Some(c)) => Some(Architecture::Spectral3d(c.clone())),
            _ => None,
        }
    }
}

/// A model: header and weights.
#[derive(Clone, Debug)]
pub struct ModelBundle {
    /// The header.
    pub header: ModelHeader,
    /// The weights, in header order.
    pub tensors: Vec<StoredTensor>,
}

fn take<'a>(bytes: &'a [u8], at: &mut usize, n: usize, file: &str) -> Result<&'a [u8], InferError> {
    let end = at
        .checked_add(n)
        .filter(|e| *e <= bytes.len())
        .ok_or(InferError::Truncated {
            file: file.to_owned(),
            have: bytes.len(),
            needed: at.saturating_add(n),
        })?;
    let out = &bytes[*at..end];
    *at = end;
    Ok(out)
}

fn u32_at(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn f32s(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

impl ModelBundle {
    /// A bundle of `net`'s weights stored with `precision`.
    ///
    /// # Errors
    /// [`InferError::Weights`] when the weights cannot be read from their device.
    pub fn from_net(
        name: &str,
        net: &SegNet,
        network: Architecture,
        input: InputSpec,
        precision: Precision,
    ) -> Result<ModelBundle, InferError> {
        let tensors = glacier_model::export_weights(net, precision).map_err(|source| {
            InferError::Weights {
                file: name.to_owned(),
                source,
            }
        })?;
        let entries = tensors
            .iter()
            .map(|t| TensorEntry {
                shape: t.shape.clone(),
                encoding: match t.values {
                    StoredValues::F32(_) => Encoding::F32,
                    StoredValues::Int8 { .. } => Encoding::Int8,
                },
            })
            .collect();
        Ok(ModelBundle {
            header: ModelHeader {
                name: name.to_owned(),
                architecture: network.name().into(),
                unet: match &network {
                    Architecture::UNet(c) => Some(c.clone()),
                    Architecture::Spectral3d(_) => None,
                },
                spectral3d: match &network {
                    Architecture::Spectral3d(c) => Some(c.clone()),
                    Architecture::UNet(_) => None,
                },
                input,
                threshold: 0.5,
                precision: match precision {
                    Precision::F32 => "f32".into(),
                    Precision::Int8 => "int8".into(),
                },
                tensors: entries,
                training: serde_json::Value::Null,
                metrics: serde_json::Value::Null,
                check: None,
                summary: String::new(),
            },
            tensors,
        })
    }

    /// Parses a model file; `file` names it in errors.
    ///
    /// # Errors
    /// [`InferError::NotAModel`], [`InferError::Version`], [`InferError::Truncated`],
    /// [`InferError::Header`] (also for tensor shapes whose size overflows, and for a network
    /// configuration the stored weights cannot fill).
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<ModelBundle, InferError> {
        if bytes.len() < 4 || &bytes[..4] != MAGIC {
            return Err(InferError::NotAModel {
                file: file.to_owned(),
            });
        }
        let mut at = 4;
        let version = u32_at(take(bytes, &mut at, 4, file)?);
        if version != FORMAT_VERSION {
            return Err(InferError::Version {
                file: file.to_owned(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let len = u32_at(take(bytes, &mut at, 4, file)?) as usize;
        let header: ModelHeader = serde_json::from_slice(take(bytes, &mut at, len, file)?)
            .map_err(|e| InferError::Header {
                file: file.to_owned(),
                detail: e.to_string(),
            })?;
        if header.network().is_none() {
            return Err(InferError::Header {
                file: file.to_owned(),
                detail: format!(
                    "architecture {:?} without its configuration, or not one this version runs \
                     (unet-scse, spectral3d-scse)",
                    header.architecture
                ),
            });
        }
        let mut tensors = Vec::with_capacity(header.tensors.len());
        for (number, entry) in header.tensors.iter().enumerate() {
            // Products of header fields, checked; each slice is taken from the file (so bounded
            // by its length) before anything is allocated for it.
            let size = |factors: &[usize]| sizes::product(file, number, &entry.shape, factors);
            let n = size(&entry.shape)?;
            let values = match entry.encoding {
                Encoding::F32 => {
                    StoredValues::F32(f32s(take(bytes, &mut at, size(&[n, 4])?, file)?))
                }
                Encoding::Int8 => {
                    let rows = entry.shape.first().copied().unwrap_or(1);
                    let scales = f32s(take(bytes, &mut at, size(&[rows, 4])?, file)?);
                    let values = take(bytes, &mut at, n, file)?
                        .iter()
                        .map(|b| *b as i8)
                        .collect();
                    StoredValues::Int8 { scales, values }
                }
            };
            tensors.push(StoredTensor {
                shape: entry.shape.clone(),
                values,
            });
        }
        if at != bytes.len() {
            return Err(InferError::Header {
                file: file.to_owned(),
                detail: format!(
                    "{} bytes follow the last weight tensor; the file is not what its header describes",
                    bytes.len() - at
                ),
            });
        }
        let bundle = ModelBundle { header, tensors };
        sizes::check_network(&bundle, file)?;
        Ok(bundle)
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let header = serde_json::to_vec(&self.header).unwrap_or_default();
        let mut out = Vec::with_capacity(12 + header.len() + self.weight_bytes());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for t in &self.tensors {
            match &t.values {
                StoredValues::F32(v) => v.iter().for_each(|x| out.extend(x.to_le_bytes())),
                StoredValues::Int8 { scales, values } => {
                    scales.iter().for_each(|x| out.extend(x.to_le_bytes()));
                    out.extend(values.iter().map(|q| *q as u8));
                }
            }
        }
        out
    }

    /// Bytes the weights take.
    pub fn weight_bytes(&self) -> usize {
        self.tensors
            .iter()
            .map(|t| match &t.values {
                StoredValues::F32(v) => v.len() * 4,
                StoredValues::Int8 { scales, values } => scales.len() * 4 + values.len(),
            })
            .sum()
    }

    /// Number of weights.
    pub fn parameters(&self) -> usize {
        self.tensors.iter().map(StoredTensor::len).sum()
    }

    /// Builds the network on `device` with these weights.
    ///
    /// # Errors
    /// [`InferError::Header`] for a configuration the weights cannot fill,
    /// [`InferError::Weights`] when the weights do not fit the header's network.
    pub fn load_net(&self, device: &Device) -> Result<SegNet, InferError> {
        let network = self.header.network().ok_or_else(|| InferError::Header {
            file: self.header.name.clone(),
            detail: format!(
                "architecture {:?} has no configuration",
                self.header.architecture
            ),
        })?;
        // Also for a bundle not read by `from_bytes`: never build what the weights cannot fill.
        sizes::check_network(self, &self.header.name)?;
        let net = network.init(device);
        import_weights(net, &self.tensors, device).map_err(|source| InferError::Weights {
            file: self.header.name.clone(),
            source,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use glacier_inputs::{ChannelStats, Normalisation};

    /// A small U-Net's bundle (int8) and its network.
    pub(crate) fn tiny() -> (ModelBundle, SegNet) {
        let device = glacier_model::devices::cpu();
        let config = Architecture::UNet(UNetConfig::new(2).with_depth(1).with_base_width(4));
        let net = config.init(&device);
        let spec = InputSpec {
            channels: vec![
                ChannelStats {
                    name: "green".into(),
                    mean: 0.3,
                    std: 0.2,
                },
                ChannelStats {
                    name: "nir".into(),
                    mean: 0.2,
                    std: 0.1,
                },
            ],
            tile: 64,
            overlap: 16,
            normalisation: Normalisation::Scene,
            units: None,
        };
        let bundle =
            ModelBundle::from_net("tiny", &net, config, spec, Precision::Int8).expect("exports");
        (bundle, net)
    }

    #[test]
    fn bytes_round_trip() {
        let (bundle, _) = tiny();
        let bytes = bundle.to_bytes();
        assert_eq!(&bytes[..4], MAGIC);
        let back = ModelBundle::from_bytes("tiny.glcm", &bytes).expect("parses");
        assert_eq!(back.tensors, bundle.tensors);
        assert_eq!(back.header.input, bundle.header.input);
        assert_eq!(back.header.unet.as_ref().map(|u| u.base_width), Some(4));
        assert_eq!(back.to_bytes(), bytes);
        back.load_net(&glacier_model::devices::cpu())
            .expect("loads");
    }

    #[test]
    fn a_3d_cnn_round_trips_and_predicts_the_same() {
        let device = glacier_model::devices::cpu();
        let (unet_bundle, _) = tiny();
        let config = Architecture::Spectral3d(
            glacier_model::Spectral3dCnnConfig::new(2)
                .with_filters(2)
                .with_layers(1),
        );
        let net = config.init(&device);
        let bundle = ModelBundle::from_net(
            "cnn3d",
            &net,
            config,
            unet_bundle.header.input,
            Precision::F32,
        )
        .expect("exports");
        let back = ModelBundle::from_bytes("cnn3d.glcm", &bundle.to_bytes()).expect("parses");
        assert_eq!(back.header.architecture, "spectral3d-scse");
        assert!(back.header.unet.is_none());
        let input = burn::tensor::Tensor::<4>::ones([1, 2, 8, 8], &device);
        let a = net
            .forward(input.clone())
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        let b = back
            .load_net(&device)
            .expect("loads")
            .forward(input)
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32");
        assert_eq!(a, b);
    }

    #[test]
    fn damaged_files_say_what_is_wrong() {
        let (bundle, _) = tiny();
        let bytes = bundle.to_bytes();
        let err = ModelBundle::from_bytes("x.tif", b"II*\0rest").expect_err("tiff");
        assert!(
            err.to_string().contains("not a glacier model file"),
            "{err}"
        );
        let err = ModelBundle::from_bytes("m", &bytes[..bytes.len() - 10]).expect_err("short");
        assert!(matches!(err, InferError::Truncated { .. }), "{err}");
        let mut v2 = bytes.clone();
        v2[4] = 9;
        let err = ModelBundle::from_bytes("m", &v2).expect_err("version");
        assert!(err.to_string().contains("version 9"), "{err}");
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(ModelBundle::from_bytes("m", &extra).is_err());
    }
}
