//! `glacier`: the project's native command line. Each subcommand lives in [`commands`] with its
//! arguments and its `run`; the modules beside it are what several commands share.

mod archive;
mod backend;
mod commands;
mod export;
mod http;
mod mapping;
mod model_timing;
mod onnx;
mod outlines;
mod output;
mod phases;
mod scene_args;
mod task_folder;
mod tasks;

use anyhow::Result;
use clap::{CommandFactory, Parser, Subcommand};
use commands::{
    bench_model, change, chips, collect, completions, eval, export as export_cmd, export_onnx,
    inspect, plan, predict, prepare, rasterize, run_task, search, slurm, train,
};

/// Glacier mapping from Landsat scenes.
#[derive(Parser)]
#[command(name = "glacier", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands; each one's help is its arguments' doc comment.
#[derive(Subcommand)]
enum Command {
    Inspect(inspect::Args),
    Prepare(prepare::Args),
    Chips(chips::Args),
    Train(train::Args),
    Eval(eval::Args),
    Export(export_cmd::Args),
    ExportOnnx(export_onnx::Args),
    Predict(predict::Args),
    Search(search::Args),
    Change(change::Args),
    Plan(plan::Args),
    RunTask(run_task::Args),
    Collect(collect::Args),
    Slurm(slurm::SlurmArgs),
    K8s(slurm::K8sArgs),
    BenchModel(bench_model::Args),
    Rasterize(rasterize::Args),
    Completions(completions::Args),
}

/// Runs the command; an error is printed as one line per cause that says something new (a cause
/// whose words the message already holds, e.g. an I/O error its file's message quotes, is left
/// out), and the exit code is 1.
fn main() {
    if let Err(e) = run() {
        eprintln!("error: {}", causes(&e));
        std::process::exit(1);
    }
}

/// `e` and its causes, each cause only when its words are not already said.
fn causes(e: &anyhow::Error) -> String {
    let mut said = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !said.contains(&text) {
            if !said.is_empty() {
                said.push_str("\n  caused by: ");
            }
            said.push_str(&text);
        }
    }
    said
}

fn run() -> Result<()> {
    match Cli::parse().command {
        Command::Inspect(args) => inspect::run(args),
        Command::Prepare(args) => prepare::run(args),
        Command::Chips(args) => chips::run(args),
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Export(args) => export_cmd::run(args),
        Command::ExportOnnx(args) => export_onnx::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Search(args) => search::run(args),
        Command::Change(args) => change::run(args),
        Command::Plan(args) => plan::run(args),
        Command::RunTask(args) => run_task::run(args),
        Command::Collect(args) => collect::run(args),
        Command::Slurm(args) => slurm::run_slurm(args),
        Command::K8s(args) => slurm::run_k8s(args),
        Command::BenchModel(args) => bench_model::run(args),
        Command::Rasterize(args) => rasterize::run(args),
        Command::Completions(args) => completions::run(args, Cli::command()),
    }
}
