//! `glacier chips`: training chips from a scene and glacier outlines.

use anyhow::{Result, bail};
use glacier_inputs::channels::Dem;
use glacier_inputs::source::PathSource;
use glacier_inputs::{ChannelName, ChannelReader};
use glacier_train::{ChipOptions, ChipScene, ChipSet, Labels, SpatialSplit, write_chips};
use std::path::{Path, PathBuf};

use crate::outlines::read_outlines;
use crate::output::ItemsBar;
use crate::scene_args::{SceneArgs, SceneFiles, available_channels, scene};

/// Cut training chips (channels + labels from outlines) with a spatial train/validation/test
/// split; see `glacier_train::chips` for the on-disk format.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  glacier chips --band nir=B4.tif --band red=RGB.tif:1 --band green=RGB.tif:2 \\\n      --outlines rgi60.gpkg --out chips/\n  glacier chips LC08_…_B3.TIF LC08_…_B4.TIF LC08_…_B5.TIF LC08_…_MTL.txt --ice-free \\\n      --channels green,red,nir --out chips_no_ice/"
)]
pub struct Args {
    #[command(flatten)]
    scene: SceneFiles,
    /// A DEM for elevation and slope.
    #[arg(long)]
    dem: Option<PathBuf>,
    /// Glacier outlines (.shp, .geojson, .gpkg).
    #[arg(long, required_unless_present = "ice_free")]
    outlines: Option<PathBuf>,
    /// The scene holds no glacier at all (e.g. Florida): every pixel with data is labelled
    /// "not glacier". Instead of --outlines.
    #[arg(long, conflicts_with_all = ["outlines", "label_buffer"])]
    ice_free: bool,
    /// Channels (default: everything the inputs allow).
    #[arg(long)]
    channels: Option<String>,
    /// Chip size in pixels.
    #[arg(long, default_value_t = 64)]
    size: u32,
    /// Step between chips.
    #[arg(long, default_value_t = 32)]
    stride: u32,
    /// Split block size in pixels.
    #[arg(long, default_value_t = 256)]
    block: u32,
    /// Buffer between splits in pixels.
    #[arg(long, default_value_t = 16)]
    buffer: u32,
    /// Blocks in ten that go to validation.
    #[arg(long, default_value_t = 2)]
    validation_blocks: u32,
    /// Blocks in ten that go to test (`--validation-blocks 0 --test-blocks 10` holds a whole
    /// scene out for testing).
    #[arg(long, default_value_t = 2)]
    test_blocks: u32,
    /// Label "not glacier" only within this many pixels of an outline (for outlines that
    /// cover part of an icefield); elsewhere pixels are ignored.
    #[arg(long)]
    label_buffer: Option<u32>,
    /// Drop chips with more than this share of ignored pixels (no data, untrusted).
    #[arg(long, default_value_t = 0.2)]
    max_ignored: f32,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `glacier chips`.
pub fn run(args: Args) -> Result<()> {
    let (v, t) = (args.validation_blocks, args.test_blocks);
    if v + t > 10 {
        bail!("--validation-blocks {v} + --test-blocks {t} is more than the 10 blocks in ten");
    }
    let chips = ChipArgs {
        outlines: args.outlines.as_deref(),
        channels: args.channels.as_deref(),
        size: args.size,
        stride: args.stride,
        block: args.block,
        buffer: args.buffer,
        validation_blocks: v,
        test_blocks: t,
        label_buffer: args.label_buffer,
        max_ignored: args.max_ignored,
    };
    let set = write(&args.scene.args(), args.dem.as_deref(), &chips, &args.out)?;
    eprintln!(
        "wrote {} (chips per split: {:?})",
        args.out.display(),
        set.counts
    );
    Ok(())
}

/// Chip geometry and split from the command line.
struct ChipArgs<'a> {
    /// Outline file; `None` for a scene known to hold no glacier.
    pub outlines: Option<&'a Path>,
    /// Channels, or everything available.
    pub channels: Option<&'a str>,
    /// Chip size.
    pub size: u32,
    /// Chip step.
    pub stride: u32,
    /// Split block size.
    pub block: u32,
    /// Buffer between splits.
    pub buffer: u32,
    /// Blocks in ten for validation.
    pub validation_blocks: u32,
    /// Blocks in ten for test.
    pub test_blocks: u32,
    /// Trust "not glacier" only within this many pixels of an outline.
    pub label_buffer: Option<u32>,
    /// Largest share of ignored pixels a chip may have.
    pub max_ignored: f32,
}

/// Writes the chips of the scene of `scene_args` to `out`.
fn write(
    scene_args: &SceneArgs,
    dem: Option<&Path>,
    args: &ChipArgs,
    out: &Path,
) -> Result<ChipSet> {
    let scene = scene(scene_args)?;
    let dem = dem.map(|d| Dem::read(&PathSource::new(d))).transpose()?;
    let names = match args.channels {
        Some(list) => ChannelName::parse_list(list)?,
        None => available_channels(&scene, dem.is_some()),
    };
    let outlines = args.outlines.map(read_outlines).transpose()?;
    let grid = scene.grid.clone();
    let mut reader = ChannelReader::new(&scene, dem);
    let options = ChipOptions {
        size: args.size,
        stride: args.stride,
        split: SpatialSplit {
            block: args.block,
            buffer: args.buffer,
            validation: args.validation_blocks,
            test: args.test_blocks,
        },
        max_ignored: args.max_ignored,
    };
    let mut sources: Vec<String> = scene.files.iter().map(|f| f.name().to_owned()).collect();
    sources.push(match args.outlines {
        Some(path) => path.display().to_string(),
        None => "no outlines: a scene without glacier (--ice-free)".to_owned(),
    });
    let labels = Labels {
        outlines: outlines.as_ref(),
        trusted_within: args.label_buffer,
    };
    let scene = ChipScene {
        reader: &mut reader,
        grid: &grid,
        names: &names,
        sources,
    };
    Ok(write_chips(
        scene,
        &labels,
        &options,
        out,
        &mut ItemsBar::new("glacier"),
    )?)
}
