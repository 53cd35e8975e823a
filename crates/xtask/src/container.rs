//! `cargo xtask container`: builds the repository's `Containerfile` with Podman and maps a real
//! glacier in the image, beside the same map from a native build. Never part of `test`: the
//! image's release build takes as long as the native one (≈ 20 min on 2 cores).
//!
//! Where Docker Hub cannot be reached (this project's machines reach only package registries),
//! the two base images are made here first: Debian bookworm from Debian's archive
//! (`debootstrap --variant=minbase`, imported), and a build image on it with gcc and Rust 1.95
//! from rustup, the same toolchain `rust:1.95-bookworm` holds.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{command, output, run_step};

/// The image this builds.
const IMAGE: &str = "localhost/glacier:latest";
/// The Containerfile's default bases, used when the engine can pull them.
const HUB_BASES: [&str; 2] = [
    "docker.io/library/rust:1.95-bookworm",
    "docker.io/library/debian:bookworm-slim",
];
/// The bases made here when it cannot.
const LOCAL_RUN: &str = "localhost/glacier-base:bookworm";
const LOCAL_BUILD: &str = "localhost/glacier-rust:1.95-bookworm";
/// The build image's toolchain, as the Containerfile's default base has it.
const RUST: &str = "1.95.0";
/// Where Debian keeps certificate authorities added to a machine.
const LOCAL_CAS: &str = "/usr/local/share/ca-certificates";
/// What the engine, the base images and the fallback runtime need, from Debian.
const PACKAGES: &[&str] = &["podman", "runc", "debootstrap"];

/// Builds the image and checks it on the real Athabasca crop.
pub fn run() -> Result<()> {
    if !Path::new("/usr/bin/podman").exists() || !Path::new("/usr/sbin/debootstrap").exists() {
        crate::setup::apt_install(PACKAGES, "apt-get install podman, runc, debootstrap")?;
    }
    let bare = Engine { flags: Vec::new() };
    let (engine, bases) = if HUB_BASES.iter().all(|b| bare.has_or_pulls(b)) {
        println!("bases from Docker Hub: {HUB_BASES:?}");
        (
            Engine::for_image(HUB_BASES[1])?,
            HUB_BASES.map(str::to_owned),
        )
    } else {
        println!("Docker Hub cannot be reached: making the base images from Debian and rustup");
        import_debian(&bare)?;
        let engine = Engine::for_image(LOCAL_RUN)?;
        rust_base(&engine)?;
        (engine, [LOCAL_BUILD.to_owned(), LOCAL_RUN.to_owned()])
    };
    let mut build = engine.podman(&["build", "-t", IMAGE, "-f", "Containerfile"]);
    build.args(engine.build_flags());
    build.args(["--build-arg", &format!("BUILD_IMAGE={}", bases[0])]);
    build.args(["--build-arg", &format!("RUN_IMAGE={}", bases[1])]);
    build.arg(".");
    run_step(
        "podman build -f Containerfile (release build inside)",
        &mut build,
    )?;
    check_image(&engine)
}

/// Podman, with the flags this machine needs to run containers.
struct Engine {
    /// Extra `run`/`build` flags: none where the defaults work; in a VM without
    /// CAP_SYS_RESOURCE and with hybrid cgroups (this project's machines), runc, the host's
    /// network and limits under the host's.
    flags: Vec<String>,
}

impl Engine {
    /// The flags with which `image` runs here: none, else the sandbox's.
    fn for_image(image: &str) -> Result<Engine> {
        let sandbox = [
            "--runtime",
            "runc",
            "--network",
            "host",
            "--ulimit",
            "nofile=1024:1024",
            "--ulimit",
            "nproc=1000:1000",
        ];
        for flags in [&[][..], &sandbox[..]] {
            let engine = Engine {
                flags: flags.iter().map(|f| (*f).to_owned()).collect(),
            };
            if engine.runs(image) {
                println!("containers run here with the flags {flags:?}");
                return Ok(engine);
            }
        }
        bail!("podman cannot run {image} here, with its defaults or with {sandbox:?}")
    }

    /// `podman ARGS` with the global flags.
    fn podman(&self, args: &[&str]) -> Command {
        let mut c = command("podman", &[]);
        if let Some(i) = self.flags.iter().position(|f| f == "--runtime") {
            c.args(&self.flags[i..i + 2]);
        }
        c.args(args);
        c
    }

    /// The `run`/`build` flags (the runtime excluded: it is global).
    fn build_flags(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut it = self.flags.iter();
        while let Some(f) = it.next() {
            let value = it.next().cloned().unwrap_or_default();
            if f != "--runtime" {
                out.push(f.clone());
                out.push(value);
            }
        }
        out
    }

    /// `podman run --rm` with the flags.
    fn run(&self, args: &[&str]) -> Command {
        let mut c = self.podman(&["run", "--rm"]);
        c.args(self.build_flags());
        c.args(args);
        c
    }

