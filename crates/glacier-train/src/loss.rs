//! The training loss (masked BCE + Dice) and the validation each epoch ends with.

use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor};
use glacier_model::SegNet;

use crate::augment::batch;
use crate::data::ChipData;

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

/// The one value of a rank-1 tensor (NaN when it cannot be read).
pub(crate) fn scalar(t: Tensor<1>) -> f32 {
    t.into_data()
        .try_into_vec::<f32>()
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or(f32::NAN)
}

/// Validation loss and IoU of the glacier class at probability 0.5 over labelled pixels
/// (`data` normalised).
pub fn validate(model: &SegNet, data: &ChipData, device: &Device) -> (f32, f64) {
    let (mut inter, mut union) = (0u64, 0u64);
    let (mut total, mut batches) = (0.0f32, 0usize);
    let ids: Vec<usize> = (0..data.n).collect();
    let s2 = data.s * data.s;
    for chunk in ids.chunks(16) {
        let (x, y, w) = batch(data, chunk, None, device);
        let logits = model.forward(x);
        let values = logits
            .clone()
            .into_data()
            .try_into_vec::<f32>()
            .unwrap_or_default();
        total += scalar(loss(logits, y, w));
        batches += 1;
        for (k, &i) in chunk.iter().enumerate() {
            for (p, &label) in data.labels(i).iter().enumerate() {
                if label == 255 {
                    continue;
                }
                let pred = values.get(k * s2 + p).is_some_and(|z| *z > 0.0);
                let truth = label == 1;
                inter += u64::from(pred && truth);
                union += u64::from(pred || truth);
            }
        }
    }
    let iou = if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    };
    (total / batches.max(1) as f32, iou)
}
