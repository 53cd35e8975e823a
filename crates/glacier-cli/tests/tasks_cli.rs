//! A time series over archive items, end to end against the local STAC server of `common` with
//! the real Liverpool Level-2 bands: `glacier plan` picks per year and footprint the least
//! cloudy item; `glacier run-task` run as an array (six processes at once, each told its index
//! by SLURM_ARRAY_TASK_ID) writes what a sequential run writes; a killed task leaves nothing
//! half-written and finishes as if never killed; an item with a missing asset leaves a failure
//! record; `glacier collect` gives a glacier × year table and names the missing task;
//! `glacier slurm` and `glacier k8s` write a job array and an Indexed Job for the plan.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::series::{BROKEN, ITEMS, assert_same_outputs, outputs, plan_lines, planned, site};
use common::{band_reads, glacier, liverpool_files};

#[test]
fn a_plan_runs_as_an_array_as_in_sequence_and_collects() {
    let Some(bands) = liverpool_files("tasks") else {
        return;
    };
    let (site, base) = site(&bands);
    let seq = planned(&base, "tasks_sequential");
    let arr = planned(&base, "tasks_array");
    // Planning reads the candidates' QA_PIXEL bands over the area, and no other band.
    let files: Vec<String> = {
        let s = site.lock().expect("lock");
        let log = s.log.iter().map(|(_, path, _)| path.clone());
        log.filter(|p| p.starts_with("/files/")).collect()
    };
    assert!(
        !files.is_empty() && files.iter().all(|p| p.ends_with("_QA_PIXEL.TIF")),
        "{files:?}"
    );
    let plan = std::fs::read_to_string(seq.join("plan.jsonl")).expect("plan");
    assert_eq!(
        plan.replace(seq.to_str().expect("utf-8"), ""),
        std::fs::read_to_string(arr.join("plan.jsonl"))
            .expect("plan")
            .replace(arr.to_str().expect("utf-8"), ""),
        "the same search gives the same plan"
    );
    let tasks = plan_lines(&seq);
    let chosen: Vec<(i64, &str, &str)> = tasks
        .iter()
        .map(|t| {
            (
                t["year"].as_i64().expect("year"),
                t["footprint"].as_str().expect("footprint"),
                t["id"].as_str().expect("id"),
            )
        })
        .collect();
    assert_eq!(
        chosen,
        vec![
            (2019, "203023", ITEMS[0].0),
            (2019, "204023", ITEMS[2].0),
            (2019, "205023", ITEMS[3].0),
            (2020, "203023", ITEMS[4].0),
            (2020, "204023", ITEMS[5].0),
            (2020, "205023", BROKEN),
        ],
        "per year and footprint the item with the least cloud over the area, in year and \
         footprint order"
    );
    // The QA_PIXEL bands were read for the area: clear for the chosen items.
    assert_eq!(tasks[1]["area_cloud"], 0.0, "{}", tasks[1]);
    assert_eq!(tasks[0]["out"], "plan/2019_203023");
    assert_eq!(tasks[0]["outlines"], "outlines.geojson");

    // In sequence.
    let seq_plan = seq.join("plan.jsonl");
    for i in 0..tasks.len() {
        let (ok, _, said) = glacier(&[
            "run-task",
            seq_plan.to_str().expect("utf-8"),
            "--index",
            &i.to_string(),
        ]);
        assert!(ok, "task {i}: {said}");
        if i == 5 {
            assert!(said.contains("could not be mapped"), "{said}");
            assert!(
                said.contains("gone_SR_B3.TIF"),
                "the missing file is named: {said}"
            );
        }
    }
    // As an array: every task at once, each told its index as SLURM tells it.
    let arr_plan = arr.join("plan.jsonl");
    let children: Vec<_> = (0..tasks.len())
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_glacier"))
                .args(["run-task", arr_plan.to_str().expect("utf-8")])
                .env("SLURM_ARRAY_TASK_ID", i.to_string())
                .env("RUST_BACKTRACE", "0")
                .stderr(Stdio::piped())
                .spawn()
                .expect("starts")
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().expect("waits");
        assert!(
            out.status.success(),
            "array task {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let names = assert_same_outputs(&seq, &arr, "the array against the sequential run");
    assert_eq!(
        names,
        [
            "2019_203023/areas.csv",
            "2019_203023/mask.tif",
            "2019_203023/task.json",
            "2019_204023/areas.csv",
            "2019_204023/mask.tif",
            "2019_204023/task.json",
            "2019_205023/areas.csv",
            "2019_205023/mask.tif",
            "2019_205023/task.json",
            "2020_203023/areas.csv",
            "2020_203023/mask.tif",
            "2020_203023/task.json",
            "2020_204023/areas.csv",
            "2020_204023/mask.tif",
            "2020_204023/task.json",
            "2020_205023/failed.json",
        ]
    );
    let a = outputs(&seq);
    let areas = String::from_utf8_lossy(&a[0].1).into_owned();
    let mut rows = areas.lines();
    assert_eq!(
        rows.next(),
        Some("id,name,outline_km2,glacier_km2,uncertainty_km2,no_data_share")
    );
    let ids: Vec<&str> = rows.map(|r| r.split(',').next().unwrap_or("")).collect();
    assert_eq!(ids, ["RGI60-99.00001", "RGI60-99.00002"]);

    // Done tasks exit at once.
    let started = Instant::now();
    let (ok, _, said) = glacier(&[
        "run-task",
        seq_plan.to_str().expect("utf-8"),
        "--index",
        "1",
    ]);
    assert!(ok && said.contains("done already"), "{said}");
    assert!(started.elapsed() < Duration::from_secs(20));

    // The table: two glaciers × two years; the failed task named with its reason.
    let table = seq.join("areas.csv");
    let (ok, out, said) = glacier(&[
        "collect",
        seq_plan.to_str().expect("utf-8"),
        "--out",
        table.to_str().expect("utf-8"),
        "--plot",
        seq.join("areas.svg").to_str().expect("utf-8"),
    ]);
    assert!(ok, "{said}");
    // The plot: both glaciers, a line each over the two years, with their names.
    let svg = std::fs::read_to_string(seq.join("areas.svg")).expect("plot");
    assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
    assert_eq!(svg.matches("<circle").count(), 4, "{svg}");
    assert!(
        svg.contains("West (RGI60-99.00001)") && svg.contains(">2020</text>"),
        "{svg}"
    );
    let summary: serde_json::Value = serde_json::from_str(&out).expect("summary");
    assert_eq!(summary["tasks"], 6);
    assert_eq!(summary["done"], 5);
    assert_eq!(summary["glaciers"], 2);
    assert_eq!(summary["rows"], 4);
    // What the five finished tasks cost, from their records.
    let cost = &summary["cost"];
    assert!(cost["seconds_total"].as_f64() > Some(0.0), "{cost}");
    assert!(
        cost["seconds_max"].as_f64() >= cost["seconds_median"].as_f64(),
        "{cost}"
    );
    assert!(
        cost["fetched_mb"].as_f64() > Some(0.1),
        "each task reads its bands: {cost}"
    );
    // Where the time went, phase by phase, summed over the tasks: the overhead a cluster pays
    // per task (plan, item and headers, the area's fetch) beside the network.
    let phases: Vec<(&str, f64)> = cost["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("name"),
                p["seconds"].as_f64().expect("s"),
            )
        })
        .collect();
    let names: Vec<&str> = phases.iter().map(|p| p.0).collect();
    for want in [
        "plan, record and outlines",
        "loading the models",
        "opening the scene",
        "fetching the area",
        "areas and outputs",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("network")), "{names:?}");
    let sum: f64 = phases.iter().map(|p| p.1).sum();
    let total = cost["seconds_total"].as_f64().expect("total");
    assert!(
        sum <= total + 0.05 && sum >= 0.8 * total,
        "the phases ({sum} s) make up the tasks' time ({total} s): {phases:?}"
    );
    let missing = &summary["missing"][0];
    assert_eq!(missing["item"], BROKEN);
    assert!(
        missing["why"].as_str().expect("why").contains("failed:"),
        "{missing}"
    );
    assert!(
        said.contains(&format!("missing: 2020 205023 (task 5, {BROKEN})")),
        "{said}"
    );
    let text = std::fs::read_to_string(&table).expect("table");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,name,year,date,footprint,item,glacier_km2,uncertainty_km2,change_km2,\
         change_uncertainty_km2,no_data_share"
    );
    assert_eq!(lines.len(), 5, "{text}");
    // The first footprint seeing all of a glacier gives its year; the first year's change is 0.
    assert!(
        lines[1].starts_with(&format!(
            "RGI60-99.00001,West,2019,2019-09-03,203023,{},",
            ITEMS[0].0
        )),
        "{text}"
    );
    let change = |line: &str| line.split(',').nth(8).map(str::to_owned);
    assert_eq!(change(lines[1]).as_deref(), Some("0.0"));

    // A SLURM array and a Kubernetes Indexed Job for the plan, sized from the tasks run.
    let script = seq.join("plan.sbatch");
    let (ok, _, said) = glacier(&[
        "slurm",
        seq_plan.to_str().expect("utf-8"),
        "--out",
        script.to_str().expect("utf-8"),
        "--parallel",
        "2",
    ]);
    assert!(ok, "{said}");
    let text = std::fs::read_to_string(&script).expect("script");
    for line in [
        "#SBATCH --array=0-5%2",
        "#SBATCH --requeue",
        "#SBATCH --time=00:10:00",
        "# sized from 5 task(s) run",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
    assert!(
        text.contains(&format!("run-task '{}' --backend cpu", seq_plan.display())),
        "{text}"
    );
    let job = seq.join("job.json");
    let (ok, _, said) = glacier(&[
        "k8s",
        seq_plan.to_str().expect("utf-8"),
        "--image",
        "registry.example.org/glacier:1",
        "--claim",
        "glacier-data",
        "--out",
        job.to_str().expect("utf-8"),
    ]);
    assert!(ok, "{said}");
    let job: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&job).expect("job")).expect("JSON");
    assert_eq!(job["kind"], "Job");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    assert_eq!(job["spec"]["completions"], 6);
    assert_eq!(job["spec"]["backoffLimitPerIndex"], 2);
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        container["command"],
        serde_json::json!(["glacier", "run-task", "/work/plan.jsonl"])
    );
    assert_eq!(
        job["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "glacier-data"
    );
}

