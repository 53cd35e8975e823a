//! `cargo xtask fuzz [--seconds N] [TARGET ...]`: seeds and runs the fuzz targets of `fuzz/`
//! (cargo fuzz, libFuzzer, the nightly toolchain) one after the other, N seconds each (default
//! 60), and prints a table of what each did. Seeds come from `../shared/data` and from small
//! files GDAL cuts from them in every encoding the reader takes; the corpora grow in
//! `fuzz/corpus/` (git-ignored). A crash, hang or out-of-memory leaves its input in
//! `fuzz/artifacts/TARGET/` and fails the command, naming it: minimise it
//! (`cargo +nightly fuzz tmin TARGET FILE`), fix the bug, and keep the input in
//! `fuzz/regressions/TARGET/`, where `cargo xtask test` replays it.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::cmd::{command, run_step};

/// The targets, in the order they run, with the longest input each takes (bytes).
const TARGETS: [(&str, usize); 9] = [
    ("geotiff", 256 << 10),
    ("range_geotiff", 256 << 10),
    ("mtl", 64 << 10),
    ("shapefile", 256 << 10),
    ("geojson", 256 << 10),
    ("gpkg_blob", 16 << 10),
    ("stac", 64 << 10),
    ("archive", 256 << 10),
    // The shipped models are ~190 KiB.
    ("model", 256 << 10),
];

/// What one target's run did.
struct Ran {
    target: String,
    seconds: f64,
    /// CPU time (user + system) of `cargo fuzz run` and the fuzzer it started (the target was
    /// built before): less than `seconds` when other work shared the machine.
    cpu_seconds: Option<f64>,
    executions: u64,
    coverage: String,
    corpus: usize,
    found: Vec<PathBuf>,
}

/// Runs `cargo xtask fuzz` with its arguments.
pub fn run(args: &[String]) -> Result<()> {
    let mut seconds = 60u64;
    let mut chosen = Vec::new();
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .context("--seconds takes a whole number of seconds")?;
            }
            t if TARGETS.iter().any(|(name, _)| *name == t) => chosen.push(t.to_owned()),
            other => bail!(
                "unknown fuzz argument {other:?}: give --seconds N and target names among {}",
                TARGETS.map(|t| t.0).join(", ")
            ),
        }
    }
    ensure_cargo_fuzz()?;
    seed()?;
    let mut ran = Vec::new();
    for (target, max_len) in TARGETS {
        if chosen.is_empty() || chosen.iter().any(|c| c == target) {
            ran.push(fuzz(target, max_len, seconds)?);
        }
    }
    println!(
        "\n| target | seconds | CPU seconds | executions | coverage (cov, ft) | corpus | found |"
    );
    println!("|---|---:|---:|---:|---|---:|---|");
    for r in &ran {
        println!(
            "| {} | {:.0} | {} | {} | {} | {} | {} |",
            r.target,
            r.seconds,
            r.cpu_seconds
                .map_or_else(|| "—".into(), |s| format!("{s:.0}")),
            r.executions,
            r.coverage,
            r.corpus,
            if r.found.is_empty() {
                "none".to_owned()
            } else {
                r.found.len().to_string()
            }
        );
    }
    let found: Vec<String> = ran
        .iter()
        .flat_map(|r| r.found.iter().map(|p| p.display().to_string()))
        .collect();
    if !found.is_empty() {
        bail!(
            "the fuzzers found {} input(s) that crash, hang or run out of memory: {}. Minimise \
             each (cargo +nightly fuzz tmin TARGET FILE), fix the bug, and keep the input in \
             fuzz/regressions/TARGET/",
            found.len(),
            found.join(", ")
        );
    }
    Ok(())
}

/// The nightly toolchain and cargo-fuzz, installed when missing.
fn ensure_cargo_fuzz() -> Result<()> {
    let works = |c: &mut Command| c.output().is_ok_and(|o| o.status.success());
    if !works(&mut command("cargo", &["+nightly", "--version"])) {
        run_step(
            "install the nightly toolchain (libFuzzer needs it)",
            &mut command(
                "rustup",
                &["toolchain", "install", "nightly", "--profile", "minimal"],
            ),
        )?;
    }
    if !works(&mut command("cargo", &["fuzz", "--version"])) {
        run_step(
            "install cargo-fuzz",
            &mut command("cargo", &["install", "cargo-fuzz", "--locked"]),
        )?;
    }
    Ok(())
}

