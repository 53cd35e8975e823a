//! `glacier predict`: map a whole scene with the network (the pipeline of `glacier-map`, as in
//! the page) into a georeferenced mask, and optionally probabilities and GeoJSON, on the scene
//! grid. The mask is held in memory (one byte a pixel; probabilities four more when asked for).

use anyhow::{Context, Result};
use glacier_map::exports::write_band;
use glacier_map::{Keep, RuleEffect};
use std::path::{Path, PathBuf};

use crate::backend::Backend;
use crate::mapping::map_scene;
use crate::scene_args::{SceneArgs, SceneFiles};

/// Classify a whole scene into a glacier mask GeoTIFF (1 glacier, 0 not, 255 no data).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  glacier predict LC08_L2SP_204023_20200927_20201006_02_T1.tar --out mask.tif\n  glacier predict LC08_L1TP_…_B3.TIF …_B4.TIF …_B5.TIF …_B6.TIF …_MTL.txt --out mask.tif \\\n      --geojson glacier.geojson --backend wgpu\n  glacier predict --item https://…/items/LC09_L2SP_140041_20231015_02_T1 --bbox 86.7,27.9,86.9,28.1 \\\n      --out khumbu.tif\n\nTwo models are built in; each scene gets the one that uses the most of its bands, and predict\nsays which ran and why. unet-scse-swir takes green, red, NIR, SWIR1 and SWIR2 in reflectance\n(Landsat 8/9 bands 3 to 7 with the MTL, Level-2, HLS); unet-scse-grn takes green, red and NIR\n(any units, e.g. Landsat 7 8-bit values), and where SWIR1 exists its glacier is kept to where\nNDSI > 0 and NIR > 0.11."
)]
pub struct Args {
    #[command(flatten)]
    scene: SceneFiles,
    /// A DEM, for models that take elevation or slope.
    #[arg(long)]
    dem: Option<PathBuf>,
    /// Model file (default: the shipped model, built into this binary).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Output mask GeoTIFF.
    #[arg(long)]
    out: PathBuf,
    /// Also write glacier probabilities (float32) here.
    #[arg(long)]
    probabilities: Option<PathBuf>,
    /// Also write the glacier patches as GeoJSON polygons (WGS 84 lon/lat) here.
    #[arg(long)]
    geojson: Option<PathBuf>,
    /// Compute backend.
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Keep the network's glacier as it is. By default, when the model does not take SWIR1
    /// and the scene has green, SWIR1 and NIR in reflectance, glacier is kept only where
    /// NDSI > 0 and NIR > 0.11 (without that rule the three-band model calls open water
    /// glacier; see its model card).
    #[arg(long)]
    no_plausibility_rule: bool,
}

/// Runs `glacier predict`: writes the files, says what it found on stderr.
pub fn run(args: Args) -> Result<()> {
    let p = map(
        &args.scene.args(),
        args.dem.as_deref(),
        args.model.as_deref(),
        args.backend,
        &Outputs {
            mask: &args.out,
            probabilities: args.probabilities.as_deref(),
            geojson: args.geojson.as_deref(),
        },
        !args.no_plausibility_rule,
    )?;
    if let Some(choice) = &p.model_choice {
        eprintln!("{choice}");
    }
    if let Some(rule) = p.plausibility {
        eprintln!(
            "{}",
            glacier_inputs::plausibility::note(rule.removed, rule.before)
        );
    }
    eprintln!(
        "wrote {}: {} glacier pixels = {:.3} km² ({:.1} % of {} pixels with data) on {}",
        args.out.display(),
        p.glacier,
        p.glacier as f64 * p.pixel_area / 1e6,
        100.0 * p.glacier as f64 / p.valid.max(1) as f64,
        p.valid,
        p.device
    );
    if let Some(line) = crate::archive::traffic_line() {
        eprintln!("{line}");
    }
    Ok(())
}

/// What a prediction found.
struct Predicted {
    /// Glacier pixels.
    pub glacier: u64,
    /// Pixels with data.
    pub valid: u64,
    /// Pixel area in m².
    pub pixel_area: f64,
    /// Which device computed.
    pub device: String,
    /// What the plausibility rule removed, where it ran.
    pub plausibility: Option<RuleEffect>,
    /// Which shipped model ran and why.
    pub model_choice: Option<String>,
}

/// The files `glacier predict` writes.
struct Outputs<'a> {
    /// The mask GeoTIFF.
    pub mask: &'a Path,
    /// The network's probabilities (float32 GeoTIFF), if wanted.
    pub probabilities: Option<&'a Path>,
    /// The glacier patches as GeoJSON, if wanted.
    pub geojson: Option<&'a Path>,
}

/// Maps the scene of `args` with the network and writes `outputs`.
fn map(
    args: &SceneArgs,
    dem: Option<&Path>,
    model: Option<&Path>,
    backend: Backend,
    outputs: &Outputs,
    plausibility_rule: bool,
) -> Result<Predicted> {
    let keep = Keep {
        masks: false,
        probabilities: outputs.probabilities.is_some(),
        exports: true,
        preview: None,
    };
    let (map, label) = map_scene(
        "predict",
        args,
        dem,
        model,
        backend,
        keep,
        plausibility_rule,
    )?;
    let network = map
        .network
        .context("internal: the network made no map and said nothing")?;
    let exports = network
        .exports
        .as_ref()
        .context("internal: the mask's exports were not made")?;
    let out = outputs.mask;
    std::fs::write(out, &exports.geotiff)
        .with_context(|| format!("cannot write {}", out.display()))?;
    if let Some(path) = outputs.geojson {
        let text = exports
            .geojson
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let (Some(path), Some(p)) = (outputs.probabilities, &network.probabilities) {
        write_probabilities(path, &map.grid, p)?;
    }
    let t = map.grid.transform;
    Ok(Predicted {
        glacier: network.glacier,
        valid: network.valid,
        pixel_area: (t.dx * t.dy).abs(),
        device: label,
        plausibility: network.rule,
        model_choice: map.model_choice,
    })
}

/// The network's probabilities as a float32 GeoTIFF (NaN where no data).
fn write_probabilities(path: &Path, grid: &glacier_raster::Grid, p: &[f32]) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    write_band(
        &path.display().to_string(),
        std::io::BufWriter::new(file),
        grid,
        Some(f64::NAN),
        "glacier_probability",
        p,
    )?;
    Ok(())
}
