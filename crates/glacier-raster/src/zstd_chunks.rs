//! ZSTD-compressed strips and tiles decoded in pure Rust (`ruzstd`), for builds where the `tiff`
//! crate's ZSTD (the C library) is not compiled in: `wasm32-unknown-unknown`.
//!
//! This extends the `tiff` decoder rather than replacing it: the decoder still parses the
//! directory and tells where each chunk lies and how big its data is; only the chunk's bytes are
//! read and decompressed here, then the TIFF predictor (2 horizontal, 3 floating point) and the
//! byte order are undone as libtiff does. Tested natively against the C path on real files.

use std::io::{Read, Seek, SeekFrom};

use ruzstd::decoding::FrameDecoder;
use tiff::decoder::Decoder;
use tiff::tags::Tag;

use crate::error::{RasterError, Result};
use crate::samples::{SampleType, Samples};

/// Where a raster's chunks lie and how to turn their bytes into samples.
pub(crate) struct ZstdChunks {
    offsets: Vec<u64>,
    byte_counts: Vec<u64>,
    little_endian: bool,
    predictor: u16,
    compressed: Vec<u8>,
    raw: Vec<u8>,
    frames: FrameDecoder,
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

impl ZstdChunks {
    /// Reads the chunk offsets and byte counts of the decoder's current image.
    pub(crate) fn new<R: Read + Seek>(
        name: &str,
        decoder: &mut Decoder<R>,
        tiled: bool,
        predictor: u16,
    ) -> Result<Self> {
        let tiff_err = |e| RasterError::from_tiff(name, e);
        let (offsets_tag, counts_tag) = if tiled {
            (Tag::TileOffsets, Tag::TileByteCounts)
        } else {
            (Tag::StripOffsets, Tag::StripByteCounts)
        };
        let offsets = decoder.get_tag_u64_vec(offsets_tag).map_err(tiff_err)?;
        let byte_counts = decoder.get_tag_u64_vec(counts_tag).map_err(tiff_err)?;
        if offsets.len() != byte_counts.len() {
            return Err(RasterError::Format {
                file: name.to_owned(),
                detail: format!(
                    "{} chunk offsets but {} byte counts",
                    offsets.len(),
                    byte_counts.len()
                ),
            });
        }
        Ok(ZstdChunks {
            offsets,
            byte_counts,
            little_endian: decoder.byte_order() == tiff::tags::ByteOrder::LittleEndian,
            predictor,
            compressed: Vec::new(),
            raw: Vec::new(),
            frames: FrameDecoder::new(),
        })
    }

    /// Decodes chunk `index` into `out`, `shape.data_width` samples-per-pixel wide and
    /// `shape.rows` high (padding dropped), in native byte order.
    pub(crate) fn decode<R: Read + Seek>(
        &mut self,
        name: &str,
        reader: &mut R,
        index: u32,
        shape: &ChunkShape,
        max_chunk_bytes: u64,
        out: &mut Samples,
    ) -> Result<()> {
        let format = |detail: String| RasterError::Format {
            file: name.to_owned(),
            detail,
        };
        let i = index as usize;
        let (Some(&offset), Some(&count)) = (self.offsets.get(i), self.byte_counts.get(i)) else {
            return Err(format(format!("chunk {index} has no offset or byte count")));
        };
        let size = shape.sample_type.size();
        let row_bytes = shape.stride * shape.spp * size;
        let decoded = (row_bytes * shape.stored_rows) as u64;
        for (what, bytes) in [("compressed chunk", count), ("decoded chunk", decoded)] {
            if bytes > max_chunk_bytes {
                return Err(RasterError::LimitExceeded {
                    file: name.to_owned(),
                    what: format!("a {what} ({index})"),
                    needed: bytes,
                    limit: max_chunk_bytes,
                });
            }
        }
        self.compressed.resize(count as usize, 0);
        reader
            .seek(SeekFrom::Start(offset))
            .and_then(|_| reader.read_exact(&mut self.compressed))
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => RasterError::Truncated {
                    file: name.to_owned(),
                    detail: format!(
                        "ZSTD chunk {index} at byte {offset} needs {count} bytes past the end"
                    ),
                },
                _ => RasterError::Io {
                    file: name.to_owned(),
                    source: e,
                },
            })?;
        self.raw.clear();
        self.raw.resize(decoded as usize, 0);
        let written = self
            .frames
            .decode_all(&self.compressed, &mut self.raw)
            .map_err(|e| format(format!("ZSTD chunk {index} does not decompress: {e}")))?;
        if written != self.raw.len() {
            return Err(format(format!(
                "ZSTD chunk {index} holds {written} bytes, expected {}",
                self.raw.len()
            )));
        }
        for row in self.raw.chunks_exact_mut(row_bytes) {
            match self.predictor {
                3 => undo_float_predictor(row, shape.spp, size),
                2 => undo_horizontal_predictor(row, shape.spp, size, self.little_endian),
                _ => to_little_endian(row, size, self.little_endian),
            }
        }
        *out = crop(&self.raw, shape);
        Ok(())
    }
}

/// Reads a `size`-byte unsigned integer in the file's byte order.
fn read_uint(bytes: &[u8], little_endian: bool) -> u64 {
    let fold = |acc: u64, b: &u8| (acc << 8) | u64::from(*b);
    if little_endian {
        bytes.iter().rev().fold(0, fold)
    } else {
        bytes.iter().fold(0, fold)
    }
}

/// Writes a `size`-byte unsigned integer in little-endian order.
fn write_le(bytes: &mut [u8], value: u64) {
    for (k, b) in bytes.iter_mut().enumerate() {
        *b = (value >> (8 * k)) as u8;
    }
}

