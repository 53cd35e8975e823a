//! The task contract of a time series (`glacier plan`, `run-task`, `collect`, `slurm`): a plan
//! is one JSON line per task; each task writes into its own folder under temporary names and
//! renames them, and last a record listing its files with their SHA-256 (a task is done when
//! its record verifies), or a failure record saying why its item could not be mapped.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::phases::Phase;
use crate::task_folder::Folder;

/// A task's mask GeoTIFF (1 glacier, 0 not, 255 no data), on the item's grid cut to the area.
pub const MASK: &str = "mask.tif";
/// A task's glacier areas, one row per outline (or one for the whole area without outlines).
pub const AREAS: &str = "areas.csv";
/// The record of a finished task ([`Done`]), written last.
pub const DONE: &str = "task.json";
/// The record of a task whose item could not be mapped ([`Failed`]).
pub const FAILED: &str = "failed.json";
/// The suffix of a file still being written.
const PARTIAL: &str = ".partial";

/// One task: an item, the area to map in it, and where its outputs go.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Its place in the plan (0-based; the array index that runs it).
    pub index: usize,
    /// The year it stands for.
    pub year: i32,
    /// The scene's footprint: WRS-2 path/row (`140041`) or HLS tile.
    pub footprint: String,
    /// The STAC item's id.
    pub id: String,
    /// The STAC item's address.
    pub item: String,
    /// Acquisition date (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// The scene's cloud cover, percent.
    pub cloud_cover: Option<f64>,
    /// Cloud and fill over the area, percent of it, from the scene's QA_PIXEL band (where
    /// `glacier plan` read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_cloud: Option<f64>,
    /// The area to map: west, south, east, north in degrees.
    pub bbox: [f64; 4],
    /// Outlines to measure each glacier's area in (relative to the plan's folder, or absolute).
    pub outlines: Option<String>,
    /// Where the item's asset read tokens come from, when not the default.
    pub token_endpoint: Option<String>,
    /// The task's output folder (relative to the plan's folder, or absolute).
    pub out: String,
}

impl Task {
    /// `west,south,east,north`, as `--bbox` takes it.
    pub fn bbox_arg(&self) -> String {
        self.bbox.map(|v| v.to_string()).join(",")
    }

    /// "task 3 (2019, 140041)", for messages.
    pub fn label(&self) -> String {
        format!("task {} ({}, {})", self.index, self.year, self.footprint)
    }
}

/// A plan file and its tasks.
pub struct Plan {
    /// The plan file.
    pub path: PathBuf,
    /// Its tasks, in index order.
    pub tasks: Vec<Task>,
}

impl Plan {
    /// Reads a plan (one JSON task per line; blank lines and `#` comments skipped).
    ///
    /// # Errors
    /// When the file cannot be read, a line is not a task, or the indices are not 0, 1, 2, …
    pub fn read(path: &Path) -> Result<Plan> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the plan {}", path.display()))?;
        let mut tasks = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let task: Task = serde_json::from_str(line).with_context(|| {
                format!(
                    "{} line {}: not a task (write plans with `glacier plan`)",
                    path.display(),
                    n + 1
                )
            })?;
            if task.index != tasks.len() {
                bail!(
                    "{} line {}: task index {} where {} was due; the indices must run 0, 1, 2, … \
                     in order (the array index of the job that runs it)",
                    path.display(),
                    n + 1,
                    task.index,
                    tasks.len()
                );
            }
            tasks.push(task);
        }
        if tasks.is_empty() {
            bail!("{}: the plan has no tasks", path.display());
        }
        Ok(Plan {
            path: path.to_owned(),
            tasks,
        })
    }

    /// The task of `index`.
    ///
    /// # Errors
    /// When the plan has no such task.
    pub fn task(&self, index: usize) -> Result<&Task> {
        self.tasks.get(index).with_context(|| {
            format!(
                "{} has tasks 0 to {}, not {index}: give an index in that range (a job \
                 array's range must be 0-{})",
                self.path.display(),
                self.tasks.len() - 1,
                self.tasks.len() - 1
            )
        })
    }

    /// `path` (from a task) resolved against the plan's folder.
    pub fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            return p.to_owned();
        }
        self.path
            .parent()
            .map_or_else(|| p.to_owned(), |dir| dir.join(p))
    }
}

/// Writes `plan`'s tasks, one JSON line each.
///
/// # Errors
/// When the file cannot be written.
pub fn write_plan(path: &Path, tasks: &[Task]) -> Result<()> {
    let mut text = String::new();
    for task in tasks {
        text.push_str(&serde_json::to_string(task)?);
        text.push('\n');
    }
    write_atomically(path, text.as_bytes())
}

/// A file a task wrote, as its record lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileSum {
    /// Its name in the task's folder.
    pub name: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// The record of a finished task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Done {
    /// The task, as the plan gave it.
    pub task: Task,
    /// The files it wrote.
    pub files: Vec<FileSum>,
    /// Glacier in the area, km².
    pub glacier_km2: f64,
    /// Pixels with data, in % of the area's.
    pub valid_percent: f64,
    /// Which model ran and why.
    pub model: Option<String>,
    /// The device that ran it.
    pub device: String,
    /// Seconds from start to the record.
    pub seconds: f64,
    /// Where those seconds went, phase by phase (absent in records of older versions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<Phase>,
    /// The process's peak memory, MB (Linux; absent elsewhere).
    pub peak_memory_mb: Option<f64>,
    /// Bytes fetched from the archive.
    pub fetched_bytes: u64,
}

