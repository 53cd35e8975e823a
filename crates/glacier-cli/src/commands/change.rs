//! `glacier change BEFORE AFTER --out change.tif`: where glacier was lost and gained between
//! two dates, its area with the buffer-method uncertainty, and the same per glacier outline
//! (through `glacier-change`).

use anyhow::{Context, Result, bail};
use glacier_change::{
    Comparison, Mask, Probabilities, Summary, compare, per_glacier, write_change_geotiff, write_csv,
};
use glacier_map::Keep;
use glacier_raster::GeoTiffReader;
use std::path::{Path, PathBuf};

use crate::backend::Backend;
use crate::mapping::map_scene;
use crate::outlines::read_outlines;
use crate::scene_args::SceneArgs;

/// Glacier change between two dates: lost, gained and stable ice in km² with its uncertainty,
/// a change map on BEFORE's grid (0 no glacier, 1 stable, 2 lost, 3 gained, 255 no data), and
/// with --outlines a row per glacier. Prints the summary as JSON on stdout.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    glacier change mask_2014.tif mask_2024.tif --out change.tif\n  \
    glacier change rgi_2000.tif mask_2024.tif --out change.tif --outlines rgi60.gpkg --csv glaciers.csv\n  \
    glacier change --before-bands LC08_…_2014_….tar --after-bands LC09_…_2024_….tar --out change.tif\n  \
    glacier change --before-item https://…/items/LC08_…_2014… --after-item https://…/items/LC09_…_2024… \\\n      \
    --bbox 86.7,27.9,86.9,28.1 --out khumbu_change.tif\n\n\
    A mask is a GeoTIFF with 1 = glacier, 0 = not and a declared nodata value (what `glacier\n\
    predict` and `glacier rasterize` write). AFTER on another grid is brought onto BEFORE's:\n\
    shifted exactly when only the origin differs by whole pixels, else by nearest-neighbour\n\
    reprojection. A pixel without data on either date (cloud, fill, outside a scene) is no data,\n\
    never change; areas count only pixels with data on both dates.\n\n\
    Uncertainty (buffer method, Granshaw and Fountain 2006; Paul et al. 2013): each date's\n\
    glacier boundary times a band of ± half a pixel (one pixel area per boundary edge); the\n\
    change's is the two dates' in quadrature.")]
pub struct Args {
    /// The two masks, BEFORE then AFTER (only the one not given by --before-bands /
    /// --after-bands, or none when both are).
    #[arg(value_name = "MASK", num_args = 0..=2)]
    masks: Vec<PathBuf>,
    /// Map the earlier scene first, with the built-in models: its files as `glacier predict`
    /// takes them (band GeoTIFFs and MTL, or the USGS archive), or bands under any name as
    /// NAME=FILE[:K] (green=…_B03_L30.tif).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    before_bands: Vec<String>,
    /// Map the later scene first (as --before-bands).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    after_bands: Vec<String>,
    /// Map the earlier scene first from an archive: the address of its STAC Item (as
    /// `glacier predict --item`), only the part --bbox covers.
    #[arg(long, value_name = "URL", conflicts_with = "before_bands")]
    before_item: Option<String>,
    /// Map the later scene first from an archive (as --before-item).
    #[arg(long, value_name = "URL", conflicts_with = "after_bands")]
    after_item: Option<String>,
    /// With --before-item / --after-item: only this area, west,south,east,north in degrees.
    #[arg(long, value_name = "W,S,E,N", allow_hyphen_values = true)]
    bbox: Option<String>,
    /// Where the items' asset read tokens come from (as `glacier predict --token-endpoint`).
    #[arg(long, value_name = "URL")]
    token_endpoint: Option<String>,
    /// The change GeoTIFF to write (uint8 with a colour table, nodata 255).
    #[arg(long)]
    out: PathBuf,
    /// Glacier outlines (RGI 6.0/7.0 shapefile with its .dbf, GeoJSON or GeoPackage), for
    /// --csv.
    #[arg(long, requires = "csv")]
    outlines: Option<PathBuf>,
    /// Write one row per outline on the grid here, largest loss first.
    #[arg(long, requires = "outlines")]
    csv: Option<PathBuf>,
    /// The outlines' id column (default: RGIId, rgi_id, GLIMSId, glims_id or id, whichever
    /// the file has).
    #[arg(long, value_name = "NAME", requires = "outlines")]
    id_column: Option<String>,
    /// BEFORE's glacier probabilities (`glacier predict --probabilities`), for the area whose
    /// probability lies between 0.3 and 0.7 on either date.
    #[arg(long, requires = "after_probabilities")]
    before_probabilities: Option<PathBuf>,
    /// AFTER's glacier probabilities (see --before-probabilities).
    #[arg(long, requires = "before_probabilities")]
    after_probabilities: Option<PathBuf>,
    /// Also write the JSON summary to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Compute backend for --before-bands / --after-bands.
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
}

