//! Strips and tiles decoded from their bytes here rather than through the `tiff` crate's
//! `Read` adapters: uncompressed chunks, LZW and PackBits always (ours measured faster, see
//! `cargo xtask bench-decode`), DEFLATE natively with libdeflate (GDAL's inflater, one call per
//! chunk) and in `wasm32-unknown-unknown` with flate2 (zlib-rs), ZSTD natively with the C
//! library in one call and in wasm (where the C library does not build) with the pure-Rust
//! `ruzstd`.
//!
//! Every sample a pixel stores is kept, as GDAL keeps them, and values are never inverted: the
//! `tiff` crate's chunk reader drops the samples past an RGB pixel's three (a 4-band RGB + NIR
//! aerial image came back as garbage) and inverts MinIsWhite data (floats too), where GDAL
//! reads the values as stored.
//!
//! This extends the `tiff` decoder rather than replacing it: the decoder still parses the
//! directory and tells where each chunk lies and how big its data is; only the chunk's bytes are
//! read and decompressed here, then the TIFF predictor (2 horizontal, 3 floating point) and the
//! byte order are undone as libtiff does. Tested against the `tiff` crate's own codecs on real
//! files in many layouts.

use std::io::{Read, Seek, SeekFrom};

use ruzstd::decoding::FrameDecoder;
use tiff::decoder::Decoder;

use crate::error::{RasterError, Result};
use crate::limits::{ChunkTable, buffer_len};
use crate::lzw::LzwDecoder;
use crate::samples::{SampleType, Samples};

/// The decompressor of a file's chunks.
enum Codec {
    /// Uncompressed: the bytes as they are.
    Copy,
    Lzw(Box<LzwDecoder>),
    PackBits,
    Zstd(Box<FrameDecoder>),
    #[cfg(not(target_family = "wasm"))]
    ZstdC(Box<zstd::bulk::Decompressor<'static>>),
    #[cfg(not(target_family = "wasm"))]
    Deflate(Box<libdeflater::Decompressor>),
    #[cfg(target_family = "wasm")]
    Deflate(Box<flate2::Decompress>),
}

impl Codec {
    fn name(&self) -> &'static str {
        match self {
            Codec::Copy => "uncompressed",
            Codec::Lzw(_) => "LZW",
            Codec::PackBits => "PackBits",
            Codec::Zstd(_) => "ZSTD",
            #[cfg(not(target_family = "wasm"))]
            Codec::ZstdC(_) => "ZSTD",
            Codec::Deflate(_) => "DEFLATE",
        }
    }
}

/// How to turn a raster's chunk bytes into samples.
pub(crate) struct RawChunks {
    little_endian: bool,
    predictor: u16,
    codec: Codec,
    compressed: Vec<u8>,
    /// Scratch row for predictor 3.
    planes: Vec<u8>,
}

/// The shape of one chunk: its stored row length, rows, samples per pixel and sample type.
pub(crate) struct ChunkShape {
    /// Pixels per stored row (the tile width, or the image width for strips).
    pub stride: usize,
    /// Width of the chunk's real data (tiles at the right edge are padded).
    pub data_width: usize,
    /// Rows stored in the chunk (tiles at the bottom edge are padded).
    pub stored_rows: usize,
    /// Rows of real data.
    pub rows: usize,
    /// Samples per pixel in this chunk (1 for planar files).
    pub spp: usize,
    /// Type of each sample.
    pub sample_type: SampleType,
}

/// Byte sizes of one chunk, each within the chunk limit.
struct ChunkSizes {
    /// One stored row.
    row_bytes: usize,
    /// One row of real data.
    kept_row_bytes: usize,
    /// The decoded chunk, padding included.
    decoded: usize,
    /// Its rows of real data.
    needed: usize,
}

impl ChunkShape {
    /// The chunk's byte sizes, as checked products (a header's tile size times its samples per
    /// pixel must not wrap, as `usize` would in `wasm32`), refused above `limit`.
    fn sizes(&self, name: &str, index: u32, limit: u64) -> Result<ChunkSizes> {
        let [stride, width, stored, rows, spp, size] = [
            self.stride,
            self.data_width,
            self.stored_rows,
            self.rows,
            self.spp,
            self.sample_type.size(),
        ]
        .map(|v| v as u64);
        if stride == 0 || spp == 0 || width > stride || rows > stored {
            return Err(RasterError::Format {
                file: name.to_owned(),
                detail: format!(
                    "chunk {index} stores {stride} px × {stored} rows of {spp} samples but \
                     claims {width} px × {rows} rows of data"
                ),
            });
        }
        let what = format!("decoded chunk {index}");
        let bytes = |factors: &[u64]| buffer_len(name, &what, factors, limit);
        Ok(ChunkSizes {
            decoded: bytes(&[stride, spp, size, stored])?,
            row_bytes: bytes(&[stride, spp, size])?,
            kept_row_bytes: bytes(&[width, spp, size])?,
            needed: bytes(&[stride, spp, size, rows])?,
        })
    }
}

