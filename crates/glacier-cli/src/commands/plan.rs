//! `glacier plan`: the tasks of a time series over an area, one per footprint and year, each
//! the scene of that year's season with the least cloud over the area (candidates ranked by
//! `glacier_archive::choice`, then their QA_PIXEL bands read for the area).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use glacier_archive::choice::by_footprint;
use glacier_archive::{Item, Search};
use glacier_raster::{Crs, LonLatBounds, Projector};

use crate::archive::{self, Found};
use crate::outlines::read_outlines;
use crate::tasks::{Task, write_plan};

/// Plan a time series: search a STAC API year by year over an area, keep per footprint
/// (Landsat path/row, HLS tile) the scene of each year's season with the least cloud over the
/// area (its QA_PIXEL band read there), and write one
/// task per line for `glacier run-task` (by hand, in a SLURM array: `glacier slurm`, or in a
/// Kubernetes Indexed Job). The same search gives the same plan.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  \
    glacier plan --stac https://planetarycomputer.microsoft.com/api/stac/v1 \\\n      \
    --outlines rgi60_khumbu.gpkg --years 2013..2025 --months 9-11 --max-cloud 20 --out khumbu.jsonl\n  \
    glacier run-task khumbu.jsonl --index 0\n  \
    glacier slurm khumbu.jsonl --out khumbu.sbatch && sbatch khumbu.sbatch\n  \
    glacier collect khumbu.jsonl --out khumbu_areas.csv\n\n\
    Each task maps its scene's part of the area into OUTPUTS/YEAR_FOOTPRINT/: mask.tif,\n\
    areas.csv (per outline with --outlines, else the whole area) and task.json, the record that\n\
    lists them with their SHA-256. A season across New Year (--months 12-3) belongs to the\n\
    year it ends in.")]
pub struct Args {
    /// The STAC API's root address (its landing page).
    #[arg(long, value_name = "URL")]
    stac: String,
    /// The area: west,south,east,north in degrees.
    #[arg(
        long,
        value_name = "W,S,E,N",
        allow_hyphen_values = true,
        required_unless_present = "outlines"
    )]
    bbox: Option<String>,
    /// Glacier outlines (RGI shapefile, GeoJSON or GeoPackage): the area is their bounds, and
    /// every task measures each glacier in them.
    #[arg(long, conflicts_with = "bbox")]
    outlines: Option<PathBuf>,
    /// Years, first and last included: 2013..2025 (or one year).
    #[arg(long, value_name = "FIRST..LAST")]
    years: String,
    /// The season, months first and last included: 8-10 (default: the whole year).
    #[arg(long, value_name = "FIRST-LAST", default_value = "1-12")]
    months: String,
    /// Only scenes with less cloud than this (percent of the scene).
    #[arg(long, value_name = "PERCENT")]
    max_cloud: Option<f64>,
    /// Of each footprint's N least cloudy scenes of a year (by the scene's cloud cover), take
    /// the one with the least cloud and fill over the area itself, read from its QA_PIXEL band
    /// (only the area's tiles, of the coarsest overview that gives the area 128 px across); 1
    /// trusts the scene's cloud cover alone.
    #[arg(long, default_value_t = 3, value_name = "N")]
    qa_candidates: usize,
    /// The collection searched.
    #[arg(long, default_value = "landsat-c2-l2")]
    collection: String,
    /// Where the asset read tokens come from (as for `glacier predict --item`).
    #[arg(long, value_name = "URL")]
    token_endpoint: Option<String>,
    /// The plan file to write (JSON lines).
    #[arg(long)]
    out: PathBuf,
    /// The tasks' output folder (default: beside the plan, named after it). Relative paths
    /// are taken from the plan's folder, so plan and outputs can move together. Or object
    /// storage: `s3://BUCKET/PREFIX` (also S3-compatible stores through `AWS_ENDPOINT`),
    /// `gs://BUCKET/PREFIX`, `az://CONTAINER/PREFIX`; `run-task` and `collect` then write and
    /// read there, with credentials from the usual AWS_*, GOOGLE_* or AZURE_* variables.
    #[arg(long)]
    outputs: Option<PathBuf>,
}

/// Items one year's search may bring back at most.
const MAX_ITEMS_PER_YEAR: usize = 1000;

