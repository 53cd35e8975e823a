//! Training a [`UNet`] on chips: masked BCE + Dice, flips/rot90 augmentation, Adam.
//!
//! Runs on any burn device with autodiff (ndarray on CPU here; wgpu where a GPU is present).

use std::path::Path;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};
use glacier_inputs::InputSpec;
use glacier_model::{UNet, UNetConfig};

use crate::chips::{ChipError, ChipSet};
use crate::split::Split;

/// One split's chips in memory, normalised.
pub struct ChipData {
    /// Channels, `[n, c, s, s]`, normalised (NaN → 0).
    pub x: Vec<f32>,
    /// Labels, `[n, s, s]`: 1, 0, or 255 (ignore).
    pub y: Vec<u8>,
    /// Number of chips.
    pub n: usize,
    /// Channels.
    pub c: usize,
    /// Chip size.
    pub s: usize,
}

impl ChipData {
    /// Loads `split` from a chip directory and normalises it with `spec`.
    ///
    /// # Errors
    /// [`ChipError::Io`] when the files are missing or their sizes do not match `chips.json`.
    pub fn load(
        dir: &Path,
        set: &ChipSet,
        spec: &InputSpec,
        split: Split,
    ) -> Result<ChipData, ChipError> {
        let n = set.counts.get(split.name()).copied().unwrap_or(0);
        let (c, s) = (set.channels.len(), set.options.size as usize);
        let read = |name: String| {
            let path = dir.join(&name);
            std::fs::read(&path).map_err(|source| ChipError::Io {
                path: path.display().to_string(),
                source,
            })
        };
        if n == 0 {
            return Ok(ChipData {
                x: Vec::new(),
                y: Vec::new(),
                n,
                c,
                s,
            });
        }
        let xb = read(format!("{}_x.f32", split.name()))?;
        let y = read(format!("{}_y.u8", split.name()))?;
        if xb.len() != n * c * s * s * 4 || y.len() != n * s * s {
            return Err(ChipError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::other(format!(
                    "{} chips do not match chips.json ({n} × {c} × {s}²); make the chips again",
                    split.name()
                )),
            });
        }
        let mut x: Vec<f32> = xb
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        for chip in x.chunks_mut(c * s * s) {
            let mut channels: Vec<Vec<f32>> = chip.chunks(s * s).map(<[f32]>::to_vec).collect();
            spec.normalise(&mut channels);
            for (dst, src) in chip.chunks_mut(s * s).zip(channels) {
                dst.copy_from_slice(&src);
            }
        }
        Ok(ChipData { x, y, n, c, s })
    }
}

/// Training settings.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Passes over the training chips.
    pub epochs: usize,
    /// Chips per step.
    pub batch_size: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Network depth.
    pub depth: usize,
    /// Network base width.
    pub base_width: usize,
    /// Seed for shuffling and augmentation.
    pub seed: u64,
}

impl Default for TrainConfig {
    /// A small configuration that trains in minutes on two CPU cores.
    fn default() -> Self {
        TrainConfig {
            epochs: 5,
            batch_size: 8,
            learning_rate: 2e-3,
            depth: 2,
            base_width: 8,
            seed: 7,
        }
    }
}

/// Per-epoch numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochLog {
    /// Mean training loss.
    pub train_loss: f32,
    /// Validation IoU of the glacier class at 0.5.
    pub val_iou: f64,
}

/// A small deterministic generator (xorshift) for shuffling and augmentation.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Flips and rotates one chip's square planes in place by `op` (0..8: rot90ᵏ, then optional flip).
fn augment(plane: &mut [f32], s: usize, op: u64, scratch: &mut Vec<f32>) {
    scratch.clear();
    scratch.extend_from_slice(plane);
    for r in 0..s {
        for c in 0..s {
            let (mut rr, mut cc) = (r, c);
            for _ in 0..op % 4 {
                (rr, cc) = (cc, s - 1 - rr);
            }
            if op >= 4 {
                cc = s - 1 - cc;
            }
            plane[rr * s + cc] = scratch[r * s + c];
        }
    }
}

