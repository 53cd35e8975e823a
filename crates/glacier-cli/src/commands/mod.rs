//! One module per subcommand: its arguments (each flag documents itself) and its `run`, which
//! writes what it made and says so on stderr. Commands never call each other; what two share
//! lives beside `commands/` (scene arguments, mapping a scene, outlines, output, the
//! backend, model timing, ONNX files, the task contract of plans).

pub mod bench_model;
pub mod change;
pub mod chips;
pub mod collect;
pub mod completions;
pub mod eval;
pub mod export;
pub mod export_onnx;
pub mod inspect;
pub mod plan;
pub mod predict;
pub mod prepare;
pub mod rasterize;
pub mod run_task;
pub mod search;
pub mod slurm;
pub mod train;
