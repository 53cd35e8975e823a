//! PackBits decompression (TIFF 6.0 §9) from a chunk's bytes into a caller's buffer.
//!
//! The `tiff` crate decodes PackBits through a `Read` adapter that fetches each header byte
//! with its own read call; on a whole chunk in memory a run is one `fill` and a literal one
//! `copy_from_slice` (measured by `cargo xtask bench-decode`).

/// Decodes `input` into `out` until `out` is full or `input` ends; returns the bytes written.
/// A run or literal that would pass the end of `out` is clipped, as libtiff does.
pub(crate) fn decode(input: &[u8], out: &mut [u8]) -> usize {
    let (mut at, mut pos) = (0usize, 0usize);
    while pos < out.len() && at < input.len() {
        let header = input[at] as i8;
        at += 1;
        match header {
            0..=127 => {
                let len = (header as usize + 1)
                    .min(out.len() - pos)
                    .min(input.len() - at);
                out[pos..pos + len].copy_from_slice(&input[at..at + len]);
                pos += len;
                at += header as usize + 1;
            }
            -127..=-1 => {
                let Some(&value) = input.get(at) else { break };
                at += 1;
                let len = (1 - header as isize) as usize;
                let len = len.min(out.len() - pos);
                out[pos..pos + len].fill(value);
                pos += len;
            }
            // -128 is a no-op.
            _ => {}
        }
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_tiff_specification_example() {
        // TIFF 6.0 §9, "PackBits Compression": the packed and unpacked example data.
        let packed = [
            0xFE, 0xAA, 0x02, 0x80, 0x00, 0x2A, 0xFD, 0xAA, 0x03, 0x80, 0x00, 0x2A, 0x22, 0xF7,
            0xAA,
        ];
        let unpacked = [
            0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0xAA, 0xAA, 0xAA, 0xAA, 0x80, 0x00, 0x2A, 0x22,
            0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA,
        ];
        let mut out = [0u8; 24];
        assert_eq!(decode(&packed, &mut out), 24);
        assert_eq!(out, unpacked);
    }

    #[test]
    fn no_ops_short_buffers_and_truncated_input() {
        let mut out = [0u8; 4];
        // -128 is skipped; the 5-byte run is clipped to the buffer.
        assert_eq!(decode(&[0x80, 0xFC, 9], &mut out), 4);
        assert_eq!(out, [9; 4]);
        // A literal that promises more bytes than the input holds copies what is there.
        let mut out = [0u8; 8];
        assert_eq!(decode(&[5, 1, 2], &mut out), 2);
        assert_eq!(&out[..2], &[1, 2]);
        // A run header at the very end has no value byte.
        assert_eq!(decode(&[0xFF], &mut out), 0);
    }
}
