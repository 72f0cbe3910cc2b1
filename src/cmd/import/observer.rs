//! The CLI's observer of an import: the spinner or NDJSON progress, the question before a
//! harmful plan (SPEC §15), the line while waiting for the lock, phase timings.

use crate::error::msg;
use crate::import::{Beside, Events, Stage};
use crate::plan::{Plan, Summary};
use crate::report::plan_text::{self, PlanView};
use crate::report::prerender::Prerender;
use crate::report::progress::Progress;
use crate::term::Term;
use std::io::Write;

/// The CLI's observer: the spinner or NDJSON progress, and phase timings on stderr when
/// `ROSTER_TIMINGS` is set (for the benchmark).
pub(super) struct Observer {
    pub progress: Progress,
    pub timings: bool,
    pub term: Term,
    pub wait: Option<std::time::Duration>,
    /// Ask before applying a plan that deactivates members or removes memberships (SPEC §15):
    /// only on a terminal, never under `--yes`, `--dry-run` or `diff`.
    pub ask: bool,
    /// The plan was shown with the question (and so is not printed again with the report).
    pub asked: bool,
    /// The JSON or NDJSON list of changes, rendered beside the apply.
    pub prerender: Option<Prerender>,
}

impl Observer {
    /// stdin and stderr are both terminals: someone is there to answer.
    pub fn at_a_terminal() -> bool {
        use std::io::IsTerminal;
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }
}

impl Events for Observer {
    fn progress(&mut self, stage: Stage, done: u64, total: u64) {
        self.progress.progress(stage, done, total);
    }

    fn confirm(&mut self, plan: &Plan, summary: &Summary) -> bool {
        if !self.ask || (summary.deactivated == 0 && summary.memberships_removed == 0) {
            return true;
        }
        self.progress.finish();
        let view = PlanView {
            color: self.term.color,
            // The plan goes to stderr with the question: that terminal's width.
            width: crate::term::stderr_columns().unwrap_or(crate::term::DEFAULT_WIDTH),
            ..PlanView::default()
        };
        self.asked = true;
        let mut err = std::io::stderr().lock();
        let shown = plan_text::write(plan, &view, &mut err)
            .and_then(|()| write!(err, "\n{} ", msg::CONFIRM))
            .and_then(|()| err.flush());
        drop(err);
        let mut answer = String::new();
        if shown.is_err() || std::io::stdin().read_line(&mut answer).is_err() {
            return false;
        }
        matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
    }

    fn beside_apply(&mut self) -> Option<Beside> {
        self.prerender.as_ref().map(Prerender::work)
    }

    fn waiting(&mut self) {
        let how_long = match self.wait {
            Some(w) if w < std::time::Duration::MAX => format!(" (up to {}s)", w.as_secs()),
            _ => String::new(),
        };
        self.term.note(&format!(
            "another import is being applied; waiting for it to finish{how_long}..."
        ));
    }

    fn phase(&mut self, phase: &'static str, elapsed: std::time::Duration) {
        if self.timings {
            crate::report::progress::print_phase(phase, elapsed);
        }
    }
}
