//! The task benchmark behind `cargo xtask bench-tasks` (ignored by `cargo test`; a benchmark,
//! not a test): the plan of `common::series` (six tasks over the real Liverpool Level-2 bands
//! on the local STAC server) run one task after another, then as a SLURM job array on the
//! single-node cluster of `common::cluster`. It prints, per task, the process's wall time, what
//! its record says of its phases (plan and record, headers, fetching, the network, outputs) and
//! the process start-up left over, then the array's wall time against the sequential run's.
//!
//! `GLACIER_BIN` names the binary to time (the xtask gives the release build).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use common::cluster::{Cluster, run, sbatch_script};
use common::series::{assert_same_outputs, planned, site};
use common::{glacier, liverpool_files};

/// Seconds `f` took, and what it returned.
fn timed<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64(), out)
}

/// Task `i` of the plan in `dir`, run once: its wall time and whether it succeeded.
fn run_task(dir: &Path, i: usize) -> f64 {
    let plan = dir.join("plan.jsonl");
    let (secs, (ok, _, said)) = timed(|| {
        glacier(&[
            "run-task",
            plan.to_str().expect("utf-8"),
            "--index",
            &i.to_string(),
        ])
    });
    assert!(ok, "task {i}: {said}");
    secs
}

/// The record of task `i` (its `task.json`, or its `failed.json`).
fn record(dir: &Path, i: usize) -> serde_json::Value {
    let lines = common::series::plan_lines(dir);
    let out = lines[i]["out"].as_str().expect("out");
    let folder = dir.join(out);
    for name in ["task.json", "failed.json"] {
        if let Ok(bytes) = std::fs::read(folder.join(name)) {
            return serde_json::from_slice(&bytes).expect("json");
        }
    }
    panic!("task {i} left no record in {}", folder.display())
}

#[test]
#[ignore = "a benchmark: cargo xtask bench-tasks"]
fn bench_tasks_sequential_and_as_a_job_array() {
    let Some(bands) = liverpool_files("bench_tasks") else {
        return;
    };
    let (site, base) = site(&bands);
    let _serving = site;
    let (plan_secs, seq) = timed(|| planned(&base, "bench_sequential"));
    let arr = planned(&base, "bench_array");

    println!("\n`glacier plan` (search, the candidates' cloud over the area): {plan_secs:.2} s\n");
    println!(
        "| task | item | wall s | record s | start-up s | phases (s) |\n|---|---|---:|---:|---:|---|"
    );
    let mut sequential = 0.0;
    for i in 0..6 {
        let wall = run_task(&seq, i);
        sequential += wall;
        let r = record(&seq, i);
        let item = r["task"]["id"].as_str().unwrap_or("?").to_owned();
        let Some(secs) = r["seconds"].as_f64() else {
            println!(
                "| {i} | {item} | {wall:.2} | — | — | failed: {} |",
                r["reason"]
            );
            continue;
        };
        let phases: Vec<String> = r["phases"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| format!("{} {:.3}", p["name"].as_str().unwrap_or("?"), p["seconds"]))
            .collect();
        println!(
            "| {i} | {item} | {wall:.2} | {secs:.2} | {:.2} | {} |",
            wall - secs,
            phases.join("; ")
        );
    }
    let again = run_task(&seq, 0);
    println!("\na done task run again (its record verified, nothing mapped): {again:.2} s");
    println!("the six tasks one after another: {sequential:.2} s");

    let Some(cluster) = Cluster::start("bench_cluster") else {
        return;
    };
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    let script = sbatch_script(&arr, cpus);
    let (array, _) = timed(|| {
        run(cluster
            .command("/usr/bin/sbatch")
            .args(["--parsable", "--wait"])
            .arg(&script))
    });
    assert_same_outputs(&seq, &arr, "the array against the sequential run");
    let cpu = Command::new("nproc").output().map_or(String::new(), |o| {
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    });
    println!(
        "the same six as a SLURM job array on this one node ({cpus} at once, {cpu} CPUs), \
         submission to the last task's end: {array:.2} s ({:.2}× the sequential run)",
        array / sequential
    );
}
