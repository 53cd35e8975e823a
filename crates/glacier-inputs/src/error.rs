//! Errors of scene assembly and channel building; each names the file and the fix.

use thiserror::Error;

/// What is wrong with the files given for a scene.
#[derive(Debug, Error)]
pub enum InputError {
    /// A raster could not be read.
    #[error(transparent)]
    Raster(#[from] glacier_raster::RasterError),
    /// The MTL could not be read.
    #[error(transparent)]
    Landsat(#[from] glacier_landsat::LandsatError),
    /// A file from an unsupported mission.
    #[error(
        "{file} is a {mission} file; the model takes Landsat 8/9 (OLI/TIRS) bands. Use a Landsat 8 or 9 scene, or map the band explicitly (--band NAME=FILE) if you know what you are doing"
    )]
    UnsupportedMission {
        /// File name.
        file: String,
        /// Mission code, e.g. `LE07`.
        mission: String,
    },
    /// Files from two different scenes.
    #[error(
        "{file} belongs to scene {other}, but {first_file} to {first}; give the files of one scene"
    )]
    MixedScenes {
        /// The offending file.
        file: String,
        /// Its scene.
        other: String,
        /// The first file seen.
        first_file: String,
        /// Its scene.
        first: String,
    },
    /// The MTL describes another scene than the band files.
    #[error(
        "{mtl} describes {mtl_scene}, but the band files are from {scene}; use the MTL that came with the bands"
    )]
    MtlOfAnotherScene {
        /// MTL file name.
        mtl: String,
        /// Scene the MTL names.
        mtl_scene: String,
        /// Scene of the bands.
        scene: String,
    },
    /// An MTL that names no scene, so it cannot be checked against the band files.
    #[error(
        "{mtl} names no scene (neither LANDSAT_PRODUCT_ID nor LANDSAT_SCENE_ID), so it cannot be checked against the band files of {scene}; use the MTL that came with the bands"
    )]
    MtlWithoutSceneId {
        /// MTL file name.
        mtl: String,
        /// Scene of the bands.
        scene: String,
    },
    /// A Level-1 band without an MTL.
    #[error(
        "{file} holds Level-1 digital numbers, and calibrating them needs the scene's MTL; add {scene}_MTL.txt (or _MTL.json)"
    )]
    MissingMtl {
        /// The band file.
        file: String,
        /// Scene id.
        scene: String,
    },
    /// A channel the caller asked for has no source.
    #[error("no {channel} band: {hint}")]
    MissingChannel {
        /// Channel name.
        channel: String,
        /// What is present and how to add it.
        hint: String,
    },
    /// The scene's band values are not in the units the model's statistics were taken in.
    #[error("the model takes {model}, but this scene's bands are {scene}: {fix}")]
    UnitsMismatch {
        /// What the model takes.
        model: &'static str,
        /// What the scene has.
        scene: &'static str,
        /// How to make them match.
        fix: &'static str,
    },
    /// Bands on different grids.
    #[error(
        "{file} is on a different grid ({found}) than {reference_file} ({expected}); all bands must share the 30 m grid"
    )]
    GridMismatch {
        /// The offending file.
        file: String,
        /// Its grid.
        found: String,
        /// The reference file.
        reference_file: String,
        /// The reference grid.
        expected: String,
    },
    /// A file name that is neither a Landsat file nor mapped.
    #[error(
        "{file}: not a recognised Landsat file name; map it explicitly (--band nir=FILE, or red=FILE:1 for band 1 of a multi-band file)"
    )]
    Unrecognised {
        /// File name.
        file: String,
    },
    /// A band mapping that cannot be understood.
    #[error("{detail}")]
    BadMapping {
        /// What is wrong.
        detail: String,
    },
    /// The DEM or outlines could not be brought onto the grid.
    #[error("{file}: {source}")]
    Projection {
        /// File name.
        file: String,
        /// Why.
        #[source]
        source: glacier_raster::ProjectionError,
    },
    /// An archive that cannot be read as a (gzip-compressed) tar.
    #[error(
        "{file}: not a readable scene archive ({detail}); if it is a USGS download, download it again, or unpack it and give its files"
    )]
    Archive {
        /// Archive file name.
        file: String,
        /// What the reader found.
        detail: String,
    },
    /// An archive that holds no Landsat 8/9 band.
    #[error(
        "{file} holds no Landsat band file ({members} other files); give the archive of a Landsat 8/9 scene as USGS delivers it, or its band files"
    )]
    ArchiveWithoutScene {
        /// Archive file name.
        file: String,
        /// How many members it holds.
        members: usize,
    },
    /// A compressed archive whose kept members inflate past the limit.
    #[error(
        "{file}: the bands it holds inflate to more than {limit_mib} MiB (reached at {member}); unpack it (tar xzf) and give the band files, which are read in place"
    )]
    ArchiveTooLarge {
        /// Archive file name.
        file: String,
        /// The member at which the limit was reached.
        member: String,
        /// The limit in MiB.
        limit_mib: u64,
    },
    /// Several files could not be read: each is named with why.
    #[error("{} files cannot be read: {}", .0.len(), sentences(.0))]
    Unreadable(Vec<InputError>),
    /// A grid too large to hold whole in memory (a header claiming a huge scene).
    #[error("{file}: {source}")]
    TooLarge {
        /// The file whose grid it is.
        file: String,
        /// Its size and the limit.
        #[source]
        source: glacier_raster::GridTooLarge,
    },
}

/// Each error as a sentence, joined: `A: …; B: …`.
fn sentences(errors: &[InputError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
