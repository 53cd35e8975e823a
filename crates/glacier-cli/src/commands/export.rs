//! `glacier export`: quantise a trained checkpoint to int8 and write the model file and its card.

use anyhow::{Context, Result, bail};
use std::path::PathBuf;

use crate::export::{ExportArgs, run as export};
use crate::scene_args::SceneFiles;

/// Quantise a trained checkpoint to int8 and write the model file and its card.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  glacier export --checkpoint run/best.glcm --chips chips/ --name my-model --out my-model.glcm"
)]
pub struct Args {
    /// f32 checkpoint (best.glcm of a run).
    #[arg(long)]
    checkpoint: PathBuf,
    /// Chips to evaluate f32 and int8 on; repeat for several scenes (one table row set each).
    #[arg(long, required = true)]
    chips: Vec<PathBuf>,
    /// Model name.
    #[arg(long)]
    name: String,
    /// What the model was trained on and how far to trust it, in plain words: stored in the
    /// file, shown by the page under the model's name and at the top of the card.
    #[arg(long, default_value = "")]
    summary: String,
    /// The scene of the reference tile.
    #[command(flatten)]
    scene: SceneFiles,
    /// Reference tile: COL,ROW,WIDTH,HEIGHT on the scene grid.
    #[arg(long)]
    check_window: Option<String>,
    /// Output model file (.glcm); the card goes beside it as .md.
    #[arg(long)]
    out: PathBuf,
}

fn parse_window(s: &str) -> Result<glacier_raster::Window> {
    let v: Vec<u32> = s
        .split(',')
        .map(|p| p.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .with_context(|| format!("--check-window {s:?}: give COL,ROW,WIDTH,HEIGHT"))?;
    match v.as_slice() {
        [c, r, w, h] => Ok(glacier_raster::Window::new(*c, *r, *w, *h)),
        _ => bail!("--check-window {s:?}: give COL,ROW,WIDTH,HEIGHT"),
    }
}

/// The scene's files as the card names them: file names, not paths.
fn files_named(scene: &SceneFiles) -> String {
    scene
        .bands
        .iter()
        .map(|b| {
            // NAME=path/to/FILE[:K] → NAME=FILE[:K].
            let (n, f) = b.split_once('=').unwrap_or(("", b));
            let file = f.rsplit('/').next().unwrap_or(f);
            format!("{n}={file}")
        })
        .chain(
            scene
                .files
                .iter()
                .filter_map(|f| f.file_name().and_then(|n| n.to_str()).map(str::to_owned)),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `glacier export`: prints the int8 test tables, writes the model and its card.
pub fn run(args: Args) -> Result<()> {
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    let check = match &args.check_window {
        Some(w) => Some((
            args.scene.args(),
            parse_window(w)?,
            files_named(&args.scene),
        )),
        None => None,
    };
    let export_args = ExportArgs {
        checkpoint: &args.checkpoint,
        chips: &args.chips,
        name: &args.name,
        summary: args.summary.clone(),
        check,
        command: command_line,
    };
    let card = args.out.with_extension("md");
    let done = export(&export_args, &args.out, &card)?;
    for (dir, e) in &done.test_int8 {
        print!("{}:\n{}", dir, e.table());
    }
    eprintln!(
        "wrote {} ({} bytes, sha256 {}) and {}",
        args.out.display(),
        done.bytes,
        done.sha256,
        card.display()
    );
    Ok(())
}
