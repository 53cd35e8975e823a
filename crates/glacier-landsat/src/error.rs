//! Errors, split by cause; each names the file and what would fix it.

use thiserror::Error;

/// What is wrong with a Landsat metadata file or file set.
#[derive(Debug, Error)]
pub enum LandsatError {
    /// The MTL text or JSON does not parse.
    #[error(
        "{file}: not a readable Landsat MTL file ({detail}); use the scene's _MTL.txt or _MTL.json as downloaded"
    )]
    MtlSyntax {
        /// File name.
        file: String,
        /// Line and problem.
        detail: String,
    },
    /// The MTL nests groups deeper than [`crate::mtl::MAX_GROUP_DEPTH`].
    #[error(
        "{file}: groups nest more than {limit} deep at {location}; a Landsat MTL nests 2 deep, so this is not an MTL as downloaded: use the scene's _MTL.txt or _MTL.json"
    )]
    MtlTooDeep {
        /// File name.
        file: String,
        /// Where the limit was passed: `line N (GROUP = X)` or `object "X"`.
        location: String,
        /// The deepest nesting taken.
        limit: usize,
    },
    /// The MTL lacks a value the calibration needs.
    #[error("{file}: the MTL has no {key}{group_hint}; it may be truncated or of another product")]
    MissingValue {
        /// File name.
        file: String,
        /// The key looked for.
        key: String,
        /// ` in group X` when a group was required.
        group_hint: String,
    },
    /// A value is present but not a number.
    #[error("{file}: {key} = {value:?} is not a number")]
    NotANumber {
        /// File name.
        file: String,
        /// Key.
        key: String,
        /// The text found.
        value: String,
    },
}
