//! What a run needs from the page: the model and the devices, settled once the model download
//! and the backend check end (each has a time limit, see [`crate::timeout`]).

use leptos::prelude::*;

use crate::mapping::Compute;
use crate::model::LoadedModel;
use crate::self_check;
use crate::test_hooks;
use crate::timeout::sleep_ms;
use crate::timing::now_ms;

/// The model and the devices, once known.
#[derive(Clone, Copy)]
pub struct Engine {
    /// The shipped model, or why it did not load; `None` while loading.
    pub model: RwSignal<Option<Result<LoadedModel, String>>, LocalStorage>,
    /// The WebGPU device once it passed the self-check.
    pub gpu: RwSignal<Option<burn::tensor::Device>, LocalStorage>,
    /// Whether backend detection (and the self-check) has finished.
    pub detected: RwSignal<bool>,
}

impl Engine {
    /// Waits until the model and the backend are settled, then returns the model (if it loaded)
    /// and the devices to try, GPU first; `None` as soon as `cancel` is set while waiting.
    pub async fn ready(
        self,
        cancel: RwSignal<bool>,
    ) -> Option<(Option<LoadedModel>, Vec<Compute>)> {
        let hold_until = now_ms() + test_hooks::ready_delay_ms();
        loop {
            if cancel.get_untracked() {
                return None;
            }
            let settled =
                self.detected.get_untracked() && self.model.with_untracked(Option::is_some);
            if settled && now_ms() >= hold_until {
                break;
            }
            sleep_ms(50).await;
        }
        let model = self.model.get_untracked().and_then(Result::ok);
        let mut computes = Vec::new();
        if let Some(device) = self.gpu.get_untracked() {
            computes.push(Compute {
                device,
                label: "GPU (WebGPU)".into(),
            });
        }
        computes.push(Compute {
            device: self_check::cpu_device(),
            label: "CPU".into(),
        });
        Some((model, computes))
    }
}