/// Writes `bytes` as `dir/name` unless a file of that name is there.
fn put(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(name);
    if !path.exists() {
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Every file under `dir` whose name ends with one of `endings` (case-insensitive).
fn files(dir: &Path, endings: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path, endings));
        } else {
            let name = path.to_string_lossy().to_ascii_lowercase();
            if endings.iter().any(|e| name.ends_with(e)) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// A seed's file name: its path under the data folder, flattened.
fn seed_name(path: &Path, data: &Path) -> String {
    path.strip_prefix(data)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('/', "__")
}

/// Fills `fuzz/corpus/TARGET/` with seeds (files already there are kept).
fn seed() -> Result<()> {
    let corpus = PathBuf::from("fuzz/corpus");
    let data = PathBuf::from("../shared/data");
    if !data.exists() {
        println!("(no ../shared/data: the fuzzers start from the made seeds alone)");
    }
    let made = PathBuf::from("fuzz/target/seeds");
    std::fs::create_dir_all(&made)?;
    let mut tiffs: Vec<PathBuf> = files(&data, &[".tif", ".tiff"])
        .into_iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() <= 256 << 10))
        .collect();
    tiffs.extend(small_encodings(&data, &made));
    for tif in &tiffs {
        let bytes = std::fs::read(tif)?;
        let name = seed_name(tif, &data);
        put(&corpus.join("geotiff"), &name, &bytes)?;
        // The server misbehaves on every fourth request, each way once.
        for how in [0u8, 3, 5, 6] {
            let framed = [&[how][..], &bytes].concat();
            put(
                &corpus.join("range_geotiff"),
                &format!("{how}_{name}"),
                &framed,
            )?;
        }
    }
    for mtl in files(&data, &["_mtl.txt", "_mtl.json"]) {
        put(
            &corpus.join("mtl"),
            &seed_name(&mtl, &data),
            &std::fs::read(&mtl)?,
        )?;
    }
    for shp in files(&data, &[".shp"]) {
        let beside = |ext: &str| std::fs::read(shp.with_extension(ext)).unwrap_or_default();
        let framed = glacier_fuzz::frame(&[&std::fs::read(&shp)?, &beside("dbf"), &beside("prj")]);
        put(&corpus.join("shapefile"), &seed_name(&shp, &data), &framed)?;
    }
    for gj in files(&data, &[".geojson"])
        .into_iter()
        .chain(files(Path::new("web/sample"), &[".geojson"]))
    {
        put(
            &corpus.join("geojson"),
            &seed_name(&gj, &data),
            &std::fs::read(&gj)?,
        )?;
    }
    for (name, blob) in glacier_fuzz::seeds::geopackage_blobs() {
        put(&corpus.join("gpkg_blob"), name, &blob)?;
    }
    for (name, text) in glacier_fuzz::seeds::stac_documents() {
        put(&corpus.join("stac"), name, text.as_bytes())?;
    }
    // The shipped models: real files of the project's own writer.
    for model in files(Path::new("models"), &[".glcm"]) {
        put(
            &corpus.join("model"),
            &seed_name(&model, Path::new("models")),
            &std::fs::read(&model)?,
        )?;
    }
    for tar in small_archives(&data, &made)? {
        put(
            &corpus.join("archive"),
            &seed_name(&tar, &made),
            &std::fs::read(&tar)?,
        )?;
    }
    Ok(())
}

/// Small cuts of a real Landsat band in every encoding the reader takes, made by GDAL
/// (`gdal_translate`; none when GDAL is missing).
fn small_encodings(data: &Path, out: &Path) -> Vec<PathBuf> {
    let Some(source) = files(data, &["_b5.tif"]).into_iter().next() else {
        return Vec::new();
    };
    let options: [(&str, &[&str]); 9] = [
        ("deflate", &["-co", "COMPRESS=DEFLATE"]),
        (
            "deflate_pred2_tiled",
            &[
                "-co",
                "COMPRESS=DEFLATE",
                "-co",
                "PREDICTOR=2",
                "-co",
                "TILED=YES",
                "-co",
                "BLOCKXSIZE=16",
                "-co",
                "BLOCKYSIZE=16",
            ],
        ),
        ("lzw_pred2", &["-co", "COMPRESS=LZW", "-co", "PREDICTOR=2"]),
        ("packbits", &["-co", "COMPRESS=PACKBITS"]),
        (
            "zstd_tiled",
            &[
                "-co",
                "COMPRESS=ZSTD",
                "-co",
                "TILED=YES",
                "-co",
                "BLOCKXSIZE=16",
                "-co",
                "BLOCKYSIZE=16",
            ],
        ),
        ("bigtiff", &["-co", "BIGTIFF=YES"]),
        (
            "float_pred3",
            &[
                "-ot",
                "Float32",
                "-co",
                "COMPRESS=DEFLATE",
                "-co",
                "PREDICTOR=3",
            ],
        ),
        (
            "cog",
            &["-of", "COG", "-co", "BLOCKSIZE=16", "-co", "OVERVIEWS=NONE"],
        ),
        ("uncompressed_byte", &["-ot", "Byte", "-scale"]),
    ];
    let mut made = Vec::new();
    for (name, extra) in options {
        let path = out.join(format!("landsat_b5_{name}.tif"));
        let mut c = command(
            "gdal_translate",
            &["-q", "-srcwin", "100", "100", "40", "24"],
        );
        c.args(extra).arg(&source).arg(&path);
        if path.exists() || c.output().is_ok_and(|o| o.status.success()) {
            made.push(path);
        }
    }
    made
}