    fn runs(&self, image: &str) -> bool {
        self.run(&[image, "true"])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Whether `image` is here or can be pulled.
    fn has_or_pulls(&self, image: &str) -> bool {
        let here = self
            .podman(&["image", "exists", image])
            .status()
            .is_ok_and(|s| s.success());
        here || self
            .podman(&["pull", "-q", image])
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

/// Whether `image` is in the engine's store.
fn exists(engine: &Engine, image: &str) -> bool {
    engine
        .podman(&["image", "exists", image])
        .status()
        .is_ok_and(|s| s.success())
}

/// Makes [`LOCAL_RUN`] from Debian's archive (debootstrap, imported) unless it exists.
fn import_debian(engine: &Engine) -> Result<()> {
    if exists(engine, LOCAL_RUN) {
        return Ok(());
    }
    let rootfs = PathBuf::from("target/container/rootfs");
    let _ = std::fs::remove_dir_all(&rootfs);
    std::fs::create_dir_all("target/container")?;
    run_step(
        "debootstrap --variant=minbase bookworm",
        &mut command(
            "debootstrap",
            &[
                "--variant=minbase",
                "bookworm",
                rootfs.to_str().context("utf-8 path")?,
                "http://deb.debian.org/debian",
            ],
        ),
    )?;
    let script = format!(
        "tar -C {} -c . | podman import - {LOCAL_RUN}",
        rootfs.display()
    );
    run_step(
        "podman import (the Debian base)",
        &mut command("sh", &["-c", &script]),
    )?;
    std::fs::remove_dir_all(&rootfs)?;
    Ok(())
}

/// Makes [`LOCAL_BUILD`] on [`LOCAL_RUN`] (gcc, Rust [`RUST`] from rustup) unless it exists.
fn rust_base(engine: &Engine) -> Result<()> {
    if exists(engine, LOCAL_BUILD) {
        return Ok(());
    }
    let dir = PathBuf::from("target/container/rust-base");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    // This machine's own certificate authorities (a TLS-inspecting proxy between it and the
    // registries, as on this project's machines) go into the build image, so that rustup and
    // cargo inside it reach static.rust-lang.org and crates.io as the host does.
    let mut added = 0;
    for entry in std::fs::read_dir(LOCAL_CAS).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "crt") {
            std::fs::copy(&path, dir.join(entry.file_name()))?;
            added += 1;
        }
    }
    let cas = if added > 0 {
        "COPY *.crt /usr/local/share/ca-certificates/\n\
         RUN update-ca-certificates\n"
    } else {
        ""
    };
    let file = format!(
        "FROM {LOCAL_RUN}\n\
         RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
         curl gcc libc6-dev && rm -rf /var/lib/apt/lists/*\n\
         {cas}\
         ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo \
         PATH=/usr/local/cargo/bin:$PATH\n\
         RUN curl -sSf -o /tmp/rustup-init \
         https://static.rust-lang.org/rustup/dist/$(uname -m)-unknown-linux-gnu/rustup-init \
         && chmod +x /tmp/rustup-init && /tmp/rustup-init -y --profile minimal \
         --default-toolchain {RUST} && rm /tmp/rustup-init && rustc --version\n"
    );
    std::fs::write(dir.join("Containerfile"), file)?;
    let mut build = engine.podman(&["build", "-t", LOCAL_BUILD]);
    build.args(engine.build_flags());
    build.arg(dir.to_str().context("utf-8 path")?);
    run_step("podman build (the Rust base, rustup)", &mut build)
}

/// The Athabasca HLS L30 bands `predict` maps in the check: a real glacier, so the two masks
/// compared hold glacier pixels, and five bands, so the SWIR model runs.
const ATHABASCA: [(&str, &str); 5] = [
    ("green", "B03"),
    ("red", "B04"),
    ("nir", "B05"),
    ("swir1", "B06"),
    ("swir2", "B07"),
];

/// `predict` arguments for the Athabasca L30 bands under `data`, writing `out`.
fn predict_args(data: &str, out: &str) -> Vec<String> {
    let mut args = vec!["predict".to_owned()];
    for (name, band) in ATHABASCA {
        args.push("--band".to_owned());
        args.push(format!("{name}={data}/athabasca_2020229_{band}_L30.tif"));
    }
    args.extend(["--out".to_owned(), out.to_owned()]);
    args
}

/// Maps the real Athabasca HLS L30 crop in the image and natively (`target/release/glacier`,
/// built here from the same sources): the two masks must be the same bytes.
fn check_image(engine: &Engine) -> Result<()> {
    let data = std::fs::canonicalize("../shared/data/athabasca_hls_satrbedo")
        .context("../shared/data/athabasca_hls_satrbedo (the project's shared data) is missing")?;
    let out = std::fs::canonicalize("target")?.join("container/check");
    std::fs::create_dir_all(&out)?;
    let volume_data = format!("{}:/data:ro", data.display());
    let volume_out = format!("{}:/out", out.display());
    run_step(
        "glacier --version in the image",
        &mut engine.run(&[IMAGE, "--version"]),
    )?;
    let mut in_image = engine.run(&["-v", &volume_data, "-v", &volume_out, IMAGE]);
    in_image.args(predict_args("/data", "/out/image.tif"));
    run_step(
        "glacier predict in the image (Athabasca HLS L30)",
        &mut in_image,
    )?;
    crate::cmd::build_release_glacier()?;
    let native = out.join("native.tif");
    let mut natively = command(crate::cmd::RELEASE_GLACIER, &[]);
    natively.args(predict_args(
        data.to_str().context("utf-8 path")?,
        native.to_str().context("utf-8 path")?,
    ));
    run_step("glacier predict natively (the same bands)", &mut natively)?;
    let (a, b) = (
        std::fs::read(out.join("image.tif"))?,
        std::fs::read(&native)?,
    );
    if a != b {
        bail!(
            "the image's mask ({} bytes) differs from the native one ({} bytes): was the \
             image built from these sources?",
            a.len(),
            b.len()
        );
    }
    let size = output(&mut engine.podman(&["image", "inspect", IMAGE, "--format", "{{.Size}}"]))
        .unwrap_or_default();
    println!(
        "the image maps the Athabasca crop to the native mask, byte for byte ({} bytes); image \
         size {} MB",
        a.len(),
        size.trim()
            .parse::<f64>()
            .map_or("?".into(), |s| format!("{:.1}", s / 1e6))
    );
    Ok(())
}
