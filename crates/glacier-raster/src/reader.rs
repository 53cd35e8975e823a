//! The GeoTIFF reader: metadata first, then pixels window by window.

use std::io::{Read, Seek, SeekFrom};

use tiff::decoder::{ChunkType, Decoder, Limits};
use tiff::tags::Tag;

use crate::chunks::{ChunkShape, RawChunks};
use crate::error::{RasterError, Result};
use crate::gdal_metadata::{self, BandMetadata};
use crate::georef::{self, Crs, GeoKeys, GeoTransform, RasterType};
pub use crate::limits::ReadLimits;
use crate::limits::{ChunkTable, addressable, buffer_len};
#[cfg(not(target_family = "wasm"))]
use crate::parallel;
use crate::samples::{SampleType, Samples};
pub use crate::window::Window;

/// Everything about a GeoTIFF except its pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct RasterInfo {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Number of bands (samples per pixel).
    pub bands: usize,
    /// Sample type.
    pub sample_type: SampleType,
    /// TIFF compression name (`none`, `lzw`, `deflate`, `zstd`, `packbits`, …).
    pub compression: &'static str,
    /// TIFF predictor: 1 none, 2 horizontal, 3 floating point.
    pub predictor: u16,
    /// Tiles (`true`) or strips (`false`).
    pub tiled: bool,
    /// Tile or strip size in pixels (width, height).
    pub chunk_size: (u32, u32),
    /// Whether bands are stored in separate planes (PlanarConfiguration = 2).
    pub planar: bool,
    /// Whether the file is a BigTIFF.
    pub bigtiff: bool,
    /// Number of reduced-resolution images (overviews) after the full-resolution one.
    pub overviews: usize,
    /// Pixel-to-map transform, when the file is georeferenced.
    pub transform: Option<GeoTransform>,
    /// Coordinate reference system, when declared.
    pub crs: Option<Crs>,
    /// The vertical CRS of a compound CRS (its EPSG code, e.g. 5773 for EGM96 heights), when
    /// declared. Read and reported, never written: outputs are masks and reflectances, not
    /// heights.
    pub vertical_crs: Option<u16>,
    /// Area or point pixels.
    pub raster_type: RasterType,
    /// The GDAL_NODATA value.
    pub nodata: Option<f64>,
    /// Per-band description, scale and offset from GDAL's metadata tag.
    pub band_metadata: Vec<BandMetadata>,
}

/// A GeoTIFF opened for reading.
pub struct GeoTiffReader<R: Read + Seek> {
    pub(crate) name: String,
    pub(crate) decoder: Decoder<R>,
    pub(crate) info: RasterInfo,
    limits: ReadLimits,
    /// Where the current image's chunks lie, checked before each is read.
    pub(crate) table: ChunkTable,
    /// One decoded strip or tile, reused from chunk to chunk.
    chunk: Samples,
    /// Set when chunks are decompressed by [`crate::chunks`] rather than by `tiff`'s codecs
    /// (LZW and PackBits; ZSTD in wasm, where `tiff`'s C library is missing).
    pub(crate) raw: Option<RawChunks>,
    /// The full-resolution image's info, and the image numbers of the overviews in file
    /// order (see [`GeoTiffReader::select_overview`]).
    pub(crate) full: Box<RasterInfo>,
    pub(crate) overview_images: Vec<usize>,
    /// The image read now: 0 the full resolution, 1… an overview.
    pub(crate) level: usize,
    /// The file's length in bytes.
    pub(crate) file_len: u64,
    /// The file, when opened from disk: large reads then decode chunk rows on several threads,
    /// each with its own handle and `tiff` decoder (native only).
    #[cfg(not(target_family = "wasm"))]
    path: Option<std::path::PathBuf>,
}

pub(crate) fn compression_name(code: u16) -> &'static str {
    match code {
        1 => "none",
        2 => "ccitt-rle",
        3 => "ccitt-fax3",
        4 => "ccitt-fax4",
        5 => "lzw",
        6 | 7 => "jpeg",
        8 | 32946 => "deflate",
        32773 => "packbits",
        34887 => "lerc",
        34925 => "lzma",
        50000 => "zstd",
        50001 => "webp",
        _ => "unknown",
    }
}