#[test]
fn a_killed_task_leaves_nothing_half_written_and_finishes_as_if_never_killed() {
    let Some(bands) = liverpool_files("killed") else {
        return;
    };
    let (site, base) = site(&bands);
    let whole = planned(&base, "tasks_whole");
    let killed = planned(&base, "tasks_killed");
    let run = |dir: &Path| {
        let (ok, _, said) = glacier(&[
            "run-task",
            dir.join("plan.jsonl").to_str().expect("utf-8"),
            "--index",
            "4",
        ]);
        assert!(ok, "{said}");
        said
    };
    run(&whole);
    // Killed once its band reads have begun.
    let reads = || band_reads(&site);
    let before = reads();
    let mut child = Command::new(env!("CARGO_BIN_EXE_glacier"))
        .args([
            "run-task",
            killed.join("plan.jsonl").to_str().expect("utf-8"),
            "--index",
            "4",
        ])
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while reads() == before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("killed");
    child.wait().expect("reaped");
    let task_dir = killed.join("plan/2020_204023");
    for name in ["mask.tif", "areas.csv", "task.json"] {
        assert!(
            !task_dir.join(name).exists(),
            "{name} exists after the kill"
        );
    }
    // What a kill during a write leaves: a partial file.
    std::fs::write(task_dir.join("mask.tif.partial"), b"half a mask").expect("writes");
    let said = run(&killed);
    assert!(!said.contains("done already"), "{said}");
    assert!(
        !task_dir.join("mask.tif.partial").exists(),
        "the partial file is cleared"
    );
    let (a, b) = (outputs(&whole), outputs(&killed));
    let pick = |v: &[(String, Vec<u8>)]| {
        v.iter()
            .filter(|(n, _)| n.ends_with(".tif") || n.ends_with(".csv"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        pick(&a),
        pick(&b),
        "the resumed task wrote what an unbroken one did"
    );
    // An output changed since its record: the task runs again and restores it.
    std::fs::write(task_dir.join("areas.csv"), b"edited").expect("writes");
    let said = run(&killed);
    assert!(said.contains("no longer holds"), "{said}");
    assert_eq!(pick(&a), pick(&outputs(&killed)));
}
