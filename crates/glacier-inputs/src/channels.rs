//! Named model input channels, read window by window on the scene grid.

use std::collections::BTreeMap;
use std::fmt;

use glacier_landsat::{Channel, QaMaskRules, QaPixel};
use glacier_raster::{GeoTiffReader, GeoTransform, Grid, GridError, Samples, Window};
use glacier_terrain::slope::PixelSize;
use glacier_terrain::{Resampling, resample, slope_degrees};

use crate::error::InputError;
use crate::scene::{BandSource, Scaling, Scene};
use crate::source::{FileSource, ReadSeek};

/// A model input channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChannelName {
    /// A Landsat band: reflectance (or brightness/surface temperature in K for `tir`).
    Band(Channel),
    /// Elevation from the DEM, metres.
    Elevation,
    /// Slope from the DEM, degrees (Horn).
    Slope,
    /// Normalised difference snow index (green − swir1) / (green + swir1).
    Ndsi,
    /// Normalised difference water index (green − nir) / (green + nir), McFeeters.
    Ndwi,
    /// Normalised difference vegetation index (nir − red) / (nir + red).
    Ndvi,
}

impl ChannelName {
    /// Parses a channel name as used in model configs and on the command line.
    pub fn parse(name: &str) -> Option<ChannelName> {
        let lower = name.trim().to_ascii_lowercase();
        Some(match lower.as_str() {
            "elevation" | "dem" => ChannelName::Elevation,
            "slope" => ChannelName::Slope,
            "ndsi" => ChannelName::Ndsi,
            "ndwi" => ChannelName::Ndwi,
            "ndvi" => ChannelName::Ndvi,
            other => ChannelName::Band(Channel::parse(other)?),
        })
    }

    /// Parses a comma-separated list.
    ///
    /// # Errors
    /// [`InputError::BadMapping`] naming the unknown entry.
    pub fn parse_list(list: &str) -> Result<Vec<ChannelName>, InputError> {
        list.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                ChannelName::parse(s).ok_or_else(|| InputError::BadMapping {
                    detail: format!(
                        "unknown channel {s:?}; use green, red, nir, swir1, swir2, tir, blue, elevation, slope, ndsi, ndwi, ndvi"
                    ),
                })
            })
            .collect()
    }

    /// The Landsat bands this channel is computed from (none for elevation and slope, which
    /// come from the DEM).
    pub fn bands(self) -> &'static [Channel] {
        match self {
            ChannelName::Band(c) => match c {
                Channel::Blue => &[Channel::Blue],
                Channel::Green => &[Channel::Green],
                Channel::Red => &[Channel::Red],
                Channel::Nir => &[Channel::Nir],
                Channel::Swir1 => &[Channel::Swir1],
                Channel::Swir2 => &[Channel::Swir2],
                Channel::Tir => &[Channel::Tir],
            },
            ChannelName::Elevation | ChannelName::Slope => &[],
            ChannelName::Ndsi => &[Channel::Green, Channel::Swir1],
            ChannelName::Ndwi => &[Channel::Green, Channel::Nir],
            ChannelName::Ndvi => &[Channel::Nir, Channel::Red],
        }
    }

    /// Whether this channel comes from the DEM.
    pub fn needs_dem(self) -> bool {
        matches!(self, ChannelName::Elevation | ChannelName::Slope)
    }

    /// The name.
    pub fn name(self) -> &'static str {
        match self {
            ChannelName::Band(c) => c.name(),
            ChannelName::Elevation => "elevation",
            ChannelName::Slope => "slope",
            ChannelName::Ndsi => "ndsi",
            ChannelName::Ndwi => "ndwi",
            ChannelName::Ndvi => "ndvi",
        }
    }
}

impl fmt::Display for ChannelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A DEM held in memory with its grid (NaN = nodata).
pub struct Dem {
    /// File name.
    pub name: String,
    /// Elevations.
    pub values: Vec<f32>,
    /// Its grid.
    pub grid: Grid,
}

