//! `glacier collect`: a plan's finished tasks as one glacier × year table, with the change
//! against each glacier's first year and the years that are missing, and why.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use glacier_change::{GlacierArea, plot};
use serde::Serialize;

use crate::output::write_json;
use crate::phases::Phase;
use crate::task_folder::Folder;
use crate::tasks::{AREAS, Done, Plan, State, Task, state};

/// Collect a plan's results: one row per glacier and year (area, its uncertainty, the change
/// against the glacier's first year with the two uncertainties in quadrature, the no-data
/// share), and the tasks that failed or have not run, with their reasons. Where footprints
/// overlap, a glacier's year comes from the scene that saw most of it.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  glacier collect khumbu.jsonl --out khumbu_areas.csv --plot khumbu_areas.svg\n\n\
    Prints a summary as JSON on stdout; rows whose no_data_share is large (cloud, scene edge)\n\
    deserve distrust, as in `glacier change`."
)]
pub struct Args {
    /// The plan file (`glacier plan`).
    plan: PathBuf,
    /// The glacier × year table to write (CSV).
    #[arg(long)]
    out: PathBuf,
    /// Also write the summary to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Also draw the largest glaciers' areas over the years, with error bars (SVG).
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// How many glaciers the plot shows, largest (in their first year) first.
    #[arg(long, default_value_t = 8, value_name = "N")]
    plot_glaciers: usize,
}

/// One row of the table.
#[derive(Debug, Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    year: i32,
    date: Option<&'a str>,
    footprint: &'a str,
    item: &'a str,
    glacier_km2: f64,
    uncertainty_km2: f64,
    change_km2: f64,
    change_uncertainty_km2: f64,
    no_data_share: f64,
}

/// A task that gave no rows, and why.
#[derive(Debug, Serialize)]
struct Missing {
    index: usize,
    year: i32,
    footprint: String,
    item: String,
    why: String,
}

/// What the finished tasks cost, from their records.
#[derive(Debug, Default, Serialize)]
struct Cost {
    /// Seconds of all tasks together, the median task's and the slowest's.
    seconds_total: f64,
    seconds_median: f64,
    seconds_max: f64,
    /// Megabytes fetched from the archive by all tasks.
    fetched_mb: f64,
    /// The largest peak memory of one task, MB (where recorded).
    peak_memory_mb_max: Option<f64>,
    /// All tasks' seconds by phase (plan and record, headers, fetching, the network, …), in
    /// the order the phases first ran.
    phases: Vec<Phase>,
}

impl Cost {
    fn of(records: &[Done]) -> Cost {
        let mut seconds: Vec<f64> = records.iter().map(|r| r.seconds).collect();
        seconds.sort_by(f64::total_cmp);
        let round = |x: f64| (x * 100.0).round() / 100.0;
        Cost {
            seconds_total: round(seconds.iter().sum()),
            seconds_median: seconds.get(seconds.len() / 2).copied().unwrap_or(0.0),
            seconds_max: seconds.last().copied().unwrap_or(0.0),
            fetched_mb: round(records.iter().map(|r| r.fetched_bytes as f64).sum::<f64>() / 1e6),
            peak_memory_mb_max: records
                .iter()
                .filter_map(|r| r.peak_memory_mb)
                .reduce(f64::max),
            phases: summed_phases(records),
        }
    }
}

/// Each phase's seconds over all `records`, rounded to milliseconds.
fn summed_phases(records: &[Done]) -> Vec<Phase> {
    let mut sums: Vec<Phase> = Vec::new();
    for p in records.iter().flat_map(|r| &r.phases) {
        match sums.iter_mut().find(|s| s.name == p.name) {
            Some(s) => s.seconds += p.seconds,
            None => sums.push(p.clone()),
        }
    }
    for s in &mut sums {
        s.seconds = (s.seconds * 1e3).round() / 1e3;
    }
    sums
}

/// What `collect` prints.
#[derive(Debug, Serialize)]
struct Summary {
    tasks: usize,
    done: usize,
    missing: Vec<Missing>,
    glaciers: usize,
    rows: usize,
    years: Vec<i32>,
    cost: Cost,
}

