//! Errors, split by who is at fault: the file, an unsupported feature, a limit, or the caller.
//!
//! Every message names the file and says what would fix it, because it reaches a person directly
//! (the CLI prints it, the page shows it).

use std::io;
use thiserror::Error;

/// Result with [`RasterError`].
pub type Result<T, E = RasterError> = std::result::Result<T, E>;

/// The fix for a layout or compression the reader does not take.
pub const RESAVE: &str = "re-save it as a GeoTIFF with DEFLATE or LZW compression (for example \
    `gdal_translate -co COMPRESS=DEFLATE in.tif out.tif`)";
/// The fix for a sample type the reader does not take (1-bit, 12-bit, complex, mixed).
pub const RESAVE_SAMPLES: &str = "convert it to 8-, 16- or 32-bit samples of one type for \
    every band (for example `gdal_translate -ot UInt16 in.tif out.tif`, or `-ot Float32`)";
/// How to read an 8-bit CMYK file: as GDAL shows it, or its ink samples as bands.
pub const CONVERT_CMYK: &str = "GDAL shows it as RGBA colours converted from the inks, so its \
     band numbers would mean other things here: convert it with `gdal_translate in.tif rgb.tif` for \
     those colours, or `gdal_translate -co PHOTOMETRIC=MINISBLACK GTIFF_RAW:in.tif bands.tif` to \
     keep each ink sample as a band";

/// What went wrong reading or writing a raster.
#[derive(Debug, Error)]
pub enum RasterError {
    /// The bytes are not a valid TIFF, or are corrupt.
    #[error(
        "{file} is not a readable TIFF ({detail}); check that it is a GeoTIFF band file and not a preview image, an archive or a renamed file"
    )]
    Format {
        /// File name as the user gave it.
        file: String,
        /// What the decoder found.
        detail: String,
    },
    /// The file ends before the data it promises.
    #[error("{file} ends early ({detail}): the file is incomplete; download or copy it again")]
    Truncated {
        /// File name.
        file: String,
        /// Where it ended.
        detail: String,
    },
    /// A valid TIFF using a feature this reader does not handle.
    #[error("{file}: {what} is not supported; {fix}")]
    Unsupported {
        /// File name.
        file: String,
        /// The feature, e.g. "JPEG compression".
        what: String,
        /// How to re-save the file so it reads (see [`RESAVE`], [`RESAVE_SAMPLES`]).
        fix: &'static str,
    },
    /// Georeferencing is missing or contradictory.
    #[error(
        "{file}: {detail}; the raster needs a GeoTIFF georeference (ModelTiepoint + ModelPixelScale or ModelTransformation, and GeoKeys)"
    )]
    Georeferencing {
        /// File name.
        file: String,
        /// What is missing or wrong.
        detail: String,
    },
    /// Reading would need more memory than the configured limit.
    #[error(
        "{file}: {what} needs {needed} bytes, over the limit of {limit} bytes; read it in windows instead of whole"
    )]
    LimitExceeded {
        /// File name.
        file: String,
        /// What would be allocated.
        what: String,
        /// Bytes needed.
        needed: u64,
        /// Bytes allowed.
        limit: u64,
    },
    /// The caller asked for something the raster does not have (a band, a window outside it).
    #[error("{file}: {detail}")]
    Usage {
        /// File name.
        file: String,
        /// What was asked and what exists.
        detail: String,
    },
    /// The operating system failed to read or write the file.
    #[error("{file}: {source}")]
    Io {
        /// File name.
        file: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

impl RasterError {
    /// Classifies a [`tiff::TiffError`] raised while reading `file`.
    pub fn from_tiff(file: &str, err: tiff::TiffError) -> Self {
        use tiff::TiffError as T;
        let file = file.to_owned();
        match err {
            T::FormatError(e) => RasterError::Format {
                file,
                detail: e.to_string(),
            },
            T::UnsupportedError(e) => RasterError::Unsupported {
                file,
                what: e.to_string(),
                fix: RESAVE,
            },
            T::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => RasterError::Truncated {
                file,
                detail: "its header points to data past the end of the file".into(),
            },
            T::IoError(source) => RasterError::Io { file, source },
            T::LimitsExceeded => RasterError::LimitExceeded {
                file,
                what: "a decoding buffer".into(),
                needed: 0,
                limit: 0,
            },
            T::IntSizeError => RasterError::LimitExceeded {
                file,
                what: "an image dimension".into(),
                needed: u64::MAX,
                limit: usize::MAX as u64,
            },
            other => RasterError::Usage {
                file,
                detail: other.to_string(),
            },
        }
    }
}