/// Writes the plan; says per year which scenes were chosen, and which years have none.
pub fn run(args: Args) -> Result<()> {
    let (first, last) = parse_years(&args.years)?;
    let (m1, m2) = parse_months(&args.months)?;
    let outlines = args.outlines.as_deref().map(read_outlines).transpose()?;
    let area = match (&args.bbox, &outlines) {
        (Some(b), _) => glacier_raster::parse_bbox(b).context("--bbox")?,
        (None, Some(o)) => lon_lat_bounds(o)?,
        (None, None) => bail!("give the area with --bbox or --outlines"),
    };
    let outputs = args.outputs.clone().unwrap_or_else(|| {
        PathBuf::from(
            args.out
                .file_stem()
                .map_or("tasks".into(), |s| s.to_string_lossy().into_owned()),
        )
    });
    let plan_dir = args.out.parent().map(PathBuf::from).unwrap_or_default();
    // Outlines named from the plan's folder when they are below it, else absolutely.
    let outlines_path = args
        .outlines
        .as_deref()
        .map(|p| -> Result<String> {
            let absolute = std::path::absolute(p)?;
            let dir = std::path::absolute(&plan_dir)?;
            Ok(absolute
                .strip_prefix(&dir)
                .unwrap_or(&absolute)
                .display()
                .to_string())
        })
        .transpose()?;
    let mut tasks: Vec<Task> = Vec::new();
    let mut empty_years = Vec::new();
    for year in first..=last {
        let search = Search {
            collections: vec![args.collection.clone()],
            bbox: [area.west, area.south, area.east, area.north],
            datetime: Some(season(year, m1, m2)),
            max_cloud: args.max_cloud,
            limit: 100,
        };
        let found = archive::search(&args.stac, &search, MAX_ITEMS_PER_YEAR)?;
        let items: Vec<_> = found.iter().map(|f| f.item.clone()).collect();
        let mut line = Vec::new();
        for (fp, candidates) in by_footprint(&items) {
            let Some(chosen) = choose(
                &found,
                &candidates,
                args.qa_candidates,
                &area,
                args.token_endpoint.as_deref(),
            ) else {
                eprintln!(
                    "{year} {fp}: no item has a `self` link, so no address to read it from; left out"
                );
                continue;
            };
            let item = &chosen.found.item;
            line.push(format!(
                "{fp} {} ({} % cloud{})",
                item.date().unwrap_or("no date"),
                item.properties
                    .cloud_cover
                    .map_or("unknown".into(), |c| format!("{c:.1}")),
                chosen.area_cloud.map_or(String::new(), |c| format!(
                    ", {c:.1} % of the area cloud or fill"
                ))
            ));
            tasks.push(Task {
                index: tasks.len(),
                year,
                out: outputs.join(format!("{year}_{fp}")).display().to_string(),
                footprint: fp,
                id: item.id.clone(),
                item: chosen.url,
                date: item.date().map(str::to_owned),
                cloud_cover: item.properties.cloud_cover,
                area_cloud: chosen.area_cloud,
                bbox: [area.west, area.south, area.east, area.north],
                outlines: outlines_path.clone(),
                token_endpoint: args.token_endpoint.clone(),
            });
        }
        if line.is_empty() {
            empty_years.push(year.to_string());
        } else {
            eprintln!("{year}: {}", line.join(", "));
        }
    }
    if !empty_years.is_empty() {
        eprintln!(
            "no scene in {} (season {}, {}); widen --months or --max-cloud to fill them",
            empty_years.join(", "),
            args.months,
            args.max_cloud
                .map_or("any cloud".into(), |c| format!("< {c} % cloud"))
        );
    }
    if tasks.is_empty() {
        bail!(
            "no scene found over {} in {first}..{last}: nothing to plan; check the area, or \
             widen --months, --max-cloud or --years",
            glacier_raster::aoi::describe(&area)
        );
    }
    write_plan(&args.out, &tasks)?;
    eprintln!(
        "wrote {}: {} tasks; run one with `glacier run-task {} --index 0`",
        args.out.display(),
        tasks.len(),
        args.out.display()
    );
    Ok(())
}

/// The item a footprint's year gets.
struct Chosen<'a> {
    found: &'a Found,
    url: String,
    /// Cloud and fill over the area, percent, where it was read.
    area_cloud: Option<f64>,
}