impl RasterInfo {
    /// The pixel grid, when the raster has both a transform and a CRS.
    pub fn grid(&self) -> Option<crate::grid::Grid> {
        Some(crate::grid::Grid {
            width: self.width,
            height: self.height,
            transform: self.transform?,
            crs: self.crs.clone()?,
        })
    }
}

impl<R: Read + Seek> GeoTiffReader<R> {
    /// Opens `reader`; `name` is the file name used in error messages.
    ///
    /// # Errors
    /// [`RasterError::Format`] for bytes that are not a TIFF, [`RasterError::Truncated`] for a
    /// file that ends inside its header, [`RasterError::Unsupported`] for sample layouts this
    /// reader does not handle.
    pub fn new(name: impl Into<String>, reader: R) -> Result<Self> {
        Self::with_limits(name, reader, ReadLimits::default())
    }

    /// Like [`GeoTiffReader::new`], with explicit memory limits.
    ///
    /// # Errors
    /// As [`GeoTiffReader::new`].
    pub fn with_limits(name: impl Into<String>, mut reader: R, limits: ReadLimits) -> Result<Self> {
        let name = name.into();
        let tiff_err = |e| RasterError::from_tiff(&name, e);
        let io_err = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => RasterError::Truncated {
                file: name.clone(),
                detail: "shorter than a TIFF header".into(),
            },
            _ => RasterError::Io {
                file: name.clone(),
                source: e,
            },
        };
        let mut header = [0u8; 4];
        reader.read_exact(&mut header).map_err(io_err)?;
        // Every chunk's extent is checked against this before anything is allocated for it.
        let file_len = reader.seek(SeekFrom::End(0)).map_err(io_err)?;
        reader.seek(SeekFrom::Start(0)).map_err(io_err)?;
        let magic_ok = matches!(&header[..2], b"II" | b"MM");
        let version = if header[0] == b'I' {
            u16::from_le_bytes([header[2], header[3]])
        } else {
            u16::from_be_bytes([header[2], header[3]])
        };
        if !magic_ok || !(version == 42 || version == 43) {
            return Err(RasterError::Format {
                file: name,
                detail: match crate::sniff::Content::sniff(&header).in_words() {
                    Some(what) => {
                        format!("the file starts with {header:02x?}: it is {what}, not a TIFF")
                    }
                    None => format!("the file starts with {header:02x?}, not a TIFF signature"),
                },
            });
        }
        let mut tiff_limits = Limits::default();
        // Not `as usize`: in wasm32 a limit of 4 GiB would wrap to 0.
        let chunk_limit =
            usize::try_from(addressable(limits.max_chunk_bytes)).unwrap_or(usize::MAX);
        tiff_limits.decoding_buffer_size = chunk_limit;
        tiff_limits.intermediate_buffer_size = chunk_limit;
        let mut decoder = Decoder::new(reader)
            .map_err(tiff_err)?
            .with_limits(tiff_limits);
        let (info, overview_images) = read_info(&name, &mut decoder, version == 43)?;
        let table = ChunkTable::read(&name, &mut decoder, info.tiled, file_len)?;
        let mut reader = GeoTiffReader {
            name,
            decoder,
            full: Box::new(info.clone()),
            info,
            limits,
            table,
            chunk: Samples::U8(Vec::new()),
            raw: None,
            overview_images,
            level: 0,
            file_len,
            #[cfg(not(target_family = "wasm"))]
            path: None,
        };
        if RawChunks::decodes_by_default(reader.info.compression) {
            reader.decode_chunks_here()?;
        }
        Ok(reader)
    }

    /// Decompresses chunks with [`crate::chunks`] instead of the `tiff` crate's codecs: the
    /// default for LZW, PackBits and ZSTD, and for DEFLATE natively.
    pub(crate) fn decode_chunks_here(&mut self) -> Result<()> {
        self.decode_chunks_with(false)
    }

    /// Like [`Self::decode_chunks_here`], with ZSTD through the pure-Rust `ruzstd` also natively
    /// (what wasm always does): for the test that checks it against the C library.
    #[cfg(test)]
    pub(crate) fn decode_zstd_in_rust(&mut self) -> Result<()> {
        self.decode_chunks_with(true)
    }

    fn decode_chunks_with(&mut self, pure_rust_zstd: bool) -> Result<()> {
        self.raw = RawChunks::new(
            &self.name,
            &self.decoder,
            self.info.compression,
            self.info.predictor,
            pure_rust_zstd,
        )?;
        Ok(())
    }

    /// Decodes every chunk through the `tiff` crate's own codecs, also LZW and PackBits (which
    /// this reader otherwise decompresses itself): the reference path that tests and
    /// `cargo xtask bench-decode` compare with.
    #[doc(hidden)]
    pub fn use_tiff_codecs(&mut self) {
        self.raw = None;
    }

    /// The raster's metadata.
    pub fn info(&self) -> &RasterInfo {
        &self.info
    }

    /// The file name used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Reads a whole band (0-based).
    ///
    /// # Errors
    /// As [`GeoTiffReader::read_window`].
    pub fn read_band(&mut self, band: usize) -> Result<Samples> {
        let window = Window::new(0, 0, self.info.width, self.info.height);
        self.read_window(band, window)
    }

    /// Reads one window of one band (0-based), decoding only the strips or tiles it touches.
    ///
    /// # Errors
    /// [`RasterError::Usage`] for a band or window outside the raster,
    /// [`RasterError::LimitExceeded`] when the window is larger than [`ReadLimits`] allows, and
    /// the decoding errors of [`GeoTiffReader::new`].
    pub fn read_window(&mut self, band: usize, window: Window) -> Result<Samples> {
        let mut out = self.read_bands_window(&[band], window)?;
        Ok(out
            .pop()
            .unwrap_or_else(|| Samples::zeros(self.info.sample_type, 0)))
    }

    /// Reads one window of several bands. For pixel-interleaved files each strip or tile is
    /// decoded once for all of them.
    ///
    /// # Errors
    /// As [`GeoTiffReader::read_window`]; the memory limit applies to all bands together.
    pub fn read_bands_window(&mut self, bands: &[usize], window: Window) -> Result<Vec<Samples>> {
        let info = &self.info;
        if let Some(band) = bands.iter().find(|b| **b >= info.bands) {
            return Err(self.usage(format!(
                "band {} requested, but the file has {} band(s)",
                band + 1,
                info.bands
            )));
        }
        let fits = u64::from(window.col) + u64::from(window.width) <= u64::from(info.width)
            && u64::from(window.row) + u64::from(window.height) <= u64::from(info.height);
        if !fits {
            return Err(self.usage(format!(
                "window {}×{} at ({}, {}) extends outside the {}×{} raster",
                window.width, window.height, window.col, window.row, info.width, info.height
            )));
        }
        let what = format!(
            "a {}×{} window of {} band(s)",
            window.width,
            window.height,
            bands.len()
        );
        let factors = [
            window.pixels(),
            info.sample_type.size() as u64,
            bands.len() as u64,
        ];
        buffer_len(&self.name, &what, &factors, self.limits.max_read_bytes)?;
        // Within the limit for all bands together, so each band's length fits a `usize`.
        let pixels = window.pixels() as usize;
        let mut outs: Vec<Samples> = bands
            .iter()
            .map(|_| Samples::zeros(info.sample_type, pixels))
            .collect();
        if pixels == 0 {
            return Ok(outs);
        }
        if self.info.planar {
            for (out, band) in outs.iter_mut().zip(bands) {
                self.read_plane(*band as u32, window, &mut [(0, out.as_bytes_mut())], 1)?;
            }
        } else {
            let spp = self.info.bands;
            let mut targets: Vec<(usize, &mut [u8])> = bands
                .iter()
                .copied()
                .zip(outs.iter_mut().map(Samples::as_bytes_mut))
                .collect();
            self.read_plane(0, window, &mut targets, spp)?;
        }
        Ok(outs)
    }

    /// The file's bytes that [`Self::read_bands_window`] of `bands` and `window` reads, as
    /// `start..end` spans of its chunks in file order, neighbours merged (nothing for a window
    /// outside the raster, a band it lacks, or chunks a sparse file leaves out). A reader over a
    /// network can fetch them all at once, several requests in flight, before the read.
    pub fn byte_ranges(&self, bands: &[usize], window: Window) -> Vec<(u64, u64)> {
        let info = &self.info;
        let fits = u64::from(window.col) + u64::from(window.width) <= u64::from(info.width)
            && u64::from(window.row) + u64::from(window.height) <= u64::from(info.height);
        if !fits
            || window.width == 0
            || window.height == 0
            || bands.iter().any(|b| *b >= info.bands)
        {
            return Vec::new();
        }
        let planes: Vec<u32> = if info.planar {
            bands.iter().map(|b| *b as u32).collect()
        } else {
            vec![0]
        };
        let (cw, ch) = info.chunk_size;
        if cw == 0 || ch == 0 {
            return Vec::new();
        }
        let (across, down) = (info.width.div_ceil(cw), info.height.div_ceil(ch));
        let mut spans = Vec::new();
        for plane in planes {
            for chunk_row in window.row / ch..=(window.row + window.height - 1) / ch {
                for chunk_col in window.col / cw..=(window.col + window.width - 1) / cw {
                    let index = u64::from(plane) * u64::from(across) * u64::from(down)
                        + u64::from(chunk_row) * u64::from(across)
                        + u64::from(chunk_col);
                    if let Some(span) = u32::try_from(index).ok().and_then(|i| self.table.span(i)) {
                        spans.push(span);
                    }
                }
            }
        }
        spans.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(spans.len());
        for (start, end) in spans {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }

    /// Reads `window` of one plane into the targets, on several threads when that pays off.
    fn read_plane(
        &mut self,
        plane: u32,
        window: Window,
        targets: &mut [(usize, &mut [u8])],
        spp: usize,
    ) -> Result<()> {
        #[cfg(not(target_family = "wasm"))]
        if let Some(path) = self.path.clone() {
            let threads = parallel::threads_for(window, self.info.chunk_size.1);
            if threads > 1 {
                return self.read_plane_parallel(&path, plane, window, targets, spp, threads);
            }
        }
        self.read_chunks(plane, window, targets, spp)
    }

    /// Splits `window` into bands of whole chunk rows and decodes them at once: the first on this
    /// reader, the others on readers of their own over the same file. Each writes its own rows of
    /// the targets, so nothing is copied twice.
    #[cfg(not(target_family = "wasm"))]
    fn read_plane_parallel(
        &mut self,
        path: &std::path::Path,
        plane: u32,
        window: Window,
        targets: &mut [(usize, &mut [u8])],
        spp: usize,
        threads: usize,
    ) -> Result<()> {
        let row_bytes = window.width as usize * self.info.sample_type.size();
        let parts = parallel::split_rows(window, self.info.chunk_size.1, threads);
        // Per part, its slice of every target.
        let mut per_part: Vec<Vec<(usize, &mut [u8])>> = parts.iter().map(|_| Vec::new()).collect();
        for (sample, bytes) in targets.iter_mut() {
            let mut rest: &mut [u8] = bytes;
            for (k, part) in parts.iter().enumerate() {
                let (mine, tail) = rest.split_at_mut(part.height as usize * row_bytes);
                per_part[k].push((*sample, mine));
                rest = tail;
            }
        }
        let (name, limits, level) = (self.name.clone(), self.limits, self.level);
        let (here, pure_rust) = match &self.raw {
            Some(raw) => (true, raw.pure_rust_zstd()),
            None => (false, false),
        };
        let mut per_part = per_part.into_iter();
        let first = per_part.next();
        std::thread::scope(|scope| {
            let others: Vec<_> = per_part
                .zip(&parts[1..])
                .map(|(mut part_targets, part)| {
                    let name = name.clone();
                    scope.spawn(move || -> Result<()> {
                        let file = std::fs::File::open(path).map_err(|source| RasterError::Io {
                            file: name.clone(),
                            source,
                        })?;
                        let reader = std::io::BufReader::with_capacity(1 << 16, file);
                        let mut own = GeoTiffReader::with_limits(name, reader, limits)?;
                        if level > 0 {
                            own.select_overview(level)?;
                        }
                        if here {
                            own.decode_chunks_with(pure_rust)?;
                        } else {
                            own.use_tiff_codecs();
                        }
                        own.read_chunks(plane, *part, &mut part_targets, spp)
                    })
                })
                .collect();
            let mut result = match first {
                Some(mut t) => self.read_chunks(plane, parts[0], &mut t, spp),
                None => Ok(()),
            };
            for handle in others {
                let joined = handle.join().unwrap_or_else(|_| {
                    Err(RasterError::Usage {
                        file: name.clone(),
                        detail: "a decoding thread panicked".into(),
                    })
                });
                result = result.and(joined);
            }
            result
        })
    }

    /// Decodes the chunks of `plane` that `window` touches, copying sample `s` of each pixel into
    /// each `(s, out)` target.
    fn read_chunks(
        &mut self,
        plane: u32,
        window: Window,
        targets: &mut [(usize, &mut [u8])],
        spp: usize,
    ) -> Result<()> {
        let (cw, ch) = self.info.chunk_size;
        let across = self.info.width.div_ceil(cw);
        let down = self.info.height.div_ceil(ch);
        let sample_size = self.info.sample_type.size();
        for chunk_row in window.row / ch..=(window.row + window.height - 1) / ch {
            for chunk_col in window.col / cw..=(window.col + window.width - 1) / cw {
                let index = plane * across * down + chunk_row * across + chunk_col;
                let (data_w, data_h) = self.decoder.chunk_data_dimensions(index);
                if let Some(raw) = self.raw.as_mut() {
                    let shape = ChunkShape {
                        stride: cw as usize,
                        data_width: data_w as usize,
                        stored_rows: if self.info.tiled { ch } else { data_h } as usize,
                        rows: data_h as usize,
                        spp,
                        sample_type: self.info.sample_type,
                    };
                    let max = self.limits.max_chunk_bytes;
                    let reader = self.decoder.inner();
                    let chunk = (&self.table, index);
                    raw.decode(&self.name, reader, chunk, &shape, max, &mut self.chunk)?;
                } else {
                    // The chunk's bytes must be in the file before its buffer is made.
                    let max = self.limits.max_chunk_bytes;
                    let kind = match self.info.compression {
                        "none" => "uncompressed",
                        "deflate" => "DEFLATE",
                        "zstd" => "ZSTD",
                        other => other,
                    };
                    self.table.locate(&self.name, kind, index, max)?;
                    // Into the reused buffer: `read_chunk_to_buffer` would allocate every chunk.
                    let what = format!("decoded chunk {index}");
                    let (w, h) = (u64::from(data_w), u64::from(data_h));
                    let factors = [w, h, spp as u64, sample_size as u64];
                    let bytes = buffer_len(&self.name, &what, &factors, max)?;
                    self.chunk
                        .reuse_as(self.info.sample_type, bytes / sample_size);
                    self.decoder
                        .read_chunk_bytes(index, self.chunk.as_bytes_mut())
                        .map_err(|e| RasterError::from_tiff(&self.name, e))?;
                }
                for (sample, out) in targets.iter_mut() {
                    let layout = CopyLayout {
                        chunk_origin: (chunk_col * cw, chunk_row * ch),
                        chunk_data: (data_w, data_h),
                        spp,
                        sample: *sample,
                        window,
                    };
                    copy_chunk(self.chunk.as_bytes(), out, sample_size, &layout);
                }
            }
        }
        Ok(())
    }

    fn usage(&self, detail: String) -> RasterError {
        RasterError::Usage {
            file: self.name.clone(),
            detail,
        }
    }
}

