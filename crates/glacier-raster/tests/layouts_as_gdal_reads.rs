//! Layouts the `tiff` crate's chunk reader decodes otherwise than GDAL, made by GDAL from real
//! Athabasca HLS bands and read by us sample for sample as GDAL reads them (GDAL's values
//! dumped raw with `gdal_translate -of ENVI`):
//! - four 8-bit bands as RGB plus an unspecified extra sample, pixel-interleaved, uncompressed,
//!   6-row strips: an aerial RGB + NIR image's layout (the `tiff` crate kept three samples a
//!   pixel, so every band came back as other values);
//! - the same with DEFLATE;
//! - MinIsWhite float32 and uint8 (the `tiff` crate inverted them; GDAL reads them as stored);
//! - a sparse file (`SPARSE_OK`) whose empty tiles have no bytes (GDAL reads them as zeros);
//! - 8-bit CMYK with an extra sample: GDAL shows 4 RGBA bands converted from the inks where the
//!   file holds 5 samples, so it is refused, and the conversion the message names reads as
//!   GDAL reads the raw inks.

use glacier_raster::GeoTiffReader;
use glacier_testdata::{path, require_tool};
use std::path::{Path, PathBuf};
use std::process::Command;

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("glacier_layouts_{}_{name}", std::process::id()))
}

fn gdal(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .expect("GDAL runs");
    assert!(out.status.success(), "{program} {args:?}: {out:?}");
}

/// Our samples of every band of `file`, as `f64`.
fn ours(file: &Path) -> Vec<Vec<f64>> {
    let mut r = GeoTiffReader::open(file).expect("opens");
    (0..r.info().bands)
        .map(|b| {
            let s = r.read_band(b).expect("decodes");
            (0..s.len())
                .map(|i| s.get_f64(i).expect("in range"))
                .collect()
        })
        .collect()
}

/// GDAL's samples of every band of `file` (band-sequential ENVI dump, little-endian), as
/// `f64`; `size` bytes a sample, `float` for float32.
fn gdals(file: &Path, bands: usize, size: usize, float: bool) -> Vec<Vec<f64>> {
    let raw = tmp(&format!(
        "{}.envi",
        file.file_name().expect("name").to_string_lossy()
    ));
    gdal(
        "gdal_translate",
        &[
            "-q",
            "-of",
            "ENVI",
            "-co",
            "INTERLEAVE=BSQ",
            &file.display().to_string(),
            &raw.display().to_string(),
        ],
    );
    let bytes = std::fs::read(&raw).expect("dump");
    let per_band = bytes.len() / bands;
    bytes
        .chunks_exact(per_band)
        .map(|band| {
            band.chunks_exact(size)
                .map(|b| match (size, float) {
                    (1, _) => f64::from(b[0]),
                    (4, true) => f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                    _ => unreachable!("the layouts here are uint8 and float32"),
                })
                .collect()
        })
        .collect()
}

