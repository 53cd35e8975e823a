//! A plan whose outputs go to object storage: `glacier run-task` writes each task's mask, areas
//! and record to an S3 bucket (moto's S3 server on localhost, reached as any S3-compatible
//! store is: `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, keys), byte for byte what it writes to a folder;
//! a task done in the bucket exits at once; `glacier collect` reads the bucket back into the
//! same table as from the folders, with the failed item named.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::series::{BROKEN, plan_lines, planned_with, site};
use common::{glacier_with_env, liverpool_files};

const BUCKET: &str = "glacier-runs";

/// moto's S3 server as `cargo xtask setup` installs it, or `GLACIER_S3_SERVER`.
fn moto_server() -> Option<PathBuf> {
    let path = std::env::var_os("GLACIER_S3_SERVER").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/moto-venv/bin/moto_server"),
        PathBuf::from,
    );
    if path.is_file() {
        return Some(path);
    }
    let why = format!(
        "{} is missing (`cargo xtask setup` installs moto's S3 server there)",
        path.display()
    );
    assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "{why}");
    eprintln!("skipping: {why}");
    None
}

/// The S3 server on a free port; stopped when dropped.
struct S3 {
    child: Child,
    endpoint: String,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3 {
    fn start(server: &Path) -> S3 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let s3 = S3 {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while ureq::get(&s3.endpoint).call().is_err() {
            assert!(Instant::now() < deadline, "moto_server did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        ureq::put(&format!("{}/{BUCKET}", s3.endpoint))
            .send_empty()
            .expect("creates the bucket");
        s3
    }

    /// `glacier ARGS` with the bucket's settings in the environment.
    fn glacier(&self, args: &[&str]) -> (bool, String, String) {
        glacier_with_env(
            args,
            &[
                ("AWS_ENDPOINT", &self.endpoint),
                ("AWS_ALLOW_HTTP", "true"),
                ("AWS_ACCESS_KEY_ID", "glacier"),
                ("AWS_SECRET_ACCESS_KEY", "glacier-secret"),
                ("AWS_REGION", "us-east-1"),
            ],
        )
    }

    /// The object at `key` in the bucket, `None` where there is none (read as the tasks write:
    /// a signed request; the store refuses anonymous reads of the masks).
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        use object_store::ObjectStore;
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_access_key_id("glacier")
            .with_secret_access_key("glacier-secret")
            .build()
            .expect("a client for the bucket");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let got = store.get(&object_store::path::Path::from(key)).await.ok()?;
            got.bytes().await.ok().map(|b| b.to_vec())
        })
    }
}

#[test]
fn tasks_write_to_object_storage_what_they_write_to_folders() {
    let Some(server) = moto_server() else {
        return;
    };
    let Some(bands) = liverpool_files("object_store") else {
        return;
    };
    let s3 = S3::start(&server);
    let (_site, base) = site(&bands);
    let plan = |name: &str, outputs: &str| {
        planned_with(&base, name, &["--outputs", outputs]).join("plan.jsonl")
    };
    let local = plan("store_local", "runs");
    let remote = plan("store_s3", &format!("s3://{BUCKET}/khumbu/runs"));
    let tasks = plan_lines(local.parent().expect("folder"));
    assert_eq!(
        plan_lines(remote.parent().expect("folder"))[0]["out"],
        format!("s3://{BUCKET}/khumbu/runs/2019_203023")
    );
    for plan in [&local, &remote] {
        for i in 0..tasks.len() {
            let (ok, _, said) = s3.glacier(&[
                "run-task",
                plan.to_str().expect("utf-8"),
                "--index",
                &i.to_string(),
            ]);
            assert!(ok, "task {i}: {said}");
        }
    }
    // The same bytes in the bucket as in the folders.
    let folder = local.parent().expect("folder").join("runs");
    for task in &tasks {
        let out = task["out"].as_str().expect("out");
        let name = out.trim_start_matches("runs/");
        if task["id"] == BROKEN {
            let failed = s3
                .get(&format!("khumbu/runs/{name}/failed.json"))
                .expect("the failure record is in the bucket");
            let failed: serde_json::Value = serde_json::from_slice(&failed).expect("json");
            assert!(
                failed["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("gone_SR_B3.TIF")),
                "{failed}"
            );
            assert_eq!(s3.get(&format!("khumbu/runs/{name}/task.json")), None);
            continue;
        }
        for file in ["mask.tif", "areas.csv"] {
            let here = std::fs::read(folder.join(name).join(file)).expect("local output");
            let there = s3
                .get(&format!("khumbu/runs/{name}/{file}"))
                .unwrap_or_else(|| {
                    let failed = s3.get(&format!("khumbu/runs/{name}/failed.json"));
                    panic!(
                        "{name}/{file} is not in the bucket; failed.json: {}",
                        String::from_utf8_lossy(&failed.unwrap_or_default())
                    )
                });
            assert!(here == there, "{name}/{file} differs from the folder's");
        }
        assert!(s3.get(&format!("khumbu/runs/{name}/task.json")).is_some());
    }
    // A task done in the bucket exits at once.
    let (ok, _, said) = s3.glacier(&["run-task", remote.to_str().expect("utf-8"), "--index", "1"]);
    assert!(ok && said.contains("done already"), "{said}");
    assert!(
        said.contains(&format!("s3://{BUCKET}/khumbu/runs/2019_204023/task.json")),
        "{said}"
    );
    // Collected from the bucket: the table the folders give, the failed item named.
    let table = |plan: &Path| {
        let out = plan.with_file_name("areas.csv");
        let (ok, summary, said) = s3.glacier(&[
            "collect",
            plan.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        assert!(ok, "{said}");
        let summary: serde_json::Value = serde_json::from_str(&summary).expect("summary");
        assert_eq!(summary["done"], 5, "{summary}");
        assert_eq!(summary["missing"][0]["item"], BROKEN, "{summary}");
        std::fs::read_to_string(out).expect("table")
    };
    let from_folders = table(&local);
    assert_eq!(from_folders.lines().count(), 5, "{from_folders}");
    assert_eq!(table(&remote), from_folders);
}
