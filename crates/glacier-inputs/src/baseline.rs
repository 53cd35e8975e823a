//! The classical baseline: glacier where NDSI exceeds a threshold (Dozier 1989; Paul et al.).

/// Thresholds of the NDSI classifier.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NdsiRules {
    /// Glacier when NDSI > this (0.4 is the common choice).
    pub ndsi_min: f32,
    /// Optional: also require NIR reflectance above this (excludes water, which has high NDSI).
    pub nir_min: Option<f32>,
    /// Optional: exclude slopes steeper than this many degrees (rock walls, avalanche snow).
    pub slope_max: Option<f32>,
}

impl Default for NdsiRules {
    /// NDSI > 0.4 and NIR > 0.11 (Dozier's water test), no slope rule.
    fn default() -> Self {
        NdsiRules {
            ndsi_min: 0.4,
            nir_min: Some(0.11),
            slope_max: None,
        }
    }
}

impl NdsiRules {
    /// The rules in words, e.g. `NDSI > 0.4, NIR > 0.11`.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("NDSI > {}", self.ndsi_min)];
        if let Some(nir) = self.nir_min {
            parts.push(format!("NIR > {nir}"));
        }
        if let Some(slope) = self.slope_max {
            parts.push(format!("slope ≤ {slope}°"));
        }
        parts.join(", ")
    }
}

/// The baseline as it can run on one scene: its rules, its label, and what to know about it.
#[derive(Clone, Debug, PartialEq)]
pub struct BaselinePlan {
    /// The rules applied.
    pub rules: NdsiRules,
    /// e.g. `NDSI baseline (NDSI > 0.4, NIR > 0.11)`: only the rules that apply.
    pub label: String,
    /// A note for the visitor when the rules are weaker than usual.
    pub caveat: Option<String>,
}

/// The baseline for a scene with or without a NIR band, whose green, SWIR1 (and NIR) are
/// calibrated (`reflectance`) or only as stored (no MTL, no in-file scale: often digital
/// numbers). The thresholds are for reflectance: on stored values the NIR test is left out and
/// the NDSI threshold may be off, and the label and caveat say so.
pub fn plan(nir: bool, reflectance: bool) -> BaselinePlan {
    let default = NdsiRules::default();
    let rules = NdsiRules {
        nir_min: if nir && reflectance {
            default.nir_min
        } else {
            None
        },
        ..default
    };
    let (label, caveat) =
        if !reflectance {
            (
            format!("NDSI baseline ({} on the values as stored)", rules.describe()),
            Some(
                "The NDSI baseline used the bands' values as stored: with no MTL and no scale in \
                 the files, nothing says they are reflectance, for which its thresholds are made. \
                 Its NDSI > 0.4 may be off on digital numbers, and its NIR > 0.11 water test was \
                 left out; treat its map as rough."
                    .to_string(),
            ),
        )
        } else if !nir {
            (
            format!("NDSI baseline ({}; no NIR band for the water test)", rules.describe()),
            Some(
                "The NDSI baseline ran without its NIR > 0.11 water test (the scene has no NIR \
                 band): water may show as glacier."
                    .to_string(),
            ),
        )
        } else {
            (format!("NDSI baseline ({})", rules.describe()), None)
        };
    BaselinePlan {
        rules,
        label,
        caveat,
    }
}

/// Classifies pixels: `Some(true)` glacier, `Some(false)` not, `None` where inputs are missing.
pub fn classify(
    rules: &NdsiRules,
    ndsi: &[f32],
    nir: Option<&[f32]>,
    slope: Option<&[f32]>,
) -> Vec<Option<bool>> {
    (0..ndsi.len())
        .map(|i| {
            let n = ndsi[i];
            if n.is_nan() {
                return None;
            }
            let mut glacier = n > rules.ndsi_min;
            if let (Some(min), Some(nir)) = (rules.nir_min, nir) {
                if nir[i].is_nan() {
                    return None;
                }
                glacier &= nir[i] > min;
            }
            if let (Some(max), Some(slope)) = (rules.slope_max, slope)
                && !slope[i].is_nan()
            {
                glacier &= slope[i] <= max;
            }
            Some(glacier)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_names_only_the_rules_applied() {
        let full = plan(true, true);
        assert_eq!(full.rules, NdsiRules::default());
        assert_eq!(full.label, "NDSI baseline (NDSI > 0.4, NIR > 0.11)");
        assert_eq!(full.caveat, None);

        let no_nir = plan(false, true);
        assert_eq!(no_nir.rules.nir_min, None);
        assert_eq!(
            no_nir.label,
            "NDSI baseline (NDSI > 0.4; no NIR band for the water test)"
        );
        assert!(
            no_nir
                .caveat
                .is_some_and(|c| c.contains("without its NIR > 0.11"))
        );

        // Raw digital numbers: the NIR threshold is a reflectance, so it is not applied.
        let raw = plan(true, false);
        assert_eq!(raw.rules.nir_min, None);
        assert_eq!(raw.rules.ndsi_min, 0.4);
        assert!(!raw.label.contains("NIR"), "{}", raw.label);
        assert_eq!(
            raw.label,
            "NDSI baseline (NDSI > 0.4 on the values as stored)"
        );
        assert!(
            raw.caveat
                .is_some_and(|c| c.contains("NIR > 0.11 water test was left out"))
        );
    }

    #[test]
    fn thresholds_apply_in_order() {
        let ndsi = [0.8, 0.8, 0.2, f32::NAN, 0.8];
        let nir = [0.5, 0.05, 0.5, 0.5, 0.5];
        let slope = [10.0, 10.0, 10.0, 10.0, 60.0];
        let rules = NdsiRules {
            slope_max: Some(45.0),
            ..NdsiRules::default()
        };
        let got = classify(&rules, &ndsi, Some(&nir), Some(&slope));
        assert_eq!(
            got,
            vec![Some(true), Some(false), Some(false), None, Some(false)]
        );
        let plain = classify(
            &NdsiRules {
                nir_min: None,
                ..NdsiRules::default()
            },
            &ndsi,
            None,
            None,
        );
        assert_eq!(
            plain[1],
            Some(true),
            "without the NIR rule water-like pixels pass"
        );
    }
}
