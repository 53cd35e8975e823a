//! The map of a change as a PNG with its legend: the earlier date's false colour, the change
//! at the chosen opacity and the outlines (Web Mercator, as on the map), and below them the
//! dates, the colours and the numbers.

use leptos::ev::MouseEvent;
use leptos::prelude::*;

use super::change_view::ChangeView;
use super::export_links::follow_with;
use super::state::SceneState;
use crate::change_result::class_rgba;
use crate::map_result::OUTLINE_RGBA;
use crate::map_view::{context_2d, detached_canvas, draw};
use glacier_change::class;

/// Height of the legend under the picture, px.
const LEGEND_PX: u32 = 96;

/// Points the PNG link at the change's picture as it is now, just before the browser follows it.
pub fn save(ev: &MouseEvent, state: SceneState) {
    let url = state.change.with_untracked(|c| {
        c.as_ref()
            .map(|c| picture(c, state.opacity.get_untracked()))
    });
    follow_with(
        ev,
        state,
        url,
        "The PNG needs a change whose first date could be placed on the map.",
    );
}

fn css(rgba: [u8; 4]) -> String {
    format!("rgb({}, {}, {})", rgba[0], rgba[1], rgba[2])
}

/// The picture with its legend as a PNG data URL.
///
/// # Errors
/// A message when the first date has no place on the map or the browser gives no canvas.
pub fn picture(c: &ChangeView, opacity: f64) -> Result<String, String> {
    let change = &c.change;
    let p = change
        .before
        .placement
        .as_ref()
        .ok_or("the first date could not be placed on the map")?;
    let pixels = change
        .map_picture(opacity)
        .ok_or("the first date could not be placed on the map")?;
    let canvas = detached_canvas()?;
    // The legend needs room for its text even under a narrow scene.
    let width = p.width.max(560);
    let offset = f64::from((width - p.width) / 2);
    let mut sheet = vec![255u8; (width * (p.height + LEGEND_PX) * 4) as usize];
    for row in 0..p.height as usize {
        let from = row * p.width as usize * 4;
        let to = (row * width as usize + offset as usize) * 4;
        sheet[to..to + p.width as usize * 4]
            .copy_from_slice(&pixels[from..from + p.width as usize * 4]);
    }
    draw(&canvas, &sheet, (width, p.height + LEGEND_PX))?;
    let ctx = context_2d(&canvas)?;
    let top = f64::from(p.height);
    let s = &change.summary;
    let [before, after] = &change.dates;
    ctx.set_fill_style_str("#222");
    ctx.set_font("bold 15px sans-serif");
    let _ = ctx.fill_text(
        &format!("Glacier change {before} → {after}"),
        10.0,
        top + 22.0,
    );
    ctx.set_font("13px sans-serif");
    let mut x = 10.0;
    let classes = [
        (class::LOST, format!("lost {:.2} km²", s.km2.lost)),
        (class::GAINED, format!("gained {:.2} km²", s.km2.gained)),
        (
            class::STABLE,
            format!("on both dates {:.2} km²", s.km2.stable),
        ),
    ];
    for (value, label) in classes {
        ctx.set_fill_style_str(&css(class_rgba(value).unwrap_or([0; 4])));
        ctx.fill_rect(x, top + 34.0, 14.0, 14.0);
        ctx.set_fill_style_str("#222");
        let _ = ctx.fill_text(&label, x + 20.0, top + 46.0);
        x += 20.0 + ctx.measure_text(&label).map(|m| m.width()).unwrap_or(120.0) + 18.0;
    }
    if change.outlines.is_some() {
        ctx.set_fill_style_str(&css(OUTLINE_RGBA));
        ctx.fill_rect(x, top + 40.0, 14.0, 3.0);
        ctx.set_fill_style_str("#222");
        let _ = ctx.fill_text("outlines", x + 20.0, top + 46.0);
    }
    let _ = ctx.fill_text(
        &format!(
            "net {:+.2} ± {:.2} km² (buffer method); {}; Web Mercator",
            s.km2.net_change, s.uncertainty_km2.change, change.compared
        ),
        10.0,
        top + 70.0,
    );
    let _ = ctx.fill_text("Glacier mapper", 10.0, top + 88.0);
    canvas
        .to_data_url()
        .map_err(|e| format!("PNG encoding: {e:?}"))
}
