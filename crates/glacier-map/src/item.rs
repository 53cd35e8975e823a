//! A scene from a STAC item, for the CLI and the page alike: the item's band assets become
//! scene files (opened by the caller's transport), named as USGS names them so they are
//! recognised as local copies would be, with the item's scale, offset and nodata where the
//! files carry none; then the area of interest, if one is given.

use glacier_archive::stac::{ItemBand, Role};
use glacier_archive::{ArchiveError, Item};
use glacier_inputs::scene::Scaling;
use glacier_inputs::{FileSource, InputError, Scene};
use glacier_raster::{AoiError, LonLatBounds};

use crate::files::{BandMapping, SceneFiles, scene_from_files};

/// Why an item's scene cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ItemError {
    /// The item is unusable (no bands, `s3://` hrefs).
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// Its files could not be read as one scene.
    #[error(transparent)]
    Scene(#[from] InputError),
    /// The area of interest is unusable or misses the scene.
    #[error(transparent)]
    Area(#[from] AoiError),
}

/// The scene of `item` (read from `item_url`), each band asset opened by `open`, cropped to
/// `area` when given; with notes in words (what was read, what was not).
///
/// # Errors
/// [`ItemError`] naming the asset, the file or the area.
pub fn item_scene(
    item: &Item,
    item_url: &str,
    area: Option<&LonLatBounds>,
    open: impl Fn(&ItemBand) -> Box<dyn FileSource>,
) -> Result<(Scene, Vec<String>), ItemError> {
    let bands = item.landsat_bands(item_url)?;
    let mut files = SceneFiles::default();
    let mut mapped = Vec::new();
    let mut notes = Vec::new();
    for band in &bands {
        let named = glacier_landsat::LandsatFileName::parse(&band.file_name).is_some();
        match band.role {
            _ if named => files.named.push(open(band)),
            Role::Band(channel) => {
                files.bands.push(BandMapping {
                    channel,
                    file: open(band),
                    band: 0,
                });
                mapped.push((channel, band));
            }
            Role::QaPixel => notes.push(format!(
                "Asset {} ({}) has no USGS QA_PIXEL name; clouds are not masked.",
                band.key, band.file_name
            )),
        }
    }
    let (mut scene, mut more) = scene_from_files(files)?;
    notes.append(&mut more);
    for (channel, band) in mapped {
        if let Some(source) = scene.channels.get_mut(&channel) {
            if source.scaling == Scaling::AsStored
                && (band.scale.is_some() || band.offset.is_some())
            {
                source.scaling = Scaling::Linear {
                    scale: band.scale.unwrap_or(1.0),
                    offset: band.offset.unwrap_or(0.0),
                };
            }
            source.nodata = source.nodata.or(band.nodata);
        }
    }
    let keys: Vec<&str> = bands.iter().map(|b| b.key.as_str()).collect();
    notes.push(format!(
        "Item {} ({}{}): {} read over HTTP.",
        item.id,
        item.date().unwrap_or("no date"),
        item.properties
            .cloud_cover
            .map(|c| format!(", {c:.1} % cloud"))
            .unwrap_or_default(),
        keys.join(", ")
    ));
    let Some(area) = area else {
        return Ok((scene, notes));
    };
    let window = glacier_raster::window_covering(&scene.grid, area)?;
    notes.push(format!(
        "Area {}: {} × {} px of the scene's {} × {}, from pixel ({}, {}).",
        glacier_raster::aoi::describe(area),
        window.width,
        window.height,
        scene.grid.width,
        scene.grid.height,
        window.col,
        window.row
    ));
    Ok((scene.crop(window), notes))
}

/// The range requests that bring, all at once, every block reading `scene` will need from its
/// remote files (`(name, blocks)` of each, names as [`FileSource::name`] gives them): `(index
/// into files, start, end)`, for the page's `fetch` or the CLI's threads to send several at a
/// time and [`Blocks::store`](glacier_archive::Blocks::store) the answers. A file whose blocks
/// would not fit its cache, or whose host ignores ranges, gets none: it is read as it goes.
pub fn prefetch_requests(
    scene: &Scene,
    files: &[(&str, &std::sync::Mutex<glacier_archive::Blocks>)],
) -> Vec<(usize, u64, u64)> {
    let mut requests = Vec::new();
    for wanted in scene.byte_ranges() {
        let Some(index) = files.iter().position(|(name, _)| *name == wanted.file) else {
            continue;
        };
        let runs = files[index]
            .1
            .lock()
            .map(|b| b.missing(&wanted.spans))
            .unwrap_or_default();
        requests.extend(runs.into_iter().map(|(start, end)| (index, start, end)));
    }
    requests
}
