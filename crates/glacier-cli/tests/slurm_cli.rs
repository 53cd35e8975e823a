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

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::series::{BROKEN, assert_same_outputs, planned, site};
use common::{band_reads, glacier, liverpool_files, tmp};

/// The programs the cluster needs.
const PROGRAMS: [&str; 6] = [
    "/usr/sbin/munged",
    "/usr/bin/munge",
    "/usr/sbin/slurmctld",
    "/usr/sbin/slurmd",
    "/usr/bin/sbatch",
    "/usr/bin/scancel",
];

/// A single-node SLURM cluster on this host, stopped when dropped.
struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
}

impl Cluster {
    /// Starts munged (unless it runs), slurmctld and slurmd, and waits until the node is idle.
    /// `None` (with a message) where this machine cannot run one and CI is not set.
    fn start(name: &str) -> Option<Cluster> {
        let missing: Vec<&str> = PROGRAMS
            .into_iter()
            .filter(|p| !Path::new(p).exists())
            .collect();
        let root = run(Command::new("id").arg("-u")).trim() == "0";
        if !missing.is_empty() || !root {
            let why = format!(
                "a SLURM cluster needs root and Debian's slurm-wlm and munge \
                 (`cargo xtask setup` installs them); missing: {missing:?}, root: {root}"
            );
            assert!(std::env::var("CI").as_deref() != Ok("true"), "{why}");
            eprintln!("skipped: {why}");
            return None;
        }
        start_munge();
        let dir = tmp(name);
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["state", "spool"] {
            std::fs::create_dir_all(dir.join(sub)).expect("cluster folder");
        }
        // The node as slurmd sees this machine (CPUs, memory), reached over loopback.
        let node = run(Command::new("/usr/sbin/slurmd").arg("-C"));
        let node = node.lines().next().expect("slurmd -C prints the node");
        let host = node
            .split_whitespace()
            .find_map(|w| w.strip_prefix("NodeName="))
            .expect("a node name");
        let d = dir.display();
        let conf = format!(
            "ClusterName=glaciertest\nSlurmctldHost={host}(127.0.0.1)\nSlurmUser=root\n\
             SlurmdUser=root\nAuthType=auth/munge\nStateSaveLocation={d}/state\n\
             SlurmdSpoolDir={d}/spool\nSlurmctldPidFile={d}/slurmctld.pid\n\
             SlurmdPidFile={d}/slurmd.pid\nSlurmctldLogFile={d}/slurmctld.log\n\
             SlurmdLogFile={d}/slurmd.log\nSlurmctldPort={}\nSlurmdPort={}\n\
             ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
             SelectType=select/cons_tres\nSelectTypeParameters=CR_Core_Memory\nMpiDefault=none\n\
             JobCompType=jobcomp/none\nAccountingStorageType=accounting_storage/none\n\
             ReturnToService=2\n{node} NodeAddr=127.0.0.1 State=UNKNOWN\n\
             PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
            free_port(),
            free_port()
        );
        let conf_path = dir.join("slurm.conf");
        std::fs::write(&conf_path, conf).expect("slurm.conf");
        let cluster = Cluster {
            dir,
            conf: conf_path,
        };
        for daemon in ["/usr/sbin/slurmctld", "/usr/sbin/slurmd"] {
            let c = cluster
                .command(daemon)
                .arg("-f")
                .arg(&cluster.conf)
                .output();
            let out = c.expect("a daemon starts");
            assert!(out.status.success(), "{daemon}: {}", cluster.logs());
        }
        cluster.wait_for("the node to be idle", || {
            let state = cluster.command("sinfo").args(["-h", "-o", "%t"]).output();
            state.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "idle")
        });
        Some(cluster)
    }

    /// A command that talks to this cluster.
    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("SLURM_CONF", &self.conf).stdin(Stdio::null());
        c
    }

    /// Waits up to two minutes for `done`, else fails with the daemons' logs.
    fn wait_for(&self, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !done() {
            assert!(
                Instant::now() < deadline,
                "waited 2 min for {what}:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The ends of the daemons' logs, for failures.
    fn logs(&self) -> String {
        ["slurmctld.log", "slurmd.log"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                format!(
                    "{name}:\n{}",
                    lines[lines.len().saturating_sub(15)..].join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for pid_file in ["slurmd.pid", "slurmctld.pid"] {
            if let Ok(pid) = std::fs::read_to_string(self.dir.join(pid_file)) {
                let _ = Command::new("kill").arg(pid.trim()).status();
            }
        }
    }
}

/// Starts munged as the `munge` user unless a credential can be made already.
fn start_munge() {
    let works = || {
        Command::new("/usr/bin/munge")
            .arg("-n")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if works() {
        return;
    }
    std::fs::create_dir_all("/run/munge").expect("/run/munge");
    run(Command::new("chown").args(["munge:munge", "/run/munge"]));
    if !Path::new("/etc/munge/munge.key").exists() {
        run(Command::new("runuser").args(["-u", "munge", "--", "/usr/sbin/mungekey", "--create"]));
    }
    run(Command::new("runuser").args(["-u", "munge", "--", "/usr/sbin/munged"]));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !works() {
        assert!(
            Instant::now() < deadline,
            "munged started but gives no credential"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A TCP port free right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
    listener.local_addr().expect("its address").port()
}

/// Runs `c`; its stdout, or a failure naming it.
fn run(c: &mut Command) -> String {
    let out: Output = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

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

    let script = arr.join("plan.sbatch");
    let (ok, _, said) = glacier(&[
        "slurm",
        arr.join("plan.jsonl").to_str().expect("utf-8"),
        "--out",
        script.to_str().expect("utf-8"),
        "--parallel",
        "2",
        "--cpus",
        "1",
        "--glacier",
        env!("CARGO_BIN_EXE_glacier"),
    ]);
    assert!(ok, "{said}");
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
