//! Held-out evaluation of a model on chips, beside the NDSI-threshold baseline on the same
//! pixels.

use std::path::Path;

use glacier_infer::{Confusion, Predictor, Scores};
use glacier_inputs::baseline::{NdsiRules, classify};
use glacier_inputs::{ChannelName, Normalisation};
use glacier_landsat::Channel;
use serde::Serialize;

use crate::chips::{ChipError, ChipSet};
use crate::data::{ChipData, channel_positions, input_spec, read_chip_set, select_spec};
use crate::split::Split;

/// One method's numbers.
#[derive(Clone, Debug, Serialize)]
pub struct MethodScores {
    /// What was evaluated.
    pub method: String,
    /// Pixel counts.
    pub confusion: Confusion,
    /// Scores from the counts.
    pub scores: Scores,
}

impl MethodScores {
    /// Share of the compared pixels the method calls glacier (on a scene without ice, the
    /// share it gets wrong).
    pub fn called_glacier(&self) -> f64 {
        let c = self.confusion;
        let all = c.tp + c.fp + c.fn_ + c.tn;
        if all == 0 {
            0.0
        } else {
            (c.tp + c.fp) as f64 / all as f64
        }
    }
}

/// A model and its baselines on one split, on the same pixels.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    /// The split evaluated.
    pub split: Split,
    /// Chips evaluated.
    pub chips: usize,
    /// The network, then the baselines that could be computed.
    pub methods: Vec<MethodScores>,
    /// Why a baseline is missing, if it is.
    pub notes: Vec<String>,
}

/// Plausibility rules measured beside the network where the chips have SWIR1 and NIR: the
/// network's glacier kept only where the rule also holds. The first is the one `glacier predict`
/// and the page apply ([`glacier_inputs::plausibility::RULES`]); the others are what it was
/// chosen against (the model card reports all).
const GATES: &[NdsiRules] = &[
    glacier_inputs::plausibility::RULES,
    NdsiRules {
        ndsi_min: 0.0,
        nir_min: Some(0.05),
        slope_max: None,
    },
    NdsiRules {
        ndsi_min: -1.0,
        nir_min: Some(0.11),
        slope_max: None,
    },
    NdsiRules {
        ndsi_min: 0.0,
        nir_min: None,
        slope_max: None,
    },
];

fn position(set: &ChipSet, name: ChannelName) -> Option<usize> {
    set.channels
        .iter()
        .position(|c| ChannelName::parse(c) == Some(name))
}

/// Evaluates `predictor` on `split` of the chips in `dir`, with the NDSI baseline (NDSI > 0.4,
/// NIR > 0.11 when NIR is present) and "everything is glacier" on exactly the pixels where the
/// label, the network and the baseline are all defined. The chips may hold more channels than
/// the model takes (SWIR1 for the baseline, say): the model gets its own, by name.
///
/// # Errors
/// [`ChipError::MissingChannel`] when the chips lack a channel the model takes; other
/// [`ChipError`]s when they cannot be read; backend errors as [`ChipError::Io`].
pub fn evaluate(predictor: &Predictor, dir: &Path, split: Split) -> Result<Evaluation, ChipError> {
    evaluate_reporting(predictor, dir, split, &mut crate::Quiet)
}

