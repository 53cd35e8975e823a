//! A scene's files as every scene-reading command takes them on the command line, and the
//! scene assembled from them (through `glacier_map::scene_from_files`, as the page does).

use anyhow::{Context, Result};
use glacier_inputs::scene::parse_band_mapping;
use glacier_inputs::source::PathSource;
use glacier_inputs::{ChannelName, Scene};
use glacier_landsat::Channel;
use glacier_map::{BandMapping, Stack, scene_from_files};
use std::path::{Path, PathBuf};

use crate::phases::Phases;

/// A scene's files as every scene-reading command takes them on the command line.
#[derive(clap::Args, Debug)]
pub struct SceneFiles {
    /// Scene files recognised by their Landsat names (band GeoTIFFs, QA_PIXEL, MTL), or the
    /// scene's archive as USGS delivers it (`.tar`, read in place; `.tar.gz` also taken).
    pub files: Vec<PathBuf>,
    /// A band under any name: NAME=FILE, or NAME=FILE:K for band K of a multi-band file.
    #[arg(long = "band", value_name = "NAME=FILE[:K]")]
    pub bands: Vec<String>,
    /// One stacked GeoTIFF holding several bands (give their order with --order).
    #[arg(long, requires = "order")]
    pub stack: Option<PathBuf>,
    /// Band order of --stack, e.g. green,red,nir,swir1,swir2,tir (- skips a band).
    #[arg(long)]
    pub order: Option<String>,
    /// A scene from an archive instead of files: the address of its STAC Item (Landsat
    /// Collection 2, e.g. from `glacier search`). Its bands are read over HTTP, only the parts
    /// --bbox covers.
    #[arg(long, value_name = "URL", conflicts_with_all = ["files", "bands", "stack"])]
    pub item: Option<String>,
    /// Where --item's asset read tokens come from (default: the Planetary Computer's SAS
    /// endpoint, for assets on Azure Blob Storage); given, every asset is signed through it.
    #[arg(long, value_name = "URL", requires = "item")]
    pub token_endpoint: Option<String>,
    /// Only this area, west,south,east,north in degrees: the outputs are on its part of the
    /// scene's grid.
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    pub bbox: Option<String>,
}

impl SceneFiles {
    /// The borrowed form the commands take.
    pub fn args(&self) -> SceneArgs<'_> {
        SceneArgs {
            files: &self.files,
            bands: &self.bands,
            stack: self.stack.as_deref().zip(self.order.as_deref()),
            item: self.item.as_deref(),
            token_endpoint: self.token_endpoint.as_deref(),
            bbox: self.bbox.as_deref(),
        }
    }
}

/// A scene's files, borrowed.
pub struct SceneArgs<'a> {
    /// Files recognised by their Landsat names (bands, QA_PIXEL, MTL).
    pub files: &'a [PathBuf],
    /// `NAME=FILE[:K]` mappings.
    pub bands: &'a [String],
    /// A stacked GeoTIFF and its band order.
    pub stack: Option<(&'a Path, &'a str)>,
    /// A STAC Item's address, instead of files.
    pub item: Option<&'a str>,
    /// Where the item's asset read tokens come from.
    pub token_endpoint: Option<&'a str>,
    /// `west,south,east,north`: only this area.
    pub bbox: Option<&'a str>,
}

/// Assembles the scene from command-line arguments; says on stderr which members of an archive
/// it read.
pub fn scene(args: &SceneArgs) -> Result<Scene> {
    scene_timed(args, &mut Phases::new())
}

/// [`scene`], timing its two phases into `phases`: opening (the item and every band's header)
/// and, for an item, fetching the area's tiles.
pub fn scene_timed(args: &SceneArgs, phases: &mut Phases) -> Result<Scene> {
    phases.enter("opening the scene");
    let (scene, remote) = match args.item {
        Some(url) => crate::archive::item_scene(url, args.token_endpoint)?,
        None => (local_scene(args)?, Vec::new()),
    };
    let scene = cropped(scene, args.bbox)?;
    // An item's area: its tiles of every band fetched at once, several requests in flight.
    if !remote.is_empty() {
        phases.enter("fetching the area");
    }
    crate::http::prefetch(&remote, &scene);
    Ok(scene)
}

/// `scene` cut to the `west,south,east,north` area, when one is given.
fn cropped(scene: Scene, bbox: Option<&str>) -> Result<Scene> {
    let Some(bbox) = bbox else {
        return Ok(scene);
    };
    let area = glacier_raster::parse_bbox(bbox).context("--bbox")?;
    let window = glacier_raster::window_covering(&scene.grid, &area).context("--bbox")?;
    eprintln!(
        "area {}: {} × {} px of the scene's {} × {}, from pixel ({}, {})",
        glacier_raster::aoi::describe(&area),
        window.width,
        window.height,
        scene.grid.width,
        scene.grid.height,
        window.col,
        window.row
    );
    Ok(scene.crop(window))
}

/// The scene of local files.
fn local_scene(args: &SceneArgs) -> Result<Scene> {
    let mut files = glacier_map::SceneFiles::default();
    for f in args.files {
        files.named.push(Box::new(PathSource::new(f)));
    }
    for spec in args.bands {
        let (channel, file, band) = parse_band_mapping(spec)?;
        files.bands.push(BandMapping {
            channel,
            file: Box::new(PathSource::new(file)),
            band,
        });
    }
    if let Some((file, order)) = args.stack {
        let order: Vec<Option<Channel>> = order
            .split(',')
            .map(|n| match n.trim() {
                "-" | "" | "skip" => Ok(None),
                name => Channel::parse(name)
                    .map(Some)
                    .with_context(|| format!("--order: unknown band name {name:?} (use green, red, nir, swir1, swir2, tir, blue or - to skip)")),
            })
            .collect::<Result<_>>()?;
        files.stack = Some(Stack {
            file: Box::new(PathSource::new(file)),
            order,
        });
    }
    let (scene, notes) = scene_from_files(files)?;
    for note in notes {
        eprintln!("{note}");
    }
    Ok(scene)
}

/// Every channel the scene can give: its bands, terrain with a DEM, and indices whose bands exist.
pub fn available_channels(scene: &Scene, has_dem: bool) -> Vec<ChannelName> {
    let mut out: Vec<ChannelName> = scene
        .channels
        .keys()
        .map(|c| ChannelName::Band(*c))
        .collect();
    if has_dem {
        out.extend([ChannelName::Elevation, ChannelName::Slope]);
    }
    let has = |c| scene.channels.contains_key(&c);
    if has(Channel::Green) && has(Channel::Swir1) {
        out.push(ChannelName::Ndsi);
    }
    if has(Channel::Green) && has(Channel::Nir) {
        out.push(ChannelName::Ndwi);
    }
    if has(Channel::Nir) && has(Channel::Red) {
        out.push(ChannelName::Ndvi);
    }
    out
}
