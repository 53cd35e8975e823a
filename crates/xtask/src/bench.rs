//! `cargo xtask bench-decode`: full-band GeoTIFF decodes, ours beside GDAL, in one run.
//! `cargo xtask bench-model`: the shipped model's inference time on each native backend, and
//! ONNX Runtime's on the same tiles with the same weights (exported with `glacier export-onnx`).
//!
//! Files: the real QA_PIXEL COG and every file of `derived_here/encodings/` from `../shared/data`.
//! GDAL is timed through its Python bindings (`ReadAsArray`, a plain full read): Debian's
//! `python3-gdal`, installed first when missing.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::Path;

use crate::cmd::{command, output, run_step};

/// Per file name: pixels, milliseconds, and a fourth column when there is one (ours: the same
/// read through the `tiff` crate's codecs).
fn timings(text: &str) -> BTreeMap<String, (u64, f64, Option<f64>)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let name = f.next()?.rsplit('/').next()?.to_owned();
            let pixels = f.next()?.parse().ok()?;
            let ms = f.next()?.parse().ok()?;
            Some((name, (pixels, ms, f.next().and_then(|t| t.parse().ok()))))
        })
        .collect()
}

/// Runs both decoders and prints a table with the ratio.
pub fn run() -> Result<()> {
    let data = Path::new("../shared/data");
    if !data.is_dir() {
        bail!("../shared/data is missing: the benchmark decodes the real files kept there");
    }
    let mut files = vec![data.join(
        "everest_landsat8_qa_unpackqa/LC08_L2SP_140041_20130503_20200912_02_T1_QA_PIXEL.TIF",
    )];
    let mut encodings: Vec<_> = std::fs::read_dir(data.join("derived_here/encodings"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    encodings.sort();
    files.extend(encodings);
    crate::setup::python_gdal()?;
    let args: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();

    run_step(
        "build the decode timer (release)",
        &mut command(
            "cargo",
            &[
                "build",
                "--release",
                "-q",
                "-p",
                "glacier-raster",
                "--example",
                "decode_timing",
            ],
        ),
    )?;
    let ours = output(&mut command(
        "target/release/examples/decode_timing",
        &arg_refs,
    ))
    .context("our decoder failed on one of the files")?;
    // Debian's python3-gdal installs into Debian's own Python, which a pyenv or venv `python3` on
    // PATH does not see.
    let python = if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let gdal = output(command(python, &["tests/bench/gdal_decode_timing.py"]).args(&arg_refs));
    if gdal.is_none() {
        println!("(GDAL not timed: install Debian's python3-gdal to compare)");
    }
    // Ours decodes large reads on every core; GDAL can too when asked.
    let gdal_threads = output(
        command(python, &["tests/bench/gdal_decode_timing.py"])
            .args(&arg_refs)
            .env("GDAL_NUM_THREADS", "ALL_CPUS"),
    );
    let ours = timings(&ours);
    let gdal = timings(&gdal.unwrap_or_default());
    let gdal_threads = timings(&gdal_threads.unwrap_or_default());
    println!(
        "\n| file | pixels | ours (ms) | GDAL (ms) | GDAL / ours | GDAL, GDAL_NUM_THREADS=ALL_CPUS (ms) | that / ours | `tiff` crate's codec (ms) | that / ours |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let cells = |table: &BTreeMap<String, (u64, f64, Option<f64>)>, name: &str, ms: f64| match table
        .get(name)
    {
        Some((_, g, _)) => (format!("{g:.2}"), format!("{:.2}", g / ms)),
        None => ("—".into(), "—".into()),
    };
    for (name, (pixels, ms, tiff)) in &ours {
        let (g, ratio) = cells(&gdal, name, *ms);
        let (gt, ratio_t) = cells(&gdal_threads, name, *ms);
        let (t, ratio_tiff) = match tiff {
            Some(t) => (format!("{t:.2}"), format!("{:.2}", t / ms)),
            None => ("—".into(), "—".into()),
        };
        println!(
            "| {name} | {pixels} | {ms:.2} | {g} | {ratio} | {gt} | {ratio_t} | {t} | {ratio_tiff} |"
        );
    }
    println!(
        "\nBest of 5 full reads each; ratio > 1 means ours is faster. Ours decodes reads of ≥ 2 Mpx\n\
         from a file on up to one thread per core ({} here). The last two columns: the same read with\n\
         the `tiff` crate's own codecs instead of ours (LZW, PackBits, ZSTD, DEFLATE), reader otherwise the same.",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    Ok(())
}

/// Times the shipped model on real Everest tiles (green, red, NIR) on ndarray, flex and wgpu, in a
/// release build, then ONNX Runtime (pip, in a venv) on the same tiles, checking it computes what
/// burn computes.
pub fn model() -> Result<()> {
    let bands = crate::onnx::everest_bands()?;
    crate::cmd::build_release_glacier()?;
    let check = "target/bench-onnx";
    let mut bench = command(
        crate::cmd::RELEASE_GLACIER,
        // 30 tiles each: on a shared 2-core machine single tiles vary by ±30 %.
        &["bench-model", "--runs", "30", "--onnx-dir", check],
    );
    for b in &bands {
        bench.args(["--band", b]);
    }
    run_step("time the shipped model", &mut bench)?;
    let python = crate::setup::onnx_runtime()?;
    run_step(
        "time ONNX Runtime on the same tiles",
        &mut command(
            &python,
            &["tests/bench/onnx_runtime_timing.py", check, "30"],
        ),
    )?;
    alternating_rounds(&python, check, &bands)
}

/// The kernels and ONNX Runtime timed back to back, three rounds for each thread count, and the
/// ratio of each round: this shared machine's load moves tile times by ±30 % over minutes, which
/// one kernels run and one ONNX Runtime run a minute apart do not show.
fn alternating_rounds(python: &str, check: &str, bands: &[String]) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = vec![cores];
    if cores > 1 {
        threads.push(1);
    }
    println!("\n==> the kernels and ONNX Runtime alternated, 30 tiles each, 3 rounds");
    println!(
        "\n| round | threads | kernels median tile (ms) | ONNX Runtime median tile (ms) | kernels ÷ ONNX Runtime |\n|---:|---:|---:|---:|---:|"
    );
    let mut ratios: Vec<(usize, f64)> = Vec::new();
    for round in 1..=3 {
        for &t in &threads {
            let mut kernels = command(
                crate::cmd::RELEASE_GLACIER,
                &[
                    "bench-model",
                    "--backend",
                    "kernels",
                    "--runs",
                    "30",
                    "--json",
                ],
            );
            for b in bands {
                kernels.args(["--band", b]);
            }
            kernels.env("RAYON_NUM_THREADS", t.to_string());
            let rows: serde_json::Value = serde_json::from_str(
                &output(&mut kernels).context("glacier bench-model --json failed")?,
            )?;
            let k = rows[0]["median_ms"]
                .as_f64()
                .context("glacier bench-model --json gave no median_ms")?;
            let ort: f64 = output(&mut command(
                python,
                &[
                    "tests/bench/onnx_runtime_timing.py",
                    check,
                    "30",
                    "--threads",
                    &t.to_string(),
                ],
            ))
            .context("timing ONNX Runtime failed")?
            .trim()
            .parse()?;
            println!("| {round} | {t} | {k:.1} | {ort:.1} | {:.2} |", k / ort);
            ratios.push((t, k / ort));
        }
    }
    for &t in &threads {
        let mut r: Vec<f64> = ratios
            .iter()
            .filter(|(n, _)| *n == t)
            .map(|(_, r)| *r)
            .collect();
        r.sort_by(f64::total_cmp);
        println!(
            "\nMedian ratio on {t} thread(s): {:.2} (≤ 1: the kernels as fast or faster)",
            r[r.len() / 2]
        );
    }
    Ok(())
}

/// `cargo xtask bench-page [--full | --full-gpu] [--archive]`: builds the page, then times the
/// network per tile on the page's CPU path beside onnxruntime-web (same ONNX weights, same real
/// tiles, one thread), and each stage of a run in headless Chromium (WebGPU and CPU) on the
/// Athabasca crop, with `--full`
/// also on a scene-sized input on the CPU, and with `--full-gpu` on it on WebGPU as well, and with
/// `--archive` an archive link to 1/81 of scene-sized COGs (link → quick look → map); prints
/// tables.
pub fn page(flags: Vec<&str>) -> Result<()> {
    crate::setup::run()?;
    crate::validate::web_build()?;
    // The ONNX file and normalised real tiles for the per-tile comparison with
    // onnxruntime-web (the debug CLI the tests build is enough: it only writes files).
    let bands = crate::onnx::everest_bands()?;
    run_step(
        "build glacier",
        &mut command("cargo", &["build", "-q", "-p", "glacier-cli"]),
    )?;
    let onnx_dir = "target/bench-page-onnx";
    let mut export = command(
        "target/debug/glacier",
        &[
            "bench-model",
            "--backend",
            "kernels",
            "--runs",
            "1",
            "--onnx-dir",
            onnx_dir,
        ],
    );
    for b in &bands {
        export.args(["--band", b]);
    }
    run_step("the ONNX model and tiles for onnxruntime-web", &mut export)?;
    let mut args = vec!["bench_page.mjs", "../../dist"];
    args.extend(flags);
    let mut c = command("node", &args);
    c.current_dir(crate::setup::BROWSER_TESTS_DIR);
    c.env("GLACIER_ONNX_DIR", std::fs::canonicalize(onnx_dir)?);
    run_step("time the page's stages (headless Chromium)", &mut c)
}
