//! Where a command's time went: named phases, timed one after another. `run-task` keeps them
//! in its record, so a cluster run's overhead (plan, item, headers) can be read beside its
//! mapping time (`glacier collect` sums them; `cargo xtask bench-tasks` prints them).

use std::time::Instant;

use serde::{Deserialize, Serialize};

/// One phase and its wall time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    /// What ran, in words (`reading bands`, `network on Cpu`, …).
    pub name: String,
    /// Its wall time, seconds.
    pub seconds: f64,
}

/// A stopwatch over consecutive phases: entering one ends the one before.
pub struct Phases {
    current: Option<(String, Instant)>,
    done: Vec<Phase>,
}

impl Phases {
    /// No phase yet.
    pub fn new() -> Phases {
        Phases {
            current: None,
            done: Vec::new(),
        }
    }

    /// Ends the running phase and starts `name`; a phase entered again while it runs goes on
    /// (a stage that reports progress many times is one phase). A name that came earlier and
    /// comes back after another adds to its first entry.
    pub fn enter(&mut self, name: &str) {
        if self.current.as_ref().is_some_and(|(n, _)| n == name) {
            return;
        }
        self.end();
        self.current = Some((name.to_owned(), Instant::now()));
    }

    /// Ends the running phase, if any.
    pub fn end(&mut self) {
        let Some((name, start)) = self.current.take() else {
            return;
        };
        let seconds = start.elapsed().as_secs_f64();
        match self.done.iter_mut().find(|p| p.name == name) {
            Some(p) => p.seconds += seconds,
            None => self.done.push(Phase { name, seconds }),
        }
    }

    /// Every phase in the order it first ran, seconds rounded to milliseconds.
    pub fn finish(mut self) -> Vec<Phase> {
        self.end();
        for p in &mut self.done {
            p.seconds = (p.seconds * 1e3).round() / 1e3;
        }
        self.done
    }
}

impl Default for Phases {
    fn default() -> Self {
        Phases::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_reported_again_stays_one_and_a_returning_one_adds_up() {
        let mut p = Phases::new();
        p.enter("a");
        p.enter("a");
        p.enter("b");
        p.enter("a");
        let done = p.finish();
        let names: Vec<&str> = done.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert!(done.iter().all(|p| p.seconds >= 0.0));
    }

    #[test]
    fn nothing_entered_is_no_phase() {
        assert!(Phases::new().finish().is_empty());
    }
}
