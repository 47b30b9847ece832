//! Progress reporting for long work: a bar with ETA on a terminal, plain
//! log lines otherwise, nothing with `--quiet`.

use std::io::IsTerminal;
use std::time::Instant;

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    /// indicatif bars on stderr.
    Bar,
    /// One line on stderr at every 10 % (and at the end).
    Lines,
    /// Nothing.
    Quiet,
}

/// Creates progress tasks; cheap to clone and pass to `fit`.
#[derive(Clone, Debug)]
pub struct Progress {
    mode: ProgressMode,
}

impl Progress {
    /// Bars on a terminal, lines otherwise; nothing if `quiet`.
    pub fn new(quiet: bool) -> Self {
        let mode = if quiet {
            ProgressMode::Quiet
        } else if std::io::stderr().is_terminal() {
            ProgressMode::Bar
        } else {
            ProgressMode::Lines
        };
        Progress { mode }
    }

    /// A progress sink that shows nothing (tests, library use).
    pub fn hidden() -> Self {
        Progress {
            mode: ProgressMode::Quiet,
        }
    }

    /// The chosen mode.
    pub fn mode(&self) -> ProgressMode {
        self.mode
    }

    /// Starts a task of `total` steps labelled `name`.
    pub fn task(&self, name: &str, total: u64) -> Task {
        let bar = (self.mode == ProgressMode::Bar).then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix:>18} [{bar:30}] {pos}/{len} {msg} (eta {eta})",
                )
                .expect("static template is valid")
                .progress_chars("=> "),
            );
            bar.set_prefix(name.to_string());
            bar
        });
        Task {
            name: name.to_string(),
            total,
            done: 0,
            mode: self.mode,
            bar,
            started: Instant::now(),
            last_decile: 0,
            message: String::new(),
        }
    }

    /// Prints a one-line message (not in quiet mode).
    pub fn log(&self, message: &str) {
        if self.mode != ProgressMode::Quiet {
            eprintln!("{message}");
        }
    }
}

/// One unit of long work being tracked.
#[derive(Debug)]
pub struct Task {
    name: String,
    total: u64,
    done: u64,
    mode: ProgressMode,
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    last_decile: u64,
    message: String,
}

impl Task {
    /// Advances by `n` steps.
    pub fn inc(&mut self, n: u64) {
        self.done = (self.done + n).min(self.total.max(self.done + n));
        if let Some(bar) = &self.bar {
            bar.inc(n);
        } else if self.mode == ProgressMode::Lines && self.total > 0 {
            let decile = self.done * 10 / self.total;
            if decile > self.last_decile && decile < 10 {
                self.last_decile = decile;
                eprintln!(
                    "{}: {}/{} ({}%) {:.1}s {}",
                    self.name,
                    self.done,
                    self.total,
                    decile * 10,
                    self.started.elapsed().as_secs_f64(),
                    self.message
                );
            }
        }
    }

    /// Sets the message shown next to the bar (e.g. the current loss).
    pub fn set_message(&mut self, message: impl Into<String>) {
        self.message = message.into();
        if let Some(bar) = &self.bar {
            bar.set_message(self.message.clone());
        }
    }

    /// Marks the task finished and reports the elapsed time.
    pub fn finish(self) {
        let secs = self.started.elapsed().as_secs_f64();
        match (&self.bar, self.mode) {
            (Some(bar), _) => bar.finish_and_clear(),
            (None, ProgressMode::Lines) => {
                eprintln!("{}: done in {secs:.1}s {}", self.name, self.message)
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_progress_counts_without_output() {
        let p = Progress::hidden();
        let mut t = p.task("x", 5);
        for _ in 0..5 {
            t.inc(1);
        }
        assert_eq!(t.done, 5);
        t.finish();
    }

    #[test]
    fn quiet_wins_over_terminal() {
        assert_eq!(Progress::new(true).mode(), ProgressMode::Quiet);
    }
}