/// One date: its mask, and its probabilities where known.
struct Date {
    mask: Mask,
    probabilities: Option<Probabilities>,
}

/// How a date is given: its mask, its scene's files, or its archive item.
enum Given<'a> {
    Mask(&'a Path, Option<&'a Path>),
    Bands(&'a [String]),
    Item(&'a str),
}

/// Runs `glacier change`.
pub fn run(args: Args) -> Result<()> {
    let mapped_first =
        |bands: &[String], item: &Option<String>| !bands.is_empty() || item.is_some();
    let wanted = usize::from(!mapped_first(&args.before_bands, &args.before_item))
        + usize::from(!mapped_first(&args.after_bands, &args.after_item));
    if args.masks.len() != wanted {
        bail!(
            "give {wanted} mask file(s) (got {}): BEFORE and AFTER as masks, or a date's scene \
             with --before-bands / --after-bands (or --before-item / --after-item) instead of \
             its mask",
            args.masks.len()
        );
    }
    if args.bbox.is_some() && args.before_item.is_none() && args.after_item.is_none() {
        bail!("--bbox applies to --before-item / --after-item; a mask or files are taken whole");
    }
    let mut masks = args.masks.iter();
    let mut given = |bands, item, probabilities| given(bands, item, probabilities, &mut masks);
    let before = given(
        &args.before_bands,
        args.before_item.as_deref(),
        args.before_probabilities.as_deref(),
    )?;
    let after = given(
        &args.after_bands,
        args.after_item.as_deref(),
        args.after_probabilities.as_deref(),
    )?;
    let before = date(before, &args, "before")?;
    let after = date(after, &args, "after")?;
    let probabilities = before.probabilities.zip(after.probabilities);
    let comparison = compare(before.mask, after.mask, probabilities)?;
    write_outputs(&args, &comparison)
}

/// How a date is given: its item, else its files, else the next of the `masks` given.
fn given<'a>(
    bands: &'a [String],
    item: Option<&'a str>,
    probabilities: Option<&'a Path>,
    masks: &mut impl Iterator<Item = &'a PathBuf>,
) -> Result<Given<'a>> {
    Ok(match (item, bands.is_empty()) {
        (Some(url), _) => Given::Item(url),
        (None, false) => Given::Bands(bands),
        (None, true) => Given::Mask(
            masks.next().context("internal: a mask was counted")?,
            probabilities,
        ),
    })
}

/// A date's mask: read, or mapped from its scene's files or item.
fn date(given: Given<'_>, args: &Args, which: &str) -> Result<Date> {
    match given {
        Given::Mask(path, probabilities) => Ok(Date {
            mask: read_mask(path)?,
            probabilities: probabilities.map(read_probabilities).transpose()?,
        }),
        Given::Bands(bands) => mapped(bands, None, args, which),
        Given::Item(url) => mapped(&[], Some(url), args, which),
    }
}

