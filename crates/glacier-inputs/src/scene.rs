//! Assembling a scene: which file holds which channel, how to calibrate it, and one shared grid.

use std::collections::BTreeMap;

use glacier_landsat::calibration::BandCalibration;
use glacier_landsat::radiometry::{L2_SR, L2_ST};
use glacier_landsat::{Calibration, Channel, FileKind, LandsatFileName, Level, Mtl, SceneMetadata};
use glacier_raster::{GeoTiffReader, Grid};

use crate::channels::ChannelName;
use crate::error::InputError;
use crate::source::FileSource;
use crate::spec::Units;

/// How a band's stored values become physical values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scaling {
    /// Landsat calibration from the MTL (or the Collection 2 Level-2 constants).
    Calibrated(BandCalibration),
    /// `stored × scale + offset` from the file's own metadata (e.g. HLS: scale 0.0001).
    Linear {
        /// Scale.
        scale: f64,
        /// Offset.
        offset: f64,
    },
    /// Values are used as stored (e.g. 8-bit DNs without an MTL).
    AsStored,
}

/// Where one channel's values come from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BandSource {
    /// Index into [`Scene::files`].
    pub file: usize,
    /// 0-based band in that file.
    pub band: usize,
    /// How to scale it.
    pub scaling: Scaling,
    /// The file's nodata value.
    pub nodata: Option<f64>,
}

/// A scene ready for channel building.
pub struct Scene {
    /// Every file given (rasters and MTL).
    pub files: Vec<Box<dyn FileSource>>,
    /// The shared grid.
    pub grid: Grid,
    /// The file the grid was taken from.
    pub reference_file: String,
    /// Scene id from the file names, when recognised.
    pub scene_id: Option<String>,
    /// MTL metadata, when an MTL was given.
    pub metadata: Option<SceneMetadata>,
    /// Channel → source.
    pub channels: BTreeMap<Channel, BandSource>,
    /// The Collection 2 QA_PIXEL band, if given.
    pub qa: Option<BandSource>,
    /// Where [`Scene::grid`] starts in its files' pixels: `(0, 0)` unless [`Scene::crop`]ped.
    pub origin: (u32, u32),
}

/// Collects files and mappings, then checks and assembles them with [`SceneBuilder::build`].
#[derive(Default)]
pub struct SceneBuilder {
    files: Vec<Box<dyn FileSource>>,
    recognised: Vec<usize>,
    mapped: Vec<(Channel, usize, usize)>,
}

/// Parses `NAME=FILE` or `NAME=FILE:K` (1-based band K) into (channel, file, 0-based band).
///
/// # Errors
/// [`InputError::BadMapping`] naming what is wrong.
pub fn parse_band_mapping(spec: &str) -> Result<(Channel, String, usize), InputError> {
    let bad = |detail: String| InputError::BadMapping { detail };
    let (name, target) = spec.split_once('=').ok_or_else(|| {
        bad(format!(
            "--band {spec:?}: expected NAME=FILE, e.g. nir=B5.tif"
        ))
    })?;
    let channel = Channel::parse(name).ok_or_else(|| {
        bad(format!(
            "--band {spec:?}: unknown channel {name:?}; use one of blue, green, red, nir, swir1, swir2, tir"
        ))
    })?;
    let (file, band) = match target.rsplit_once(':') {
        Some((f, k)) if !f.is_empty() && k.chars().all(|c| c.is_ascii_digit()) && !k.is_empty() => {
            let k: usize = k
                .parse()
                .map_err(|_| bad(format!("--band {spec:?}: bad band number")))?;
            if k == 0 {
                return Err(bad(format!("--band {spec:?}: bands are numbered from 1")));
            }
            (f.to_owned(), k - 1)
        }
        _ => (target.to_owned(), 0),
    };
    Ok((channel, file, band))
}

fn describe(grid: &Grid) -> String {
    let t = grid.transform;
    format!(
        "{}×{} px of {} m at ({}, {}) in {}",
        grid.width, grid.height, t.dx, t.x0, t.y0, grid.crs
    )
}