struct CopyLayout {
    chunk_origin: (u32, u32),
    chunk_data: (u32, u32),
    spp: usize,
    sample: usize,
    window: Window,
}

/// Copies the window's part of one decoded chunk (native-endian bytes, `N` bytes per sample).
fn copy_samples<const N: usize>(src: &[u8], dst: &mut [u8], l: &CopyLayout) {
    let w = l.window;
    let (x0, y0) = l.chunk_origin;
    let (dw, dh) = l.chunk_data;
    let cols = w.col.max(x0)..(w.col + w.width).min(x0 + dw);
    let rows = w.row.max(y0)..(w.row + w.height).min(y0 + dh);
    if cols.is_empty() {
        return;
    }
    for r in rows {
        let src_row = (r - y0) as usize * dw as usize;
        let dst_row = (r - w.row) as usize * w.width as usize;
        if l.spp == 1 {
            let s = (src_row + (cols.start - x0) as usize) * N;
            let d = (dst_row + (cols.start - w.col) as usize) * N;
            let n = cols.len() * N;
            dst[d..d + n].copy_from_slice(&src[s..s + n]);
        } else {
            // Pixel by pixel, slice iterators instead of indices: no bounds check per sample.
            let pixel = l.spp * N;
            let s = (src_row + (cols.start - x0) as usize) * pixel;
            let d = (dst_row + (cols.start - w.col) as usize) * N;
            let pixels = src[s..s + cols.len() * pixel].chunks_exact(pixel);
            let samples = dst[d..d + cols.len() * N].chunks_exact_mut(N);
            let k = l.sample * N;
            for (px, out) in pixels.zip(samples) {
                out.copy_from_slice(&px[k..k + N]);
            }
        }
    }
}