impl RawChunks {
    /// Whether chunks compressed as `compression` (a [`crate::RasterInfo`] name) are decoded
    /// here by default: every compression the reader takes.
    pub(crate) fn decodes_by_default(compression: &str) -> bool {
        matches!(
            compression,
            "none" | "lzw" | "packbits" | "zstd" | "deflate"
        )
    }

    /// The decoder of the current image's chunks, compressed as `compression`; None for a
    /// compression this module does not decode.
    /// `pure_rust` picks `ruzstd` for ZSTD also natively (to test it against the C library).
    pub(crate) fn new<R: Read + Seek>(
        name: &str,
        decoder: &Decoder<R>,
        compression: &str,
        predictor: u16,
        pure_rust: bool,
    ) -> Result<Option<Self>> {
        #[cfg(target_family = "wasm")]
        let _ = (name, pure_rust); // ruzstd is the only ZSTD there, and it cannot fail to start
        let codec = match compression {
            "none" => Codec::Copy,
            "lzw" => Codec::Lzw(Box::new(LzwDecoder::new())),
            "packbits" => Codec::PackBits,
            #[cfg(not(target_family = "wasm"))]
            "zstd" if !pure_rust => {
                let inflater =
                    zstd::bulk::Decompressor::new().map_err(|source| RasterError::Io {
                        file: name.to_owned(),
                        source,
                    })?;
                Codec::ZstdC(Box::new(inflater))
            }
            "zstd" => Codec::Zstd(Box::new(FrameDecoder::new())),
            #[cfg(not(target_family = "wasm"))]
            "deflate" => Codec::Deflate(Box::new(libdeflater::Decompressor::new())),
            #[cfg(target_family = "wasm")]
            "deflate" => Codec::Deflate(Box::new(flate2::Decompress::new(true))),
            _ => return Ok(None),
        };
        Ok(Some(RawChunks {
            little_endian: decoder.byte_order() == tiff::tags::ByteOrder::LittleEndian,
            predictor,
            codec,
            compressed: Vec::new(),
            planes: Vec::new(),
        }))
    }

    /// Bytes reserved for compressed chunks so far (for the tests of hostile headers).
    #[cfg(test)]
    pub(crate) fn compressed_capacity(&self) -> usize {
        self.compressed.capacity()
    }

    /// Whether ZSTD goes through the pure-Rust `ruzstd` (always so in wasm).
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn pure_rust_zstd(&self) -> bool {
        matches!(self.codec, Codec::Zstd(_))
    }