/// [`evaluate`], reporting each chip done to `progress` ([`Progress::items`](crate::Progress::items),
/// "chips evaluated").
///
/// # Errors
/// As [`evaluate`].
pub fn evaluate_reporting(
    predictor: &Predictor,
    dir: &Path,
    split: Split,
    progress: &mut dyn crate::Progress,
) -> Result<Evaluation, ChipError> {
    let set = read_chip_set(dir)?;
    let wanted: Vec<String> = predictor
        .names()
        .iter()
        .map(|n| n.name().to_owned())
        .collect();
    let model_channels = channel_positions(dir, &set, &wanted)?;
    let spec = predictor.header().input.clone();
    let stats = match spec.normalisation {
        Normalisation::Training => spec,
        Normalisation::Scene => select_spec(
            &input_spec(dir, &set, Normalisation::Scene, spec.tile)?,
            &model_channels,
        ),
    };
    let data = ChipData::load(dir, &set, split)?;
    let green = position(&set, ChannelName::Band(Channel::Green));
    let swir1 = position(&set, ChannelName::Band(Channel::Swir1));
    let ndsi_at = position(&set, ChannelName::Ndsi);
    let nir = position(&set, ChannelName::Band(Channel::Nir));
    let has_baseline = ndsi_at.is_some() || (green.is_some() && swir1.is_some());
    let mut notes = Vec::new();
    if !has_baseline {
        notes.push(
            "NDSI baseline not computed: the chips have no SWIR1 band (NDSI = (green − SWIR1) / (green + SWIR1))"
                .to_owned(),
        );
    }
    let threshold = predictor.header().threshold;
    let gates = if has_baseline && nir.is_some() {
        GATES
    } else {
        &[]
    };
    let mut gated = vec![Confusion::default(); gates.len()];
    let (mut net, mut ndsi, mut all) = (
        Confusion::default(),
        Confusion::default(),
        Confusion::default(),
    );
    let s = data.s as u32;
    for i in 0..data.n {
        progress.items("chips evaluated", i, data.n);
        let channels = data.chip(i);
        let input = model_channels
            .iter()
            .map(|&k| channels[k].clone())
            .collect();
        let p = predictor
            .probabilities(&stats, input, s, s)
            .map_err(|e| ChipError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::other(e.to_string()),
            })?;
        let index: Option<Vec<f32>> = has_baseline.then(|| match ndsi_at {
            Some(k) => channels[k].clone(),
            None => {
                let (g, w) = (&channels[green.unwrap_or(0)], &channels[swir1.unwrap_or(0)]);
                g.iter()
                    .zip(w)
                    .map(|(g, w)| {
                        let sum = g + w;
                        if sum.abs() < 1e-6 {
                            f32::NAN
                        } else {
                            (g - w) / sum
                        }
                    })
                    .collect()
            }
        });
        let nir_values = nir.map(|k| channels[k].as_slice());
        let base = index
            .as_ref()
            .map(|index| classify(&NdsiRules::default(), index, nir_values, None));
        let gate_masks: Vec<Vec<Option<bool>>> = index
            .as_ref()
            .map(|index| {
                gates
                    .iter()
                    .map(|rules| classify(rules, index, nir_values, None))
                    .collect()
            })
            .unwrap_or_default();
        for (k, &label) in data.labels(i).iter().enumerate() {
            if label == 255 || p[k].is_nan() {
                continue;
            }
            let b = base.as_ref().map(|b| b[k]);
            if matches!(b, Some(None)) {
                continue;
            }
            let truth = label == 1;
            net.add(p[k] >= threshold, truth);
            for (g, mask) in gated.iter_mut().zip(&gate_masks) {
                g.add(p[k] >= threshold && mask[k] == Some(true), truth);
            }
            all.add(true, truth);
            if let Some(Some(b)) = b {
                ndsi.add(b, truth);
            }
        }
    }
    let mut methods = vec![MethodScores {
        method: format!("network ({})", predictor.header().precision),
        confusion: net,
        scores: net.scores(),
    }];
    for (rules, confusion) in gates.iter().zip(gated) {
        methods.push(MethodScores {
            method: format!("network where {}", rules.describe()),
            confusion,
            scores: confusion.scores(),
        });
    }
    if has_baseline {
        methods.push(MethodScores {
            method: "NDSI > 0.4 (NIR > 0.11)".into(),
            confusion: ndsi,
            scores: ndsi.scores(),
        });
    }
    methods.push(MethodScores {
        method: "everything glacier".into(),
        confusion: all,
        scores: all.scores(),
    });
    Ok(Evaluation {
        split,
        chips: data.n,
        methods,
        notes,
    })
}

impl Evaluation {
    /// A plain-text table: method, IoU, F1, precision, recall, share called glacier, pixels.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} split, {} chips\n{:<28} {:>7} {:>7} {:>9} {:>7} {:>7} {:>9}\n",
            self.split.name(),
            self.chips,
            "method",
            "IoU",
            "F1",
            "precision",
            "recall",
            "called",
            "pixels"
        );
        for m in &self.methods {
            let s = m.scores;
            out.push_str(&format!(
                "{:<28} {:>7.4} {:>7.4} {:>9.4} {:>7.4} {:>7.4} {:>9}\n",
                m.method,
                s.iou,
                s.f1,
                s.precision,
                s.recall,
                m.called_glacier(),
                s.pixels
            ));
        }
        for n in &self.notes {
            out.push_str(&format!("note: {n}\n"));
        }
        out
    }
}