/// Writes the change GeoTIFF, the table and the summary.
fn write_outputs(args: &Args, comparison: &Comparison) -> Result<()> {
    let out = &args.out;
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create {}", out.display()))?;
    write_change_geotiff(
        &out.display().to_string(),
        std::io::BufWriter::new(file),
        comparison,
    )?;
    let summary = Summary::of(comparison);
    if let (Some(outlines), Some(csv)) = (&args.outlines, &args.csv) {
        let outlines = read_outlines(outlines)?;
        let rows = per_glacier(comparison, &outlines, args.id_column.as_deref())?;
        let file = std::fs::File::create(csv)
            .with_context(|| format!("cannot create {}", csv.display()))?;
        write_csv(&csv.display().to_string(), file, &rows)?;
        eprintln!("wrote {} ({} glaciers)", csv.display(), rows.len());
    }
    let json = serde_json::to_string_pretty(&summary)?;
    if let Some(path) = &args.json {
        std::fs::write(path, &json).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!("{json}");
    let k = &summary.km2;
    eprintln!(
        "wrote {} ({}): glacier {:.3} → {:.3} km², lost {:.3}, gained {:.3}, net {:+.3} ± {:.3} km²",
        out.display(),
        summary.alignment,
        k.before,
        k.after,
        k.lost,
        k.gained,
        k.net_change,
        summary.uncertainty_km2.change
    );
    Ok(())
}

/// A mask GeoTIFF's first band.
fn read_mask(path: &Path) -> Result<Mask> {
    let name = path.display().to_string();
    let mut reader = GeoTiffReader::open(path)?;
    let info = reader.info().clone();
    let grid = info
        .grid()
        .with_context(|| format!("{name}: not georeferenced, so it cannot be placed beside the other date; give a GeoTIFF with its CRS and transform"))?;
    if info.bands != 1 {
        bail!(
            "{name}: {} bands; a glacier mask has one (1 = glacier, 0 = not)",
            info.bands
        );
    }
    let samples = reader.read_band(0)?;
    let values = (0..samples.len()).map(|i| samples.get_f64(i).unwrap_or(f64::NAN));
    Ok(Mask::from_values(&name, grid, values, info.nodata)?)
}

/// A probability GeoTIFF (float32, NaN or nodata where none).
fn read_probabilities(path: &Path) -> Result<Probabilities> {
    let name = path.display().to_string();
    let mut reader = GeoTiffReader::open(path)?;
    let info = reader.info().clone();
    let grid = info.grid().with_context(|| {
        format!(
            "{name}: not georeferenced; give the probabilities `glacier predict \
                 --probabilities` wrote beside its mask"
        )
    })?;
    let nodata = info.nodata.map(|v| v as f32);
    let values = reader
        .read_band(0)?
        .to_f32()
        .into_iter()
        .map(|v| if Some(v) == nodata { f32::NAN } else { v })
        .collect();
    Ok(Probabilities {
        file: name,
        grid,
        values,
    })
}

/// A date mapped from its scene's files (paths, or `NAME=FILE[:K]` mappings) or its archive
/// item with the built-in models, probabilities kept.
fn mapped(given: &[String], item: Option<&str>, args: &Args, which: &str) -> Result<Date> {
    let is_mapping = |g: &String| {
        g.split_once('=')
            .is_some_and(|(name, _)| glacier_landsat::Channel::parse(name).is_some())
    };
    let files: Vec<PathBuf> = given
        .iter()
        .filter(|g| !is_mapping(g))
        .map(PathBuf::from)
        .collect();
    let bands: Vec<String> = given.iter().filter(|g| is_mapping(g)).cloned().collect();
    let scene = SceneArgs {
        files: &files,
        bands: &bands,
        stack: None,
        item,
        token_endpoint: args.token_endpoint.as_deref(),
        bbox: item.and(args.bbox.as_deref()),
    };
    let keep = Keep {
        masks: true,
        probabilities: true,
        exports: false,
        preview: None,
    };
    let title = format!("map {which}");
    let (map, device) = map_scene(&title, &scene, None, None, args.backend, keep, true)?;
    if let Some(choice) = &map.model_choice {
        eprintln!("{which}: {choice}");
    }
    let network = map
        .network
        .context("internal: the network made no map and said nothing")?;
    let first = item
        .or(given.first().map(String::as_str))
        .unwrap_or_default();
    let label = format!(
        "{which} ({} mapped on {device})",
        first.rsplit('/').next().unwrap_or(first)
    );
    let values = network.mask.context("internal: the mask was not kept")?;
    let mask = Mask {
        file: label.clone(),
        grid: map.grid.clone(),
        values,
    };
    let probabilities = network.probabilities.map(|values| Probabilities {
        file: label,
        grid: map.grid,
        values,
    });
    Ok(Date {
        mask,
        probabilities,
    })
}
