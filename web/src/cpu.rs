//! Which of burn's CPU backends the page computes with when it does not use WebGPU.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

/// burn's two CPU backends, both compiled to wasm (one thread, SIMD128).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CpuBackend {
    /// burn's `flex` (gemm kernels): the page's default, several times faster per tile.
    Flex,
    /// burn's `ndarray`: the project's reference CPU results, kept for comparisons.
    Ndarray,
}

impl CpuBackend {
    /// `?cpu=ndarray` in the page's address picks ndarray (benchmarks, comparisons); otherwise flex.
    pub fn from_address() -> Self {
        let chosen = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .is_some_and(|q| {
                q.trim_start_matches('?')
                    .split('&')
                    .any(|p| p == "cpu=ndarray")
            });
        if chosen {
            CpuBackend::Ndarray
        } else {
            CpuBackend::Flex
        }
    }

    /// The burn device of this backend.
    pub fn device(self) -> Device {
        match self {
            CpuBackend::Flex => glacier_model::devices::flex(),
            CpuBackend::Ndarray => glacier_model::devices::cpu(),
        }
    }

    /// burn's name for the backend.
    pub fn name(self) -> &'static str {
        match self {
            CpuBackend::Flex => "flex",
            CpuBackend::Ndarray => "ndarray",
        }
    }
}
