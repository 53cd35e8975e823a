//! What a run needs from the page: the models and the devices, settled once the models' download
//! and the backend check end (each has a time limit, see [`crate::timeout`]).

use std::pin::pin;

use futures::channel::oneshot;
use futures::future::{Either, join, select};
use leptos::prelude::*;

use crate::mapping::Compute;
use crate::model::LoadedModel;
use crate::self_check;
use crate::test_hooks;
use crate::timeout::sleep_ms;

/// The models and the devices, once known.
#[derive(Clone, Copy)]
pub struct Engine {
    /// The shipped models, or why they did not load; `None` while loading.
    pub models: RwSignal<Option<Result<Vec<LoadedModel>, String>>, LocalStorage>,
    /// The WebGPU device once it passed the self-check.
    pub gpu: RwSignal<Option<burn::tensor::Device>, LocalStorage>,
    /// Whether backend detection (and the self-check) has finished.
    pub detected: RwSignal<bool>,
}

/// Resolves once `condition` holds: at once when it does already, else when a change of the
/// signals it reads makes it hold (an effect watches them until then; no timer).
async fn until(condition: impl Fn() -> bool + Clone + 'static) {
    loop {
        if untrack(&condition) {
            return;
        }
        let (tx, rx) = oneshot::channel();
        let mut tx = Some(tx);
        let condition = condition.clone();
        // Dropping `owner` (after this pass, or with this future when it is dropped unfinished)
        // disposes of the effect.
        let owner = Owner::new();
        owner.with(|| {
            Effect::new(move |_| {
                if condition()
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(());
                }
            })
        });
        if rx.await.is_ok() {
            return;
        }
        // The effect was disposed of from outside (an owner above this one was cleaned up):
        // watch again.
    }
}

impl Engine {
    /// Waits until the models and the backend are settled, then returns the models (none when
    /// they did not load) and the devices to try, GPU first; `None` as soon as `cancel` is set
    /// while waiting.
    pub async fn ready(self, cancel: RwSignal<bool>) -> Option<(Vec<LoadedModel>, Vec<Compute>)> {
        // Held for the test hook's time as well, counted from now.
        let hold_ms = test_hooks::ready_delay_ms();
        let held = async move {
            if hold_ms > 0.0 {
                sleep_ms(hold_ms.min(f64::from(u32::MAX)) as u32).await;
            }
        };
        let settled = until(move || self.detected.get() && self.models.with(Option::is_some));
        let cancelled = until(move || cancel.get());
        // `select` polls `cancelled` first: when both hold, the run does not start.
        if let Either::Left(_) = select(pin!(cancelled), pin!(join(settled, held))).await {
            return None;
        }
        let models = self
            .models
            .get_untracked()
            .and_then(Result::ok)
            .unwrap_or_default();
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
        Some((models, computes))
    }
}
