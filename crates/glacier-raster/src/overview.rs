//! Reduced-resolution images (overviews): a cloud-optimised GeoTIFF carries the scene at 1/2,
//! 1/4, … of its resolution, so a quick look or a cloud estimate over an area reads a few small
//! tiles instead of the full-resolution ones.

use std::io::{Read, Seek};

use tiff::decoder::ChunkType;
use tiff::tags::Tag;

use crate::chunks::RawChunks;
use crate::error::{RasterError, Result};
use crate::limits::ChunkTable;
use crate::reader::GeoTiffReader;
use crate::window::Window;

impl<R: Read + Seek> GeoTiffReader<R> {
    /// Selects the coarsest image in which `window` (of the full-resolution image) still
    /// `fits` (e.g. has 256 px on its longer side), the full resolution when no overview does;
    /// returns its level and the window on it (the overview pixels `window` covers).
    ///
    /// # Errors
    /// As [`GeoTiffReader::select_overview`].
    pub fn select_coarsest(
        &mut self,
        window: Window,
        fits: impl Fn(Window) -> bool,
    ) -> Result<(usize, Window)> {
        let full = (self.full.width, self.full.height);
        let mut chosen = (0, window);
        for level in 1..=self.overview_images.len() {
            self.select_overview(level)?;
            let on = window_on(full, (self.info.width, self.info.height), window);
            if !fits(on) {
                break;
            }
            chosen = (level, on);
        }
        self.select_overview(chosen.0)?;
        Ok(chosen)
    }

    /// Reads from image `level` from now on: 0 is the full-resolution image, 1 to
    /// [`RasterInfo::overviews`](crate::RasterInfo::overviews) the reduced ones in file order
    /// (each coarser than the one before). [`GeoTiffReader::info`] then describes that image:
    /// its width, height, chunks and transform (pixels as large as the full image's extent
    /// divided by the overview's size, as GDAL computes them); bands, sample type and
    /// georeferencing stay the full image's.
    ///
    /// # Errors
    /// [`RasterError::Usage`] for a level the file lacks, [`RasterError::Unsupported`] for an
    /// overview stored with another sample type or compression than the full image, and the
    /// errors of reading its directory and chunk table.
    pub fn select_overview(&mut self, level: usize) -> Result<()> {
        let image = match level {
            0 => 0,
            _ => *self
                .overview_images
                .get(level - 1)
                .ok_or_else(|| RasterError::Usage {
                    file: self.name.clone(),
                    detail: format!(
                        "overview {level} requested, but the file has {}",
                        self.overview_images.len()
                    ),
                })?,
        };
        let name = self.name.clone();
        let tiff_err = |e| RasterError::from_tiff(&name, e);
        self.decoder.seek_to_image(image).map_err(tiff_err)?;
        let mut info = (*self.full).clone();
        if level > 0 {
            let (width, height) = self.decoder.dimensions().map_err(tiff_err)?;
            let bits = self
                .decoder
                .find_tag_unsigned::<u16>(Tag::BitsPerSample)
                .map_err(tiff_err)?
                .unwrap_or(1);
            let compression = self
                .decoder
                .find_tag_unsigned::<u16>(Tag::Compression)
                .map_err(tiff_err)?
                .unwrap_or(1);
            let predictor = self
                .decoder
                .find_tag_unsigned::<u16>(Tag::Predictor)
                .map_err(tiff_err)?
                .unwrap_or(1);
            let same_compression = crate::reader::compression_name(compression) == info.compression;
            if usize::from(bits) != info.sample_type.size() * 8 || !same_compression {
                return Err(RasterError::Unsupported {
                    file: name.clone(),
                    what: format!(
                        "overview {level} stored with {bits}-bit samples and compression \
                         {compression}, unlike the full image"
                    ),
                    fix: crate::error::RESAVE,
                });
            }
            if width == 0 || height == 0 {
                return Err(RasterError::Format {
                    file: name.clone(),
                    detail: format!("overview {level} is {width} × {height} px"),
                });
            }
            if let Some(t) = info.transform.as_mut() {
                let sx = f64::from(self.full.width) / f64::from(width);
                let sy = f64::from(self.full.height) / f64::from(height);
                t.dx *= sx;
                t.rx *= sy;
                t.ry *= sx;
                t.dy *= sy;
            }
            info.width = width;
            info.height = height;
            info.predictor = predictor;
            info.tiled = self.decoder.get_chunk_type() == ChunkType::Tile;
            info.chunk_size = self.decoder.chunk_dimensions();
        }
        self.table = ChunkTable::read(&name, &mut self.decoder, info.tiled, self.file_len)?;
        if let Some(raw) = &self.raw {
            #[cfg(not(target_family = "wasm"))]
            let pure_rust = raw.pure_rust_zstd();
            // ruzstd is the only ZSTD there.
            #[cfg(target_family = "wasm")]
            let pure_rust = {
                let _ = raw;
                true
            };
            self.raw = RawChunks::new(
                &name,
                &self.decoder,
                info.compression,
                info.predictor,
                pure_rust,
            )?;
        }
        self.info = info;
        self.level = level;
        Ok(())
    }
}

/// The pixels of an image of `size` that `window` of the `full`-size image covers.
fn window_on(full: (u32, u32), size: (u32, u32), window: Window) -> Window {
    let (w, h) = size;
    let scale =
        |v: u32, of: u32, to: u32| (u64::from(v) * u64::from(to) / u64::from(of).max(1)) as u32;
    let col = scale(window.col, full.0, w).min(w.saturating_sub(1));
    let row = scale(window.row, full.1, h).min(h.saturating_sub(1));
    let end_col = scale(window.col + window.width, full.0, w).clamp(col + 1, w.max(col + 1));
    let end_row = scale(window.row + window.height, full.1, h).clamp(row + 1, h.max(row + 1));
    Window::new(col, row, end_col - col, end_row - row)
}
