//! A small network with fixed, formula-made weights that checks a backend.
//!
//! The page runs it on WebGPU and on the CPU when it starts (which also warms the GPU pipeline
//! caches), and the tests run it natively on wgpu and ndarray: same weights, same input, so the
//! outputs must agree to float rounding. It exercises the operations the segmentation network
//! uses: a padded 3×3 convolution, ReLU, an [`ScSe`] block (mean pooling, linear layers, sigmoid,
//! element-wise max) and a 1×1 convolution.

use burn::module::{Module, Param};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Tensor, TensorData};

use crate::scse::{ScSe, ScSeConfig};

/// Shape of the probe's input: one 6-band 32×32 tile, like a Landsat green/red/NIR/SWIR1/SWIR2/TIR
/// stack.
pub const PROBE_INPUT_SHAPE: [usize; 4] = [1, 6, 32, 32];

const HIDDEN: usize = 8;

/// Deterministic pseudo-random values in `[-scale, scale]`, identical on every platform.
fn wave(len: usize, seed: f32, scale: f32) -> Vec<f32> {
    (0..len)
        .map(|i| ((i as f32 * 0.618_034 + seed).sin() * 43.758_545).fract() * scale)
        .collect()
}

fn fixed(shape: [usize; 4], seed: f32, scale: f32, device: &Device) -> Param<Tensor<4>> {
    let len = shape.iter().product();
    Param::from_tensor(Tensor::from_data(
        TensorData::new(wave(len, seed, scale), shape),
        device,
    ))
}

fn fixed_1d(len: usize, seed: f32, scale: f32, device: &Device) -> Param<Tensor<1>> {
    Param::from_tensor(Tensor::from_data(
        TensorData::new(wave(len, seed, scale), [len]),
        device,
    ))
}

fn fixed_2d(shape: [usize; 2], seed: f32, scale: f32, device: &Device) -> Param<Tensor<2>> {
    Param::from_tensor(Tensor::from_data(
        TensorData::new(wave(shape[0] * shape[1], seed, scale), shape),
        device,
    ))
}

/// The probe network: conv 3×3 (6→8) → ReLU → scSE → conv 1×1 (8→1) → sigmoid.
#[derive(Module, Debug)]
pub struct ProbeNet {
    conv: Conv2d,
    scse: ScSe,
    head: Conv2d,
}

impl ProbeNet {
    /// Builds the probe with its fixed weights on `device`.
    pub fn new(device: &Device) -> Self {
        let bands = PROBE_INPUT_SHAPE[1];
        let mut conv = Conv2dConfig::new([bands, HIDDEN], [3, 3])
            .with_padding(PaddingConfig2d::Same)
            .init(device);
        conv.weight = fixed([HIDDEN, bands, 3, 3], 0.1, 0.4, device);
        conv.bias = Some(fixed_1d(HIDDEN, 0.2, 0.1, device));

        let mut scse = ScSeConfig::new(HIDDEN).init(device);
        let squeezed = ScSeConfig::new(HIDDEN).hidden();
        scse.squeeze.weight = fixed_2d([HIDDEN, squeezed], 0.3, 0.5, device);
        scse.squeeze.bias = Some(fixed_1d(squeezed, 0.4, 0.1, device));
        scse.excite.weight = fixed_2d([squeezed, HIDDEN], 0.5, 0.5, device);
        scse.excite.bias = Some(fixed_1d(HIDDEN, 0.6, 0.1, device));
        scse.spatial.weight = fixed([1, HIDDEN, 1, 1], 0.7, 0.5, device);
        scse.spatial.bias = Some(fixed_1d(1, 0.8, 0.1, device));

        let mut head = Conv2dConfig::new([HIDDEN, 1], [1, 1]).init(device);
        head.weight = fixed([1, HIDDEN, 1, 1], 0.9, 0.5, device);
        head.bias = Some(fixed_1d(1, 1.0, 0.1, device));
        Self { conv, scse, head }
    }

    /// The fixed input tile: smooth, reflectance-like values in `[0, 1]`, different per band.
    pub fn input(device: &Device) -> Tensor<4> {
        let [_, bands, height, width] = PROBE_INPUT_SHAPE;
        let mut values = Vec::with_capacity(bands * height * width);
        for band in 0..bands {
            for row in 0..height {
                for col in 0..width {
                    let (b, y, x) = (band as f32, row as f32, col as f32);
                    let v = 0.5 + 0.35 * (0.21 * x + 0.9 * b).sin() * (0.17 * y - 0.4 * b).cos();
                    values.push(v);
                }
            }
        }
        Tensor::from_data(TensorData::new(values, PROBE_INPUT_SHAPE), device)
    }

    /// Runs the probe.
    ///
    /// # Shapes
    /// - input: `[batch, 6, height, width]`
    /// - output: `[batch, 1, height, width]`, values in `(0, 1)`
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let features = relu(self.conv.forward(input));
        sigmoid(self.head.forward(self.scse.forward(features)))
    }
}

/// Largest [`max_abs_diff`] between a backend's probe output and the CPU's at which the backend
/// is trusted: the outputs lie in `(0, 1)`, and a backend that computes right differs by float
/// rounding only, far below this. A NaN difference never passes.
pub const SELF_CHECK_TOLERANCE: f32 = 1e-4;

/// Largest absolute difference between two equally long slices: `f32::INFINITY` if the lengths
/// differ, NaN if either side holds a NaN (so a check `diff <= tolerance` fails on it; `f32::max`
/// would skip NaNs and let an all-NaN backend pass).
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return f32::INFINITY;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(
            0.0,
            |worst, d| if d.is_nan() || d > worst { d } else { worst },
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices;

    #[test]
    fn probe_output_is_deterministic_and_varied() {
        let device = devices::cpu();
        let run = || {
            ProbeNet::new(&device)
                .forward(ProbeNet::input(&device))
                .into_data()
                .try_to_vec::<f32>()
                .expect("f32 output")
        };
        let first = run();
        assert_eq!(first.len(), 32 * 32);
        assert_eq!(max_abs_diff(&first, &run()), 0.0);
        assert!(first.iter().all(|v| *v > 0.0 && *v < 1.0));
        let (lo, hi) = first
            .iter()
            .fold((f32::MAX, f32::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
        // A probe whose output is flat would not catch a wrong kernel.
        assert!(hi - lo > 0.05, "output range {lo}..{hi} is too flat");
    }

    #[test]
    fn max_abs_diff_handles_lengths() {
        assert_eq!(max_abs_diff(&[1.0, 2.0], &[1.5, 1.0]), 1.0);
        assert_eq!(max_abs_diff(&[1.0], &[]), f32::INFINITY);
    }

    #[test]
    fn max_abs_diff_propagates_nan() {
        assert!(max_abs_diff(&[f32::NAN, 2.0], &[1.0, 1.0]).is_nan());
        assert!(max_abs_diff(&[1.0, 2.0], &[1.0, f32::NAN]).is_nan());
        assert!(max_abs_diff(&[f32::NAN; 4], &[f32::NAN; 4]).is_nan());
        // A NaN before a larger difference still wins.
        assert!(max_abs_diff(&[f32::NAN, 5.0], &[0.0, 0.0]).is_nan());
    }
}
