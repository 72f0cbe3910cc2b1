//! Progress of a long import: `progress` events on the NDJSON stream, or the message of the
//! spinner on a terminal (`term::Term::progress`).
//!
//! Event: `{"event": "progress", "stage": "parse"|"validate"|"plan"|"apply", "done": n, "total": m}`.
//! `parse`, `validate` and `plan` count data rows, `apply` counts member changes. A stage reports
//! when it starts (`done` 0), about every 5% while it runs, and when it ends (`done` =
//! `total`); `parse` has no start, and its `total` is an estimate (the file's lines) until its
//! end. So a run has at most about 83 events.
//! Only files of at least [`MIN_ROWS`] data rows are long enough to report on, by event or bar.

use super::ndjson::write_event;
use super::plan_text::fit::truncate;
use crate::import::{Events, Stage};
use crate::term::Term;
use indicatif::ProgressBar;
use serde_json::json;
use std::io::Write;

/// The fewest data rows for which NDJSON progress events are written.
pub const MIN_ROWS: u64 = 1000;

pub struct Progress {
    /// The one spinner of the run, drawn in place from stage to stage; `None` before a long
    /// run's parse ends and after [`Progress::finish`].
    bar: Option<ProgressBar>,
    /// The terminal a spinner may be drawn on (table output).
    spinner: Option<Term>,
    ndjson: bool,
    long: bool,
}

impl Progress {
    /// `spinner`: the terminal for a spinner (`Term::progress` decides whether one is drawn);
    /// `ndjson`: the run writes `--output ndjson`.
    pub fn new(spinner: Option<Term>, ndjson: bool) -> Progress {
        Progress {
            bar: None,
            spinner,
            ndjson,
            long: false,
        }
    }

    /// Erases the spinner (before the question, or at the end); a later stage draws a new one
    /// on the line below what was printed meanwhile.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Events for Progress {
    fn progress(&mut self, stage: Stage, done: u64, total: u64) {
        if stage == Stage::Parse {
            // Parse reports as it goes, its total an estimate until its end: the run is long
            // when that says so (SPEC §10: the bar is for long runs).
            self.long = total >= MIN_ROWS;
        }
        if self.bar.is_none() && self.long {
            // One spinner for the whole run: a second would draw on its own line in turn.
            self.bar = self.spinner.map(|term| term.progress());
        }
        if let Some(bar) = &self.bar {
            let message = format!("{}: {done} of {total} {}", stage.as_str(), stage.unit());
            // On one line: the spinner, a space, and two columns spare (`term::SpinnerLine`).
            let room = crate::term::stderr_columns().map_or(usize::MAX, |c| c.saturating_sub(4));
            bar.set_message(truncate(&message, room).into_owned());
        }
        if self.ndjson && self.long {
            let mut out = std::io::stdout().lock();
            let event = json!({"stage": stage.as_str(), "done": done, "total": total});
            // Progress is advisory: a closed stdout is reported by the summary, not here.
            write_event(&mut out, "progress", event).ok();
            out.flush().ok();
        }
    }
}

/// A phase's time and the process's memory on stderr (`ROSTER_TIMINGS`, for the benchmarks).
pub fn print_phase(phase: &str, elapsed: std::time::Duration) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    eprintln!(
        "phase {phase:<9} {:>8.3} s  rss {:>5} MB  peak {:>5} MB",
        elapsed.as_secs_f64(),
        mb("VmRSS:"),
        mb("VmHWM:")
    );
}