    /// Decodes chunk `index` of `table` into `out`, `shape.data_width` samples-per-pixel wide
    /// and `shape.rows` high (padding dropped), in native byte order. Sizes are checked against
    /// the file and `max_chunk_bytes` before anything is allocated for them.
    pub(crate) fn decode<R: Read + Seek>(
        &mut self,
        name: &str,
        reader: &mut R,
        (table, index): (&ChunkTable, u32),
        shape: &ChunkShape,
        max_chunk_bytes: u64,
        out: &mut Samples,
    ) -> Result<()> {
        let codec = self.codec.name();
        let format = |detail: String| RasterError::Format {
            file: name.to_owned(),
            detail,
        };
        let (offset, count) = table.locate(name, codec, index, max_chunk_bytes)?;
        let sizes = shape.sizes(name, index, max_chunk_bytes)?;
        let (row_bytes, decoded, needed) = (sizes.row_bytes, sizes.decoded, sizes.needed);
        let size = shape.sample_type.size();
        if offset == 0 && count == 0 {
            // A chunk a sparse file leaves out (GDAL's SPARSE_OK): GDAL reads it as zeros.
            out.reuse_as(shape.sample_type, sizes.kept_row_bytes / size * shape.rows);
            out.as_bytes_mut().fill(0);
            return Ok(());
        }
        self.compressed.resize(count, 0);
        // Chunks usually follow each other in the file: seek only when this one does not start
        // where the last ended, because a seek empties a `BufReader` (then every small strip
        // cost a fresh 64 kB read).
        reader
            .stream_position()
            .and_then(|at| {
                if at != offset {
                    reader.seek(SeekFrom::Start(offset))?;
                }
                reader.read_exact(&mut self.compressed)
            })
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => RasterError::Truncated {
                    file: name.to_owned(),
                    // Worded as the `tiff` crate's codecs report it (the page shows both).
                    detail: format!(
                        "its header points to data past the end of the file: {codec} chunk \
                         {index} at byte {offset} needs {count} bytes"
                    ),
                },
                _ => RasterError::Io {
                    file: name.to_owned(),
                    source: e,
                },
            })?;
        // Decoded straight into `out` (typed, so aligned for the predictor), then the padding of
        // edge tiles is squeezed out in place: no second copy of the chunk. Not zeroed: only the
        // rows of real data are used, and the check below refuses a chunk whose codec did not
        // write all of them, so stale bytes never reach the output.
        out.reuse_as(shape.sample_type, decoded / size);
        let raw = out.as_bytes_mut();
        let written = match &mut self.codec {
            Codec::Copy => {
                let n = self.compressed.len().min(raw.len());
                raw[..n].copy_from_slice(&self.compressed[..n]);
                n
            }
            Codec::Lzw(lzw) => lzw
                .decode(&self.compressed, raw)
                .map_err(|e| format(format!("LZW chunk {index}: {e}")))?,
            Codec::PackBits => crate::packbits::decode(&self.compressed, raw),
            Codec::Zstd(frames) => frames
                .decode_all(&self.compressed, raw)
                .map_err(|e| format(format!("ZSTD chunk {index} does not decompress: {e}")))?,
            #[cfg(not(target_family = "wasm"))]
            Codec::ZstdC(inflater) => {
                let room = raw.len();
                inflater
                    .decompress_to_buffer(&self.compressed, raw)
                    .map_err(|e| {
                        format(if e.to_string().contains("too small") {
                            past_its_size("ZSTD", index, room)
                        } else {
                            format!("ZSTD chunk {index} does not decompress: {e}")
                        })
                    })?
            }
            #[cfg(not(target_family = "wasm"))]
            Codec::Deflate(inflater) => {
                let room = raw.len();
                inflater
                    .zlib_decompress(&self.compressed, raw)
                    .map_err(|e| {
                        format(match e {
                            libdeflater::DecompressionError::InsufficientSpace => {
                                past_its_size("DEFLATE", index, room)
                            }
                            e => format!("DEFLATE chunk {index} does not decompress: {e}"),
                        })
                    })?
            }
            #[cfg(target_family = "wasm")]
            Codec::Deflate(inflater) => {
                inflater.reset(true);
                inflater
                    .decompress(&self.compressed, raw, flate2::FlushDecompress::Finish)
                    .map_err(|e| {
                        format(format!("DEFLATE chunk {index} does not decompress: {e}"))
                    })?;
                usize::try_from(inflater.total_out()).unwrap_or(usize::MAX)
            }
        };
        // The rows of real data must all be there; padding rows of an edge tile may be missing.
        let complete = match self.codec {
            Codec::Zstd(_) => written == raw.len(),
            _ => written >= needed,
        };
        if !complete {
            return Err(format(format!(
                "{codec} chunk {index} holds {written} bytes, expected {}",
                raw.len()
            )));
        }
        for row in raw[..needed].chunks_exact_mut(row_bytes) {
            match self.predictor {
                3 => undo_float_predictor(row, &mut self.planes, shape.spp, size),
                2 => undo_horizontal_predictor(row, shape.spp, size, self.little_endian),
                _ => to_little_endian(row, size, self.little_endian),
            }
        }
        crop_in_place(raw, shape, row_bytes, sizes.kept_row_bytes);
        out.reuse_as(shape.sample_type, sizes.kept_row_bytes / size * shape.rows);
        Ok(())
    }
}

/// The message for a chunk whose stream inflates past the bytes its tile or strip holds (a
/// corrupt or hostile stream, such as a decompression bomb): it is stopped there.
#[cfg(not(target_family = "wasm"))]
fn past_its_size(codec: &str, index: u32, room: usize) -> String {
    format!(
        "{codec} chunk {index} does not decompress: it inflates to more than the {room} bytes its \
         tile or strip holds, so it is corrupt (or made to exhaust memory) and was stopped there"
    )
}