/// Builds a batch: inputs `[b, c, s, s]`, targets and weights `[b, 1, s, s]`.
fn batch(
    data: &ChipData,
    ids: &[usize],
    rng: Option<&mut Rng>,
    device: &Device,
) -> (Tensor<4>, Tensor<4>, Tensor<4>) {
    let (c, s) = (data.c, data.s);
    let mut x = Vec::with_capacity(ids.len() * c * s * s);
    let mut y = Vec::with_capacity(ids.len() * s * s);
    let mut w = Vec::with_capacity(ids.len() * s * s);
    let mut scratch = Vec::new();
    let mut ops = Vec::new();
    if let Some(rng) = rng {
        ops = ids.iter().map(|_| rng.next() % 8).collect();
    }
    for (k, &i) in ids.iter().enumerate() {
        let op = ops.get(k).copied().unwrap_or(0);
        for ch in 0..c {
            let start = (i * c + ch) * s * s;
            let mut plane = data.x[start..start + s * s].to_vec();
            augment(&mut plane, s, op, &mut scratch);
            x.extend(plane);
        }
        let labels = &data.y[i * s * s..(i + 1) * s * s];
        let mut t: Vec<f32> = labels
            .iter()
            .map(|l| if *l == 1 { 1.0 } else { 0.0 })
            .collect();
        let mut m: Vec<f32> = labels
            .iter()
            .map(|l| if *l == 255 { 0.0 } else { 1.0 })
            .collect();
        augment(&mut t, s, op, &mut scratch);
        augment(&mut m, s, op, &mut scratch);
        y.extend(t);
        w.extend(m);
    }
    let b = ids.len();
    (
        Tensor::from_data(TensorData::new(x, [b, c, s, s]), device),
        Tensor::from_data(TensorData::new(y, [b, 1, s, s]), device),
        Tensor::from_data(TensorData::new(w, [b, 1, s, s]), device),
    )
}

/// Masked binary cross-entropy (from logits) plus soft Dice, over pixels with weight 1.
pub fn loss(logits: Tensor<4>, target: Tensor<4>, weight: Tensor<4>) -> Tensor<1> {
    let count = weight.clone().sum().add_scalar(1e-6);
    let bce = (logits.clone().clamp_min(0.0) - logits.clone() * target.clone()
        + logits.clone().abs().neg().exp().add_scalar(1.0).log())
        * weight.clone();
    let bce = bce.sum() / count;
    let p = sigmoid(logits) * weight.clone();
    let t = target * weight;
    let intersection = (p.clone() * t.clone()).sum();
    let dice = (intersection.mul_scalar(2.0).add_scalar(1.0)) / (p.sum() + t.sum()).add_scalar(1.0);
    bce + dice.neg().add_scalar(1.0)
}

/// IoU of the glacier class at probability 0.5 over labelled pixels.
pub fn iou(model: &UNet, data: &ChipData, device: &Device) -> f64 {
    let (mut inter, mut union) = (0u64, 0u64);
    let ids: Vec<usize> = (0..data.n).collect();
    for chunk in ids.chunks(16) {
        let (x, _, _) = batch(data, chunk, None, device);
        let logits = model
            .forward(x)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap_or_default();
        for (k, &i) in chunk.iter().enumerate() {
            let s2 = data.s * data.s;
            for p in 0..s2 {
                let label = data.y[i * s2 + p];
                if label == 255 {
                    continue;
                }
                let pred = logits[k * s2 + p] > 0.0;
                let truth = label == 1;
                inter += u64::from(pred && truth);
                union += u64::from(pred || truth);
            }
        }
    }
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

/// Trains a U-Net on the chips in `dir`; `log` is called after each epoch.
///
/// # Errors
/// [`ChipError`] when the chips cannot be read.
pub fn train(
    dir: &Path,
    config: &TrainConfig,
    device: &Device,
    mut log: impl FnMut(usize, &EpochLog),
) -> Result<(UNet, Vec<EpochLog>, InputSpec), ChipError> {
    let text = std::fs::read_to_string(dir.join("chips.json")).map_err(|source| ChipError::Io {
        path: dir.join("chips.json").display().to_string(),
        source,
    })?;
    let set: ChipSet = serde_json::from_str(&text).map_err(|e| ChipError::Io {
        path: dir.join("chips.json").display().to_string(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let spec = InputSpec {
        channels: set.stats.clone(),
        tile: set.options.size,
        overlap: set.options.size / 4,
    };
    let train_data = ChipData::load(dir, &set, &spec, Split::Train)?;
    let val_data = ChipData::load(dir, &set, &spec, Split::Validation)?;
    let ad = device.clone().autodiff();
    let mut model = UNetConfig::new(train_data.c)
        .with_depth(config.depth)
        .with_base_width(config.base_width)
        .init(&ad);
    let mut optim = AdamConfig::new().init();
    let mut rng = Rng(config.seed.max(1));
    let mut history = Vec::new();
    for epoch in 0..config.epochs {
        let mut order: Vec<usize> = (0..train_data.n).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        let (mut total, mut steps) = (0.0f32, 0);
        for ids in order.chunks(config.batch_size.max(1)) {
            let (x, y, w) = batch(&train_data, ids, Some(&mut rng), &ad);
            let l = loss(model.forward(x), y, w);
            total += l
                .clone()
                .into_data()
                .try_to_vec::<f32>()
                .ok()
                .and_then(|v| v.first().copied())
                .unwrap_or(f32::NAN);
            steps += 1;
            let grads = GradientsParams::from_grads(l.backward(), &model);
            model = optim.step(config.learning_rate, model, grads);
        }
        let entry = EpochLog {
            train_loss: total / steps.max(1) as f32,
            val_iou: iou(&model.valid(), &val_data, device),
        };
        log(epoch, &entry);
        history.push(entry);
    }
    Ok((model.valid(), history, spec))
}
