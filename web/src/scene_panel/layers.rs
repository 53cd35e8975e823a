//! Drawing the result: the web map's layers, or the flat preview when the scene cannot be
//! placed on the map.

use leptos::prelude::*;

use super::result_view::MapResultView;
use super::state::SceneState;
use crate::map_result::Shown;
use crate::map_view::draw;
use crate::timing::now_ms;

/// Redraws the map's layers (or the flat preview) whenever the result or the shown
/// classification changes (or the change, or its layer), and times it.
pub fn redraw_on_change(state: SceneState) {
    Effect::new(move |_| {
        let layer = state.layer.get();
        let drawn = state.change.with(|c| {
            let c = c.as_ref()?;
            match c.map_layers(layer) {
                Some(Ok(l)) => state.layers.set(Some(l)),
                Some(Err(e)) => {
                    state.layers.set(None);
                    state.report([format!("The map of the change could not be drawn ({e}).")]);
                }
                None => {
                    state.layers.set(None);
                    state.report([
                        "The change cannot be placed on the map (see the notes); its numbers \
                         and downloads are below."
                            .into(),
                    ]);
                }
            }
            Some(())
        });
        if drawn.is_some() {
            return;
        }
        let shown = state.shown.get();
        state.result.with(|r| {
            let Some(r) = r else {
                state.layers.set(None);
                return;
            };
            let started = now_ms();
            if let Err(e) = redraw(state, r, shown) {
                state.report([e]);
            }
            state.render_ms.set(now_ms() - started);
        });
    });
}

/// Sets the map's layers for `r` shown as `shown`, or, when the scene cannot be placed, draws
/// the flat preview; a message for the visitor when either fails.
fn redraw(state: SceneState, r: &MapResultView, shown: Shown) -> Result<(), String> {
    let flat = || match state.canvas.get() {
        Some(c) => draw(
            &c,
            &r.result.preview(shown),
            (r.result.base.1, r.result.base.2),
        ),
        None => Ok(()),
    };
    match r.map_layers(shown) {
        Some(Ok(l)) => {
            state.layers.set(Some(l));
            Ok(())
        }
        // All or nothing: the last scene's overlays never stay beside these numbers.
        Some(Err(e)) => {
            state.layers.set(None);
            Err(match flat() {
                Ok(()) => format!(
                    "The map could not be drawn ({e}); its earlier layers were removed, and the \
                     flat preview below shows this scene."
                ),
                Err(also) => format!(
                    "The map could not be drawn ({e}; {also}); its earlier layers were removed: \
                     the numbers and downloads are for this scene."
                ),
            })
        }
        None => {
            state.layers.set(None);
            flat()
        }
    }
}
