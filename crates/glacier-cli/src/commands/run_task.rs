//! `glacier run-task`: one task of a plan, under the contract of [`crate::tasks`]: done tasks
//! exit at once, outputs appear whole or not at all, an item that cannot be mapped leaves a
//! failure record.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use glacier_change::{Mask, per_glacier_area};
use glacier_map::Keep;

use crate::backend::Backend;
use crate::mapping::map_scene_timed;
use crate::outlines::read_outlines;
use crate::phases::Phases;
use crate::scene_args::SceneArgs;
use crate::task_folder::Folder;
use crate::tasks::{
    AREAS, DONE, Done, FAILED, Failed, MASK, Plan, State, Task, peak_memory_mb, state, sum_of,
};

/// Run one task of a plan (`glacier plan`): map its scene's part of the area and write the
/// mask, the glacier areas and the task's record into its folder. A task already done (its
/// record verifies) exits at once; a killed task leaves no half-written file; an item that
/// cannot be mapped (gone, no overlap, no data) leaves failed.json saying why and exits 0, so
/// the array goes on and `glacier collect` names the gap.
#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  \
    glacier run-task khumbu.jsonl --index 3\n  \
    sbatch --array=0-25%8 --wrap 'glacier run-task khumbu.jsonl'   (SLURM_ARRAY_TASK_ID picks the task)\n\n\
    Without --index the task is SLURM_ARRAY_TASK_ID (a SLURM job array), else\n\
    JOB_COMPLETION_INDEX (a Kubernetes Indexed Job).")]
pub struct Args {
    /// The plan file.
    plan: PathBuf,
    /// Which task (0-based).
    #[arg(long)]
    index: Option<usize>,
    /// Compute backend.
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
    /// Run it again even when its record verifies.
    #[arg(long)]
    force: bool,
}

/// The environment variables schedulers give an array task its index in.
const INDEX_VARIABLES: [&str; 2] = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"];

/// Runs the task.
pub fn run(args: Args) -> Result<()> {
    let start = Instant::now();
    let mut phases = Phases::new();
    phases.enter("plan, record and outlines");
    let plan = Plan::read(&args.plan)?;
    let index = index(args.index)?;
    let task = plan.task(index)?;
    let dir = Folder::new(&task.out, || plan.resolve(&task.out))?;
    if !args.force {
        match state(&dir) {
            State::Done(done) => {
                eprintln!(
                    "{}: done already ({} verified, {:.3} km² glacier); --force runs it again",
                    task.label(),
                    dir.name(DONE),
                    done.glacier_km2
                );
                return Ok(());
            }
            State::Damaged(why) => eprintln!(
                "{}: its record no longer holds ({why}); running it again",
                task.label()
            ),
            State::Failed(_) | State::NotRun => {}
        }
    }
    dir.prepare()?;
    let outlines = task
        .outlines
        .as_deref()
        .map(|p| read_outlines(&plan.resolve(p)))
        .transpose()?;
    match map_task(task, args.backend, &mut phases) {
        Ok(mapped) => {
            phases.enter("areas and outputs");
            write_outputs(task, &dir, mapped, outlines.as_ref(), (start, phases))
        }
        Err(e) => {
            let failed = Failed {
                task: task.clone(),
                reason: format!("{e:#}"),
            };
            dir.write(FAILED, &serde_json::to_vec_pretty(&failed)?)?;
            eprintln!(
                "{}: {} could not be mapped: {}\nwrote {}",
                task.label(),
                task.id,
                failed.reason,
                dir.name(FAILED)
            );
            Ok(())
        }
    }
}

/// The task's index: `--index`, else the scheduler's variable.
fn index(given: Option<usize>) -> Result<usize> {
    if let Some(i) = given {
        return Ok(i);
    }
    for name in INDEX_VARIABLES {
        if let Ok(value) = std::env::var(name) {
            return value
                .trim()
                .parse()
                .with_context(|| format!("{name}={value:?} is not a task index"));
        }
    }
    bail!(
        "which task? give --index N, or run it as a SLURM array task ({}) or a Kubernetes \
         Indexed Job ({})",
        INDEX_VARIABLES[0],
        INDEX_VARIABLES[1]
    )
}

/// What mapping a task's scene gave.
struct Mapped {
    mask: Mask,
    geotiff: Vec<u8>,
    glacier_km2: f64,
    valid_percent: f64,
    model: Option<String>,
    device: String,
}

/// Maps the task's item over its area.
fn map_task(task: &Task, backend: Backend, phases: &mut Phases) -> Result<Mapped> {
    let bbox = task.bbox_arg();
    let args = SceneArgs {
        files: &[],
        bands: &[],
        stack: None,
        item: Some(&task.item),
        token_endpoint: task.token_endpoint.as_deref(),
        bbox: Some(&bbox),
    };
    let keep = Keep {
        masks: true,
        probabilities: false,
        exports: true,
        preview: None,
    };
    let settings = (backend, keep, true);
    let (map, device) = map_scene_timed(&task.label(), &args, None, None, settings, phases)?;
    let network = map
        .network
        .context("internal: the network made no map and said nothing")?;
    if network.valid == 0 {
        bail!("no pixel of the area has data in this scene (fill or cloud everywhere)");
    }
    let t = map.grid.transform;
    let pixels = u64::from(map.grid.width) * u64::from(map.grid.height);
    Ok(Mapped {
        glacier_km2: network.glacier as f64 * (t.dx * t.dy).abs() / 1e6,
        valid_percent: 100.0 * network.valid as f64 / pixels.max(1) as f64,
        geotiff: network
            .exports
            .context("internal: the mask's exports were not made")?
            .geotiff,
        mask: Mask {
            file: format!("{} ({})", task.id, task.label()),
            grid: map.grid,
            values: network.mask.context("internal: the mask was not kept")?,
        },
        model: map.model_choice,
        device,
    })
}

/// Writes the mask, the areas and, last, the record, with the time since `start` and its
/// phases.
fn write_outputs(
    task: &Task,
    dir: &Folder,
    mapped: Mapped,
    outlines: Option<&glacier_labels::Outlines>,
    (start, phases): (Instant, Phases),
) -> Result<()> {
    let rows = match outlines {
        Some(o) => per_glacier_area(mapped.mask, o, None)?,
        None => vec![glacier_change::one_date::whole_area(mapped.mask)?],
    };
    dir.write(MASK, &mapped.geotiff)?;
    let mut csv = Vec::new();
    glacier_change::one_date::write_csv(AREAS, &mut csv, &rows)?;
    dir.write(AREAS, &csv)?;
    let record = Done {
        task: task.clone(),
        files: vec![sum_of(MASK, &mapped.geotiff), sum_of(AREAS, &csv)],
        glacier_km2: (mapped.glacier_km2 * 1e4).round() / 1e4,
        valid_percent: (mapped.valid_percent * 100.0).round() / 100.0,
        model: mapped.model,
        device: mapped.device,
        seconds: (start.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        phases: phases.finish(),
        peak_memory_mb: peak_memory_mb().map(|m| m.round()),
        fetched_bytes: crate::http::traffic().bytes(),
    };
    dir.write(DONE, &serde_json::to_vec_pretty(&record)?)?;
    eprintln!(
        "{}: {} glacier km² in {} row(s), {:.1} % of the area with data; wrote {}",
        task.label(),
        record.glacier_km2,
        rows.len(),
        record.valid_percent,
        dir.display()
    );
    if let Some(line) = crate::archive::traffic_line() {
        eprintln!("{line}");
    }
    Ok(())
}
