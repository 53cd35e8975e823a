//! Weight-only int8 quantisation of any burn module, and loading the weights back.
//!
//! # Scheme
//! Float parameters are taken in the module's visiting order (the order burn's `Module::visit`
//! gives, fixed by the module's structure). A tensor of rank ≥ 2 (convolution kernels) is stored
//! as int8 per slice along its first dimension, symmetric: `scale = max|w| / 127`,
//! `q = round(w / scale)`, restored as `q · scale`. Tensors of rank 1 (biases, batch-norm scale,
//! shift and running statistics) stay f32: they are a few hundred values and quantising running
//! variances would distort every activation. Arithmetic after loading is f32 on every backend;
//! int8 is the storage and download format, which is what bounds the page's model size.
//!
//! The maximum error per weight is `scale / 2`, i.e. 0.4 % of the slice's largest magnitude.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor, TensorData};

/// How a tensor is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    /// Every float parameter as f32 (checkpoints).
    F32,
    /// Rank ≥ 2 tensors as per-slice symmetric int8, rank-1 tensors as f32 (exported models).
    Int8,
}

/// The values of one stored tensor.
#[derive(Clone, Debug, PartialEq)]
pub enum StoredValues {
    /// Plain f32 values, row-major.
    F32(Vec<f32>),
    /// int8 values, row-major, with one scale per slice along the first dimension.
    Int8 {
        /// `max|w| / 127` for each slice (0 for an all-zero slice).
        scales: Vec<f32>,
        /// Quantised values.
        values: Vec<i8>,
    },
}

/// One float parameter of a module, as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredTensor {
    /// Tensor shape.
    pub shape: Vec<usize>,
    /// The values.
    pub values: StoredValues,
}

impl StoredTensor {
    /// Quantises (or copies) `values` of `shape` with `precision`.
    pub fn encode(shape: Vec<usize>, values: Vec<f32>, precision: Precision) -> StoredTensor {
        if precision == Precision::F32 || shape.len() < 2 || values.is_empty() {
            return StoredTensor {
                shape,
                values: StoredValues::F32(values),
            };
        }
        let rows = shape[0].max(1);
        let per_row = values.len() / rows;
        let mut scales = Vec::with_capacity(rows);
        let mut q = Vec::with_capacity(values.len());
        for slice in values.chunks(per_row.max(1)) {
            let max = slice.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let scale = max / 127.0;
            scales.push(scale);
            let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
            q.extend(
                slice
                    .iter()
                    .map(|v| (v * inv).round().clamp(-127.0, 127.0) as i8),
            );
        }
        StoredTensor {
            shape,
            values: StoredValues::Int8 { scales, values: q },
        }
    }

    /// Number of elements the shape describes.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// `true` for a tensor without elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The f32 values (dequantised when stored as int8).
    pub fn decode(&self) -> Vec<f32> {
        match &self.values {
            StoredValues::F32(v) => v.clone(),
            StoredValues::Int8 { scales, values } => {
                let per_row = values.len() / scales.len().max(1);
                values
                    .chunks(per_row.max(1))
                    .zip(scales)
                    .flat_map(|(slice, s)| slice.iter().map(move |q| f32::from(*q) * s))
                    .collect()
            }
        }
    }
}

/// Why stored weights do not fit a module.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeightError {
    /// The module has more or fewer float parameters than were stored.
    #[error(
        "the model file holds {stored} weight tensors but the network built from its config has {expected}; the file and its config do not belong together (export the model again)"
    )]
    Count {
        /// Tensors in the file.
        stored: usize,
        /// Parameters of the module.
        expected: usize,
    },
    /// A stored tensor has another shape than the module's parameter.
    #[error(
        "weight tensor {index} has shape {stored:?} but the network expects {expected:?}; the file and its config do not belong together (export the model again)"
    )]
    Shape {
        /// Position in visiting order.
        index: usize,
        /// Shape in the file.
        stored: Vec<usize>,
        /// Shape of the module's parameter.
        expected: Vec<usize>,
    },
    /// A tensor's values do not match its shape.
    #[error("weight tensor {index} holds {values} values for shape {shape:?}; the file is damaged")]
    Values {
        /// Position in visiting order.
        index: usize,
        /// Values present.
        values: usize,
        /// Declared shape.
        shape: Vec<usize>,
    },
    /// The module's weights could not be read back (a backend without synchronous reads).
    #[error("cannot read weight tensor {index} from its device: {detail}")]
    Read {
        /// Position in visiting order.
        index: usize,
        /// What the backend said.
        detail: String,
    },
}

struct Collector {
    precision: Precision,
    tensors: Vec<StoredTensor>,
    error: Option<WeightError>,
}

impl ModuleVisitor for Collector {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        let shape = tensor.dims().to_vec();
        match tensor.into_data().convert::<f32>().try_into_vec::<f32>() {
            Ok(values) => self
                .tensors
                .push(StoredTensor::encode(shape, values, self.precision)),
            Err(e) => {
                self.error.get_or_insert(WeightError::Read {
                    index: self.tensors.len(),
                    detail: format!("{e:?}"),
                });
            }
        }
    }
}

/// Every float parameter of `module` (including batch-norm running statistics) in visiting
/// order, stored with `precision`. Reads the tensors synchronously: call it on a native device.
///
/// # Errors
/// [`WeightError::Read`] when a tensor cannot be read back.
pub fn export_weights<M: Module>(
    module: &M,
    precision: Precision,
) -> Result<Vec<StoredTensor>, WeightError> {
    let mut collector = Collector {
        precision,
        tensors: Vec::new(),
        error: None,
    };
    module.visit(&mut collector);
    match collector.error {
        Some(e) => Err(e),
        None => Ok(collector.tensors),
    }
}

