//! `glacier train`: train the scSE U-Net on chips with a progress bar, checkpoints, early
//! stopping and resuming.

use anyhow::Result;
use glacier_train::train::{EpochLog, Progress, TrainConfig, TrainOutcome, train};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

use crate::backend::Backend;

struct Bar {
    bar: ProgressBar,
    epochs: usize,
}

impl Progress for Bar {
    fn step(&mut self, epoch: usize, step: usize, steps: usize, loss: f32) {
        if step == 1 {
            self.bar.set_length(steps as u64);
            self.bar.set_position(0);
            self.bar
                .set_prefix(format!("epoch {}/{}", epoch + 1, self.epochs));
        }
        self.bar.set_position(step as u64);
        self.bar.set_message(format!("loss {loss:.4}"));
    }

    fn epoch(&mut self, log: &EpochLog) {
        // `suspend` prints even when stderr is not a terminal (the bar itself is then hidden).
        self.bar.suspend(|| {
            eprintln!(
                "epoch {:>3}: train loss {:.4}, validation loss {:.4}, validation IoU {:.4} ({:.1} s)",
                log.epoch + 1,
                log.train_loss,
                log.val_loss,
                log.val_iou,
                log.seconds
            )
        });
    }
}

/// Runs `glacier train`; writes checkpoints to `out`.
pub fn run(
    chips: &[PathBuf],
    config: &TrainConfig,
    backend: Backend,
    out: &Path,
    resume: bool,
) -> Result<TrainOutcome> {
    let device = backend.device()?;
    let bar = ProgressBar::new(1).with_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} steps {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut progress = Bar {
        bar,
        epochs: config.epochs,
    };
    let outcome = train(chips, config, &device, Some(out), resume, &mut progress)?;
    progress.bar.finish_and_clear();
    Ok(outcome)
}