/// A VRT named `name` stacking the real Athabasca L30 `bands` (B02 …), for GDAL to write the
/// layouts from; `None` outside CI when the data or GDAL is missing.
fn stacked(name: &str, bands: &[&str]) -> Option<String> {
    let b2 = path("athabasca_hls_satrbedo/athabasca_2020229_B02_L30.tif")?;
    if !require_tool("gdal_translate") || !require_tool("gdalbuildvrt") {
        return None;
    }
    let vrt = tmp(name).display().to_string();
    let mut args = vec!["-q".to_owned(), "-separate".into(), vrt.clone()];
    args.extend(bands.iter().map(|b| {
        b2.with_file_name(format!("athabasca_2020229_{b}_L30.tif"))
            .display()
            .to_string()
    }));
    gdal(
        "gdalbuildvrt",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    Some(vrt)
}

#[test]
fn rgb_with_an_extra_sample_and_min_is_white_read_as_gdal_reads_them() {
    let Some(vrt) = stacked("four.vrt", &["B02", "B03", "B04", "B05"]) else {
        return;
    };
    let cases: [(&str, &[&str], usize, usize, bool); 4] = [
        (
            "rgb_extra_strips6.tif",
            &[
                "-ot",
                "Byte",
                "-scale",
                "0",
                "3000",
                "0",
                "255",
                "-co",
                "PHOTOMETRIC=RGB",
                "-co",
                "ALPHA=UNSPECIFIED",
                "-co",
                "BLOCKYSIZE=6",
                "-co",
                "INTERLEAVE=PIXEL",
            ],
            4,
            1,
            false,
        ),
        (
            "rgb_extra_deflate.tif",
            &[
                "-ot",
                "Byte",
                "-scale",
                "0",
                "3000",
                "0",
                "255",
                "-co",
                "PHOTOMETRIC=RGB",
                "-co",
                "ALPHA=UNSPECIFIED",
                "-co",
                "COMPRESS=DEFLATE",
                "-co",
                "INTERLEAVE=PIXEL",
            ],
            4,
            1,
            false,
        ),
        (
            "min_is_white_float.tif",
            &["-b", "4", "-ot", "Float32", "-co", "PHOTOMETRIC=MINISWHITE"],
            1,
            4,
            true,
        ),
        (
            "min_is_white_byte.tif",
            &[
                "-b",
                "4",
                "-ot",
                "Byte",
                "-scale",
                "0",
                "3000",
                "0",
                "255",
                "-co",
                "PHOTOMETRIC=MINISWHITE",
            ],
            1,
            1,
            false,
        ),
    ];
    for (name, options, bands, size, float) in cases {
        let file = tmp(name);
        let mut args = vec!["-q"];
        args.extend(options);
        let (src, dst) = (vrt.clone(), file.display().to_string());
        args.extend([src.as_str(), dst.as_str()]);
        gdal("gdal_translate", &args);
        let (mine, theirs) = (ours(&file), gdals(&file, bands, size, float));
        assert_eq!(mine.len(), bands, "{name}: bands");
        for (b, (m, t)) in mine.iter().zip(&theirs).enumerate() {
            let differ = m.iter().zip(t).filter(|(a, b)| a != b).count();
            assert_eq!(
                differ,
                0,
                "{name} band {}: {differ} of {} samples differ from GDAL's",
                b + 1,
                t.len()
            );
        }
        // Not a flat image: a reader returning zeros would pass the comparison only if GDAL did.
        assert!(
            theirs[0].iter().any(|v| *v != theirs[0][0]),
            "{name} is flat"
        );
    }
}

#[test]
fn an_8_bit_cmyk_file_is_refused_and_its_suggested_conversion_reads_as_gdal_reads_the_inks() {
    let Some(vrt) = stacked("five.vrt", &["B02", "B03", "B04", "B05", "B06"]) else {
        return;
    };
    let cmyk = tmp("cmyk5.tif").display().to_string();
    gdal(
        "gdal_translate",
        &[
            "-q",
            "-ot",
            "Byte",
            "-scale",
            "0",
            "3000",
            "0",
            "255",
            "-co",
            "PHOTOMETRIC=CMYK",
            &vrt,
            &cmyk,
        ],
    );
    let Err(err) = GeoTiffReader::open(Path::new(&cmyk)) else {
        panic!("an 8-bit CMYK file is refused");
    };
    let said = err.to_string();
    println!("{said}");
    assert!(
        said.contains("an 8-bit CMYK image (5 samples a pixel: print inks) is not supported")
            && said.contains("GTIFF_RAW:in.tif bands.tif"),
        "{said}"
    );
    // The message's second conversion, as written there.
    let raw = tmp("cmyk5_bands.tif").display().to_string();
    gdal(
        "gdal_translate",
        &[
            "-q",
            "-co",
            "PHOTOMETRIC=MINISBLACK",
            &format!("GTIFF_RAW:{cmyk}"),
            &raw,
        ],
    );
    let (mine, theirs) = (
        ours(Path::new(&raw)),
        gdals(Path::new(&format!("GTIFF_RAW:{cmyk}")), 5, 1, false),
    );
    assert_eq!(mine.len(), 5, "every ink sample is a band");
    assert_eq!(mine, theirs, "the inks as GDAL reads them raw");
    assert!(theirs[0].iter().any(|v| *v != theirs[0][0]), "not flat");
}

#[test]
fn a_sparse_file_reads_its_missing_tiles_as_zeros_as_gdal_does() {
    if !require_tool("gdal_create") {
        return;
    }
    let file = tmp("sparse.tif");
    let name = file.display().to_string();
    gdal(
        "gdal_create",
        &[
            "-q",
            "-outsize",
            "64",
            "48",
            "-bands",
            "1",
            "-ot",
            "UInt16",
            "-a_srs",
            "EPSG:32630",
            "-a_ullr",
            "400000",
            "6000000",
            "401920",
            "5998560",
            "-co",
            "TILED=YES",
            "-co",
            "BLOCKXSIZE=16",
            "-co",
            "BLOCKYSIZE=16",
            "-co",
            "SPARSE_OK=TRUE",
            "-co",
            "COMPRESS=DEFLATE",
            &name,
        ],
    );
    let mine = ours(&file);
    assert_eq!(mine[0].len(), 64 * 48);
    assert!(mine[0].iter().all(|v| *v == 0.0), "missing tiles are zeros");
    let theirs = gdals_u16(&file);
    assert_eq!(mine[0], theirs);
}

/// GDAL's samples of a one-band uint16 file, as `f64`.
fn gdals_u16(file: &Path) -> Vec<f64> {
    let raw = tmp("sparse.envi");
    gdal(
        "gdal_translate",
        &[
            "-q",
            "-of",
            "ENVI",
            &file.display().to_string(),
            &raw.display().to_string(),
        ],
    );
    std::fs::read(&raw)
        .expect("dump")
        .chunks_exact(2)
        .map(|b| f64::from(u16::from_le_bytes([b[0], b[1]])))
        .collect()
}
