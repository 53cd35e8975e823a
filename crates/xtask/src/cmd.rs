//! Running commands with visible progress and timings.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

/// Every step run so far: its name, seconds, and whether it passed (for [`print_timings`]).
static STEPS: Mutex<Vec<(String, f64, bool)>> = Mutex::new(Vec::new());

/// The workspace root (the parent of `crates/xtask`).
pub fn workspace_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map(PathBuf::from)
        .context("xtask is not inside <root>/crates/xtask")
}

/// Builds a command from a program and arguments.
pub fn command(program: &str, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    c.args(args);
    c
}

/// Runs `c`, streaming its output; fails with the step name if it exits non-zero.
pub fn run_step(step: &str, c: &mut Command) -> Result<()> {
    println!("\n==> {step}\n    $ {}", describe(c));
    let start = Instant::now();
    let status = c
        .status()
        .with_context(|| format!("{step}: could not start `{}`", describe(c)))?;
    let secs = start.elapsed().as_secs_f64();
    if let Ok(mut steps) = STEPS.lock() {
        steps.push((step.to_owned(), secs, status.success()));
    }
    if !status.success() {
        bail!("{step} failed ({status}) after {secs:.0} s");
    }
    println!("<== {step}: ok in {secs:.0} s{}", disk_free());
    Ok(())
}

/// The release `glacier` the benchmarks and the container check run.
pub const RELEASE_GLACIER: &str = "target/release/glacier";

/// Builds [`RELEASE_GLACIER`] (a step of its own, so its minutes show in the timings).
pub fn build_release_glacier() -> Result<()> {
    run_step(
        "build glacier (release)",
        &mut command(
            "cargo",
            &[
                "build",
                "--release",
                "-q",
                "-p",
                "glacier-cli",
                "--bin",
                "glacier",
            ],
        ),
    )
}

/// Prints a table of the steps run so far with their times (the end of `cargo xtask test`, also
/// when a step failed), so a slow CI run shows where its minutes went.
pub fn print_timings(total: f64) {
    let Ok(steps) = STEPS.lock() else {
        return;
    };
    if steps.is_empty() {
        return;
    }
    println!("\n| step | result | time |\n|---|---|---:|");
    for (step, secs, ok) in steps.iter() {
        let result = if *ok { "ok" } else { "FAILED" };
        println!("| {step} | {result} | {} |", minutes(*secs));
    }
    println!("| **all, set-up included** | | **{}** |", minutes(total));
}

/// `12 min 05 s`, or `42 s` under a minute.
fn minutes(secs: f64) -> String {
    let s = secs.round() as u64;
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

/// ", N GiB free on disk" for the working directory's file system (empty if `df` is missing):
/// CI logs then show which step ate the disk.
fn disk_free() -> String {
    output(&mut command("df", &["-Pk", "."]))
        .and_then(|s| {
            let kib: f64 = s.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
            Some(format!(", {:.1} GiB free on disk", kib / (1024.0 * 1024.0)))
        })
        .unwrap_or_default()
}

/// Runs `c` quietly and returns its stdout when it succeeds.
pub fn output(c: &mut Command) -> Option<String> {
    let out = c.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}
