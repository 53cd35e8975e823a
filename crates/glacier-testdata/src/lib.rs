//! Where the real test data lives: `../shared/data/` beside the workspace (see its `SOURCES.md`),
//! and the same rule for the external tools some checks compare against (GDAL's command-line
//! programs, Debian package `gdal-bin`, which `cargo xtask setup` installs).
//!
//! The data is never copied into the repository. Tests ask for a file with [`path`]:
//! - folder present → the file's path (a missing file inside it is a failure: the data changed);
//! - folder missing and `CI` is not `true` → `None`, after printing why the test is skipped;
//! - folder missing under `CI=true` → panic, so CI can never pass by skipping.
//!
//! [`require_tool`] does the same for a program: `true` when it runs, `false` (skipped, with a
//! message) when missing outside CI, a panic when missing under `CI=true`.
//!
//! `GLACIER_SHARED_DATA` overrides the folder.
//!
//! [`tiff`] builds tiny TIFFs byte by byte, for tests of hostile headers.

use std::path::PathBuf;

pub mod tiff;

/// Whether this run is CI's (`CI=true`), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Skips (`false`, after printing why) outside CI; panics under `CI=true`.
fn skip_or_fail(why: &str) -> bool {
    if in_ci() {
        panic!("CI=true but {why}: the check cannot run");
    }
    eprintln!("SKIPPED: {why}");
    false
}

/// The three-band model shipped in `models/` (committed, so always there).
pub fn shipped_model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/unet-scse-grn.glcm")
}

/// The model for scenes with SWIR shipped in `models/` (committed, so always there).
pub fn shipped_swir_model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/unet-scse-swir.glcm")
}

/// The shared data folder, if present.
pub fn root() -> Option<PathBuf> {
    let dir = match std::env::var_os("GLACIER_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    dir.is_dir().then_some(dir)
}

/// Path of `relative` inside the shared data folder, or `None` (test skipped) when the folder is
/// missing outside CI.
///
/// # Panics
/// Under `CI=true` when the folder is missing, and whenever the folder exists but lacks the file.
pub fn path(relative: &str) -> Option<PathBuf> {
    let Some(root) = root() else {
        skip_or_fail(&format!(
            "../shared/data is missing, so the real-data test for {relative} cannot run"
        ));
        return None;
    };
    let file = root.join(relative);
    assert!(
        file.is_file(),
        "{} is missing from the shared data folder",
        file.display()
    );
    Some(file)
}

/// Whether the program `name` (`gdalinfo`, `gdal_translate`, `gdalwarp`…) can be started here;
/// `false` (check skipped, with a message) when it cannot, outside CI.
///
/// # Panics
/// Under `CI=true` when the program cannot be started.
pub fn require_tool(name: &str) -> bool {
    match std::process::Command::new(name)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
    {
        Ok(_) => true,
        Err(err) => skip_or_fail(&format!(
            "{name} cannot be started ({err}); `cargo xtask setup` installs it (Debian: gdal-bin)"
        )),
    }
}

/// Largest `|a − b|` over two equally long slices.
///
/// # Panics
/// When the lengths differ or either side holds a NaN (an all-NaN result must not pass as
/// "no difference"), naming the first such index.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "compared slices differ in length");
    let mut worst = 0.0f32;
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(!x.is_nan() && !y.is_nan(), "NaN at index {i}: {x} vs {y}");
        let d = (x - y).abs();
        assert!(!d.is_nan(), "|{x} − {y}| is NaN at index {i}");
        worst = worst.max(d);
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_abs_diff_is_the_largest_difference() {
        assert_eq!(max_abs_diff(&[1.0, 2.0, -3.0], &[1.5, 1.0, -3.0]), 1.0);
        assert_eq!(max_abs_diff(&[], &[]), 0.0);
    }

    #[test]
    #[should_panic(expected = "NaN at index 1")]
    fn max_abs_diff_fails_on_a_nan_in_the_first() {
        max_abs_diff(&[0.0, f32::NAN], &[0.0, 0.0]);
    }

    #[test]
    #[should_panic(expected = "NaN at index 0")]
    fn max_abs_diff_fails_on_nan_on_both_sides() {
        max_abs_diff(&[f32::NAN], &[f32::NAN]);
    }

    #[test]
    #[should_panic(expected = "is NaN at index 0")]
    fn max_abs_diff_fails_on_equal_infinities() {
        max_abs_diff(&[f32::INFINITY], &[f32::INFINITY]);
    }

    #[test]
    #[should_panic(expected = "differ in length")]
    fn max_abs_diff_fails_on_different_lengths() {
        max_abs_diff(&[1.0], &[]);
    }

    #[test]
    fn an_installed_tool_is_found() {
        // `sh` is on every machine these tests run on.
        assert!(require_tool("sh"));
    }

    #[test]
    fn a_missing_tool_skips_outside_ci_and_fails_under_ci() {
        let missing = std::panic::catch_unwind(|| require_tool("glacier-no-such-program"));
        if in_ci() {
            assert!(missing.is_err(), "CI=true must fail");
        } else {
            assert_eq!(missing.ok(), Some(false));
        }
    }
}
