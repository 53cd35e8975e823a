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
