//! Times full-band decodes of GeoTIFFs: `cargo run --release -p glacier-raster --example
//! decode_timing -- FILE…`. Prints one tab-separated line per file: name, pixels, best of 5 (ms).
//! `cargo xtask bench-decode` runs it beside GDAL and prints the comparison table.

use glacier_raster::GeoTiffReader;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    for path in std::env::args().skip(1) {
        let mut best = f64::MAX;
        let mut pixels = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let mut reader = GeoTiffReader::open(&path)?;
            let info = reader.info().clone();
            let bands: Vec<usize> = (0..info.bands).collect();
            let window = glacier_raster::Window::new(0, 0, info.width, info.height);
            pixels = reader
                .read_bands_window(&bands, window)?
                .iter()
                .map(|b| b.len())
                .sum();
            best = best.min(start.elapsed().as_secs_f64() * 1e3);
        }
        println!("{path}\t{pixels}\t{best:.2}");
    }
    Ok(())
}
