//! `glacier chips`: training chips from a scene and glacier outlines.

use anyhow::Result;
use glacier_inputs::channels::Dem;
use glacier_inputs::source::PathSource;
use glacier_inputs::{ChannelName, ChannelReader};
use glacier_train::{ChipOptions, ChipSet, Labels, SpatialSplit, write_chips};
use std::path::Path;

use crate::prepare::{SceneArgs, available_channels, scene};
use crate::rasterize::read_outlines;

/// Chip geometry and split from the command line.
pub struct ChipArgs<'a> {
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

/// Runs `glacier chips`.
pub fn run(
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
    Ok(write_chips(
        &mut reader,
        &grid,
        &names,
        &labels,
        &options,
        sources,
        out,
    )?)
}
