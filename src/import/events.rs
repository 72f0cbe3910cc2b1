//! What a caller observes of a running import: progress through the stages, and how long each
//! phase took. The pipeline reports; the face decides what to show (a spinner, NDJSON
//! `progress` events, a server's stream, phase timings for the benchmark).

use crate::plan::{Plan, Summary};

/// A stage of the pipeline, as progress names it (SPEC §10: `parse`, `validate`, `plan`,
/// `apply`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Parse,
    Validate,
    Plan,
    Apply,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::Validate => "validate",
            Stage::Plan => "plan",
            Stage::Apply => "apply",
        }
    }

    /// What `done` and `total` count: data rows, or member changes for `apply`.
    pub fn unit(self) -> &'static str {
        match self {
            Stage::Apply => "changes",
            _ => "rows",
        }
    }
}

/// See [`Events::beside_apply`].
pub type Beside = Box<dyn FnOnce(&Plan) + Send>;

/// The observer of one import. Every method has a default that ignores the event.
pub trait Events {
    /// `stage` has done `done` of `total`. A stage reports when it starts (`done` 0), about
    /// every 5% of `total` while it runs (`done` rising), and when it ends (`done` = `total`).
    /// `parse` has no start: its `total` is an estimate from the file's lines (or a JSON
    /// array's items) until its end, which gives the data rows counted.
    fn progress(&mut self, stage: Stage, done: u64, total: u64) {
        let _ = (stage, done, total);
    }

    /// The plan passed every check and is about to be applied (never called for a dry run):
    /// `false` cancels the run, which then ends refused ([`super::Refusal::Cancelled`]) and
    /// is recorded as failed. The CLI asks the operator here on a terminal (SPEC §15).
    fn confirm(&mut self, plan: &Plan, summary: &Summary) -> bool {
        let _ = (plan, summary);
        true
    }

    /// Work to run on a second core while the store applies the plan (called once, just
    /// before the apply; never for a dry run or a refusal): a face renders its answer's
    /// changes here, so that writing a large report costs no time after the apply.
    fn beside_apply(&mut self) -> Option<Beside> {
        None
    }

    /// Another import holds the lock; this one waits for it (`--wait`). Called once.
    fn waiting(&mut self) {}

    /// A phase of the run ended after `elapsed` (`parse`, `validate`, `snapshot`, `plan`,
    /// `check`, `apply`).
    fn phase(&mut self, phase: &'static str, elapsed: std::time::Duration) {
        let _ = (phase, elapsed);
    }
}

/// An observer that ignores everything.
pub struct Quiet;

impl Events for Quiet {}

/// Times the phases of a run and hands each to the observer.
pub(super) struct Laps {
    at: std::time::Instant,
}

impl Laps {
    pub(super) fn start() -> Laps {
        Laps {
            at: std::time::Instant::now(),
        }
    }

    pub(super) fn lap(&mut self, events: &mut dyn Events, phase: &'static str) {
        let now = std::time::Instant::now();
        events.phase(phase, now - self.at);
        self.at = now;
    }
}
