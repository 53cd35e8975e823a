//! Files without a Landsat 8/9 name: the visitor says what their bands hold (the page's
//! `--band NAME=FILE:K`), e.g. a stacked GeoTIFF or the Everest Landsat 7 files.

use glacier_landsat::Channel;
use leptos::prelude::*;

/// A GeoTIFF the visitor can assign bands of.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignable {
    /// File name.
    pub name: String,
    /// Its bands.
    pub bands: usize,
}

/// One band the visitor assigned: file name, 0-based band, channel.
pub type Choice = (String, usize, Channel);

pub use glacier_inputs::recognise::{is_archive, is_landsat89, needs_bands_chosen};

/// One `<select>` per band of each assignable file; choices go to `chosen`.
#[component]
pub fn BandAssignment(
    files: RwSignal<Vec<Assignable>>,
    chosen: RwSignal<Vec<Choice>>,
) -> impl IntoView {
    let set = move |file: String, band: usize, value: String| {
        chosen.update(|list| {
            list.retain(|(f, b, _)| !(f == &file && *b == band));
            if let Some(c) = Channel::parse(&value) {
                list.push((file, band, c));
            }
        });
    };
    view! {
        <div class="assign" class:hidden=move || files.with(Vec::is_empty)>
            <p>
                "These GeoTIFFs have no Landsat 8/9 name. If you know what their bands hold (a "
                "stacked file, another sensor's bands), say so here and press Map. The network "
                "standardises each scene with its own statistics, so 8-bit or scaled values work, "
                "but it was trained on few scenes (see below): expect a rough map."
            </p>
            <table class="recognised">
                <tbody>
                    {move || files.get().into_iter().flat_map(|f| {
                        (0..f.bands).map(move |band| {
                            let name = f.name.clone();
                            let on_change = {
                                let name = name.clone();
                                move |ev: leptos::ev::Event| set(name.clone(), band, event_target_value(&ev))
                            };
                            view! {
                                <tr>
                                    <td>{name.clone()}</td>
                                    <td>{format!("band {}", band + 1)}</td>
                                    <td>
                                        <select data-testid="assign" data-file=name.clone()
                                            data-band=(band + 1).to_string() on:change=on_change>
                                            <option value="">"not used"</option>
                                            {Channel::ALL.iter().map(|c| view! {
                                                <option value=c.name()>{c.name()}</option>
                                            }).collect_view()}
                                        </select>
                                    </td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
