//! `glacier slurm` and `glacier k8s`: a plan as a SLURM job array or a Kubernetes Indexed Job
//! that runs `glacier run-task` once per task, sized from the tasks already run.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::backend::Backend;
use crate::task_folder::Folder;
use crate::tasks::{Plan, record};

/// Write an sbatch script that runs a plan as a SLURM job array: one `glacier run-task` per
/// task, at most --parallel at once, requeued when a node fails. Time and memory per task come
/// from the tasks already run (three times the slowest, twice the largest, with floors), or
/// defaults that say so; run one task by hand first to size them.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  glacier run-task khumbu.jsonl --index 0   (one task first: it sizes the others)\n  \
    glacier slurm khumbu.jsonl --out khumbu.sbatch --parallel 16 --partition short\n  \
    sbatch khumbu.sbatch\n  glacier collect khumbu.jsonl --out khumbu_areas.csv\n\n\
    Tasks already done exit at once, so the same script can be submitted again after a failure."
)]
pub struct SlurmArgs {
    /// The plan file (`glacier plan`).
    plan: PathBuf,
    /// The sbatch script to write.
    #[arg(long)]
    out: PathBuf,
    /// Tasks running at once (the array's %K).
    #[arg(long, default_value_t = 8)]
    parallel: usize,
    /// The partition to submit to (default: the cluster's).
    #[arg(long)]
    partition: Option<String>,
    /// The account to charge (default: yours).
    #[arg(long)]
    account: Option<String>,
    /// CPU cores per task.
    #[arg(long, default_value_t = 2)]
    cpus: u32,
    /// The glacier binary the nodes run (default: this one).
    #[arg(long)]
    glacier: Option<PathBuf>,
    /// Compute backend of each task.
    #[arg(long, value_enum, default_value = "cpu")]
    backend: Backend,
}

/// Write a Kubernetes Indexed Job that runs a plan: one pod per task index running `glacier
/// run-task` (the index comes from JOB_COMPLETION_INDEX), --parallel at once, each index
/// retried on its own. The manifest is JSON, which `kubectl apply -f` reads as it reads YAML.
/// The plan and its outputs live on a volume the pods mount at /work.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  podman build -t registry.example.org/glacier:latest -f Containerfile .\n  \
    glacier k8s khumbu.jsonl --image registry.example.org/glacier:latest --claim glacier-data --out job.json\n  \
    kubectl apply -f job.json"
)]
pub struct K8sArgs {
    /// The plan file (`glacier plan`), as the pods see it under /work.
    plan: PathBuf,
    /// The container image holding `glacier` (build one with the repository's Containerfile).
    #[arg(long)]
    image: String,
    /// The PersistentVolumeClaim holding the plan and its outputs, mounted at /work.
    #[arg(long)]
    claim: String,
    /// The manifest to write.
    #[arg(long)]
    out: PathBuf,
    /// Pods running at once.
    #[arg(long, default_value_t = 8)]
    parallel: usize,
    /// CPU cores per pod.
    #[arg(long, default_value_t = 2)]
    cpus: u32,
    /// The Job's name.
    #[arg(long, default_value = "glacier-plan")]
    name: String,
}

/// What one task needs, from the tasks already run or by default.
struct Sizing {
    /// Minutes per task.
    minutes: u64,
    /// Memory per task, MB.
    memory_mb: u64,
    /// Where the numbers came from.
    note: String,
}

/// Minutes and memory per task when no task has run yet.
const DEFAULT_MINUTES: u64 = 30;
const DEFAULT_MEMORY_MB: u64 = 4096;

fn sizing(plan: &Plan) -> Sizing {
    let records: Vec<_> = plan
        .tasks
        .iter()
        .filter_map(|t| record(&Folder::new(&t.out, || plan.resolve(&t.out)).ok()?))
        .collect();
    if records.is_empty() {
        return Sizing {
            minutes: DEFAULT_MINUTES,
            memory_mb: DEFAULT_MEMORY_MB,
            note: format!(
                "no task has run yet, so {DEFAULT_MINUTES} min and {DEFAULT_MEMORY_MB} MB per \
                 task are guesses; run one (glacier run-task {} --index 0) and write this again",
                plan.path.display()
            ),
        };
    }
    let seconds = records.iter().map(|r| r.seconds).fold(0.0, f64::max);
    let memory = records
        .iter()
        .filter_map(|r| r.peak_memory_mb)
        .fold(0.0, f64::max);
    let minutes = ((3.0 * seconds / 60.0).ceil() as u64).max(10);
    let memory_mb = if memory > 0.0 {
        ((2.0 * memory / 256.0).ceil() as u64 * 256).max(1024)
    } else {
        DEFAULT_MEMORY_MB
    };
    Sizing {
        minutes,
        memory_mb,
        note: format!(
            "sized from {} task(s) run: slowest {seconds:.0} s, largest {memory:.0} MB",
            records.len()
        ),
    }
}

