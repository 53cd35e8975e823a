//! `glacier`: the project's native command line.

mod backend;
mod bench;
mod chips;
mod evaluate;
mod export;
mod inspect;
mod onnx;
mod predict;
mod prepare;
mod rasterize;
mod train;

use anyhow::{Context, Result, bail};
use backend::Backend;
use clap::{Parser, Subcommand};
use glacier_inputs::Normalisation;
use glacier_train::Split;
use glacier_train::train::{NetKind, TrainConfig};
use std::path::PathBuf;

/// Glacier mapping from Landsat scenes.
#[derive(Parser)]
#[command(name = "glacier", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// `glacier train --net`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum NetArg {
    /// U-Net with scSE blocks.
    Unet,
    /// 3D CNN: bands as the depth of 3×3×3 convolutions, scSE before a per-pixel head.
    Spectral3d,
}

#[derive(Subcommand)]
enum Command {
    /// Print a raster's structure, georeferencing and per-band statistics as JSON.
    Inspect {
        /// GeoTIFF files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write a scene's model input channels as a float32 GeoTIFF on the scene grid.
    Prepare {
        #[command(flatten)]
        scene: prepare::SceneFiles,
        /// A DEM in any supported CRS, resampled onto the scene grid.
        #[arg(long)]
        dem: Option<PathBuf>,
        /// Channels in output order (default: everything the inputs allow), e.g.
        /// green,red,nir,swir1,swir2,tir,elevation,slope,ndsi,ndwi,ndvi.
        #[arg(long)]
        channels: Option<String>,
        /// Output GeoTIFF.
        #[arg(long)]
        out: PathBuf,
    },
    /// Cut training chips (channels + labels from outlines) with a spatial train/validation/test
    /// split; see `glacier_train::chips` for the on-disk format.
    Chips {
        #[command(flatten)]
        scene: prepare::SceneFiles,
        /// A DEM for elevation and slope.
        #[arg(long)]
        dem: Option<PathBuf>,
        /// Glacier outlines (.shp, .geojson, .gpkg).
        #[arg(long, required_unless_present = "ice_free")]
        outlines: Option<PathBuf>,
        /// The scene holds no glacier at all (e.g. Florida): every pixel with data is labelled
        /// "not glacier". Instead of --outlines.
        #[arg(long, conflicts_with_all = ["outlines", "label_buffer"])]
        ice_free: bool,
        /// Channels (default: everything the inputs allow).
        #[arg(long)]
        channels: Option<String>,
        /// Chip size in pixels.
        #[arg(long, default_value_t = 64)]
        size: u32,
        /// Step between chips.
        #[arg(long, default_value_t = 32)]
        stride: u32,
        /// Split block size in pixels.
        #[arg(long, default_value_t = 256)]
        block: u32,
        /// Buffer between splits in pixels.
        #[arg(long, default_value_t = 16)]
        buffer: u32,
        /// Blocks in ten that go to validation.
        #[arg(long, default_value_t = 2)]
        validation_blocks: u32,
        /// Blocks in ten that go to test (`--validation-blocks 0 --test-blocks 10` holds a whole
        /// scene out for testing).
        #[arg(long, default_value_t = 2)]
        test_blocks: u32,
        /// Label "not glacier" only within this many pixels of an outline (for outlines that
        /// cover part of an icefield); elsewhere pixels are ignored.
        #[arg(long)]
        label_buffer: Option<u32>,
        /// Drop chips with more than this share of ignored pixels (no data, untrusted).
        #[arg(long, default_value_t = 0.2)]
        max_ignored: f32,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
    },
    /// Train the scSE U-Net on chips (checkpoints, early stopping, metrics log, resumable).
    Train {
        /// Chip directory made by `glacier chips`; repeat for several scenes (each is normalised
        /// with its own statistics, then pooled).
        #[arg(long, required = true)]
        chips: Vec<PathBuf>,
        /// Channels to train on, picked by name from the chips (default: the first set's).
        #[arg(long)]
        channels: Option<String>,
        /// Run directory: best.glcm, last.glcm, metrics.jsonl, state.json.
        #[arg(long)]
        out: PathBuf,
        /// Most epochs.
        #[arg(long, default_value_t = 20)]
        epochs: usize,
        /// Chips per step.
        #[arg(long, default_value_t = 8)]
        batch_size: usize,
        /// Adam learning rate.
        #[arg(long, default_value_t = 2e-3)]
        lr: f64,
        /// Which network: the scSE U-Net, or the 3D CNN over the spectral axis.
        #[arg(long, value_enum, default_value = "unet")]
        net: NetArg,
        /// U-Net depth (2× down-samplings).
        #[arg(long, default_value_t = 3)]
        depth: usize,
        /// U-Net channels of the first block.
        #[arg(long, default_value_t = 12)]
        width: usize,
        /// 3D CNN features per 3×3×3 convolution.
        #[arg(long, default_value_t = 8)]
        filters: usize,
        /// 3D CNN number of 3×3×3 convolutions.
        #[arg(long, default_value_t = 3)]
        layers: usize,
        /// Stop after this many epochs without a better validation IoU (0: never).
        #[arg(long, default_value_t = 5)]
        patience: usize,
        /// Seed for the initial weights, shuffling and augmentation.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Normalise each scene with its own statistics (scene) or with the training set's.
        #[arg(long, default_value = "scene", value_parser = parse_normalisation)]
        normalisation: Normalisation,
        /// Tile size recorded for prediction.
        #[arg(long, default_value_t = 256)]
        tile: u32,
        /// Continue the run in --out.
        #[arg(long)]
        resume: bool,
        /// Compute backend (flex: ≈ 29× faster than ndarray per epoch on a 2-core CPU, measured).
        #[arg(long, value_enum, default_value = "flex")]
        backend: Backend,
    },
    /// Evaluate a model on held-out chips beside the NDSI baseline (same pixels), or a predicted
    /// mask against outlines or a reference mask.
    Eval {
        /// Model file (with --chips).
        #[arg(long, requires = "chips")]
        model: Option<PathBuf>,
        /// Chip directory (with --model).
        #[arg(long)]
        chips: Option<PathBuf>,
        /// Which split of the chips.
        #[arg(long, default_value = "test", value_parser = parse_split)]
        split: Split,
        /// A predicted mask GeoTIFF (with --truth).
        #[arg(long, requires = "truth", conflicts_with = "model")]
        pred: Option<PathBuf>,
        /// Outlines (.shp, .geojson, .gpkg) or a reference mask GeoTIFF on the same grid.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Also write the numbers as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Compute backend.
        #[arg(long, value_enum, default_value = "cpu")]
        backend: Backend,
    },
    /// Quantise a trained checkpoint to int8 and write the model file and its card.
    Export {
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
        scene: prepare::SceneFiles,
        /// Reference tile: COL,ROW,WIDTH,HEIGHT on the scene grid.
        #[arg(long)]
        check_window: Option<String>,
        /// Output model file (.glcm); the card goes beside it as .md.
        #[arg(long)]
        out: PathBuf,
    },
    /// Write a model file's network as ONNX (f32 weights; input: normalised channels, output:
    /// glacier probability; the input specification in the metadata).
    ExportOnnx {
        /// Model file (default: the shipped model, built into this binary).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Output .onnx file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Classify a whole scene into a glacier mask GeoTIFF (1 glacier, 0 not, 255 no data).
    Predict {
        #[command(flatten)]
        scene: prepare::SceneFiles,
        /// A DEM, for models that take elevation or slope.
        #[arg(long)]
        dem: Option<PathBuf>,
        /// Model file (default: the shipped model, built into this binary).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Output mask GeoTIFF.
        #[arg(long)]
        out: PathBuf,
        /// Also write glacier probabilities (float32) here.
        #[arg(long)]
        probabilities: Option<PathBuf>,
        /// Also write the glacier patches as GeoJSON polygons (WGS 84 lon/lat) here.
        #[arg(long)]
        geojson: Option<PathBuf>,
        /// Compute backend.
        #[arg(long, value_enum, default_value = "cpu")]
        backend: Backend,
        /// Keep the network's glacier as it is. By default, where the scene has green, SWIR1
        /// and NIR in reflectance, glacier is kept only where NDSI > 0 and NIR > 0.11 (without
        /// that rule the shipped model calls open water glacier; see its model card).
        #[arg(long)]
        no_plausibility_rule: bool,
    },
    /// Time a model per tile and per megapixel on real tiles of a scene, on each backend.
    BenchModel {
        #[command(flatten)]
        scene: prepare::SceneFiles,
        /// Model file (default: the shipped model, built into this binary).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Backends to time, in order.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "cpu,flex,wgpu"
        )]
        backend: Vec<Backend>,
        /// Tiles timed per backend after the cold one (at least 1).
        #[arg(long, default_value_t = 10,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        runs: usize,
        /// Also leave the model as ONNX, the normalised tiles and burn's probabilities here, for
        /// timing ONNX Runtime on the same tiles (`cargo xtask bench-model` does).
        #[arg(long)]
        onnx_dir: Option<PathBuf>,
    },
    /// Burn glacier outlines (shapefile, GeoJSON, GeoPackage) onto the grid of a GeoTIFF (pixel centres).
    Rasterize {
        /// Outlines: .shp (its .prj beside it gives the CRS; without one, lon/lat is assumed),
        /// .geojson or .gpkg.
        outlines: PathBuf,
        /// A GeoTIFF whose grid the mask takes.
        #[arg(long)]
        like: PathBuf,
        /// Output mask GeoTIFF (uint8, 1 = glacier).
        #[arg(long)]
        out: PathBuf,
    },
}