/// Of `candidates` (least cloudy first), the one to map: among the first `n` with an address,
/// the least cloud and fill over the area (from the QA_PIXEL band; the scene's cloud cover
/// where there is none or it cannot be read; ties to the less cloudy scene); `None` when no
/// candidate has an address.
fn choose<'a>(
    found: &'a [Found],
    candidates: &[&Item],
    n: usize,
    area: &LonLatBounds,
    token_endpoint: Option<&str>,
) -> Option<Chosen<'a>> {
    let mut best: Option<(f64, Chosen)> = None;
    let addressed = candidates.iter().filter_map(|item| {
        let f = found.iter().find(|f| f.item.id == item.id)?;
        Some((f, f.url.clone()?))
    });
    for (f, url) in addressed.take(n.max(1)) {
        let area_cloud = if n > 1 {
            archive::area_cloud(&f.item, &url, token_endpoint, area).unwrap_or_else(|e| {
                eprintln!(
                    "{}: the cloud over the area could not be read ({e:#}); its scene's cloud \
                     cover stands in",
                    f.item.id
                );
                None
            })
        } else {
            None
        };
        let score = area_cloud.unwrap_or_else(|| f.item.properties.cloud_cover.unwrap_or(100.0));
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((
                score,
                Chosen {
                    found: f,
                    url,
                    area_cloud: area_cloud.map(|c| (c * 100.0).round() / 100.0),
                },
            ));
        }
    }
    best.map(|(_, c)| c)
}

/// `2013..2025`, `2013..=2025`, `2013-2025` or `2020`, as (first, last).
fn parse_years(text: &str) -> Result<(i32, i32)> {
    let bad = || {
        anyhow::anyhow!(
            "--years {text:?}: give FIRST..LAST (2013..2025, both included) or one year"
        )
    };
    let (a, b) = match text.split_once("..") {
        Some((a, b)) => (a, b.trim_start_matches('=')),
        None => text.split_once('-').unwrap_or((text, text)),
    };
    let first: i32 = a.trim().parse().map_err(|_| bad())?;
    let last: i32 = b.trim().parse().map_err(|_| bad())?;
    if !(1972..=2100).contains(&first) || last < first || last > 2100 {
        bail!(
            "--years {text:?}: the first year must be 1972 (Landsat 1) or later, and the last not before it"
        );
    }
    Ok((first, last))
}

/// `8-10` or `8` as (first, last) months, 1–12; first > last is a season across New Year.
fn parse_months(text: &str) -> Result<(u32, u32)> {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let month = |m: &str| {
        m.trim()
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=12).contains(m))
    };
    match (month(a), month(b)) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => bail!("--months {text:?}: give FIRST-LAST as month numbers 1-12, e.g. 8-10"),
    }
}

/// The search interval of `year`'s season (RFC 3339); across New Year it starts the year
/// before.
fn season(year: i32, first: u32, last: u32) -> String {
    let start_year = if first > last { year - 1 } else { year };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match last {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    format!("{start_year}-{first:02}-01T00:00:00Z/{year}-{last:02}-{days:02}T23:59:59Z")
}

/// The outlines' bounds in degrees, a little widened (0.001°) so edge pixels are whole.
fn lon_lat_bounds(outlines: &glacier_labels::Outlines) -> Result<LonLatBounds> {
    let projector = Projector::new(&outlines.crs, &Crs::Epsg(4326)).with_context(|| {
        format!(
            "{}: cannot place the outlines in longitude/latitude",
            outlines.file
        )
    })?;
    let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for ring in outlines.polygons.iter().flat_map(|p| &p.rings) {
        for &(x, y) in ring {
            if let Some((lon, lat)) = projector.transform(x, y) {
                (w, s, e, n) = (w.min(lon), s.min(lat), e.max(lon), n.max(lat));
            }
        }
    }
    if w > e {
        bail!(
            "{}: no outline to take an area from; give --bbox",
            outlines.file
        );
    }
    let pad = 0.001;
    Ok(LonLatBounds {
        west: (w - pad).max(-180.0),
        south: (s - pad).max(-90.0),
        east: (e + pad).min(180.0),
        north: (n + pad).min(90.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_months_and_seasons() {
        assert_eq!(parse_years("2013..2025").expect("years"), (2013, 2025));
        assert_eq!(parse_years("2013..=2025").expect("years"), (2013, 2025));
        assert_eq!(parse_years("2020").expect("a year"), (2020, 2020));
        assert!(parse_years("2025..2013").is_err());
        assert!(parse_years("soon").is_err());
        assert_eq!(parse_months("8-10").expect("months"), (8, 10));
        assert!(parse_months("0-13").is_err());
        assert_eq!(
            season(2020, 8, 10),
            "2020-08-01T00:00:00Z/2020-10-31T23:59:59Z"
        );
        assert_eq!(
            season(2020, 12, 2),
            "2019-12-01T00:00:00Z/2020-02-29T23:59:59Z"
        );
        assert_eq!(
            season(2021, 1, 2),
            "2021-01-01T00:00:00Z/2021-02-28T23:59:59Z"
        );
    }
}
