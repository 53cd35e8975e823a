//! Where the real test data lives: `../shared/data/` beside the workspace (see its `SOURCES.md`).
//!
//! The data is never copied into the repository. Tests ask for a file with [`path`]:
//! - folder present → the file's path (a missing file inside it is a failure: the data changed);
//! - folder missing and `CI` is not `true` → `None`, after printing why the test is skipped;
//! - folder missing under `CI=true` → panic, so CI can never pass by skipping.
//!
//! `GLACIER_SHARED_DATA` overrides the folder.

use std::path::PathBuf;

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
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but ../shared/data is missing: the real-data tests cannot run");
        }
        eprintln!(
            "SKIPPED: ../shared/data is missing, so the real-data test for {relative} cannot run"
        );
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