impl SceneBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file recognised by its Landsat name (bands, QA_PIXEL, MTL).
    pub fn add_file(&mut self, file: Box<dyn FileSource>) -> &mut Self {
        self.recognised.push(self.files.len());
        self.files.push(file);
        self
    }

    /// Maps band `band` (0-based) of `file` to `channel`, whatever the file is called.
    pub fn map_band(
        &mut self,
        channel: Channel,
        file: Box<dyn FileSource>,
        band: usize,
    ) -> &mut Self {
        let index = self.files.len();
        self.files.push(file);
        self.mapped.push((channel, index, band));
        self
    }

    /// Maps the bands of one stacked GeoTIFF in the declared order (`None` skips a band).
    pub fn stacked(&mut self, file: Box<dyn FileSource>, order: &[Option<Channel>]) -> &mut Self {
        let index = self.files.len();
        self.files.push(file);
        for (band, channel) in order.iter().enumerate() {
            if let Some(c) = channel {
                self.mapped.push((*c, index, band));
            }
        }
        self
    }

    /// Checks the files and assembles the scene.
    ///
    /// # Errors
    /// [`InputError`] naming the file: unsupported mission, mixed scenes, an MTL of another
    /// scene, a Level-1 band without MTL, an unrecognised name, grids that differ, a grid over
    /// [`glacier_raster::MAX_GRID_PIXELS`], or a file that cannot be read.
    pub fn build(self) -> Result<Scene, InputError> {
        let SceneBuilder {
            files,
            recognised,
            mapped,
        } = self;
        let mut mtl: Option<Mtl> = None;
        let mut scene_of: Option<(String, String)> = None;
        let mut named: Vec<(usize, LandsatFileName)> = Vec::new();
        for &i in &recognised {
            let name = files[i].name().to_owned();
            let parsed = LandsatFileName::parse(&name)
                .ok_or(InputError::Unrecognised { file: name.clone() })?;
            if !parsed.is_landsat89() {
                return Err(InputError::UnsupportedMission {
                    file: name,
                    mission: parsed.mission,
                });
            }
            match &scene_of {
                None => scene_of = Some((parsed.scene.clone(), name.clone())),
                Some((first, first_file)) if *first != parsed.scene => {
                    return Err(InputError::MixedScenes {
                        file: name,
                        other: parsed.scene,
                        first_file: first_file.clone(),
                        first: first.clone(),
                    });
                }
                _ => {}
            }
            if parsed.kind == FileKind::Mtl {
                let text = files[i].read_text().map_err(|source| {
                    InputError::Raster(glacier_raster::RasterError::Io {
                        file: name.clone(),
                        source,
                    })
                })?;
                mtl = Some(Mtl::parse(&name, &text)?);
            } else {
                named.push((i, parsed));
            }
        }
        let metadata = mtl.as_ref().map(SceneMetadata::from_mtl).transpose()?;
        if let (Some(meta), Some((scene, _))) = (&metadata, &scene_of) {
            let mtl_file = || mtl.as_ref().map(|m| m.file.clone()).unwrap_or_default();
            let named = |id: &Option<String>| id.clone().filter(|s| !s.trim().is_empty());
            let Some(mtl_scene) = named(&meta.product_id).or_else(|| named(&meta.scene_id)) else {
                return Err(InputError::MtlWithoutSceneId {
                    mtl: mtl_file(),
                    scene: scene.clone(),
                });
            };
            // Level-1 and Level-2 products of one acquisition share path/row/date; compare those
            // parts of the id (a Level-2 MTL names its L2 product, the bands may be L1).
            let key = |id: &str| -> String {
                let p: Vec<&str> = id.split('_').collect();
                if p.len() >= 4 {
                    format!("{}_{}_{}", p[0], p[2], p[3])
                } else {
                    id.to_owned()
                }
            };
            if key(&mtl_scene) != key(scene) {
                return Err(InputError::MtlOfAnotherScene {
                    mtl: mtl_file(),
                    mtl_scene,
                    scene: scene.clone(),
                });
            }
        }
        let calibration = |level: Level| -> Result<Option<Calibration>, InputError> {
            Ok(match &mtl {
                Some(m) => Some(Calibration::from_mtl(m, level)?),
                None => None,
            })
        };
        let l1 = calibration(Level::L1)?;
        let l2 = calibration(Level::L2)?;

        let mut channels = BTreeMap::new();
        let mut qa = None;
        let mut used: Vec<usize> = Vec::new();
        for (i, parsed) in &named {
            let name = files[*i].name().to_owned();
            let (channel, scaling) = match parsed.kind {
                FileKind::Band(n) => {
                    let Some(channel) = Channel::from_landsat89_band(n) else {
                        continue;
                    };
                    let cal = l1.as_ref().ok_or_else(|| InputError::MissingMtl {
                        file: name.clone(),
                        scene: parsed.scene.clone(),
                    })?;
                    (Some(channel), Scaling::Calibrated(cal.band(n)?))
                }
                FileKind::SurfaceReflectance(n) => {
                    let Some(channel) = Channel::from_landsat89_band(n) else {
                        continue;
                    };
                    let c = l2.as_ref().and_then(|c| c.band(n).ok()).unwrap_or(L2_SR);
                    (Some(channel), Scaling::Calibrated(c))
                }
                FileKind::SurfaceTemperature(10) => {
                    let c = l2.as_ref().and_then(|c| c.band(10).ok()).unwrap_or(L2_ST);
                    (Some(Channel::Tir), Scaling::Calibrated(c))
                }
                FileKind::ScaledBand(n) => {
                    let Some(channel) = Channel::from_landsat89_band(n) else {
                        continue;
                    };
                    // Scale and offset come from the file's GDAL metadata below.
                    (Some(channel), Scaling::AsStored)
                }
                FileKind::QaPixel => (None, Scaling::AsStored),
                _ => continue,
            };
            let source = BandSource {
                file: *i,
                band: 0,
                scaling,
                nodata: None,
            };
            match channel {
                Some(c) => {
                    channels.insert(c, source);
                }
                None => qa = Some(source),
            }
            used.push(*i);
        }
        for (channel, file, band) in &mapped {
            let scaling = match (&l1, metadata.as_ref().map(|m| m.level)) {
                (Some(cal), Some(Level::L1)) => {
                    Scaling::Calibrated(cal.band(channel.landsat89_band())?)
                }
                (_, Some(Level::L2)) => Scaling::Calibrated(
                    l2.as_ref()
                        .and_then(|c| c.band(channel.landsat89_band()).ok())
                        .unwrap_or(if *channel == Channel::Tir {
                            L2_ST
                        } else {
                            L2_SR
                        }),
                ),
                _ => Scaling::AsStored,
            };
            channels.insert(
                *channel,
                BandSource {
                    file: *file,
                    band: *band,
                    scaling,
                    nodata: None,
                },
            );
            used.push(*file);
        }

        // One grid for every raster; nodata and in-file scale from each file's metadata.
        let mut reference: Option<(Grid, String)> = None;
        let mut infos = BTreeMap::new();
        // Every file is tried: when several cannot be read, the message names each.
        let mut unreadable = Vec::new();
        for &i in &used {
            let name = files[i].name().to_owned();
            let opened = files[i]
                .open()
                .map_err(|source| glacier_raster::RasterError::Io {
                    file: name.clone(),
                    source,
                })
                .and_then(|reader| GeoTiffReader::new(name.clone(), reader));
            let info = match opened {
                Ok(reader) => reader.info().clone(),
                Err(e) => {
                    unreadable.push(InputError::Raster(e));
                    continue;
                }
            };
            let grid = info.grid().ok_or_else(|| {
                InputError::Raster(glacier_raster::RasterError::Georeferencing {
                    file: name.clone(),
                    detail: "no transform or CRS".into(),
                })
            })?;
            match &reference {
                None => reference = Some((grid, name.clone())),
                Some((g, reference_file)) if !g.same_as(&grid) => {
                    return Err(InputError::GridMismatch {
                        file: name,
                        found: describe(&grid),
                        reference_file: reference_file.clone(),
                        expected: describe(g),
                    });
                }
                _ => {}
            }
            infos.insert(i, info);
        }
        if unreadable.len() > 1 {
            return Err(InputError::Unreadable(unreadable));
        }
        if let Some(e) = unreadable.pop() {
            return Err(e);
        }
        let Some((grid, reference_file)) = reference else {
            return Err(InputError::MissingChannel {
                channel: "raster".into(),
                hint: "no band files were given; add the scene's band GeoTIFFs".into(),
            });
        };
        // Masks and blends hold the whole scene: refuse a size no scene has before any of them.
        if let Err(source) = grid.checked_pixels() {
            return Err(InputError::TooLarge {
                file: reference_file,
                source,
            });
        }
        for source in channels.values_mut().chain(qa.iter_mut()) {
            let Some(info) = infos.get(&source.file) else {
                continue;
            };
            if source.band >= info.bands {
                return Err(InputError::BadMapping {
                    detail: format!(
                        "{}: band {} requested, but the file has {} band(s)",
                        files[source.file].name(),
                        source.band + 1,
                        info.bands
                    ),
                });
            }
            source.nodata = info.nodata;
            if source.scaling == Scaling::AsStored
                && let Some(meta) = info.band_metadata.get(source.band)
                && (meta.scale.is_some() || meta.offset.is_some())
            {
                source.scaling = Scaling::Linear {
                    scale: meta.scale.unwrap_or(1.0),
                    offset: meta.offset.unwrap_or(0.0),
                };
            }
        }
        Ok(Scene {
            files,
            grid,
            reference_file,
            scene_id: scene_of.map(|(s, _)| s),
            metadata,
            channels,
            qa,
            origin: (0, 0),
        })
    }
}

