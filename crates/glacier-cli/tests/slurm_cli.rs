//! `glacier slurm` on a real SLURM cluster: a single-node cluster started here (Debian's
//! `slurm-wlm` and `munge`: munged, slurmctld and slurmd on this host from a generated
//! slurm.conf in a temporary folder) runs the job array that `glacier slurm` writes for the
//! plan of `common::series`. Cancelled with `scancel` once its first band reads have begun and
//! submitted again, the array finishes with the outputs of a sequential run of the same plan
//! and no partial file, and `glacier collect` names the item that could not be mapped.
//!
//! Needs root (slurmd starts the jobs) and the two packages, which `cargo xtask setup`
//! installs; without them the test says so and passes outside CI, and fails under `CI=true`.

mod common;

use std::path::{Path, PathBuf};

use common::cluster::{Cluster, run, sbatch_script};
use common::series::{BROKEN, assert_same_outputs, planned, site};
use common::{band_reads, glacier, liverpool_files};

/// Every file under `dir` whose name ends with `.partial`.
fn partial_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(partial_files(&path));
        } else if path.to_string_lossy().ends_with(".partial") {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_job_array_cancelled_and_resubmitted_gives_the_sequential_outputs() {
    let Some(bands) = liverpool_files("slurm") else {
        return;
    };
    let Some(cluster) = Cluster::start("slurm_cluster") else {
        return;
    };
    let (site, base) = site(&bands);
    let seq = planned(&base, "slurm_sequential");
    let arr = planned(&base, "slurm_array");
    let seq_plan = seq.join("plan.jsonl");
    for i in 0..6 {
        let index = i.to_string();
        let (ok, _, said) = glacier(&[
            "run-task",
            seq_plan.to_str().expect("utf-8"),
            "--index",
            &index,
        ]);
        assert!(ok, "task {i}: {said}");
    }

    let script = sbatch_script(&arr, 2);
    let reads = || band_reads(&site);
    let records = || {
        let folders = std::fs::read_dir(arr.join("plan"))
            .into_iter()
            .flatten()
            .flatten();
        folders
            .filter(|e| e.path().join("task.json").exists())
            .count()
    };

    // Submitted, then cancelled once the first task reads its bands.
    let before = reads();
    let job = run(cluster
        .command("/usr/bin/sbatch")
        .arg("--parsable")
        .arg(&script));
    let job = job.trim().to_owned();
    cluster.wait_for("the array's first band read", || reads() > before);
    run(cluster.command("/usr/bin/scancel").arg(&job));
    cluster.wait_for("the cancelled array to leave the queue", || {
        let queue = cluster.command("squeue").args(["-h", "-j", &job]).output();
        queue.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim().is_empty())
    });
    let after_cancel = records();
    assert!(
        after_cancel < 5,
        "the cancel stopped the array early: {after_cancel} records"
    );

    // The same script again, waited for: done tasks exit at once, the rest run.
    let again = run(cluster
        .command("/usr/bin/sbatch")
        .args(["--parsable", "--wait"])
        .arg(&script));
    assert!(partial_files(&arr).is_empty(), "{:?}", partial_files(&arr));
    let names = assert_same_outputs(&seq, &arr, "the SLURM array against the sequential run");
    assert_eq!(names.len(), 16, "{names:?}");
    // Every array task logged where `glacier slurm` said.
    let job2 = again.trim();
    for i in 0..6 {
        let log = arr.join("logs").join(format!("{job2}_{i}.log"));
        let text =
            std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        if i == 5 {
            assert!(text.contains("could not be mapped"), "{text}");
        }
    }
    let table = arr.join("areas.csv");
    let (ok, out, said) = glacier(&[
        "collect",
        arr.join("plan.jsonl").to_str().expect("utf-8"),
        "--out",
        table.to_str().expect("utf-8"),
    ]);
    assert!(ok, "{said}");
    let summary: serde_json::Value = serde_json::from_str(&out).expect("summary");
    assert_eq!(summary["done"], 5);
    assert_eq!(summary["missing"][0]["item"], BROKEN);
    eprintln!(
        "SLURM array: cancelled with {after_cancel} of 6 tasks recorded, resubmitted as job {job2}, \
         outputs equal to the sequential run"
    );
}
