//! Progress of a long import, reported at stage boundaries: `progress` events on the NDJSON
//! stream, or the message of the spinner on a terminal (`term::Term::progress`).
//!
//! Event: `{"event": "progress", "stage": "parse"|"validate"|"plan"|"apply", "done": n, "total": m}`.
//! `parse`, `validate` and `plan` count data rows, `apply` counts member changes. A stage reports
//! when it starts (`done` 0) and when it ends (`done` = `total`); `parse` only when it ends, as
//! its total is known then. At most seven events a run, so no throttling is needed.
//! Only files of at least [`MIN_ROWS`] data rows are long enough to report on.

use super::ndjson::write_event;
use indicatif::ProgressBar;
use serde_json::json;
use std::io::Write;

/// The fewest data rows for which NDJSON progress events are written.
pub const MIN_ROWS: u64 = 1000;

pub struct Progress {
    bar: ProgressBar,
    ndjson: bool,
    long: bool,
}

impl Progress {
    /// `bar` is hidden unless it should be drawn; `ndjson`: the run writes `--output ndjson`.
    pub fn new(bar: ProgressBar, ndjson: bool) -> Progress {
        Progress {
            bar,
            ndjson,
            long: false,
        }
    }

    /// The file has been parsed into `rows` data rows: decides whether the run is long.
    pub fn parsed(&mut self, rows: u64) {
        self.long = rows >= MIN_ROWS;
        self.stage("parse", rows, rows);
    }

    /// `stage` has done `done` of `total`.
    pub fn stage(&self, stage: &str, done: u64, total: u64) {
        let unit = if stage == "apply" { "changes" } else { "rows" };
        self.bar
            .set_message(format!("{stage}: {done} of {total} {unit}"));
        if self.ndjson && self.long {
            let mut out = std::io::stdout().lock();
            let event = json!({"stage": stage, "done": done, "total": total});
            // Progress is advisory: a closed stdout is reported by the summary, not here.
            write_event(&mut out, "progress", event).ok();
            out.flush().ok();
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