/// Reverses the bytes of each sample of a big-endian row, leaving it little-endian.
fn to_little_endian(row: &mut [u8], size: usize, little_endian: bool) {
    if !little_endian && size > 1 {
        row.chunks_exact_mut(size).for_each(<[u8]>::reverse);
    }
}

/// Predictor 2 on little-endian samples of type `T`, when the row is aligned for it (rows of
/// a `Vec<u8>` from the allocator are, in practice); false when it is not.
fn horizontal_sum_typed<T: bytemuck::Pod>(
    row: &mut [u8],
    spp: usize,
    add: impl Fn(T, T) -> T,
) -> bool {
    if cfg!(target_endian = "big") {
        return false;
    }
    let Ok(values) = bytemuck::try_cast_slice_mut::<u8, T>(row) else {
        return false;
    };
    if spp == 1 {
        // The running sum stays in a register (indexing `values[i - 1]` would wait on the store).
        let mut iter = values.iter_mut();
        if let Some(first) = iter.next() {
            let mut sum = *first;
            for v in iter {
                sum = add(sum, *v);
                *v = sum;
            }
        }
    } else {
        for i in spp..values.len() {
            values[i] = add(values[i], values[i - spp]);
        }
    }
    true
}

/// Predictor 2 on `N`-byte little-endian samples: add the same sample of the pixel before.
fn horizontal_sum<const N: usize>(row: &mut [u8], spp: usize) {
    let samples = row.len() / N;
    for i in spp..samples {
        let mut prev = [0u8; N];
        prev.copy_from_slice(&row[(i - spp) * N..(i - spp + 1) * N]);
        let mut cur = [0u8; N];
        cur.copy_from_slice(&row[i * N..(i + 1) * N]);
        let sum = u64::from_le_bytes(widen(prev)).wrapping_add(u64::from_le_bytes(widen(cur)));
        row[i * N..(i + 1) * N].copy_from_slice(&sum.to_le_bytes()[..N]);
    }
}

/// `N` little-endian bytes padded to eight.
#[inline(always)]
fn widen<const N: usize>(bytes: [u8; N]) -> [u8; 8] {
    let mut wide = [0u8; 8];
    wide[..N].copy_from_slice(&bytes);
    wide
}

/// Predictor 2: each sample is stored as the difference to the same sample of the pixel before,
/// modulo 2^bits (libtiff's `horAcc`). Leaves the row little-endian.
fn undo_horizontal_predictor(row: &mut [u8], spp: usize, size: usize, little_endian: bool) {
    to_little_endian(row, size, little_endian);
    match size {
        1 => {
            for i in spp..row.len() {
                row[i] = row[i].wrapping_add(row[i - spp]);
            }
        }
        2 => {
            if !horizontal_sum_typed::<u16>(row, spp, u16::wrapping_add) {
                horizontal_sum::<2>(row, spp);
            }
        }
        4 => {
            if !horizontal_sum_typed::<u32>(row, spp, u32::wrapping_add) {
                horizontal_sum::<4>(row, spp);
            }
        }
        _ => horizontal_sum::<8>(row, spp),
    }
}

/// Predictor 3: bytes are differenced along the row (stride = samples per pixel), and each row
/// holds the samples' most significant bytes first, then the next, … (libtiff's `fpAcc`).
/// Leaves the row little-endian; `planes` is scratch space.
fn undo_float_predictor(row: &mut [u8], planes: &mut Vec<u8>, spp: usize, size: usize) {
    for i in spp..row.len() {
        row[i] = row[i].wrapping_add(row[i - spp]);
    }
    let count = row.len() / size;
    planes.clear();
    planes.extend_from_slice(row);
    for k in 0..count {
        for byte in 0..size {
            // Plane 0 holds the most significant byte; little-endian puts it last.
            row[k * size + (size - 1 - byte)] = planes[byte * count + k];
        }
    }
}

