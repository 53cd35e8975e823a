//! A single-node SLURM cluster on this host for the tests and the task benchmark: munged,
//! slurmctld and slurmd from Debian's `slurm-wlm` and `munge`, with a generated slurm.conf in
//! a temporary folder.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::{glacier, glacier_bin, tmp};

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
pub struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
}

impl Cluster {
    /// Starts munged (unless it runs), slurmctld and slurmd, and waits until the node is idle.
    /// `None` (with a message) where this machine cannot run one and CI is not set.
    pub fn start(name: &str) -> Option<Cluster> {
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
    pub fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("SLURM_CONF", &self.conf).stdin(Stdio::null());
        c
    }

    /// Waits up to two minutes for `done`, else fails with the daemons' logs.
    pub fn wait_for(&self, what: &str, mut done: impl FnMut() -> bool) {
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
pub fn run(c: &mut Command) -> String {
    let out: Output = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes the job array of the plan in `dir` with `glacier slurm` (`parallel` tasks at once,
/// one CPU each, this build's binary) and returns the script's path.
pub fn sbatch_script(dir: &Path, parallel: usize) -> PathBuf {
    let script = dir.join("plan.sbatch");
    let (ok, _, said) = glacier(&[
        "slurm",
        dir.join("plan.jsonl").to_str().expect("utf-8"),
        "--out",
        script.to_str().expect("utf-8"),
        "--parallel",
        &parallel.to_string(),
        "--cpus",
        "1",
        "--glacier",
        &glacier_bin(),
    ]);
    assert!(ok, "{said}");
    script
}
