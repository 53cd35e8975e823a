//! From the files a person gives (named bands, archives, band mappings, a stacked GeoTIFF,
//! outlines) to the scene and outlines a run takes: the same for dropped files and paths.

use glacier_inputs::recognise::{FileType, OutlineFormat};
use glacier_inputs::{
    ArchiveFormat, FileSource, InputError, Scene, SceneBuilder, Unpacked, unpack,
};
use glacier_labels::{LabelError, Outlines};
use glacier_landsat::Channel;
use std::io::Read;
use std::sync::Arc;

/// A scene's files, as a person gives them.
#[derive(Default)]
pub struct SceneFiles {
    /// Files recognised by their Landsat names (bands, QA_PIXEL, MTL), or scene archives
    /// (`.tar` read in place, `.tar.gz` inflated member by member).
    pub named: Vec<Box<dyn FileSource>>,
    /// Bands under any name.
    pub bands: Vec<BandMapping>,
    /// A stacked GeoTIFF and what its bands hold.
    pub stack: Option<Stack>,
}

/// One band of a file, whatever it is called, taken as a channel.
pub struct BandMapping {
    /// What the band holds.
    pub channel: Channel,
    /// The file.
    pub file: Box<dyn FileSource>,
    /// The band, 0-based.
    pub band: usize,
}

/// A stacked GeoTIFF holding several bands.
pub struct Stack {
    /// The file.
    pub file: Box<dyn FileSource>,
    /// What each band holds, in file order (`None` skips one).
    pub order: Vec<Option<Channel>>,
}

/// Which members of an archive a scene was made from, in one sentence.
pub fn archive_note(unpacked: &Unpacked) -> String {
    let base = |n: &str| n.rsplit('/').next().unwrap_or(n).to_owned();
    let archive = unpacked
        .files
        .first()
        .and_then(|f| f.name().rsplit_once('/'))
        .map_or("the archive", |(a, _)| a);
    let used: Vec<String> = unpacked.files.iter().map(|f| base(f.name())).collect();
    format!(
        "From {archive}: {} ({} other files in it were not read).",
        used.join(", "),
        unpacked.skipped.len()
    )
}

/// Assembles the scene; returns it with a note for each archive it read.
///
/// # Errors
/// [`InputError`] naming the file: an unreadable archive, files of different scenes or grids,
/// no bands.
pub fn scene_from_files(files: SceneFiles) -> Result<(Scene, Vec<String>), InputError> {
    let mut notes = Vec::new();
    let mut builder = SceneBuilder::new();
    for b in files.bands {
        builder.map_band(b.channel, b.file, b.band);
    }
    for file in files.named {
        match ArchiveFormat::of(file.name()) {
            None => {
                builder.add_file(file);
            }
            Some(format) => {
                let unpacked = unpack(Arc::from(file), format)?;
                notes.push(archive_note(&unpacked));
                for member in unpacked.files {
                    builder.add_file(member);
                }
            }
        }
    }
    if let Some(stack) = files.stack {
        builder.stacked(stack.file, &stack.order);
    }
    Ok((builder.build()?, notes))
}

/// Why outlines among the given files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OutlinesError {
    /// A file could not be read.
    #[error("{file}: {source}")]
    Read {
        /// The file.
        file: String,
        /// The read error.
        source: std::io::Error,
    },
    /// A `.geojson` that is not UTF-8 text.
    #[error("{0} is not UTF-8 text, so not GeoJSON")]
    NotText(String),
    /// The outlines' own error (bad geometry, unknown CRS, a `.shp` without its `.prj`).
    #[error(transparent)]
    Labels(#[from] LabelError),
}

fn bytes_of(file: &dyn FileSource) -> Result<Vec<u8>, OutlinesError> {
    let mut bytes = Vec::new();
    file.open()
        .and_then(|mut r| r.read_to_end(&mut bytes))
        .map_err(|source| OutlinesError::Read {
            file: file.name().to_owned(),
            source,
        })?;
    Ok(bytes)
}

/// Glacier outlines among `files`: a GeoJSON, or a shapefile's `.shp` with its `.prj` (without
/// the `.prj` the error asks for it) and, where given, its `.dbf`. `Ok(None)` when there are none.
///
/// # Errors
/// [`OutlinesError`] naming the file.
pub fn outlines_among<S: FileSource>(files: &[S]) -> Result<Option<Outlines>, OutlinesError> {
    let lower = |s: &S| s.name().to_ascii_lowercase();
    let is = |s: &S, format| FileType::of(s.name()) == FileType::Outlines(format);
    if let Some(g) = files.iter().find(|s| is(s, OutlineFormat::GeoJson)) {
        let bytes = bytes_of(g)?;
        let text =
            std::str::from_utf8(&bytes).map_err(|_| OutlinesError::NotText(g.name().into()))?;
        return Ok(Some(Outlines::from_geojson(g.name(), text)?));
    }
    let Some(shp) = files.iter().find(|s| is(s, OutlineFormat::Shapefile)) else {
        return Ok(None);
    };
    let stem = lower(shp).trim_end_matches(".shp").to_owned();
    let prj = match files.iter().find(|s| lower(s) == format!("{stem}.prj")) {
        Some(p) => Some(String::from_utf8_lossy(&bytes_of(p)?).into_owned()),
        None => None,
    };
    let outlines = Outlines::from_shapefile(shp.name(), &bytes_of(shp)?, prj.as_deref())?;
    // The `.dbf` carries the attributes (RGI ids, names); the outlines work without it.
    match files.iter().find(|s| lower(s) == format!("{stem}.dbf")) {
        Some(dbf) => Ok(Some(outlines.with_dbf(&bytes_of(dbf)?)?)),
        None => Ok(Some(outlines)),
    }
}
