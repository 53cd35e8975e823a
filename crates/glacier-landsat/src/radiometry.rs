//! Digital numbers to physical values. DN 0 is Landsat's fill value and becomes NaN.
//!
//! Arithmetic is done in f64 and stored as f32, which reproduces the oracles to float32 rounding.

use crate::calibration::BandCalibration;

/// Landsat's fill DN.
pub const FILL_DN: u16 = 0;

impl BandCalibration {
    /// The physical value of one DN (NaN for fill): reflectance (unitless) or temperature (K).
    pub fn value(&self, dn: u16) -> f32 {
        if dn == FILL_DN {
            return f32::NAN;
        }
        let dn = f64::from(dn);
        let v = match *self {
            BandCalibration::Reflectance {
                mult,
                add,
                sun_elevation,
            } => (mult * dn + add) / sun_elevation.to_radians().sin(),
            BandCalibration::BrightnessTemperature { mult, add, k1, k2 } => {
                k2 / (k1 / (mult * dn + add) + 1.0).ln()
            }
            BandCalibration::Scaled { mult, add } => mult * dn + add,
        };
        v as f32
    }

    /// Converts `dn` into `out` (same length; the shorter one decides).
    pub fn apply_into(&self, dn: &[u16], out: &mut [f32]) {
        for (o, d) in out.iter_mut().zip(dn) {
            *o = self.value(*d);
        }
    }

    /// Converts `dn` into a new vector.
    pub fn apply(&self, dn: &[u16]) -> Vec<f32> {
        dn.iter().map(|d| self.value(*d)).collect()
    }
}

/// Collection 2 Level-2 surface reflectance: DN × 0.0000275 − 0.2.
pub const L2_SR: BandCalibration = BandCalibration::Scaled {
    mult: 2.75e-5,
    add: -0.2,
};
/// Collection 2 Level-2 surface temperature (K): DN × 0.00341802 + 149.0.
pub const L2_ST: BandCalibration = BandCalibration::Scaled {
    mult: 0.003_418_02,
    add: 149.0,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level2_scale_factors() {
        assert!((L2_SR.value(10_000) - 0.075).abs() < 1e-7);
        assert!((L2_ST.value(40_000) - 285.720_8).abs() < 1e-3);
        assert!(L2_SR.value(FILL_DN).is_nan());
    }

    #[test]
    fn reflectance_corrects_for_sun_elevation() {
        let c = BandCalibration::Reflectance {
            mult: 2e-5,
            add: -0.1,
            sun_elevation: 30.0,
        };
        // (2e-5 · 20000 − 0.1) / sin 30° = 0.3 / 0.5
        assert!((c.value(20_000) - 0.6).abs() < 1e-6);
    }
}
