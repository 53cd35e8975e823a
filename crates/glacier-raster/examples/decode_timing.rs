//! Times full-band decodes of GeoTIFFs: `cargo run --release -p glacier-raster --example
//! decode_timing -- FILE…`. Prints one tab-separated line per file: name, pixels, best of 5
//! (ms), and, for files whose chunks this crate decompresses itself (LZW, PackBits, ZSTD,
//! DEFLATE), best of 5 through the `tiff` crate's own codecs (else `-`).
//! `cargo xtask bench-decode` runs it beside GDAL and prints the comparison table.

use glacier_raster::{GeoTiffReader, Window};
use std::time::Instant;

/// Best of 5 full reads of every band (ms) and the pixel count.
fn best_of_5(path: &str, tiff_codecs: bool) -> Result<(f64, usize), Box<dyn std::error::Error>> {
    let (mut best, mut pixels) = (f64::MAX, 0);
    for _ in 0..5 {
        let start = Instant::now();
        let mut reader = GeoTiffReader::open(path)?;
        if tiff_codecs {
            reader.use_tiff_codecs();
        }
        let info = reader.info().clone();
        let bands: Vec<usize> = (0..info.bands).collect();
        let window = Window::new(0, 0, info.width, info.height);
        pixels = reader
            .read_bands_window(&bands, window)?
            .iter()
            .map(|b| b.len())
            .sum();
        best = best.min(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok((best, pixels))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let (ours, pixels) = best_of_5(&path, false)?;
        let compression = GeoTiffReader::open(&path)?.info().compression;
        let tiff = if matches!(compression, "lzw" | "packbits" | "zstd" | "deflate") {
            format!("{:.2}", best_of_5(&path, true)?.0)
        } else {
            "-".to_owned()
        };
        println!("{path}\t{pixels}\t{ours:.2}\t{tiff}");
    }
    Ok(())
}