/// The record of a task whose item could not be mapped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failed {
    /// The task, as the plan gave it.
    pub task: Task,
    /// Why, as the error said it.
    pub reason: String,
}

/// What a task's folder holds.
pub enum State {
    /// Its record verifies: every file it lists is there with its checksum.
    Done(Box<Done>),
    /// It failed, and says why.
    Failed(Box<Failed>),
    /// Nothing finished: not run, still running, or killed before its record.
    NotRun,
    /// A record whose files do not match it (changed or lost since): run again.
    Damaged(String),
}

/// The record of the task whose folder is `folder`, as written, without checking its files
/// (for sizing a job from the tasks run, where a changed output does not matter).
pub fn record(folder: &Folder) -> Option<Done> {
    let bytes = folder.read(DONE).ok()??;
    serde_json::from_slice(&bytes).ok()
}

/// The state of the task whose folder is `folder`.
pub fn state(folder: &Folder) -> State {
    match folder.read(DONE) {
        Ok(Some(bytes)) => {
            let record: Done = match serde_json::from_slice(&bytes) {
                Ok(r) => r,
                Err(e) => return State::Damaged(format!("{}: {e}", folder.name(DONE))),
            };
            for f in &record.files {
                match folder.read(&f.name) {
                    Ok(Some(bytes)) if sum_of(&f.name, &bytes) == *f => {}
                    Ok(Some(_)) => {
                        return State::Damaged(format!("{} changed since its record", f.name));
                    }
                    Ok(None) => return State::Damaged(format!("{} is gone", f.name)),
                    Err(e) => return State::Damaged(format!("{}: {e:#}", f.name)),
                }
            }
            return State::Done(Box::new(record));
        }
        Ok(None) => {}
        Err(e) => return State::Damaged(format!("{e:#}")),
    }
    match folder
        .read(FAILED)
        .ok()
        .flatten()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        Some(failed) => State::Failed(Box::new(failed)),
        None => State::NotRun,
    }
}

/// The size and SHA-256 of `bytes`, the file `name`'s.
pub fn sum_of(name: &str, bytes: &[u8]) -> FileSum {
    FileSum {
        name: name.to_owned(),
        bytes: bytes.len() as u64,
        sha256: format!("{:x}", Sha256::digest(bytes)),
    }
}

/// Writes `bytes` to `path` through `path.partial`, flushed to disk and renamed: a killed
/// process leaves the old file or none, never half of one.
///
/// # Errors
/// When writing or renaming fails.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(PARTIAL);
    let partial = PathBuf::from(partial);
    let mut file = std::fs::File::create(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), path.display()))
}

/// Removes what a killed run left in `dir`: partial files, and a record that no longer holds.
///
/// # Errors
/// When a file cannot be removed.
pub fn clear_leftovers(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().ends_with(PARTIAL) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    for name in [DONE, FAILED] {
        let path = dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

/// The process's peak resident memory in MB (Linux's `VmHWM`), where known.
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(index: usize) -> Task {
        Task {
            index,
            year: 2019,
            footprint: "140041".into(),
            id: "LC08_L2SP_140041_20191015_20201001_02_T1".into(),
            item: "https://example.org/items/x".into(),
            date: Some("2019-10-15".into()),
            cloud_cover: Some(3.5),
            area_cloud: None,
            bbox: [86.7, 27.9, 86.9, 28.1],
            outlines: None,
            token_endpoint: None,
            out: format!("out/{index}"),
        }
    }

    #[test]
    fn plans_round_trip_and_refuse_indices_out_of_order() {
        let dir = std::env::temp_dir().join(format!("glacier_tasks_{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("plan.jsonl");
        write_plan(&path, &[task(0), task(1)]).expect("writes");
        let plan = Plan::read(&path).expect("reads");
        assert_eq!(plan.tasks, vec![task(0), task(1)]);
        assert_eq!(plan.resolve("out/1"), dir.join("out/1"));
        assert_eq!(task(0).bbox_arg(), "86.7,27.9,86.9,28.1");
        assert!(plan.task(2).is_err());
        write_plan(&path, &[task(0), task(2)]).expect("writes");
        let e = Plan::read(&path).err().expect("refused");
        assert!(
            format!("{e:#}").contains("line 2: task index 2 where 1 was due"),
            "{e:#}"
        );
        std::fs::remove_dir_all(&dir).expect("cleans");
    }

    #[test]
    fn a_record_verifies_only_while_its_files_are_unchanged() {
        let dir = std::env::temp_dir().join(format!("glacier_record_{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        write_atomically(&dir.join(MASK), b"mask bytes").expect("writes");
        let record = Done {
            task: task(0),
            files: vec![sum_of(MASK, b"mask bytes")],
            glacier_km2: 1.0,
            valid_percent: 100.0,
            model: None,
            device: "Cpu".into(),
            seconds: 1.0,
            phases: Vec::new(),
            peak_memory_mb: None,
            fetched_bytes: 0,
        };
        write_atomically(&dir.join(DONE), &serde_json::to_vec(&record).expect("json"))
            .expect("writes");
        let folder = Folder::Local(dir.clone());
        assert!(matches!(state(&folder), State::Done(_)));
        std::fs::write(dir.join(MASK), b"other bytes").expect("writes");
        assert!(matches!(state(&folder), State::Damaged(why) if why.contains("changed")));
        std::fs::write(dir.join("areas.csv.partial"), b"half").expect("writes");
        clear_leftovers(&dir).expect("clears");
        assert!(!dir.join("areas.csv.partial").exists());
        assert!(matches!(state(&folder), State::NotRun));
        std::fs::remove_dir_all(&dir).expect("cleans");
    }
}
