//! Entry points for benchmarks that drive the built page from outside
//! (`tests/browser/bench_page.mjs`), exported on `window.wasmBindings` by trunk.

use std::io::Cursor;

use glacier_raster::{GeoTiffReader, Samples};
use wasm_bindgen::prelude::*;

/// Decodes band 1 of a GeoTIFF in memory with the reader the page uses for every band, as a
/// benchmark's unit of work. Returns the number of pixels, or their sum when `checksum` is set
/// (to check the decode against another decoder outside the timed runs).
///
/// # Errors
/// The reader's message when the bytes are not a GeoTIFF it can decode.
#[wasm_bindgen(js_name = decodeGeoTiff)]
pub fn decode_geotiff(bytes: &[u8], checksum: bool) -> Result<f64, JsError> {
    let mut reader = GeoTiffReader::new("benchmark input", Cursor::new(bytes))?;
    let band = reader.read_band(0)?;
    if !checksum {
        return Ok(band.len() as f64);
    }
    Ok(match &band {
        Samples::U8(v) => v.iter().map(|x| f64::from(*x)).sum(),
        Samples::U16(v) => v.iter().map(|x| f64::from(*x)).sum(),
        Samples::I16(v) => v.iter().map(|x| f64::from(*x)).sum(),
        Samples::F32(v) => v.iter().map(|x| f64::from(*x)).sum(),
        other => other.len() as f64,
    })
}