fn to_little_endian(row: &mut [u8], size: usize, little_endian: bool) {
    if !little_endian && size > 1 {
        row.chunks_exact_mut(size).for_each(<[u8]>::reverse);
    }
}

/// Predictor 2: each sample is stored as the difference to the same sample of the pixel before,
/// modulo 2^bits (libtiff's `horAcc`). Leaves the row little-endian.
fn undo_horizontal_predictor(row: &mut [u8], spp: usize, size: usize, little_endian: bool) {
    let mask = if size == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * size)) - 1
    };
    let samples = row.len() / size;
    let mut previous = vec![0u64; spp];
    for i in 0..samples {
        let bytes = &mut row[i * size..(i + 1) * size];
        let delta = read_uint(bytes, little_endian);
        let value = if i < spp {
            delta
        } else {
            previous[i % spp].wrapping_add(delta) & mask
        };
        previous[i % spp] = value;
        write_le(bytes, value);
    }
}

/// Predictor 3: bytes are differenced along the row (stride = samples per pixel), and each row
/// holds the samples' most significant bytes first, then the next, … (libtiff's `fpAcc`).
/// Leaves the row little-endian.
fn undo_float_predictor(row: &mut [u8], spp: usize, size: usize) {
    for i in spp..row.len() {
        row[i] = row[i].wrapping_add(row[i - spp]);
    }
    let count = row.len() / size;
    let planes = row.to_vec();
    for k in 0..count {
        for byte in 0..size {
            // Plane 0 holds the most significant byte; little-endian puts it last.
            row[k * size + (size - 1 - byte)] = planes[byte * count + k];
        }
    }
}

/// Little-endian bytes of a chunk (rows of `stride` pixels) → typed samples of its data region.
fn crop(raw: &[u8], shape: &ChunkShape) -> Samples {
    let size = shape.sample_type.size();
    let row_bytes = shape.stride * shape.spp * size;
    let keep = shape.data_width * shape.spp * size;
    let bytes = raw
        .chunks_exact(row_bytes)
        .take(shape.rows)
        .flat_map(|row| &row[..keep]);
    macro_rules! typed {
        ($variant:ident, $t:ty, $n:literal) => {{
            let flat: Vec<u8> = bytes.copied().collect();
            Samples::$variant(
                flat.chunks_exact($n)
                    .map(|b| {
                        let mut a = [0u8; $n];
                        a.copy_from_slice(b);
                        <$t>::from_le_bytes(a)
                    })
                    .collect(),
            )
        }};
    }
    match shape.sample_type {
        SampleType::U8 => Samples::U8(bytes.copied().collect()),
        SampleType::I8 => Samples::I8(bytes.map(|b| *b as i8).collect()),
        SampleType::U16 => typed!(U16, u16, 2),
        SampleType::I16 => typed!(I16, i16, 2),
        SampleType::U32 => typed!(U32, u32, 4),
        SampleType::I32 => typed!(I32, i32, 4),
        SampleType::F32 => typed!(F32, f32, 4),
        SampleType::F64 => typed!(F64, f64, 8),
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
        undo_float_predictor(&mut planes, 1, 4);
        let back: Vec<f32> = planes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(back, values);
    }

    /// Reads every band of `file` through the `tiff` crate's C ZSTD and through ours.
    fn assert_same_both_ways(file: &std::path::Path) {
        use crate::reader::{GeoTiffReader, Window};
        let mut c = GeoTiffReader::open(file).expect("opens");
        let mut rust = GeoTiffReader::open(file).expect("opens");
        assert_eq!(c.info().compression, "zstd", "{}", file.display());
        rust.decode_zstd_in_rust().expect("chunk table");
        let info = c.info().clone();
        let bands: Vec<usize> = (0..info.bands).collect();
        let whole = Window::new(0, 0, info.width, info.height);
        let odd = Window::new(
            info.width / 3,
            info.height / 2,
            info.width / 2,
            info.height / 3,
        );
        for window in [whole, odd] {
            let expected = c.read_bands_window(&bands, window).expect("C path");
            let got = rust.read_bands_window(&bands, window).expect("Rust path");
            assert_eq!(got, expected, "{} {window:?}", file.display());
        }
    }

    #[test]
    fn pure_rust_zstd_decodes_real_files_as_the_c_library() {
        let Some(b5) = glacier_testdata::path("derived_here/encodings/B5_zstd_tiled.tif") else {
            return;
        };
        assert_same_both_ways(&b5);
        // More layouts, made by GDAL from the same real pixels when it is installed.
        let encodings = b5.parent().expect("folder").to_path_buf();
        let out = std::env::temp_dir().join(format!("glacier-zstd-{}", std::process::id()));
        std::fs::create_dir_all(&out).expect("temp dir");
        let cases: [(&str, &[&str]); 4] = [
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
        ];
        for (source, options) in cases {
            let target = out.join(format!("zstd_{source}"));
            let made = std::process::Command::new("gdal_translate")
                .args(["-q", "-co", "COMPRESS=ZSTD"])
                .args(options)
                .arg(encodings.join(source))
                .arg(&target)
                .status();
            match made {
                Ok(status) if status.success() => assert_same_both_ways(&target),
                Ok(status) => panic!("gdal_translate failed on {source}: {status}"),
                Err(_) => {
                    eprintln!("SKIPPED (GDAL-made layouts): gdal_translate is not installed");
                    break;
                }
            }
        }
        let _ = std::fs::remove_dir_all(&out);
    }
}
