//! `cargo xtask bench-tasks`: what a cluster task costs beside its mapping. Builds the release
//! `glacier`, then runs the ignored benchmark in `crates/glacier-cli/tests/bench_tasks.rs` with
//! it: six tasks over the real Liverpool bands one after another (each process's wall time
//! beside its record's phases), then as a SLURM job array on a single-node cluster started
//! there (SLURM and munge from `cargo xtask setup`; needs root).

use anyhow::Result;

use crate::cmd::{command, run_step};

/// Builds the binary and runs the benchmark, which prints its tables.
pub fn run() -> Result<()> {
    crate::cmd::build_release_glacier()?;
    let bin = std::fs::canonicalize(crate::cmd::RELEASE_GLACIER)?;
    let mut bench = command(
        "cargo",
        &[
            "test",
            "-q",
            "-p",
            "glacier-cli",
            "--test",
            "bench_tasks",
            "--",
            "--ignored",
            "--nocapture",
        ],
    );
    bench.env("GLACIER_BIN", bin);
    run_step("the task benchmark (tests/bench_tasks.rs)", &mut bench)
}