fn copy_chunk(src: &[u8], dst: &mut [u8], sample_size: usize, l: &CopyLayout) {
    match sample_size {
        1 => copy_samples::<1>(src, dst, l),
        2 => copy_samples::<2>(src, dst, l),
        4 => copy_samples::<4>(src, dst, l),
        _ => copy_samples::<8>(src, dst, l),
    }
}

fn sample_type(format: u16, bits: u16) -> Option<SampleType> {
    Some(match (format, bits) {
        (1, 8) => SampleType::U8,
        (2, 8) => SampleType::I8,
        (1, 16) => SampleType::U16,
        (2, 16) => SampleType::I16,
        (1, 32) => SampleType::U32,
        (2, 32) => SampleType::I32,
        (3, 32) => SampleType::F32,
        (3, 64) => SampleType::F64,
        _ => return None,
    })
}

/// PhotometricInterpretation 5: separated inks (CMYK where InkSet is 1, its default).
const PHOTOMETRIC_SEPARATED: u16 = 5;
/// The InkSet tag (1 = CMYK, 2 = other inks).
const INK_SET: u16 = 332;

/// The first image's info, and the image numbers of the reduced-resolution images after it.
fn read_info<R: Read + Seek>(
    name: &str,
    decoder: &mut Decoder<R>,
    bigtiff: bool,
) -> Result<(RasterInfo, Vec<usize>)> {
    let tiff_err = |e| RasterError::from_tiff(name, e);
    let georef_err = |detail: String| RasterError::Georeferencing {
        file: name.to_owned(),
        detail,
    };
    let (width, height) = decoder.dimensions().map_err(tiff_err)?;
    let bands = decoder
        .find_tag_unsigned::<u16>(Tag::SamplesPerPixel)
        .map_err(tiff_err)?
        .unwrap_or(1) as usize;
    let bits = decoder
        .find_tag_unsigned_vec::<u16>(Tag::BitsPerSample)
        .map_err(tiff_err)?
        .unwrap_or_else(|| vec![1]);
    let formats = decoder
        .find_tag_unsigned_vec::<u16>(Tag::SampleFormat)
        .map_err(tiff_err)?
        .unwrap_or_else(|| vec![1]);
    if bits.iter().any(|b| *b != bits[0]) || formats.iter().any(|f| *f != formats[0]) {
        return Err(RasterError::Unsupported {
            file: name.to_owned(),
            what: format!("bands of different sample types ({bits:?} bits, formats {formats:?})"),
            fix: crate::error::RESAVE_SAMPLES,
        });
    }
    let sample_type = sample_type(formats[0], bits[0]).ok_or_else(|| RasterError::Unsupported {
        file: name.to_owned(),
        what: format!("{}-bit samples of format {}", bits[0], formats[0]),
        fix: crate::error::RESAVE_SAMPLES,
    })?;
    // 8-bit CMYK: GDAL (through libtiff's RGBA interface) shows such a file as RGBA colours
    // converted from its inks, one band fewer than its samples where it has an extra one, so
    // "band 1" would be red there and cyan here. Refused rather than read another way.
    let photometric = decoder
        .find_tag_unsigned::<u16>(Tag::PhotometricInterpretation)
        .map_err(tiff_err)?;
    let ink_set = decoder
        .find_tag_unsigned::<u16>(Tag::Unknown(INK_SET))
        .map_err(tiff_err)?
        .unwrap_or(1);
    if photometric == Some(PHOTOMETRIC_SEPARATED) && ink_set == 1 && bits[0] == 8 && bands >= 4 {
        return Err(RasterError::Unsupported {
            file: name.to_owned(),
            what: format!("an 8-bit CMYK image ({bands} samples a pixel: print inks)"),
            fix: crate::error::CONVERT_CMYK,
        });
    }
    let compression_code = decoder
        .find_tag_unsigned::<u16>(Tag::Compression)
        .map_err(tiff_err)?
        .unwrap_or(1);
    let compression = compression_name(compression_code);
    let supported = ["none", "lzw", "deflate", "packbits", "zstd"];
    if !supported.contains(&compression) {
        return Err(RasterError::Unsupported {
            file: name.to_owned(),
            what: format!(
                "{} compression (TIFF code {compression_code})",
                compression.to_uppercase()
            ),
            fix: crate::error::RESAVE,
        });
    }
    let predictor = decoder
        .find_tag_unsigned::<u16>(Tag::Predictor)
        .map_err(tiff_err)?
        .unwrap_or(1);
    let planar = decoder
        .find_tag_unsigned::<u16>(Tag::PlanarConfiguration)
        .map_err(tiff_err)?
        == Some(2);
    let tiled = decoder.get_chunk_type() == ChunkType::Tile;
    let chunk_size = decoder.chunk_dimensions();

    let f64s = |decoder: &mut Decoder<R>, tag| -> Result<Option<Vec<f64>>> {
        decoder
            .find_tag(tag)
            .map_err(tiff_err)?
            .map(|v| v.into_f64_vec())
            .transpose()
            .map_err(tiff_err)
    };
    let directory = decoder
        .find_tag_unsigned_vec::<u16>(Tag::GeoKeyDirectoryTag)
        .map_err(tiff_err)?;
    let doubles = f64s(decoder, Tag::GeoDoubleParamsTag)?.unwrap_or_default();
    let ascii = decoder
        .find_tag(Tag::GeoAsciiParamsTag)
        .map_err(tiff_err)?
        .and_then(|v| v.into_string().ok())
        .unwrap_or_default();
    let keys = match &directory {
        Some(dir) => GeoKeys::parse(dir, &doubles, &ascii).map_err(georef_err)?,
        None => GeoKeys::default(),
    };
    let raster_type = keys.raster_type();
    let tiepoints = f64s(decoder, Tag::ModelTiepointTag)?;
    let scale = f64s(decoder, Tag::ModelPixelScaleTag)?;
    let matrix = f64s(decoder, Tag::ModelTransformationTag)?;
    let transform = if tiepoints.is_none() && matrix.is_none() {
        None
    } else {
        Some(
            georef::transform_from_tags(
                tiepoints.as_deref(),
                scale.as_deref(),
                matrix.as_deref(),
                raster_type,
            )
            .map_err(georef_err)?,
        )
    };
    let nodata = decoder
        .find_tag(Tag::GdalNodata)
        .map_err(tiff_err)?
        .and_then(|v| v.into_string().ok())
        .and_then(|s| gdal_metadata::parse_nodata(&s));
    let band_metadata = decoder
        .find_tag(Tag::Unknown(gdal_metadata::GDAL_METADATA_TAG))
        .map_err(tiff_err)?
        .and_then(|v| v.into_string().ok())
        .map(|xml| gdal_metadata::parse(&xml, bands))
        .unwrap_or_else(|| vec![BandMetadata::default(); bands]);

    let mut overview_images = Vec::new();
    let mut image = 0;
    while decoder.more_images() {
        decoder.next_image().map_err(tiff_err)?;
        image += 1;
        let subfile = decoder
            .find_tag_unsigned::<u32>(Tag::NewSubfileType)
            .map_err(tiff_err)?
            .unwrap_or(0);
        // A reduced-resolution image (bit 0) that is not a mask (bit 2).
        if subfile & 0b101 == 1 {
            overview_images.push(image);
        }
    }
    let overviews = overview_images.len();
    if image > 0 || decoder.ifd_pointer().is_some() {
        decoder.seek_to_image(0).map_err(tiff_err)?;
    }

    let info = RasterInfo {
        width,
        height,
        bands,
        sample_type,
        compression,
        predictor,
        tiled,
        chunk_size,
        planar,
        bigtiff,
        overviews,
        transform,
        crs: Crs::from_keys(&keys),
        vertical_crs: keys
            .short(crate::georef::key::VERTICAL_TYPE)
            .filter(|code| *code != 0 && *code != crate::georef::key::USER_DEFINED),
        raster_type,
        nodata,
        band_metadata,
    };
    Ok((info, overview_images))
}

#[cfg(not(target_family = "wasm"))]
impl GeoTiffReader<std::io::BufReader<std::fs::File>> {
    /// Opens a file from disk (native only; in the browser pass the bytes to [`GeoTiffReader::new`]).
    ///
    /// # Errors
    /// [`RasterError::Io`] when the file cannot be opened, then as [`GeoTiffReader::new`].
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| RasterError::Io {
            file: name.clone(),
            source,
        })?;
        let mut reader = Self::new(name, std::io::BufReader::with_capacity(1 << 16, file))?;
        reader.path = Some(path.to_path_buf());
        Ok(reader)
    }
}
