//! TIFF LZW decompression (TIFF 6.0 §13: MSB-first codes of 9–12 bits, "early change", Clear
//! = 256, EndOfInformation = 257), into a caller's buffer of known size.
//!
//! Every string in the code table is a substring of what was already decoded: the entry added
//! after a code is the previous code's string plus the first byte of this code's string, and
//! the two lie side by side in the output. So an entry is just `(start, length)` into the output
//! and decoding a code is a copy within the output buffer (as an LZ77 match), with no prefix
//! chains to walk. The 256 literal bytes sit just before the output, so a literal is such an
//! entry too and the loop has no branch between the two kinds. Measured beside the `tiff` crate's LZW (weezl behind `Read` adapters) by
//! `cargo xtask bench-decode`.

use thiserror::Error;

const CLEAR: u16 = 256;
const END: u16 = 257;
const FIRST_FREE: u16 = 258;
const MAX_CODES: usize = 4096;
const MIN_WIDTH: u32 = 9;
const MAX_WIDTH: u32 = 12;

/// Why an LZW stream could not be decoded.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum LzwError {
    /// A code names a table entry that does not exist yet.
    #[error("LZW code {code} at output byte {at} is not in the table (next free code {next})")]
    UnknownCode {
        /// The code read.
        code: u16,
        /// How many bytes were decoded before it.
        at: usize,
        /// The next code the table would have assigned.
        next: u16,
    },
    /// The stream does not start with a Clear code or a literal after one.
    #[error("LZW stream starts with code {0} instead of a Clear code or a literal")]
    BadStart(u16),
}

/// Where the decoded bytes start in the work buffer: before them lie the 256 literal bytes, so
/// a literal code is a table entry like any other (no branch between the two kinds).
const BASE: usize = 256;
/// Spare bytes after the output, so short strings are copied with one fixed-size move.
const BURST: usize = 16;

/// Reusable decoder state: the code table, `(start, length)` into the work buffer.
pub(crate) struct LzwDecoder {
    table: Box<[(u32, u32); MAX_CODES]>,
    work: Vec<u8>,
}

impl LzwDecoder {
    /// A decoder with an empty table.
    pub(crate) fn new() -> Self {
        let mut table = Box::new([(0, 0); MAX_CODES]);
        for (code, entry) in table.iter_mut().take(256).enumerate() {
            *entry = (code as u32, 1);
        }
        // Clear and EndOfInformation have no string: length 0 tells them apart.
        LzwDecoder {
            table,
            work: (0..=255).collect(),
        }
    }

    /// Decodes `input` into `out` until `out` is full, the stream's EndOfInformation code, or
    /// the end of `input`; returns how many bytes were written. Bytes past a full `out` are
    /// ignored, as libtiff does.
    ///
    /// # Errors
    /// [`LzwError`] for a corrupt stream.
    pub(crate) fn decode(&mut self, input: &[u8], out: &mut [u8]) -> Result<usize, LzwError> {
        let end = BASE + out.len();
        self.work.resize(end + BURST, 0);
        let work = &mut self.work[..];
        let table = &mut self.table;
        let mut bits = BitReader::new(input);
        let mut pos = BASE;
        // Each pass of the outer loop starts a table: at the stream's start and after a Clear.
        'table: while pos < end {
            let first = match bits.read(MIN_WIDTH) {
                Some(CLEAR) => continue 'table,
                None | Some(END) => break 'table,
                Some(code) if code > 255 => return Err(LzwError::BadStart(code)),
                Some(code) => code,
            };
            work[pos] = first as u8;
            // The previous code's string in `work`.
            let (mut prev_start, mut prev_len) = (pos, 1usize);
            pos += 1;
            let mut width = MIN_WIDTH;
            let mut next = FIRST_FREE;
            // "Early change": the width grows when `next` reaches 2^width − 1.
            let mut grow_at = (1u16 << width) - 1;
            while pos < end {
                let Some(code) = bits.read(width) else {
                    break 'table;
                };
                let this_start = pos;
                let this_len;
                if code < next {
                    // Codes have at most 12 bits: the mask lets the compiler drop the bounds check.
                    let (start, len) = table[usize::from(code) & (MAX_CODES - 1)];
                    let (start, len) = (start as usize, len as usize);
                    if len == 0 {
                        if code == CLEAR {
                            continue 'table;
                        }
                        break 'table;
                    }
                    if len <= BURST {
                        // One fixed-size move; bytes past `len` are rewritten by what follows.
                        work.copy_within(start..start + BURST, pos);
                    } else {
                        let fits = len.min(end - pos);
                        work.copy_within(start..start + fits, pos);
                    }
                    this_len = len;
                } else if code == next {
                    // The string being defined: the previous one plus its own first byte.
                    let fits = prev_len.min(end - pos);
                    work.copy_within(prev_start..prev_start + fits, pos);
                    work[pos + fits] = work[prev_start];
                    this_len = prev_len + 1;
                } else {
                    return Err(LzwError::UnknownCode {
                        code,
                        at: pos - BASE,
                        next,
                    });
                }
                pos += this_len;
                if usize::from(next) < MAX_CODES {
                    table[usize::from(next)] = (prev_start as u32, prev_len as u32 + 1);
                    next += 1;
                    if next == grow_at && width < MAX_WIDTH {
                        width += 1;
                        grow_at = (1u16 << width) - 1;
                    }
                }
                (prev_start, prev_len) = (this_start, this_len);
            }
            break;
        }
        let written = pos.min(end) - BASE;
        out[..written].copy_from_slice(&work[BASE..BASE + written]);
        Ok(written)
    }
}

