//! A file of which only some byte ranges are at hand: the page reads a dropped GeoTIFF's header
//! (for its band count) without reading the whole file. A read outside the ranges fails and
//! records where, so the caller can fetch that range and try again ([`probe_bands`]).

use std::cell::Cell;
use std::io::{self, Read, Seek, SeekFrom};

use glacier_raster::GeoTiffReader;

use crate::source::{FileSource, ReadSeek};

/// Some byte ranges of a file of known length.
#[derive(Debug)]
pub struct Pieces {
    name: String,
    len: u64,
    /// Start offset and bytes of each range fetched.
    pieces: Vec<(u64, Vec<u8>)>,
    /// The first offset a read wanted that no range holds.
    missed: Cell<Option<u64>>,
}

impl Pieces {
    /// Nothing yet of the `len`-byte file `name`.
    pub fn new(name: impl Into<String>, len: u64) -> Pieces {
        Pieces {
            name: name.into(),
            len,
            pieces: Vec::new(),
            missed: Cell::new(None),
        }
    }

    /// Adds the bytes found at `offset`.
    pub fn add(&mut self, offset: u64, bytes: Vec<u8>) {
        self.pieces.push((offset, bytes));
    }

    /// Bytes held in all.
    pub fn held(&self) -> u64 {
        self.pieces.iter().map(|(_, b)| b.len() as u64).sum()
    }

    /// The bytes at `pos` from the range holding it.
    fn at(&self, pos: u64) -> Option<&[u8]> {
        self.pieces.iter().find_map(|(start, bytes)| {
            let skip = usize::try_from(pos.checked_sub(*start)?).ok()?;
            bytes.get(skip..).filter(|rest| !rest.is_empty())
        })
    }
}

impl FileSource for Pieces {
    fn name(&self) -> &str {
        &self.name
    }

    fn open(&self) -> io::Result<Box<dyn ReadSeek + '_>> {
        Ok(Box::new(PiecesReader {
            pieces: self,
            pos: 0,
        }))
    }
}

struct PiecesReader<'p> {
    pieces: &'p Pieces,
    pos: u64,
}

impl Read for PiecesReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() || self.pos >= self.pieces.len {
            return Ok(0);
        }
        let Some(held) = self.pieces.at(self.pos) else {
            if self.pieces.missed.get().is_none() {
                self.pieces.missed.set(Some(self.pos));
            }
            return Err(io::Error::other(format!(
                "byte {} of the file was not read yet",
                self.pos
            )));
        };
        let left = usize::try_from(self.pieces.len - self.pos).unwrap_or(usize::MAX);
        let n = out.len().min(held.len()).min(left);
        out[..n].copy_from_slice(&held[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for PiecesReader<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.pieces.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "seek before the file's start")
        })?;
        Ok(self.pos)
    }
}

/// What the header in some [`Pieces`] of a GeoTIFF says.
#[derive(Debug, PartialEq, Eq)]
pub enum HeaderProbe {
    /// The header was read: the file has this many bands.
    Bands(usize),
    /// The header goes on at this offset, which is not at hand yet: fetch it and ask again.
    Need(u64),
    /// The bytes at hand are not a GeoTIFF header the reader takes (the reader's message).
    Unreadable(String),
}

/// Reads the GeoTIFF header from what `pieces` holds.
pub fn probe_bands(pieces: &Pieces) -> HeaderProbe {
    pieces.missed.set(None);
    let outcome = pieces
        .open()
        .map_err(|e| e.to_string())
        .and_then(|r| GeoTiffReader::new(pieces.name.clone(), r).map_err(|e| e.to_string()));
    match (outcome, pieces.missed.get()) {
        (Ok(reader), _) => HeaderProbe::Bands(reader.info().bands),
        (Err(_), Some(offset)) => HeaderProbe::Need(offset),
        (Err(e), None) => HeaderProbe::Unreadable(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use glacier_raster::{Crs, GeoTransform, RasterSpec, write_geotiff};

    /// A 3-band 300 × 200 u8 GeoTIFF in memory.
    fn geotiff() -> Vec<u8> {
        let spec = RasterSpec {
            width: 300,
            height: 200,
            bands: 3,
            transform: GeoTransform {
                x0: 500_000.0,
                dx: 30.0,
                rx: 0.0,
                y0: 6_000_000.0,
                ry: 0.0,
                dy: -30.0,
            },
            crs: Some(Crs::Epsg(32611)),
            nodata: None,
            descriptions: Vec::new(),
            colours: Vec::new(),
        };
        let mut out = io::Cursor::new(Vec::new());
        write_geotiff(
            "t.tif",
            &mut out,
            &spec,
            |first, _rows, bands: &mut [Vec<u8>]| {
                // Noise, so compression cannot shrink the pixels below the header's size.
                let mut state = u64::from(first) * 0x9E37_79B9 + 1;
                for band in bands.iter_mut() {
                    for v in band.iter_mut() {
                        state = state
                            .wrapping_mul(6_364_136_223_846_793_005)
                            .wrapping_add(1);
                        *v = (state >> 56) as u8;
                    }
                }
                Ok(())
            },
        )
        .expect("writes");
        out.into_inner()
    }

    /// Fetches `window` bytes at each offset asked for until the header is read.
    fn fetch_until_read(file: &[u8], window: usize) -> (HeaderProbe, Pieces, usize) {
        let mut pieces = Pieces::new("t.tif", file.len() as u64);
        pieces.add(0, file[..window.min(file.len())].to_vec());
        for fetches in 1..50 {
            match probe_bands(&pieces) {
                HeaderProbe::Need(at) => {
                    let at = usize::try_from(at).expect("small");
                    pieces.add(at as u64, file[at..(at + window).min(file.len())].to_vec());
                }
                other => return (other, pieces, fetches),
            }
        }
        panic!("the header was never read");
    }

    #[test]
    fn the_header_is_read_without_the_pixels() {
        let file = geotiff();
        assert!(file.len() > 150_000, "{}", file.len());
        let (probe, pieces, _) = fetch_until_read(&file, 4096);
        assert_eq!(probe, HeaderProbe::Bands(3));
        assert!(
            pieces.held() < file.len() as u64 / 4,
            "read {} of {} bytes",
            pieces.held(),
            file.len()
        );
        // With the whole file at hand the header reads at once.
        let mut whole = Pieces::new("t.tif", file.len() as u64);
        whole.add(0, file.clone());
        assert_eq!(probe_bands(&whole), HeaderProbe::Bands(3));
    }

    #[test]
    fn the_next_fetch_is_where_the_header_goes_on() {
        // This writer puts the directory after the pixels: the first bytes point there.
        let file = geotiff();
        let mut pieces = Pieces::new("t.tif", file.len() as u64);
        pieces.add(0, file[..16].to_vec());
        match probe_bands(&pieces) {
            HeaderProbe::Need(at) => assert!(at >= 16 && at < file.len() as u64, "{at}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn not_a_tiff_asks_for_nothing_more() {
        let text = b"<html><body>404 Not Found</body></html>".repeat(100);
        let mut pieces = Pieces::new("B04.tif", 10_000_000);
        pieces.add(0, text.clone());
        match probe_bands(&pieces) {
            HeaderProbe::Unreadable(e) => assert!(e.contains("not a readable TIFF"), "{e}"),
            other => panic!("{other:?}"),
        }
    }
}
