//! `glacier prepare`: a scene's model input channels as one float32 GeoTIFF on the scene grid.

use anyhow::{Context, Result, bail};
use glacier_inputs::channels::Dem;
use glacier_inputs::source::PathSource;
use glacier_inputs::{ChannelName, ChannelReader};
use glacier_raster::{RasterSpec, Window, write_geotiff};
use std::path::{Path, PathBuf};

use crate::output::steps_bar;
use crate::scene_args::{SceneArgs, SceneFiles, available_channels, scene};

/// Write a scene's model input channels as a float32 GeoTIFF on the scene grid.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  glacier prepare LC08_L1TP_…_B3.TIF LC08_L1TP_…_B6.TIF LC08_L1TP_…_MTL.txt --dem dem.tif \\\n      --channels green,swir1,elevation,slope,ndsi --out stack.tif\n  glacier prepare --band nir=any_name.tif --band red=stack.tif:2 --out nir_red.tif"
)]
pub struct Args {
    #[command(flatten)]
    scene: SceneFiles,
    /// A DEM in any supported CRS, resampled onto the scene grid.
    #[arg(long)]
    dem: Option<PathBuf>,
    /// Channels in output order (default: everything the inputs allow), e.g.
    /// green,red,nir,swir1,swir2,tir,elevation,slope,ndsi,ndwi,ndvi.
    #[arg(long)]
    channels: Option<String>,
    /// Output GeoTIFF.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `glacier prepare`.
pub fn run(args: Args) -> Result<()> {
    let written = write_channels(
        &args.scene.args(),
        args.dem.as_deref(),
        args.channels.as_deref(),
        &args.out,
    )?;
    let names: Vec<&str> = written.iter().map(|n| n.name()).collect();
    eprintln!("wrote {} ({})", args.out.display(), names.join(", "));
    Ok(())
}

/// What `out` does not carry of the scene's files' georeferencing, in words: the vertical part
/// of a compound CRS (outputs hold reflectances and indices, not heights).
fn dropped_from(scene: &glacier_inputs::Scene, out: &Path) -> Vec<String> {
    let mut said = Vec::new();
    for file in &scene.files {
        let vertical = file
            .open()
            .ok()
            .and_then(|r| glacier_raster::GeoTiffReader::new(file.name(), r).ok())
            .and_then(|r| r.info().vertical_crs);
        if let Some(code) = vertical {
            said.push(format!(
                "note: {} has a compound CRS whose heights are EPSG:{code}; {} is written with \
                 its horizontal CRS only (it holds no heights)",
                file.name(),
                out.display()
            ));
        }
    }
    said
}

/// Writes the channels of the scene of `args` to `out`; returns the channels written.
fn write_channels(
    args: &SceneArgs,
    dem: Option<&Path>,
    channels: Option<&str>,
    out: &Path,
) -> Result<Vec<ChannelName>> {
    let scene = scene(args)?;
    for note in dropped_from(&scene, out) {
        eprintln!("{note}");
    }
    let dem = dem.map(|d| Dem::read(&PathSource::new(d))).transpose()?;
    let names = match channels {
        Some(list) => ChannelName::parse_list(list)?,
        None => available_channels(&scene, dem.is_some()),
    };
    if names.is_empty() {
        bail!("no channels to write: the scene has no bands the model uses");
    }
    let grid = scene.grid.clone();
    let mut reader = ChannelReader::new(&scene, dem);
    // Surface a missing band or DEM before creating the output.
    reader.read(&names, Window::new(0, 0, 1, 1))?;
    let spec = RasterSpec {
        width: grid.width,
        height: grid.height,
        bands: names.len(),
        transform: grid.transform,
        crs: Some(grid.crs.clone()),
        nodata: Some(f64::NAN),
        descriptions: names.iter().map(|n| n.name().to_owned()).collect(),
        colours: Vec::new(),
    };
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    let out_name = out.display().to_string();
    let bar = steps_bar("prepare");
    bar.set_message("rows");
    bar.set_length(u64::from(grid.height));
    write_geotiff(
        &out_name,
        std::io::BufWriter::new(file),
        &spec,
        |row, rows, bands: &mut [Vec<f32>]| {
            let window = Window::new(0, row, grid.width, rows);
            let values =
                reader
                    .read(&names, window)
                    .map_err(|e| glacier_raster::RasterError::Usage {
                        file: out_name.clone(),
                        detail: e.to_string(),
                    })?;
            let masked =
                reader
                    .qa_mask(window)
                    .map_err(|e| glacier_raster::RasterError::Usage {
                        file: out_name.clone(),
                        detail: e.to_string(),
                    })?;
            for (dst, src) in bands.iter_mut().zip(values) {
                for (i, v) in src.into_iter().enumerate() {
                    dst[i] = if masked[i] { f32::NAN } else { v };
                }
            }
            bar.set_position(u64::from(row + rows));
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    Ok(names)
}