impl Scene {
    /// The part of the scene under `window` (of its grid, clipped to it): the grid becomes the
    /// window's, and reads go to the same pixels of the same files. Cropping a cropped scene
    /// crops further.
    pub fn crop(mut self, window: glacier_raster::Window) -> Scene {
        let col = window.col.min(self.grid.width);
        let row = window.row.min(self.grid.height);
        let window = glacier_raster::Window::new(
            col,
            row,
            window.width.min(self.grid.width - col),
            window.height.min(self.grid.height - row),
        );
        self.grid = crate::channels::window_grid(&self.grid, window);
        self.origin = (self.origin.0 + col, self.origin.1 + row);
        self
    }

    /// Whether every one of `channels` the scene has is in physical units (calibrated with the
    /// MTL, Level-2 constants or an in-file scale) rather than values as stored.
    pub fn calibrated(&self, channels: &[Channel]) -> bool {
        channels
            .iter()
            .filter_map(|c| self.channels.get(c))
            .all(|s| s.scaling != Scaling::AsStored)
    }

    /// The units the scene gives `channels` in: [`Units::Stored`] when any band they are
    /// computed from is used as stored, else [`Units::Physical`] (DEM channels are metres and
    /// degrees either way).
    pub fn units(&self, channels: &[ChannelName]) -> Units {
        let bands: Vec<Channel> = channels.iter().flat_map(|c| c.bands()).copied().collect();
        if self.calibrated(&bands) {
            Units::Physical
        } else {
            Units::Stored
        }
    }

    /// The source of `channel`.
    ///
    /// # Errors
    /// [`InputError::MissingChannel`] listing the channels present.
    pub fn channel(&self, channel: Channel) -> Result<BandSource, InputError> {
        self.channels.get(&channel).copied().ok_or_else(|| {
            let present: Vec<&str> = self.channels.keys().map(|c| c.name()).collect();
            InputError::MissingChannel {
                channel: channel.name().into(),
                hint: format!(
                    "the scene has {}; add the scene's Landsat band {} file (B{}), or a file of any \
                     name for {} (in the page: a file without a Landsat name and the band table; \
                     on the command line: --band {}=FILE)",
                    if present.is_empty() { "no bands".to_string() } else { present.join(", ") },
                    channel.landsat89_band(),
                    channel.landsat89_band(),
                    channel.name(),
                    channel.name()
                ),
            }
        })
    }
}
