//! Segmentation scores of the glacier class from confusion counts.

use serde::{Deserialize, Serialize};

/// Pixel counts of prediction against truth (glacier = positive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// Glacier predicted, glacier true.
    pub tp: u64,
    /// Glacier predicted, not glacier true.
    pub fp: u64,
    /// Not glacier predicted, glacier true.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// Not glacier predicted, not glacier true.
    pub tn: u64,
}

/// Scores derived from a [`Confusion`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Intersection over union of the glacier class.
    pub iou: f64,
    /// F1 (Dice) of the glacier class.
    pub f1: f64,
    /// Share of predicted glacier that is glacier.
    pub precision: f64,
    /// Share of glacier that was predicted.
    pub recall: f64,
    /// Share of pixels classified correctly.
    pub accuracy: f64,
    /// Pixels compared.
    pub pixels: u64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl Confusion {
    /// Counts one pixel.
    pub fn add(&mut self, predicted: bool, truth: bool) {
        match (predicted, truth) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    /// Counts pixels where both sides are known (`None` = no data or ignored).
    pub fn add_all(&mut self, predicted: &[Option<bool>], truth: &[Option<bool>]) {
        for (p, t) in predicted.iter().zip(truth) {
            if let (Some(p), Some(t)) = (p, t) {
                self.add(*p, *t);
            }
        }
    }

    /// Pixels counted.
    pub fn pixels(&self) -> u64 {
        self.tp + self.fp + self.fn_ + self.tn
    }

    /// The scores.
    pub fn scores(&self) -> Scores {
        Scores {
            iou: ratio(self.tp, self.tp + self.fp + self.fn_),
            f1: ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_),
            precision: ratio(self.tp, self.tp + self.fp),
            recall: ratio(self.tp, self.tp + self.fn_),
            accuracy: ratio(self.tp + self.tn, self.pixels()),
            pixels: self.pixels(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_from_counts() {
        let mut c = Confusion::default();
        let p = [
            Some(true),
            Some(true),
            Some(false),
            Some(false),
            None,
            Some(true),
        ];
        let t = [
            Some(true),
            Some(false),
            Some(true),
            Some(false),
            Some(true),
            None,
        ];
        c.add_all(&p, &t);
        assert_eq!((c.tp, c.fp, c.fn_, c.tn), (1, 1, 1, 1));
        let s = c.scores();
        assert!((s.iou - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.f1 - 0.5).abs() < 1e-12);
        assert_eq!(
            (s.precision, s.recall, s.accuracy, s.pixels),
            (0.5, 0.5, 0.5, 4)
        );
        let json = serde_json::to_string(&c).expect("json");
        assert!(json.contains("\"fn\":1"), "{json}");
    }
}
