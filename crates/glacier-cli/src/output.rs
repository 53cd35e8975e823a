//! Writing results where the person asked: stdout (a closed pipe ends quietly) and JSON files.

use anyhow::{Context, Result};

/// Writes `value` as pretty JSON to `path`, when one was given.
pub fn write_json(path: Option<&std::path::Path>, value: &impl serde::Serialize) -> Result<()> {
    if let Some(path) = path {
        std::fs::write(path, serde_json::to_string_pretty(value)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Prints a line to stdout; a closed pipe (`glacier inspect F | head`) ends quietly.
pub fn print_out(text: &str) -> Result<()> {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{text}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}

/// A progress bar on stderr for `what` (`{msg}` is the step's name), drawn only on a terminal
/// (indicatif hides it when stderr is a pipe or a file).
pub fn steps_bar(what: &str) -> indicatif::ProgressBar {
    indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{what} {{msg}} [{{bar:30}}] {{pos}}/{{len}} ({{elapsed}}, eta {{eta}})"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    )
}

/// A [`steps_bar`] that shows counted work ([`glacier_train::Progress::items`]: chips cut,
/// chips evaluated).
pub struct ItemsBar(pub indicatif::ProgressBar);

impl ItemsBar {
    /// A bar titled `what`.
    pub fn new(what: &str) -> ItemsBar {
        ItemsBar(steps_bar(what))
    }
}

impl glacier_train::Progress for ItemsBar {
    fn items(&mut self, what: &str, done: usize, total: usize) {
        self.0.set_message(what.to_owned());
        self.0.set_length(total as u64);
        self.0.set_position(done as u64);
    }
}

impl Drop for ItemsBar {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