fn parse_normalisation(s: &str) -> Result<Normalisation, String> {
    match s {
        "scene" => Ok(Normalisation::Scene),
        "training" => Ok(Normalisation::Training),
        _ => Err(format!("{s:?}: use scene or training")),
    }
}

fn parse_split(s: &str) -> Result<Split, String> {
    match s {
        "train" => Ok(Split::Train),
        "validation" => Ok(Split::Validation),
        "test" => Ok(Split::Test),
        _ => Err(format!("{s:?}: use train, validation or test")),
    }
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

fn write_json(path: Option<&std::path::Path>, value: &impl serde::Serialize) -> Result<()> {
    if let Some(path) = path {
        std::fs::write(path, serde_json::to_string_pretty(value)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Prints a line to stdout; a closed pipe (`glacier inspect F | head`) ends quietly.
fn print_out(text: &str) -> Result<()> {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

fn main() -> Result<()> {
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    match Cli::parse().command {
        Command::Inspect { files } => {
            let reports = files
                .iter()
                .map(|f| inspect::inspect(f))
                .collect::<Result<Vec<_>>>()?;
            let out = if reports.len() == 1 {
                reports.into_iter().next().unwrap_or_default()
            } else {
                serde_json::Value::Array(reports)
            };
            print_out(&serde_json::to_string_pretty(&out)?)?;
        }
        Command::Prepare {
            scene,
            dem,
            channels,
            out,
        } => {
            let args = scene.args();
            let written = prepare::run(&args, dem.as_deref(), channels.as_deref(), &out)?;
            let names: Vec<&str> = written.iter().map(|n| n.name()).collect();
            eprintln!("wrote {} ({})", out.display(), names.join(", "));
        }
        Command::Chips {
            scene,
            dem,
            outlines,
            ice_free: _,
            channels,
            size,
            stride,
            block,
            buffer,
            validation_blocks,
            test_blocks,
            label_buffer,
            max_ignored,
            out,
        } => {
            if validation_blocks + test_blocks > 10 {
                bail!(
                    "--validation-blocks {validation_blocks} + --test-blocks {test_blocks} is more than the 10 blocks in ten"
                );
            }
            let scene_args = scene.args();
            let args = chips::ChipArgs {
                outlines: outlines.as_deref(),
                channels: channels.as_deref(),
                size,
                stride,
                block,
                buffer,
                validation_blocks,
                test_blocks,
                label_buffer,
                max_ignored,
            };
            let set = chips::run(&scene_args, dem.as_deref(), &args, &out)?;
            eprintln!(
                "wrote {} (chips per split: {:?})",
                out.display(),
                set.counts
            );
        }
        Command::Train {
            chips,
            channels,
            out,
            epochs,
            batch_size,
            lr,
            net,
            depth,
            width,
            filters,
            layers,
            patience,
            seed,
            normalisation,
            tile,
            resume,
            backend,
        } => {
            let config = TrainConfig {
                net: match net {
                    NetArg::Unet => NetKind::Unet,
                    NetArg::Spectral3d => NetKind::Spectral3d,
                },
                filters,
                layers,
                epochs,
                batch_size,
                learning_rate: lr,
                depth,
                base_width: width,
                seed,
                patience,
                normalisation,
                tile,
                channels: channels
                    .map(|list| glacier_inputs::ChannelName::parse_list(&list))
                    .transpose()?
                    .map(|names| names.iter().map(|n| n.name().to_owned()).collect()),
            };
            let outcome = train::run(&chips, &config, backend, &out, resume)?;
            let best = outcome
                .history
                .iter()
                .max_by(|a, b| a.val_iou.total_cmp(&b.val_iou));
            eprintln!(
                "{} after {} epochs; best validation IoU {:.4} (epoch {}); checkpoints in {}",
                if outcome.stopped_early {
                    "stopped early"
                } else {
                    "finished"
                },
                outcome.history.len(),
                best.map_or(f64::NAN, |b| b.val_iou),
                best.map_or(0, |b| b.epoch + 1),
                out.display()
            );
        }
        Command::Eval {
            model,
            chips,
            split,
            pred,
            truth,
            json,
            backend,
        } => match (model, chips, pred, truth) {
            (Some(model), Some(chips), None, _) => {
                let e = evaluate::chips(&model, &chips, split, backend)?;
                print!("{}", e.table());
                write_json(json.as_deref(), &e)?;
            }
            (None, None, Some(pred), Some(truth)) => {
                let c = evaluate::masks(&pred, &truth)?;
                let s = c.scores();
                print_out(&format!(
                    "IoU {:.4}  F1 {:.4}  precision {:.4}  recall {:.4}  pixels {}",
                    s.iou, s.f1, s.precision, s.recall, s.pixels
                ))?;
                write_json(
                    json.as_deref(),
                    &serde_json::json!({"confusion": c, "scores": s}),
                )?;
            }
            _ => bail!("give --model with --chips, or --pred with --truth"),
        },
        Command::Export {
            checkpoint,
            chips,
            name,
            summary,
            scene,
            check_window,
            out,
        } => {
            let check = match check_window {
                Some(w) => Some((
                    scene.args(),
                    parse_window(&w)?,
                    scene
                        .bands
                        .iter()
                        .map(|b| {
                            // NAME=path/to/FILE[:K] → NAME=FILE[:K]: the card names files, not paths.
                            let (n, f) = b.split_once('=').unwrap_or(("", b));
                            let file = f.rsplit('/').next().unwrap_or(f);
                            format!("{n}={file}")
                        })
                        .chain(scene.files.iter().filter_map(|f| {
                            f.file_name().and_then(|n| n.to_str()).map(str::to_owned)
                        }))
                        .collect::<Vec<_>>()
                        .join(" "),
                )),
                None => None,
            };
            let args = export::ExportArgs {
                checkpoint: &checkpoint,
                chips: &chips,
                name: &name,
                summary,
                check,
                command: command_line,
            };
            let card = out.with_extension("md");
            let done = export::run(&args, &out, &card)?;
            for (dir, e) in &done.test_int8 {
                print!("{}:\n{}", dir, e.table());
            }
            eprintln!(
                "wrote {} ({} bytes, sha256 {}) and {}",
                out.display(),
                done.bytes,
                done.sha256,
                card.display()
            );
        }
        Command::Predict {
            scene,
            dem,
            model,
            out,
            probabilities,
            geojson,
            backend,
            no_plausibility_rule,
        } => {
            let args = scene.args();
            let p = predict::run(
                &args,
                dem.as_deref(),
                model.as_deref(),
                backend,
                &predict::Outputs {
                    mask: &out,
                    probabilities: probabilities.as_deref(),
                    geojson: geojson.as_deref(),
                },
                !no_plausibility_rule,
            )?;
            if let Some(rule) = p.plausibility {
                eprintln!(
                    "{}",
                    glacier_inputs::plausibility::note(rule.removed, rule.before)
                );
            }
            eprintln!(
                "wrote {}: {} glacier pixels = {:.3} km² ({:.1} % of {} pixels with data) on {}",
                out.display(),
                p.glacier,
                p.glacier as f64 * p.pixel_area / 1e6,
                100.0 * p.glacier as f64 / p.valid.max(1) as f64,
                p.valid,
                p.device
            );
        }
        Command::BenchModel {
            scene,
            model,
            backend,
            runs,
            onnx_dir,
        } => {
            let args = scene.args();
            let bundle = backend::load_model(model.as_deref())?;
            let scene = prepare::scene(&args)?;
            let size = (scene.grid.width, scene.grid.height);
            let mut reader = glacier_inputs::ChannelReader::new(&scene, None);
            let rows = bench::run(&bundle, &mut reader, size, &backend, runs)?;
            let input = &bundle.header.input;
            print_out(&bench::table(&rows, input.tile, input.overlap))?;
            if let Some(dir) = onnx_dir {
                onnx::write_check(&bundle, &mut reader, size, &rows, &dir)?;
                eprintln!(
                    "wrote the ONNX model and the benchmark tiles to {}",
                    dir.display()
                );
            }
        }
        Command::ExportOnnx { model, out } => {
            let bundle = backend::load_model(model.as_deref())?;
            let bytes = onnx::export(&bundle, &out)?;
            eprintln!(
                "wrote {} ({bytes} bytes, ONNX opset {})",
                out.display(),
                glacier_model::onnx::OPSET
            );
        }
        Command::Rasterize {
            outlines,
            like,
            out,
        } => {
            let glacier = rasterize::run(&outlines, &like, &out)?;
            eprintln!("wrote {} ({glacier} glacier pixels)", out.display());
        }
    }
    Ok(())
}