/// A small scene archive (an MTL and a small band) as `.tar` and `.tar.gz`, made by `tar`.
fn small_archives(data: &Path, out: &Path) -> Result<Vec<PathBuf>> {
    let dir = out.join("archive");
    std::fs::create_dir_all(&dir)?;
    let scene = "LC08_L2SP_140041_20130503_20200912_02_T1";
    if let Some(mtl) = files(data, &["lc09_l2sp_010065_20220129_20220131_02_t1_mtl.txt"]).first() {
        std::fs::copy(mtl, dir.join(format!("{scene}_MTL.txt")))?;
    }
    if let Some(band) = small_encodings(data, out).first() {
        std::fs::copy(band, dir.join(format!("{scene}_SR_B5.TIF")))?;
    }
    let mut made = Vec::new();
    for (name, flags) in [("scene.tar", "cf"), ("scene.tar.gz", "czf")] {
        let path = out.join(name);
        let ok = command(
            "tar",
            &[
                flags,
                &path.to_string_lossy(),
                "-C",
                &dir.to_string_lossy(),
                ".",
            ],
        )
        .output()
        .is_ok_and(|o| o.status.success());
        if ok {
            made.push(path);
        }
    }
    Ok(made)
}

/// Runs one target for `seconds`, from its corpus, and reads libFuzzer's report.
fn fuzz(target: &str, max_len: usize, seconds: u64) -> Result<Ran> {
    let artifacts = PathBuf::from(format!("fuzz/artifacts/{target}"));
    let before: Vec<PathBuf> = files(&artifacts, &[""]);
    let corpus = format!("fuzz/corpus/{target}");
    // Only the model target brings burn into the sanitised build.
    let features: &[&str] = if target == "model" {
        &["--features", "model"]
    } else {
        &[]
    };
    // Built first, so the CPU time measured below is the fuzzer's alone.
    run_step(
        &format!("build the {target} fuzz target"),
        command("cargo", &["+nightly", "fuzz", "build"])
            .args(features)
            .arg(target),
    )?;
    println!("\n==> fuzz {target} for {seconds} s");
    let started = Instant::now();
    let cpu_before = children_cpu_seconds();
    let output = command("cargo", &["+nightly", "fuzz", "run"])
        .args(features)
        .arg(target)
        .arg(&corpus)
        .arg("--")
        .args([
            format!("-max_total_time={seconds}"),
            format!("-max_len={max_len}"),
            "-rss_limit_mb=2048".into(),
            "-timeout=20".into(),
            "-print_final_stats=1".into(),
        ])
        .output()
        .with_context(|| format!("cargo fuzz run {target} did not start"))?;
    let cpu_seconds = children_cpu_seconds().map(|after| after - cpu_before.unwrap_or(after));
    let log = String::from_utf8_lossy(&output.stderr);
    let stat = |key: &str| {
        log.lines()
            .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_owned()))
    };
    let executions = stat("stat::number_of_executed_units:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let coverage = log
        .lines()
        .rev()
        .find_map(|l| {
            let cov = l.split_whitespace().skip_while(|w| *w != "cov:").nth(1)?;
            let ft = l.split_whitespace().skip_while(|w| *w != "ft:").nth(1)?;
            Some(format!("{cov}, {ft}"))
        })
        .unwrap_or_else(|| "—".into());
    // libFuzzer's own count: "Done 123 runs in 60 second(s)" (the build is not counted).
    let fuzzed = log.lines().find_map(|l| {
        let rest = l.strip_prefix("Done ")?;
        let (runs, rest) = rest.split_once(" runs in ")?;
        Some((
            runs.parse::<u64>().ok()?,
            rest.split_whitespace().next()?.parse::<f64>().ok()?,
        ))
    });
    // libFuzzer names the input it kept: "Test unit written to fuzz/artifacts/T/crash-…".
    // The same input may be named by its absolute and its relative path.
    let same = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut found: Vec<PathBuf> = log
        .lines()
        .filter_map(|l| l.split("Test unit written to ").nth(1))
        .map(|p| same(Path::new(p.trim())))
        .collect();
    let new: Vec<PathBuf> = files(&artifacts, &[""])
        .into_iter()
        .filter(|p| !before.contains(p) && !found.contains(&same(p)))
        .map(|p| same(&p))
        .collect();
    found.extend(new);
    if !output.status.success() && found.is_empty() {
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        bail!(
            "cargo fuzz run {target} failed without leaving an input:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    Ok(Ran {
        target: target.to_owned(),
        seconds: fuzzed.map_or_else(|| started.elapsed().as_secs_f64(), |f| f.1),
        cpu_seconds,
        executions: fuzzed.map_or(executions, |f| f.0.max(executions)),
        coverage,
        corpus: files(Path::new(&corpus), &[""]).len(),
        found,
    })
}

/// User + system CPU seconds of this process's finished children (and theirs): the fuzzer that
/// `cargo fuzz run` waited for is among them. `None` where the system does not say.
#[allow(unsafe_code)] // one libc call: std has no CPU time of children
fn children_cpu_seconds() -> Option<f64> {
    #[cfg(unix)]
    {
        // SAFETY: getrusage only writes the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
            return None;
        }
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Some(secs(usage.ru_utime) + secs(usage.ru_stime))
    }
    #[cfg(not(unix))]
    None
}
