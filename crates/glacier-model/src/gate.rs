//! Whether the GPU may compute: its [`crate::probe`] output against the CPU's, within
//! [`SELF_CHECK_TOLERANCE`].

use crate::probe::{SELF_CHECK_TOLERANCE, max_abs_diff};

/// The outcome of comparing the GPU's probe output with the CPU's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Gate {
    /// Within the tolerance: the GPU may be used.
    Agrees {
        /// The largest difference.
        diff: f32,
    },
    /// Beyond it, or NaN, or outputs of different lengths: use the CPU.
    Disagrees {
        /// The largest difference (NaN or infinite included).
        diff: f32,
    },
}

impl Gate {
    /// Compares the two outputs.
    pub fn judge(gpu: &[f32], cpu: &[f32]) -> Gate {
        let diff = max_abs_diff(gpu, cpu);
        // `<=` is false for NaN, so a NaN difference disagrees.
        if diff <= SELF_CHECK_TOLERANCE {
            Gate::Agrees { diff }
        } else {
            Gate::Disagrees { diff }
        }
    }

    /// Whether the GPU passed.
    pub fn passed(&self) -> bool {
        matches!(self, Gate::Agrees { .. })
    }

    /// The verdict in a sentence for the page.
    pub fn sentence(&self) -> String {
        match self {
            Gate::Agrees { diff } => format!(
                "WebGPU agrees with the CPU (largest difference {diff:.1e}, tolerance \
                 {SELF_CHECK_TOLERANCE:.1e})"
            ),
            Gate::Disagrees { diff } => format!(
                "WebGPU disagreed with the CPU on the self-check (largest difference {diff:.1e}, \
                 tolerance {SELF_CHECK_TOLERANCE:.1e}): using the CPU"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_the_tolerance_the_gpu_is_used() {
        let cpu = [0.25, 0.5, 0.75];
        let g = Gate::judge(&[0.25, 0.50005, 0.75], &cpu);
        assert!(g.passed(), "{g:?}");
        assert!(Gate::judge(&cpu, &cpu).passed());
        assert!(
            g.sentence()
                .starts_with("WebGPU agrees with the CPU (largest difference")
        );
    }

    #[test]
    fn beyond_it_or_nan_or_a_short_output_the_cpu_is_used() {
        let cpu = [0.25, 0.5, 0.75];
        let g = Gate::judge(&[0.25, 0.6, 0.75], &cpu);
        assert!(!g.passed());
        assert_eq!(
            g.sentence(),
            "WebGPU disagreed with the CPU on the self-check (largest difference 1.0e-1, \
             tolerance 1.0e-4): using the CPU"
        );
        let nan = Gate::judge(&[0.25, f32::NAN, 0.75], &cpu);
        assert!(!nan.passed(), "a NaN difference counts as disagreement");
        assert!(
            nan.sentence().contains("largest difference NaN"),
            "{}",
            nan.sentence()
        );
        assert!(!Gate::judge(&[f32::NAN; 3], &[f32::NAN; 3]).passed());
        assert!(!Gate::judge(&[0.25], &cpu).passed(), "lengths differ");
    }
}