impl Dem {
    /// Reads a DEM GeoTIFF (first band).
    ///
    /// # Errors
    /// [`InputError::Raster`] when it cannot be read or is not georeferenced.
    pub fn read(file: &dyn FileSource) -> Result<Dem, InputError> {
        let name = file.name().to_owned();
        let io = |source| {
            InputError::Raster(glacier_raster::RasterError::Io {
                file: name.clone(),
                source,
            })
        };
        let mut reader = GeoTiffReader::new(name.clone(), file.open().map_err(io)?)?;
        let info = reader.info().clone();
        let grid = info.grid().ok_or_else(|| {
            InputError::Raster(glacier_raster::RasterError::Georeferencing {
                file: name.clone(),
                detail: "the DEM has no transform or CRS".into(),
            })
        })?;
        let values = reader
            .read_band(0)?
            .to_f32()
            .into_iter()
            .map(|v| {
                if Some(f64::from(v)) == info.nodata {
                    f32::NAN
                } else {
                    v
                }
            })
            .collect();
        Ok(Dem { name, values, grid })
    }
}

/// The grid of `window` inside `grid`.
pub fn window_grid(grid: &Grid, window: Window) -> Grid {
    let t = grid.transform;
    let (x0, y0) = t.apply(f64::from(window.col), f64::from(window.row));
    Grid {
        width: window.width,
        height: window.height,
        transform: GeoTransform { x0, y0, ..t },
        crs: grid.crs.clone(),
    }
}

/// Reads channels of a scene window by window.
pub struct ChannelReader<'s> {
    scene: &'s Scene,
    readers: BTreeMap<usize, GeoTiffReader<Box<dyn ReadSeek + 's>>>,
    dem: Option<Dem>,
    rules: QaMaskRules,
}

fn scale(samples: &Samples, source: &BandSource) -> Vec<f32> {
    let nodata = source.nodata;
    let n = samples.len();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let v = samples.get_f64(i).unwrap_or(f64::NAN);
        if Some(v) == nodata || v.is_nan() {
            out.push(f32::NAN);
            continue;
        }
        out.push(match source.scaling {
            Scaling::Calibrated(c) => c.value(v as u16),
            Scaling::Linear { scale, offset } => (v * scale + offset) as f32,
            Scaling::AsStored => v as f32,
        });
    }
    out
}

fn normalised_difference(a: &[f32], b: &[f32]) -> Vec<f32> {
    a.iter()
        .zip(b)
        .map(|(a, b)| {
            let s = a + b;
            if s.abs() < 1e-6 {
                f32::NAN
            } else {
                (a - b) / s
            }
        })
        .collect()
}

impl<'s> ChannelReader<'s> {
    /// A reader over `scene`, with an optional DEM for elevation and slope.
    pub fn new(scene: &'s Scene, dem: Option<Dem>) -> Self {
        ChannelReader {
            scene,
            readers: BTreeMap::new(),
            dem,
            rules: QaMaskRules::default(),
        }
    }