/// MSB-first reader of variable-width codes.
struct BitReader<'a> {
    input: &'a [u8],
    at: usize,
    buffer: u64,
    count: u32,
}

impl<'a> BitReader<'a> {
    fn new(input: &'a [u8]) -> Self {
        BitReader {
            input,
            at: 0,
            buffer: 0,
            count: 0,
        }
    }

    /// The next `width`-bit code, or None at the end of the input.
    #[inline(always)]
    fn read(&mut self, width: u32) -> Option<u16> {
        if self.count < width {
            if let Some(bytes) = self.input.get(self.at..self.at + 4) {
                let word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                self.buffer |= u64::from(word) << (32 - self.count);
                self.at += 4;
                self.count += 32;
            } else {
                while self.count < width {
                    let &byte = self.input.get(self.at)?;
                    self.buffer |= u64::from(byte) << (56 - self.count);
                    self.at += 1;
                    self.count += 8;
                }
            }
        }
        let code = (self.buffer >> (64 - width)) as u16;
        self.buffer <<= width;
        self.count -= width;
        Some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(data: &[u8]) -> Vec<u8> {
        weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(data)
            .expect("weezl encodes")
    }

    fn decode(stream: &[u8], len: usize) -> Result<Vec<u8>, LzwError> {
        let mut out = vec![0u8; len];
        let n = LzwDecoder::new().decode(stream, &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    /// Deterministic bytes: runs, repeats and noise, so every decoder branch is taken.
    fn mixed(len: usize, seed: u64) -> Vec<u8> {
        let mut state = seed;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut data = Vec::with_capacity(len);
        while data.len() < len {
            let r = rand();
            match r % 4 {
                0 => data.extend(std::iter::repeat_n(
                    (r >> 8) as u8,
                    (r >> 16) as usize % 300,
                )),
                1 => {
                    let back = (r >> 8) as usize % 500 + 1;
                    if back <= data.len() {
                        let from = data.len() - back;
                        for k in 0..(r >> 20) as usize % 40 {
                            data.push(data[from + k % back]);
                        }
                    }
                }
                _ => data.extend((0..(r >> 8) % 64).map(|_| rand() as u8)),
            }
        }
        data.truncate(len);
        data
    }

    #[test]
    fn decodes_what_weezl_encodes() {
        // Long enough to fill the 4096-code table several times (the encoder then emits Clear)
        // and to pass each width switch at 511, 1023 and 2047.
        for (len, seed) in [
            (0, 1),
            (1, 2),
            (2, 3),
            (1000, 4),
            (200_000, 5),
            (1 << 20, 6),
        ] {
            let data = mixed(len, seed);
            assert_eq!(decode(&encode(&data), len).expect("decodes"), data, "{len}");
        }
    }

    #[test]
    fn kwkwk_codes_repeat_the_previous_string() {
        // A run makes the encoder use each code right as it defines it.
        let data = vec![7u8; 5000];
        assert_eq!(decode(&encode(&data), data.len()).expect("decodes"), data);
    }

    #[test]
    fn a_short_buffer_stops_early_and_a_long_one_reports_the_length() {
        let data = mixed(10_000, 9);
        let stream = encode(&data);
        assert_eq!(decode(&stream, 4321).expect("decodes"), data[..4321]);
        let mut out = vec![0u8; 20_000];
        let n = LzwDecoder::new()
            .decode(&stream, &mut out)
            .expect("decodes");
        assert_eq!(n, data.len());
    }

    #[test]
    fn hand_made_stream_with_clear_mid_way() {
        // 9-bit codes: Clear, 'A', 'B', 258 ("AB"), Clear, 'C', EOI.
        let codes = [256u16, 65, 66, 258, 256, 67, 257];
        let mut bits: u128 = 0;
        for c in codes {
            bits = (bits << 9) | u128::from(c);
        }
        let total = 9 * codes.len();
        let pad = total.div_ceil(8) * 8 - total;
        let bytes = (bits << pad).to_be_bytes();
        let stream = &bytes[16 - total.div_ceil(8)..];
        assert_eq!(decode(stream, 10).expect("decodes"), b"ABABC");
    }

    #[test]
    fn corrupt_streams_give_errors_not_panics() {
        let data = mixed(50_000, 11);
        let stream = encode(&data);
        let mut out = vec![0u8; data.len()];
        let mut decoder = LzwDecoder::new();
        // Every truncation, and streams with flipped bytes, decode to something or fail cleanly.
        for cut in (0..stream.len()).step_by(97) {
            let _ = decoder.decode(&stream[..cut], &mut out);
        }
        for k in (0..stream.len()).step_by(31) {
            let mut bad = stream.clone();
            bad[k] ^= 0x5a;
            let _ = decoder.decode(&bad, &mut out);
        }
        // A code beyond the table right after the first literal.
        let codes = [256u16, 65, 300];
        let bits = (u32::from(codes[0]) << 18) | (u32::from(codes[1]) << 9) | u32::from(codes[2]);
        let stream = (bits << 5).to_be_bytes();
        assert_eq!(
            decode(&stream, 10),
            Err(LzwError::UnknownCode {
                code: 300,
                at: 1,
                next: 258
            })
        );
    }
}
