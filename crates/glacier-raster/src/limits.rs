//! What a file's header may make the reader allocate: [`ReadLimits`], buffer sizes as checked
//! products of header fields, and each chunk's extent checked against the file's length, all
//! before any allocation sized by them.

use std::io::{Read, Seek};

use tiff::decoder::Decoder;
use tiff::tags::Tag;

use crate::error::{RasterError, Result};

/// Memory limits for one read; exceeding them is an error, never an out-of-memory abort.
///
/// Whatever the limits say, no buffer exceeds the address space (`isize::MAX` bytes: 2 GiB in
/// `wasm32`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest buffer one `read_window` may return, in bytes.
    pub max_read_bytes: u64,
    /// Largest decoded chunk (strip or tile), in bytes.
    pub max_chunk_bytes: u64,
}

impl Default for ReadLimits {
    /// 1 GiB per read (a full 7.8k × 7.9k uint16 band is 120 MiB), 256 MiB per chunk.
    fn default() -> Self {
        ReadLimits {
            max_read_bytes: 1 << 30,
            max_chunk_bytes: 256 << 20,
        }
    }
}

/// `limit`, or less where the address space is smaller (`isize::MAX` is the largest allocation).
pub(crate) fn addressable(limit: u64) -> u64 {
    limit.min(isize::MAX as u64)
}

/// The product of `factors` (header fields: pixels, rows, samples, bytes per sample) as a buffer
/// length, computed without overflow and refused above `limit` before anything is allocated.
///
/// # Errors
/// [`RasterError::Format`] when the product overflows 64 bits (no real file is that large),
/// [`RasterError::LimitExceeded`] when it is over `limit` or the address space.
pub(crate) fn buffer_len(file: &str, what: &str, factors: &[u64], limit: u64) -> Result<usize> {
    let product = factors
        .iter()
        .try_fold(1u64, |acc, f| acc.checked_mul(*f))
        .ok_or_else(|| RasterError::Format {
            file: file.to_owned(),
            detail: format!(
                "{what} would be {} bytes, more than any file can describe",
                factors
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(" × ")
            ),
        })?;
    let limit = addressable(limit);
    match usize::try_from(product) {
        Ok(len) if product <= limit => Ok(len),
        _ => Err(RasterError::LimitExceeded {
            file: file.to_owned(),
            what: what.to_owned(),
            needed: product,
            limit,
        }),
    }
}

/// Where each strip or tile of the current image lies, and the file's length.
pub(crate) struct ChunkTable {
    offsets: Vec<u64>,
    byte_counts: Vec<u64>,
    file_len: u64,
}

impl ChunkTable {
    /// Reads the chunk offsets and byte counts of `decoder`'s current image, in a file of
    /// `file_len` bytes.
    pub(crate) fn read<R: Read + Seek>(
        name: &str,
        decoder: &mut Decoder<R>,
        tiled: bool,
        file_len: u64,
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
        Ok(ChunkTable {
            offsets,
            byte_counts,
            file_len,
        })
    }

    /// Where chunk `index`'s bytes lie (`start..end`), when the table has it and they lie in
    /// the file; `None` for a chunk a sparse file leaves out.
    pub(crate) fn span(&self, index: u32) -> Option<(u64, u64)> {
        let i = index as usize;
        let (offset, count) = (*self.offsets.get(i)?, *self.byte_counts.get(i)?);
        let end = offset.checked_add(count)?;
        (count > 0 && end <= self.file_len).then_some((offset, end))
    }