/// Little-endian bytes of a chunk (rows of `stride` pixels) → the samples of its data region,
/// row after row, at the start of the same buffer, in native byte order. Rows only move toward
/// the front, so each copy reads bytes no earlier row has overwritten.
fn crop_in_place(raw: &mut [u8], shape: &ChunkShape, row_bytes: usize, keep: usize) {
    let size = shape.sample_type.size();
    if keep < row_bytes {
        for r in 1..shape.rows {
            raw.copy_within(r * row_bytes..r * row_bytes + keep, r * keep);
        }
    }
    if cfg!(target_endian = "big") && size > 1 {
        raw[..keep * shape.rows]
            .chunks_exact_mut(size)
            .for_each(<[u8]>::reverse);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizontal_predictor_wraps_per_sample_of_a_pixel() {
        // Two samples per pixel, uint16 little-endian: pixels (1, 65535), (+2, +3), (+65535, +1).
        let mut row: Vec<u8> = [1u16, 65535, 2, 3, 65535, 1]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        undo_horizontal_predictor(&mut row, 2, 2, true);
        let values: Vec<u16> = row
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(values, [1, 65535, 3, 2, 2, 3]);
    }

    #[test]
    fn horizontal_predictor_reads_big_endian_files() {
        let mut row: Vec<u8> = [300u16, 5].iter().flat_map(|v| v.to_be_bytes()).collect();
        undo_horizontal_predictor(&mut row, 1, 2, false);
        assert_eq!(row, [44, 1, 49, 1]); // 300, 305 little-endian
    }

    #[test]
    fn float_predictor_restores_values() {
        // Encode as libtiff's fpDiff does: split into byte planes (MSB first), then difference.
        let values = [1.5f32, -2.25, 1e-3, 7.0e5];
        let count = values.len();
        let mut planes = vec![0u8; count * 4];
        for (k, v) in values.iter().enumerate() {
            for (byte, b) in v.to_be_bytes().iter().enumerate() {
                planes[byte * count + k] = *b;
            }
        }
        for i in (1..planes.len()).rev() {
            planes[i] = planes[i].wrapping_sub(planes[i - 1]);
        }
        undo_float_predictor(&mut planes, &mut Vec::new(), 1, 4);
        let back: Vec<f32> = planes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(back, values);
    }

    #[test]
    fn horizontal_predictor_on_every_sample_size() {
        // uint8 with 3 samples per pixel, uint32 and 64-bit wrap-around.
        let mut row = vec![10u8, 20, 30, 250, 1, 2, 10, 0, 0];
        undo_horizontal_predictor(&mut row, 3, 1, true);
        assert_eq!(row, [10, 20, 30, 4, 21, 32, 14, 21, 32]);
        let mut row: Vec<u8> = [u32::MAX, 2].iter().flat_map(|v| v.to_le_bytes()).collect();
        undo_horizontal_predictor(&mut row, 1, 4, true);
        let back: Vec<u32> = row
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect();
        assert_eq!(back, [u32::MAX, 1]);
        // A row that is not aligned for u16 takes the byte-wise path, with the same result.
        let mut buffer = vec![0u8];
        buffer.extend(
            [1u16, 65535, 2, 3, 65535, 1]
                .iter()
                .flat_map(|v| v.to_le_bytes()),
        );
        undo_horizontal_predictor(&mut buffer[1..], 2, 2, true);
        let values: Vec<u16> = buffer[1..]
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(values, [1, 65535, 3, 2, 2, 3]);
        let mut row: Vec<u8> = [u64::MAX, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        undo_horizontal_predictor(&mut row, 1, 8, true);
        let back: Vec<u64> = row
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect();
        assert_eq!(back, [u64::MAX, 2]);
    }

    /// Reads every band of `file`, whole and in an odd window, through the `tiff` crate's codecs
    /// and through this module's.
    fn assert_same_both_ways(file: &std::path::Path, compression: &str) {
        use crate::reader::{GeoTiffReader, Window};
        let mut reference = GeoTiffReader::open(file).expect("opens");
        assert_eq!(
            reference.info().compression,
            compression,
            "{}",
            file.display()
        );
        reference.use_tiff_codecs();
        // Ours as the reader opens it, and for ZSTD also through ruzstd (what wasm runs).
        let mut ours = vec![GeoTiffReader::open(file).expect("opens")];
        ours[0].decode_chunks_here().expect("chunk table");
        if compression == "zstd" {
            let mut pure = GeoTiffReader::open(file).expect("opens");
            pure.decode_zstd_in_rust().expect("chunk table");
            ours.push(pure);
        }
        let info = reference.info().clone();
        let bands: Vec<usize> = (0..info.bands).collect();
        let whole = Window::new(0, 0, info.width, info.height);
        let odd = Window::new(
            info.width / 3,
            info.height / 2,
            info.width / 2,
            info.height / 3,
        );
        for window in [whole, odd] {
            let expected = reference
                .read_bands_window(&bands, window)
                .expect("tiff path");
            for reader in &mut ours {
                let got = reader.read_bands_window(&bands, window).expect("our path");
                assert_eq!(got, expected, "{} {window:?}", file.display());
            }
        }
    }

    /// GDAL-made copies of real files in several layouts, compressed as `compression`; None
    /// (with a message) when GDAL is not installed outside CI (a failure under `CI=true`).
    fn gdal_layouts(
        encodings: &std::path::Path,
        compression: &str,
    ) -> Option<Vec<std::path::PathBuf>> {
        if !glacier_testdata::require_tool("gdal_translate") {
            return None;
        }
        let out =
            std::env::temp_dir().join(format!("glacier-{compression}-{}", std::process::id()));
        std::fs::create_dir_all(&out).expect("temp dir");
        let cases: [(&str, &[&str]); 5] = [
            (
                "ukis_toa_float_pred3.tif",
                &[
                    "-co",
                    "PREDICTOR=3",
                    "-co",
                    "TILED=YES",
                    "-co",
                    "BLOCKXSIZE=16",
                    "-co",
                    "BLOCKYSIZE=16",
                ],
            ),
            (
                "stack_B3-B7-B10_pixel_deflate_pred2.tif",
                &[
                    "-co",
                    "PREDICTOR=2",
                    "-co",
                    "TILED=YES",
                    "-co",
                    "BLOCKXSIZE=96",
                    "-co",
                    "BLOCKYSIZE=80",
                ],
            ),
            (
                "stack_B3-B7-B10_band_lzw_tiled.tif",
                &["-co", "INTERLEAVE=BAND", "-co", "BLOCKYSIZE=7"],
            ),
            (
                "B5_lzw_pred2_strips.tif",
                &[
                    "-co",
                    "PREDICTOR=2",
                    "-co",
                    "ENDIANNESS=BIG",
                    "-co",
                    "BLOCKYSIZE=50",
                ],
            ),
            (
                "B5_packbits_strips.tif",
                &[
                    "-ot",
                    "Byte",
                    "-scale",
                    "-co",
                    "PREDICTOR=2",
                    "-co",
                    "TILED=YES",
                ],
            ),
        ];
        let mut made = Vec::new();
        for (source, options) in cases {
            let target = out.join(format!("{compression}_{source}"));
            let status = std::process::Command::new("gdal_translate")
                .args([
                    "-q",
                    "-co",
                    &format!("COMPRESS={}", compression.to_uppercase()),
                ])
                .args(options)
                .arg(encodings.join(source))
                .arg(&target)
                .status();
            match status {
                Ok(status) if status.success() => made.push(target),
                Ok(status) => panic!("gdal_translate failed on {source}: {status}"),
                Err(err) => panic!("gdal_translate does not start: {err}"),
            }
        }
        Some(made)
    }

    #[test]
    fn zstd_one_shot_and_pure_rust_decode_real_files_as_the_c_library() {
        let Some(b5) = glacier_testdata::path("derived_here/encodings/B5_zstd_tiled.tif") else {
            return;
        };
        assert_same_both_ways(&b5, "zstd");
        let encodings = b5.parent().expect("folder");
        remove_after(gdal_layouts(encodings, "zstd"), |file| {
            assert_same_both_ways(file, "zstd")
        });
    }

    /// Runs `check` on each file, then removes their folder.
    fn remove_after(files: Option<Vec<std::path::PathBuf>>, check: impl Fn(&std::path::Path)) {
        let files = files.unwrap_or_default();
        files.iter().for_each(|f| check(f));
        if let Some(folder) = files.first().and_then(|f| f.parent()) {
            let _ = std::fs::remove_dir_all(folder);
        }
    }

    #[test]
    fn our_codecs_decode_real_files_as_the_tiff_crate() {
        let Some(b5) = glacier_testdata::path("derived_here/encodings/B5_lzw_pred2_strips.tif")
        else {
            return;
        };
        let encodings = b5.parent().expect("folder");
        assert_same_both_ways(&b5, "lzw");
        assert_same_both_ways(&encodings.join("stack_B3-B7-B10_band_lzw_tiled.tif"), "lzw");
        assert_same_both_ways(&encodings.join("B5_packbits_strips.tif"), "packbits");
        for deflate in [
            "B5_cog_deflate.tif",
            "B5_bigtiff_deflate.tif",
            "B5_deflate_pred2_tiled256.tif",
            "stack_B3-B7-B10_pixel_deflate_pred2.tif",
        ] {
            assert_same_both_ways(&encodings.join(deflate), "deflate");
        }
        for compression in ["lzw", "packbits", "deflate"] {
            remove_after(gdal_layouts(encodings, compression), |file| {
                assert_same_both_ways(file, compression)
            });
        }
    }
}