/// Writes the table and prints the summary.
pub fn run(args: Args) -> Result<()> {
    let plan = Plan::read(&args.plan)?;
    let mut seen: Vec<(Task, GlacierArea)> = Vec::new();
    let mut missing = Vec::new();
    let mut records = Vec::new();
    for task in &plan.tasks {
        let dir = Folder::new(&task.out, || plan.resolve(&task.out))?;
        let why = match state(&dir) {
            State::Done(record) => {
                let name = dir.name(AREAS);
                let bytes = dir
                    .read(AREAS)?
                    .with_context(|| format!("{name} is gone since its record was checked"))?;
                let rows = glacier_change::one_date::read_csv(&name, bytes.as_slice())?;
                seen.extend(rows.into_iter().map(|r| (task.clone(), r)));
                records.push(*record);
                continue;
            }
            State::Failed(f) => format!("failed: {}", f.reason),
            State::NotRun => "not run (or still running)".to_owned(),
            State::Damaged(why) => {
                format!("outputs changed since the task ran ({why}); run it again")
            }
        };
        missing.push(Missing {
            index: task.index,
            year: task.year,
            footprint: task.footprint.clone(),
            item: task.id.clone(),
            why,
        });
    }
    // Per glacier and year, the footprint that saw most of it (least no data, then the
    // earlier task).
    let mut best: BTreeMap<(String, i32), &(Task, GlacierArea)> = BTreeMap::new();
    for entry in &seen {
        let key = (entry.1.id.clone(), entry.0.year);
        let slot = best.entry(key).or_insert(entry);
        if entry.1.no_data_share < slot.1.no_data_share {
            *slot = entry;
        }
    }
    let mut first: BTreeMap<&str, &GlacierArea> = BTreeMap::new();
    let mut rows = Vec::new();
    for ((id, year), (task, area)) in &best {
        let base = *first.entry(id.as_str()).or_insert(area);
        rows.push(Row {
            id,
            name: &area.name,
            year: *year,
            date: task.date.as_deref(),
            footprint: &task.footprint,
            item: &task.id,
            glacier_km2: area.glacier_km2,
            uncertainty_km2: area.uncertainty_km2,
            change_km2: round4(area.glacier_km2 - base.glacier_km2),
            change_uncertainty_km2: if std::ptr::eq(base, area) {
                0.0
            } else {
                round4(area.uncertainty_km2.hypot(base.uncertainty_km2))
            },
            no_data_share: area.no_data_share,
        });
    }
    write_table(&args.out, &rows)?;
    if let Some(path) = &args.plot {
        let title = format!(
            "Glacier area per year: {}",
            plan.path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        );
        let svg = plot::svg(&title, &largest_series(&rows, args.plot_glaciers));
        crate::tasks::write_atomically(path, svg.as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    let mut years: Vec<i32> = best.keys().map(|(_, y)| *y).collect();
    years.sort_unstable();
    years.dedup();
    for m in &missing {
        eprintln!(
            "missing: {} {} (task {}, {}): {}",
            m.year, m.footprint, m.index, m.item, m.why
        );
    }
    let cost = Cost::of(&records);
    eprintln!(
        "the {} finished tasks took {:.1} s together (median {:.1} s, slowest {:.1} s) and \
         fetched {:.1} MB{}",
        records.len(),
        cost.seconds_total,
        cost.seconds_median,
        cost.seconds_max,
        cost.fetched_mb,
        cost.peak_memory_mb_max
            .map_or(String::new(), |m| format!("; peak memory {m:.0} MB"))
    );
    let summary = Summary {
        tasks: plan.tasks.len(),
        done: records.len(),
        cost,
        glaciers: first.len(),
        rows: rows.len(),
        years,
        missing,
    };
    eprintln!(
        "wrote {}: {} glaciers, {} rows from {} of {} tasks",
        args.out.display(),
        summary.glaciers,
        summary.rows,
        summary.done,
        summary.tasks
    );
    write_json(args.json.as_deref(), &summary)?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}

/// The `n` glaciers largest in their first year, each as a series (rows come by id, then year).
fn largest_series(rows: &[Row], n: usize) -> Vec<plot::Series> {
    let mut series: Vec<(f64, plot::Series)> = Vec::new();
    for row in rows {
        let point = plot::Point {
            year: row.year,
            km2: row.glacier_km2,
            uncertainty_km2: row.uncertainty_km2,
        };
        match series.last_mut() {
            Some((_, s)) if s.label == label(row) => s.points.push(point),
            _ => series.push((
                row.glacier_km2,
                plot::Series {
                    label: label(row),
                    points: vec![point],
                },
            )),
        }
    }
    series.sort_by(|a, b| b.0.total_cmp(&a.0));
    series.into_iter().take(n).map(|(_, s)| s).collect()
}

/// A glacier's name and id, or its id.
fn label(row: &Row) -> String {
    if row.name.is_empty() {
        row.id.to_owned()
    } else {
        format!("{} ({})", row.name, row.id)
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The table's columns, in [`Row`]'s order.
const HEADER: [&str; 11] = [
    "id",
    "name",
    "year",
    "date",
    "footprint",
    "item",
    "glacier_km2",
    "uncertainty_km2",
    "change_km2",
    "change_uncertainty_km2",
    "no_data_share",
];

/// Writes the rows as CSV (the header also when there are none).
fn write_table(path: &std::path::Path, rows: &[Row]) -> Result<()> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(HEADER)?;
    for row in rows {
        w.serialize(row)?;
    }
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::tasks::write_atomically(path, &bytes)
}