    /// Offset and byte count of chunk `index` (compressed as `kind`, for messages), once its
    /// bytes are known to lie inside the file and to fit `limit`: a header claiming a 4 GB strip
    /// in a 1 kB file is refused here, not after allocating for it.
    ///
    /// # Errors
    /// [`RasterError::Format`] for a chunk the table lacks, [`RasterError::Truncated`] for one
    /// that ends past the end of the file, [`RasterError::LimitExceeded`] for one over `limit`.
    pub(crate) fn locate(
        &self,
        name: &str,
        kind: &str,
        index: u32,
        limit: u64,
    ) -> Result<(u64, usize)> {
        let i = index as usize;
        let (Some(&offset), Some(&count)) = (self.offsets.get(i), self.byte_counts.get(i)) else {
            return Err(RasterError::Format {
                file: name.to_owned(),
                detail: format!("chunk {index} has no offset or byte count"),
            });
        };
        if offset
            .checked_add(count)
            .is_none_or(|end| end > self.file_len)
        {
            return Err(RasterError::Truncated {
                file: name.to_owned(),
                // Worded as the `tiff` crate's codecs report it (the page shows both).
                detail: format!(
                    "its header points to data past the end of the file: {kind} chunk {index} at \
                     byte {offset} needs {count} bytes, the file has {}",
                    self.file_len
                ),
            });
        }
        let count = buffer_len(
            name,
            &format!("{kind} chunk {index} as stored"),
            &[count],
            limit,
        )?;
        Ok((offset, count))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use glacier_testdata::tiff::{PIXELS_AT, Value, strip_entries, tiff};

    use super::*;
    use crate::chunks::{ChunkShape, RawChunks};
    use crate::reader::GeoTiffReader;
    use crate::samples::{SampleType, Samples};

    #[test]
    fn a_strip_past_the_end_of_the_file_is_refused_before_its_buffer_is_made() {
        // One 4 × 4 LZW strip claiming 4 GB in a file of 130 bytes, with no limit on chunks.
        let bytes = tiff(&strip_entries(4, 4, 5, u32::MAX), &[0; 16]);
        let file_len = bytes.len() as u64;
        let mut decoder = Decoder::new(Cursor::new(bytes)).expect("header parses");
        let table = ChunkTable::read("big.tif", &mut decoder, false, file_len).expect("table");
        let mut raw = RawChunks::new("big.tif", &decoder, "lzw", 1, false)
            .expect("codec")
            .expect("LZW is decoded here");
        let shape = ChunkShape {
            stride: 4,
            data_width: 4,
            stored_rows: 4,
            rows: 4,
            spp: 1,
            sample_type: SampleType::U8,
        };
        let mut out = Samples::U8(Vec::new());
        let reader = decoder.inner();
        let err = raw
            .decode("big.tif", reader, (&table, 0), &shape, u64::MAX, &mut out)
            .expect_err("past the end");
        assert!(matches!(err, RasterError::Truncated { .. }), "{err:?}");
        let expected = format!(
            "big.tif ends early (its header points to data past the end of the file: LZW chunk 0 \
             at byte {PIXELS_AT} needs 4294967295 bytes, the file has {file_len}): the file is \
             incomplete; download or copy it again"
        );
        assert_eq!(err.to_string(), expected);
        assert_eq!(raw.compressed_capacity(), 0, "nothing allocated for it");
    }

    #[test]
    fn an_uncompressed_strip_past_the_end_of_the_file_is_refused() {
        // 10 000 × 10 000 uint8 in one strip (100 MB, under the chunk limit) in a 130-byte file.
        let bytes = tiff(&strip_entries(10_000, 10_000, 1, 100_000_000), &[0; 16]);
        let mut reader = GeoTiffReader::new("cut.tif", Cursor::new(bytes)).expect("header");
        let err = reader.read_band(0).expect_err("pixels missing");
        assert!(matches!(err, RasterError::Truncated { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("uncompressed chunk 0 at byte 8 needs 100000000 bytes"),
            "{err}"
        );
    }

    #[test]
    fn tile_size_products_that_overflow_are_format_errors() {
        // A 16 × 16 image in one 2^31 × 2^31 tile of 4 uint16 samples: 2^65 bytes decoded (in
        // wasm32 the row alone, 2^34 bytes, wrapped).
        let side = 1u32 << 31;
        let mut entries = strip_entries(16, 16, 5, 16);
        entries.retain(|(tag, _)| ![258, 273, 277, 278, 279].contains(tag));
        entries.extend([
            (258, Value::Short(vec![16; 4])),
            (277, Value::Short(vec![4])),
            (322, Value::Long(vec![side])),
            (323, Value::Long(vec![side])),
            (324, Value::Long(vec![PIXELS_AT])),
            (325, Value::Long(vec![16])),
        ]);
        let bytes = tiff(&entries, &[0; 16]);
        let limits = ReadLimits {
            max_read_bytes: u64::MAX,
            max_chunk_bytes: u64::MAX,
        };
        let mut reader =
            GeoTiffReader::with_limits("tiles.tif", Cursor::new(bytes), limits).expect("header");
        assert!(reader.info().tiled);
        let err = reader.read_band(0).expect_err("overflows");
        assert!(matches!(err, RasterError::Format { .. }), "{err:?}");
        assert!(
            err.to_string().contains(
                "decoded chunk 0 would be 2147483648 × 4 × 2 × 2147483648 bytes, more than any \
                 file can describe"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_window_whose_byte_count_overflows_is_a_format_error() {
        // 2^32 − 1 px square of float64: the window's byte count does not fit 64 bits.
        let mut entries = strip_entries(u32::MAX, u32::MAX, 1, 16);
        entries.retain(|(tag, _)| *tag != 258);
        entries.extend([(258, Value::Short(vec![64])), (339, Value::Short(vec![3]))]);
        let bytes = tiff(&entries, &[0; 16]);
        let mut reader = GeoTiffReader::new("huge.tif", Cursor::new(bytes)).expect("header");
        let err = reader.read_band(0).expect_err("overflows");
        assert!(matches!(err, RasterError::Format { .. }), "{err:?}");
    }

    #[test]
    fn buffers_stay_within_the_address_space_whatever_the_limit() {
        let err = buffer_len("f", "a chunk", &[1 << 32, 1 << 31], u64::MAX).expect_err("2^63");
        assert!(
            matches!(err, RasterError::LimitExceeded { needed, limit, .. }
                if needed == 1 << 63 && limit == isize::MAX as u64),
            "{err:?}"
        );
        assert_eq!(
            buffer_len("f", "a chunk", &[3, 5, 2], 30).expect("fits"),
            30
        );
        let err = buffer_len("f", "a chunk", &[3, 5, 2], 29).expect_err("over");
        assert!(
            err.to_string()
                .contains("f: a chunk needs 30 bytes, over the limit of 29 bytes"),
            "{err}"
        );
    }
}