    /// The scene read from.
    pub fn scene(&self) -> &'s Scene {
        self.scene
    }

    fn band(&mut self, source: BandSource, window: Window) -> Result<Samples, InputError> {
        if !self.readers.contains_key(&source.file) {
            let file = &self.scene.files[source.file];
            let name = file.name().to_owned();
            let open = file.open().map_err(|e| {
                InputError::Raster(glacier_raster::RasterError::Io {
                    file: name.clone(),
                    source: e,
                })
            })?;
            self.readers
                .insert(source.file, GeoTiffReader::new(name, open)?);
        }
        let reader = self
            .readers
            .get_mut(&source.file)
            .ok_or(InputError::BadMapping {
                detail: "internal: reader missing".into(),
            })?;
        let (col, row) = self.scene.origin;
        let in_file = Window::new(
            window.col + col,
            window.row + row,
            window.width,
            window.height,
        );
        Ok(reader.read_window(source.band, in_file)?)
    }

    fn landsat(&mut self, channel: Channel, window: Window) -> Result<Vec<f32>, InputError> {
        let source = self.scene.channel(channel)?;
        let samples = self.band(source, window)?;
        Ok(scale(&samples, &source))
    }

    fn elevation(&self, window: Window) -> Result<Vec<f32>, InputError> {
        let dem = self
            .dem
            .as_ref()
            .ok_or_else(|| InputError::MissingChannel {
                channel: "elevation".into(),
                hint: "no DEM was given; add one with --dem FILE (any CRS: UTM, lon/lat, TM)"
                    .into(),
            })?;
        resample(
            &dem.values,
            &dem.grid,
            None,
            &window_grid(&self.scene.grid, window),
            Resampling::Bilinear,
        )
        .map_err(|e| match e {
            GridError::Projection(source) => InputError::Projection {
                file: dem.name.clone(),
                source,
            },
            GridError::TooLarge(source) => InputError::TooLarge {
                file: self.scene.reference_file.clone(),
                source,
            },
        })
    }

    fn slope(&self, window: Window) -> Result<Vec<f32>, InputError> {
        // One pixel of margin so the 3×3 kernel sees real neighbours inside the scene.
        let g = &self.scene.grid;
        let col = window.col.saturating_sub(1);
        let row = window.row.saturating_sub(1);
        let right = (window.col + window.width + 1).min(g.width);
        let bottom = (window.row + window.height + 1).min(g.height);
        let halo = Window::new(col, row, right - col, bottom - row);
        let z = self.elevation(halo)?;
        let t = g.transform;
        let s = slope_degrees(
            &z,
            halo.width as usize,
            halo.height as usize,
            PixelSize::Metres(t.dx, t.dy),
        );
        let mut out = Vec::with_capacity(window.pixels() as usize);
        for r in 0..window.height {
            let start = ((window.row - row + r) * halo.width + (window.col - col)) as usize;
            out.extend_from_slice(&s[start..start + window.width as usize]);
        }
        Ok(out)
    }

    /// Reads `names` over `window`, one row-major `Vec<f32>` per channel (NaN = no data).
    ///
    /// # Errors
    /// [`InputError::MissingChannel`] when a channel's band or the DEM is absent, and read errors.
    pub fn read(
        &mut self,
        names: &[ChannelName],
        window: Window,
    ) -> Result<Vec<Vec<f32>>, InputError> {
        let mut cache: BTreeMap<Channel, Vec<f32>> = BTreeMap::new();
        let mut get = |this: &mut Self, c: Channel| -> Result<Vec<f32>, InputError> {
            if let Some(v) = cache.get(&c) {
                return Ok(v.clone());
            }
            let v = this.landsat(c, window)?;
            cache.insert(c, v.clone());
            Ok(v)
        };
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            out.push(match name {
                ChannelName::Band(c) => get(self, *c)?,
                ChannelName::Elevation => self.elevation(window)?,
                ChannelName::Slope => self.slope(window)?,
                ChannelName::Ndsi => {
                    normalised_difference(&get(self, Channel::Green)?, &get(self, Channel::Swir1)?)
                }
                ChannelName::Ndwi => {
                    normalised_difference(&get(self, Channel::Green)?, &get(self, Channel::Nir)?)
                }
                ChannelName::Ndvi => {
                    normalised_difference(&get(self, Channel::Nir)?, &get(self, Channel::Red)?)
                }
            });
        }
        Ok(out)
    }

    /// Pixels to leave out over `window`: QA_PIXEL fill/cloud (snow never), when a QA band was
    /// given; all `false` otherwise.
    ///
    /// # Errors
    /// Read errors of the QA band.
    pub fn qa_mask(&mut self, window: Window) -> Result<Vec<bool>, InputError> {
        let Some(source) = self.scene.qa else {
            return Ok(vec![false; window.pixels() as usize]);
        };
        let samples = self.band(source, window)?;
        Ok((0..samples.len())
            .map(|i| {
                self.rules
                    .masks(QaPixel(samples.get_f64(i).unwrap_or(1.0) as u16))
            })
            .collect())
    }
}