/// Writes the sbatch script.
pub fn run_slurm(args: SlurmArgs) -> Result<()> {
    let plan = Plan::read(&args.plan)?;
    if args.parallel == 0 {
        bail!("--parallel must be at least 1");
    }
    let size = sizing(&plan);
    let plan_path = std::path::absolute(&args.plan)?;
    let glacier = match &args.glacier {
        Some(p) => std::path::absolute(p)?,
        None => std::env::current_exe().context("cannot tell where this glacier binary is")?,
    };
    let logs = plan_path
        .parent()
        .map_or_else(|| PathBuf::from("logs"), |d| d.join("logs"));
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let mut lines = vec![
        "#!/bin/bash".to_owned(),
        format!(
            "# A SLURM job array for {}, written by glacier slurm.",
            plan_path.display()
        ),
        format!("# {}.", size.note),
        "# Submit: sbatch THIS_FILE. Done tasks exit at once, so it can be submitted again."
            .to_owned(),
        format!("#SBATCH --job-name={}", job_name(&plan_path)),
        format!(
            "#SBATCH --array=0-{}%{}",
            plan.tasks.len() - 1,
            args.parallel
        ),
        format!("#SBATCH --time={}", hours_minutes(size.minutes)),
        format!("#SBATCH --mem={}M", size.memory_mb),
        format!("#SBATCH --cpus-per-task={}", args.cpus),
        "#SBATCH --ntasks=1".to_owned(),
        "#SBATCH --requeue".to_owned(),
        format!("#SBATCH --output={}", logs.join("%A_%a.log").display()),
    ];
    if let Some(p) = &args.partition {
        lines.push(format!("#SBATCH --partition={p}"));
    }
    if let Some(a) = &args.account {
        lines.push(format!("#SBATCH --account={a}"));
    }
    lines.push(String::new());
    lines.push(format!(
        "exec {} run-task {} --backend {}",
        shell_quote(&glacier),
        shell_quote(&plan_path),
        args.backend.name()
    ));
    lines.push(String::new());
    std::fs::write(&args.out, lines.join("\n"))
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "wrote {}: {} tasks, {} at once, {} and {} MB each ({}); submit it with sbatch",
        args.out.display(),
        plan.tasks.len(),
        args.parallel,
        hours_minutes(size.minutes),
        size.memory_mb,
        size.note
    );
    Ok(())
}

/// Writes the Indexed Job manifest.
pub fn run_k8s(args: K8sArgs) -> Result<()> {
    let plan = Plan::read(&args.plan)?;
    if args.parallel == 0 {
        bail!("--parallel must be at least 1");
    }
    let size = sizing(&plan);
    let n = plan.tasks.len();
    let plan_in_pod =
        Path::new("/work").join(args.plan.file_name().context("--plan names no file")?);
    let resources = serde_json::json!({
        "cpu": args.cpus.to_string(),
        "memory": format!("{}Mi", size.memory_mb),
    });
    let manifest = serde_json::json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": args.name,
            "annotations": {"glacier/sizing": size.note, "glacier/plan": args.plan.display().to_string()}
        },
        "spec": {
            "completionMode": "Indexed",
            "completions": n,
            "parallelism": args.parallel.min(n),
            "backoffLimitPerIndex": 2,
            "maxFailedIndexes": n,
            "activeDeadlineSeconds": (size.minutes * 60 * (n as u64).div_ceil(args.parallel as u64)).max(3600),
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{
                        "name": "glacier",
                        "image": args.image,
                        "command": ["glacier", "run-task", plan_in_pod.display().to_string()],
                        "workingDir": "/work",
                        "resources": {"requests": resources.clone(), "limits": resources},
                        "volumeMounts": [{"name": "work", "mountPath": "/work"}]
                    }],
                    "volumes": [{"name": "work", "persistentVolumeClaim": {"claimName": args.claim}}]
                }
            }
        }
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&manifest)? + "\n")
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "wrote {}: an Indexed Job of {n} pods, {} at once ({}); kubectl apply -f {}",
        args.out.display(),
        args.parallel.min(n),
        size.note,
        args.out.display()
    );
    Ok(())
}

/// `HH:MM:00` for SLURM's --time.
fn hours_minutes(minutes: u64) -> String {
    format!("{:02}:{:02}:00", minutes / 60, minutes % 60)
}

/// "glacier-" and the plan's name, as SLURM shows it.
fn job_name(plan: &Path) -> String {
    let stem = plan
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("glacier-{clean}")
}

/// A path as one shell word.
fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_names_and_quotes() {
        assert_eq!(hours_minutes(95), "01:35:00");
        assert_eq!(
            job_name(Path::new("/x/khumbu 2013.jsonl")),
            "glacier-khumbu_2013"
        );
        assert_eq!(shell_quote(Path::new("/a/it's")), "'/a/it'\\''s'");
    }
}
