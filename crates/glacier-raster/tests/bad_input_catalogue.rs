//! The bad GeoTIFFs of the README's catalogue: a directory that points back to itself, corrupt
//! DEFLATE and ZSTD chunks, bit depths the reader does not take, and real files cut at every
//! byte. Each gets a message that names the file and what is wrong, never a panic or a hang.

use glacier_raster::GeoTiffReader;
use glacier_testdata::tiff::{Value, strip_entries, tiff};
use std::io::Cursor;

/// What reading every band of `bytes` as `name` says: the first error, or "read".
fn outcome(name: &str, bytes: Vec<u8>) -> String {
    let mut reader = match GeoTiffReader::new(name, Cursor::new(bytes)) {
        Ok(r) => r,
        Err(e) => return e.to_string(),
    };
    for band in 0..reader.info().bands {
        if let Err(e) = reader.read_band(band) {
            return e.to_string();
        }
    }
    "read".into()
}

/// A 4 × 4 uint8 strip compressed as `compression` holding `data`.
fn strip(compression: u16, data: &[u8]) -> Vec<u8> {
    tiff(&strip_entries(4, 4, compression, data.len() as u32), data)
}

#[test]
fn a_directory_pointing_back_to_itself_is_refused_as_a_cycle() {
    let mut bytes = strip(1, &[7; 16]);
    let ifd = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    let entries = u16::from_le_bytes([bytes[ifd], bytes[ifd + 1]]) as usize;
    let next = ifd + 2 + 12 * entries;
    bytes[next..next + 4].copy_from_slice(&(ifd as u32).to_le_bytes());
    let said = outcome("loop.tif", bytes);
    println!("loop: {said}");
    assert!(
        said.starts_with(
            "loop.tif is not a readable TIFF (file contained a cycle in the list of IFDs); check"
        ),
        "{said}"
    );
}

#[test]
fn corrupt_deflate_and_zstd_chunks_are_named() {
    let garbage = [0x78, 0x9c, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37, 0, 0, 0, 0];
    let said = outcome("deflate.tif", strip(8, &garbage));
    println!("{said}");
    assert!(
        said.starts_with("deflate.tif is not a readable TIFF (DEFLATE chunk 0"),
        "{said}"
    );
    let said = outcome(
        "zstd.tif",
        strip(50000, &[0x28, 0xb5, 0x2f, 0xfd, 9, 9, 9, 9]),
    );
    println!("{said}");
    assert!(
        said.starts_with("zstd.tif is not a readable TIFF (ZSTD chunk 0 does not decompress"),
        "{said}"
    );
}

#[test]
fn bit_depths_the_reader_does_not_take_are_named() {
    for bits in [1u16, 12] {
        let mut entries = strip_entries(4, 4, 1, 16);
        for (tag, value) in &mut entries {
            if *tag == 258 {
                *value = Value::Short(vec![bits]);
            }
        }
        let said = outcome("odd.tif", tiff(&entries, &[0; 16]));
        println!("{said}");
        assert!(
            said.starts_with("odd.tif: ") && said.contains(&format!("{bits}-bit")),
            "{bits} bits: {said}"
        );
        assert!(
            said.ends_with(
                "(for example `gdal_translate -ot UInt16 in.tif out.tif`, or `-ot Float32`)"
            ),
            "{said}"
        );
    }
}

/// Small cuts GDAL makes of a real Landsat band: tiled DEFLATE with a predictor, LZW strips,
/// BigTIFF; `None` outside CI when the data or GDAL is missing.
fn gdal_cuts() -> Option<Vec<(String, Vec<u8>)>> {
    let band = glacier_testdata::path("athabasca_hls_satrbedo/athabasca_2020229_B05_L30.tif")?;
    if !glacier_testdata::require_tool("gdal_translate") {
        return None;
    }
    let layouts: [(&str, &[&str]); 3] = [
        (
            "tiled_deflate.tif",
            &[
                "-co",
                "TILED=YES",
                "-co",
                "BLOCKXSIZE=16",
                "-co",
                "BLOCKYSIZE=16",
                "-co",
                "COMPRESS=DEFLATE",
                "-co",
                "PREDICTOR=2",
            ],
        ),
        (
            "strips_lzw.tif",
            &["-co", "COMPRESS=LZW", "-co", "BLOCKYSIZE=4"],
        ),
        (
            "bigtiff.tif",
            &["-co", "BIGTIFF=YES", "-co", "COMPRESS=ZSTD"],
        ),
    ];
    let mut cuts = Vec::new();
    for (name, options) in layouts {
        let out = std::env::temp_dir().join(format!("glacier_cuts_{}_{name}", std::process::id()));
        let status = std::process::Command::new("gdal_translate")
            .args(["-q", "-srcwin", "50", "60", "40", "24"])
            .args(options)
            .arg(&band)
            .arg(&out)
            .status()
            .expect("gdal_translate runs");
        assert!(status.success(), "{name}");
        cuts.push((name.to_owned(), std::fs::read(&out).expect("written")));
    }
    Some(cuts)
}

#[test]
fn a_file_cut_at_any_byte_is_named_as_incomplete_or_unreadable() {
    let Some(files) = gdal_cuts() else {
        return;
    };
    for (name, bytes) in files {
        assert_eq!(outcome(&name, bytes.clone()), "read", "{name} whole");
        // Every length from the empty file to one byte short: through the header, the IFD, the
        // tag values (GeoKeys, the chunk table), and every chunk.
        let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
        for len in 0..bytes.len() {
            let said = outcome(&name, bytes[..len].to_vec());
            let kind = if said.starts_with(&format!("{name} ends early (")) {
                "ends early"
            } else if said.starts_with(&format!("{name} is not a readable TIFF (")) {
                "not a readable TIFF"
            } else {
                panic!("{name} cut to {len} of {} bytes: {said}", bytes.len());
            };
            *kinds.entry(kind).or_default() += 1;
        }
        println!("{name}: {} cuts: {kinds:?}", bytes.len());
    }
}

#[test]
fn a_deflate_or_zstd_bomb_stops_at_the_chunk_size() {
    use std::io::Write;
    // 16 MiB of zeros in a few kB, in a strip that declares 4 × 4 bytes: decompressed into the
    // strip's 16-byte buffer, so it is refused there, never inflated.
    let zeros = vec![0u8; 16 << 20];
    let mut deflate = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    deflate.write_all(&zeros).expect("compresses");
    let deflated = deflate.finish().expect("compresses");
    let zstd = zstd::bulk::compress(&zeros, 19).expect("compresses");
    assert!(deflated.len() < 100_000 && zstd.len() < 100_000);
    for (compression, codec, bytes) in [(8, "DEFLATE", deflated), (50000, "ZSTD", zstd)] {
        let said = outcome("bomb.tif", strip(compression, &bytes));
        println!("{said}");
        assert!(
            said.starts_with(&format!(
                "bomb.tif is not a readable TIFF ({codec} chunk 0 does not decompress: it \
                 inflates to more than the 16 bytes its tile or strip holds"
            )),
            "{said}"
        );
    }
}
