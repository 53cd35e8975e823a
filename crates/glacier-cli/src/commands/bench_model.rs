//! `glacier bench-model`: time a model per tile and per megapixel on real tiles of a scene, on
//! each backend, and optionally leave the files for timing ONNX Runtime on the same tiles.

use anyhow::Result;
use glacier_inputs::ChannelReader;
use std::path::PathBuf;

use crate::backend::{Backend, load_model};
use crate::output::print_out;
use crate::scene_args::{SceneFiles, scene};
use crate::{model_timing, onnx};

/// Time a model per tile and per megapixel on real tiles of a scene, on each backend.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  glacier bench-model --band red=RGB.tif:1 --band green=RGB.tif:2 --band nir=B4.tif --backend flex,wgpu"
)]
pub struct Args {
    #[command(flatten)]
    scene: SceneFiles,
    /// Model file (default: the shipped model, built into this binary).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Backends to time, in order (`kernels`: this project's CPU kernels, what `predict` runs
    /// on the CPU; `cpu` (ndarray), `flex` and `wgpu`: burn alone).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "kernels,cpu,flex,wgpu"
    )]
    backend: Vec<Backend>,
    /// Tiles timed per backend after the cold one (at least 1).
    #[arg(long, default_value_t = 10,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    runs: usize,
    /// Also time each backend with the network as the file stores it: batch norms not folded
    /// into their convolutions (what CPU inference did before it folded them; a GPU runs the
    /// network as stored either way).
    #[arg(long)]
    as_stored: bool,
    /// Also leave the model as ONNX, the normalised tiles and burn's probabilities here, for
    /// timing ONNX Runtime on the same tiles (`cargo xtask bench-model` does).
    #[arg(long)]
    onnx_dir: Option<PathBuf>,
    /// Print the rows as JSON (one array) instead of a table, for scripts (`cargo xtask
    /// bench-model` reads it). The CPU rows use every core, or `RAYON_NUM_THREADS` threads.
    #[arg(long)]
    json: bool,
}

/// Runs `glacier bench-model`: prints a table.
pub fn run(args: Args) -> Result<()> {
    let bundle = load_model(args.model.as_deref())?;
    let scene = scene(&args.scene.args())?;
    let size = (scene.grid.width, scene.grid.height);
    let mut reader = ChannelReader::new(&scene, None);
    let rows = model_timing::run(
        &bundle,
        &mut reader,
        size,
        &args.backend,
        args.runs,
        args.as_stored,
    )?;
    let input = &bundle.header.input;
    if args.json {
        print_out(&format!("{}\n", serde_json::to_string(&rows)?))?;
    } else {
        print_out(&model_timing::table(&rows, input.tile, input.overlap))?;
    }
    if let Some(dir) = args.onnx_dir {
        onnx::write_check(&bundle, &mut reader, size, &rows, &dir)?;
        eprintln!(
            "wrote the ONNX model and the benchmark tiles to {}",
            dir.display()
        );
    }
    Ok(())
}
