//! A quick look at a scene before it is mapped: its false-colour bands read from the files'
//! reduced-resolution images (a cloud-optimised GeoTIFF's overviews), so a scene read over the
//! network shows within seconds, before its full-resolution tiles arrive.

use glacier_inputs::Scene;
use glacier_raster::{GeoTiffReader, GeoTransform, Grid, Window};

use crate::preview::{Preview, Sampling, composite, false_colour};

/// A quick look and the grid its pixels lie on (an overview's, over the scene's area).
pub struct QuickLook {
    /// The overview level read (0: the files have none coarse enough, the full resolution).
    pub level: usize,
    /// Where its pixels lie.
    pub grid: Grid,
    /// The picture (one preview pixel per grid pixel).
    pub preview: Preview,
}

/// A quick look at `scene`: its false-colour bands ([`composite`]) from the coarsest image of
/// its files that still gives the scene's area `min_side` pixels on its longer side (the full
/// resolution where no overview does, if the area is at most 4 × `min_side` across: a larger
/// one would cost as much as the run). `None` when the scene lacks the bands, a file cannot be
/// read, or its bands' files differ in their overviews.
pub fn quick_look(scene: &Scene, min_side: u32) -> Option<QuickLook> {
    let bands = composite(scene)?;
    let window = Window::new(
        scene.origin.0,
        scene.origin.1,
        scene.grid.width,
        scene.grid.height,
    );
    let mut chosen: Option<(usize, Window)> = None;
    let mut raw_bands = Vec::with_capacity(3);
    let mut look_grid = None;
    for channel in bands {
        let source = scene.channels.get(&channel)?;
        let file = scene.files.get(source.file)?;
        let mut reader = GeoTiffReader::new(file.name(), file.open().ok()?).ok()?;
        let transform = reader.info().transform?;
        // The first band picks the level; the others read the same level and window (their
        // grids must then agree, checked below).
        let w = match chosen {
            Some((l, w)) => {
                reader.select_overview(l).ok()?;
                w
            }
            None => {
                let (l, w) = reader
                    .select_coarsest(window, |w| w.width.max(w.height) >= min_side)
                    .ok()?;
                if l == 0 && window.width.max(window.height) > 4 * min_side {
                    return None;
                }
                chosen = Some((l, w));
                w
            }
        };
        let samples = reader.read_window(source.band, w).ok()?;
        let values: Vec<f32> = (0..samples.len())
            .map(|i| match samples.get_f64(i) {
                Some(v) if Some(v) != source.nodata => v as f32,
                _ => f32::NAN,
            })
            .collect();
        let t = reader.info().transform.unwrap_or(transform);
        let (x0, y0) = t.apply(f64::from(w.col), f64::from(w.row));
        let grid = Grid {
            width: w.width,
            height: w.height,
            transform: GeoTransform { x0, y0, ..t },
            crs: scene.grid.crs.clone(),
        };
        // Every band on the same grid.
        match &look_grid {
            Some(g) if *g != grid => return None,
            Some(_) => {}
            None => look_grid = Some(grid),
        }
        raw_bands.push(values);
    }
    let grid = look_grid?;
    let n = grid.width as usize * grid.height as usize;
    let mut raw = Vec::with_capacity(n * 3);
    for i in 0..n {
        raw.extend(
            raw_bands
                .iter()
                .map(|b| b.get(i).copied().unwrap_or(f32::NAN)),
        );
    }
    Some(QuickLook {
        level: chosen.map_or(0, |(l, _)| l),
        preview: Preview {
            sampling: Sampling::new(grid.width, grid.height, grid.width.max(grid.height)),
            bands,
            rgba: false_colour(&raw),
        },
        grid,
    })
}
