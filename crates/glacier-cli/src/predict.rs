//! `glacier predict`: classify a whole scene tile by tile with overlap and blending, in bounded
//! memory, into a georeferenced mask (and optionally probabilities) on the scene grid.

use anyhow::{Context, Result, bail};
use glacier_infer::predict::mask;
use glacier_infer::{Predictor, ScenePrediction};
use glacier_inputs::channels::Dem;
use glacier_inputs::plausibility;
use glacier_inputs::source::PathSource;
use glacier_inputs::{ChannelName, ChannelReader};
use glacier_landsat::Channel;
use glacier_raster::{RasterSpec, Window, write_geotiff};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

use crate::backend::{Backend, load_model, model_name};
use crate::prepare::{SceneArgs, scene};

/// What a prediction found.
pub struct Predicted {
    /// Glacier pixels.
    pub glacier: u64,
    /// Pixels with data.
    pub valid: u64,
    /// Pixel area in m².
    pub pixel_area: f64,
    /// Which device computed.
    pub device: String,
    /// Glacier pixels of the network the plausibility rule set to not glacier, and the
    /// network's glacier pixels before it; `None` where the rule did not run.
    pub plausibility: Option<(u64, u64)>,
}

/// The files `glacier predict` writes.
pub struct Outputs<'a> {
    /// The mask GeoTIFF.
    pub mask: &'a Path,
    /// The network's probabilities (float32 GeoTIFF), if wanted.
    pub probabilities: Option<&'a Path>,
    /// The glacier patches as GeoJSON, if wanted.
    pub geojson: Option<&'a Path>,
}

/// Runs `glacier predict`.
pub fn run(
    args: &SceneArgs,
    dem: Option<&Path>,
    model: Option<&Path>,
    backend: Backend,
    outputs: &Outputs,
    plausibility_rule: bool,
) -> Result<Predicted> {
    let Outputs {
        mask: out,
        probabilities,
        geojson,
    } = *outputs;
    let bundle = load_model(model)?;
    let device = backend.device()?;
    let predictor = Predictor::new(&bundle, &device)?;
    let scene = scene(args)?;
    let dem = dem.map(|d| Dem::read(&PathSource::new(d))).transpose()?;
    let grid = scene.grid.clone();
    let mut reader = ChannelReader::new(&scene, dem);
    // A missing band is reported before any work: the model names what it needs.
    reader
        .read(predictor.names(), glacier_raster::Window::new(0, 0, 1, 1))
        .with_context(|| {
            format!(
                "the model {} needs the channels {}",
                model_name(model),
                predictor
                    .names()
                    .iter()
                    .map(|n| n.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    let stats = predictor.statistics_for(&mut reader, grid.width, grid.height)?;
    let mut run = ScenePrediction::new(&predictor, stats, grid.width, grid.height);
    let bar = ProgressBar::new(run.tile_count() as u64).with_style(
        ProgressStyle::with_template("predict [{bar:30}] {pos}/{len} tiles ({elapsed}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let spec = |nodata: f64, name: &str| RasterSpec {
        width: grid.width,
        height: grid.height,
        bands: 1,
        transform: grid.transform,
        crs: Some(grid.crs.clone()),
        nodata: Some(nodata),
        descriptions: vec![name.into()],
    };
    let threshold = predictor.header().threshold;
    // Where the scene has green, SWIR1 and NIR in reflectance, the network's glacier is kept to
    // where the plausibility rule holds (the probabilities file stays the network's own).
    let gate = plausibility_rule && plausibility::applies(&scene);
    let (mut removed, mut called) = (0u64, 0u64);
    // The mask (one byte a pixel) is kept; probabilities stream to their file strip by strip.
    let mut mask_bytes: Vec<u8> = Vec::with_capacity(grid.pixels());
    let mut strip = |row: u32, rows: u32, reader: &mut ChannelReader| -> Result<Vec<f32>> {
        let p = run.rows(reader, row, rows)?;
        let mut m = mask(&p, threshold);
        if gate {
            called += m.iter().filter(|v| **v == 1).count() as u64;
            let v = reader.read(
                &[ChannelName::Ndsi, ChannelName::Band(Channel::Nir)],
                Window::new(0, row, grid.width, rows),
            )?;
            removed += plausibility::keep_plausible(&mut m, &v[0], &v[1]);
        }
        mask_bytes.extend(m);
        bar.set_position(run.tiles_done() as u64);
        Ok(p)
    };
    if let Some(path) = probabilities {
        let file = std::fs::File::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let name = path.display().to_string();
        write_geotiff(
            &name,
            std::io::BufWriter::new(file),
            &spec(f64::NAN, "glacier_probability"),
            |row, rows, bands: &mut [Vec<f32>]| {
                let p = strip(row, rows, &mut reader).map_err(|e| {
                    glacier_raster::RasterError::Usage {
                        file: name.clone(),
                        detail: e.to_string(),
                    }
                })?;
                bands[0].copy_from_slice(&p);
                Ok(())
            },
        )?;
    } else {
        let mut row = 0;
        while row < grid.height {
            let rows = 64.min(grid.height - row);
            strip(row, rows, &mut reader)?;
            row += rows;
        }
    }
    bar.finish_and_clear();
    if mask_bytes.len() != grid.pixels() {
        bail!(
            "internal: the mask has {} pixels, the scene {}",
            mask_bytes.len(),
            grid.pixels()
        );
    }
    crate::rasterize::write_mask(out, &grid, Some(255.0), &mask_bytes)?;
    if let Some(path) = geojson {
        let patches = glacier_labels::polygonize(&mask_bytes, grid.width, grid.height, |v| v == 1);
        let name = path.display().to_string();
        let text = glacier_labels::to_geojson(&patches, &grid, &name)?;
        std::fs::write(path, text).with_context(|| format!("cannot write {name}"))?;
    }
    let t = grid.transform;
    Ok(Predicted {
        glacier: mask_bytes.iter().filter(|v| **v == 1).count() as u64,
        valid: mask_bytes.iter().filter(|v| **v != 255).count() as u64,
        pixel_area: (t.dx * t.dy).abs(),
        device: format!("{device:?}"),
        plausibility: gate.then_some((removed, called)),
    })
}