struct Counter(usize);
impl ModuleVisitor for Counter {
    fn visit_float<const D: usize>(&mut self, _: &Param<Tensor<D>>) {
        self.0 += 1;
    }
}

struct Loader<'a> {
    tensors: &'a [StoredTensor],
    next: usize,
    device: Device,
    error: Option<WeightError>,
}

impl ModuleMapper for Loader<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let index = self.next;
        self.next += 1;
        if self.error.is_some() {
            return param;
        }
        let Some(stored) = self.tensors.get(index) else {
            return param;
        };
        let expected = param.lazy_shape().to_vec();
        if stored.shape != expected {
            self.error = Some(WeightError::Shape {
                index,
                stored: stored.shape.clone(),
                expected,
            });
            return param;
        }
        let values = stored.decode();
        if values.len() != stored.len() {
            self.error = Some(WeightError::Values {
                index,
                values: values.len(),
                shape: stored.shape.clone(),
            });
            return param;
        }
        let tensor =
            Tensor::<D>::from_data(TensorData::new(values, stored.shape.clone()), &self.device);
        // Keep the parameter's identity and trainability (resuming training needs gradients).
        let trainable = param.val().is_require_grad();
        param.map(|_| {
            if trainable {
                tensor.set_require_grad(true)
            } else {
                tensor
            }
        })
    }
}

/// Replaces every float parameter of `module` with `tensors` (as produced by [`export_weights`]
/// for a module of the same structure), placed on `device`.
///
/// # Errors
/// [`WeightError`] when the number or shapes of the tensors do not fit the module.
pub fn import_weights<M: Module>(
    module: M,
    tensors: &[StoredTensor],
    device: &Device,
) -> Result<M, WeightError> {
    let mut counter = Counter(0);
    module.visit(&mut counter);
    if counter.0 != tensors.len() {
        return Err(WeightError::Count {
            stored: tensors.len(),
            expected: counter.0,
        });
    }
    let mut loader = Loader {
        tensors,
        next: 0,
        device: device.clone(),
        error: None,
    };
    let module = module.map(&mut loader);
    match loader.error {
        Some(e) => Err(e),
        None => Ok(module),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{UNetConfig, devices};

    #[test]
    fn int8_slices_round_to_the_nearest_step() {
        // Two slices: max 1.27 → scale 0.01; max 0 → scale 0.
        let t = StoredTensor::encode(
            vec![2, 3],
            vec![1.27, -0.5, 0.004, 0.0, 0.0, 0.0],
            Precision::Int8,
        );
        let StoredValues::Int8 { scales, values } = &t.values else {
            panic!("int8 expected");
        };
        assert_eq!(values, &vec![127, -50, 0, 0, 0, 0]);
        assert!((scales[0] - 0.01).abs() < 1e-9 && scales[1] == 0.0);
        let back = t.decode();
        assert!((back[1] + 0.5).abs() < 1e-6 && back[2] == 0.0);
        // Rank-1 tensors stay f32.
        let bias = StoredTensor::encode(vec![3], vec![0.1, 0.2, 0.3], Precision::Int8);
        assert_eq!(bias.values, StoredValues::F32(vec![0.1, 0.2, 0.3]));
    }

    #[test]
    fn weights_round_trip_into_a_fresh_network() {
        let device = devices::cpu();
        let config = UNetConfig::new(3).with_depth(1).with_base_width(4);
        let a = config.init(&device);
        let b = config.init(&device);
        let x = Tensor::<4>::from_data(
            TensorData::new(
                (0..3 * 16 * 16).map(|i| (i as f32 * 0.37).sin()).collect(),
                [1, 3, 16, 16],
            ),
            &device,
        );
        let ya = a
            .forward(x.clone())
            .into_data()
            .try_into_vec::<f32>()
            .expect("f32");
        let stored = export_weights(&a, Precision::F32).expect("reads");
        let b = import_weights(b, &stored, &device).expect("fits");
        let yb = b
            .forward(x.clone())
            .into_data()
            .try_into_vec::<f32>()
            .expect("f32");
        assert_eq!(ya, yb, "f32 export is exact");
        let q = export_weights(&a, Precision::Int8).expect("reads");
        let c = import_weights(config.init(&device), &q, &device).expect("fits");
        let yc = c.forward(x).into_data().try_into_vec::<f32>().expect("f32");
        // NaN-propagating: a NaN output fails the bound below.
        let max = crate::probe::max_abs_diff(&ya, &yc);
        // Slightly: a random network may even give the same logits (its output can depend on few
        // weights), so lossiness is checked on the weights themselves.
        assert!(max < 0.05, "int8 changes logits slightly: {max}");
        let lossy = q.iter().zip(&stored).any(|(q, f)| q.decode() != f.decode());
        assert!(lossy, "int8 weights differ from the f32 ones somewhere");
        // A file for another structure is refused with the reason.
        let other = UNetConfig::new(4)
            .with_depth(1)
            .with_base_width(4)
            .init(&device);
        let err = import_weights(other, &stored, &device).expect_err("wrong shape");
        assert!(matches!(err, WeightError::Shape { index: 0, .. }), "{err}");
        let err = import_weights(config.init(&device), &stored[1..], &device).expect_err("count");
        assert!(matches!(err, WeightError::Count { .. }), "{err}");
    }
}
