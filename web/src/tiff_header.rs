//! Band counts of dropped GeoTIFFs without a Landsat name, from their headers alone: the page's
//! thread reads a few small pieces of each file (where the header says it goes on), never the
//! pixels, and nothing more of a file that is not a TIFF.

use glacier_inputs::pieces::{HeaderProbe, Pieces, probe_bands};

use crate::files;

/// Bytes read from the start of the file, and at each place the header goes on.
const PIECE_BYTES: f64 = 64.0 * 1024.0;
/// Pieces read at most (1 MiB): a header that needs more lies scattered through the file.
const MAX_PIECES: usize = 16;

/// The band count of `file` from its header; `Ok(None)` when it is not a GeoTIFF the reader
/// takes (mapping reports that when the file matters).
///
/// # Errors
/// A message naming the file when the browser cannot read it, or when its header is scattered
/// over more than [`MAX_PIECES`] pieces.
pub async fn band_count(file: &web_sys::File) -> Result<Option<usize>, String> {
    let mut pieces = Pieces::new(file.name(), file.size() as u64);
    pieces.add(0, files::read_range(file, 0.0, PIECE_BYTES).await?);
    let mut read = 1;
    loop {
        match probe_bands(&pieces) {
            HeaderProbe::Bands(n) => return Ok(Some(n)),
            HeaderProbe::Unreadable(_) => return Ok(None),
            HeaderProbe::Need(at) if read < MAX_PIECES => {
                pieces.add(at, files::read_range(file, at as f64, PIECE_BYTES).await?);
                read += 1;
            }
            HeaderProbe::Need(_) => {
                return Err(format!(
                    "{}: its TIFF header is scattered through the file, and this page reads \
                     only headers before mapping; rewrite it as a cloud-optimised GeoTIFF \
                     (gdal_translate -of COG IN.tif OUT.tif) and drop that",
                    file.name()
                ));
            }
        }
    }
}
