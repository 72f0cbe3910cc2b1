//! What an import returns: an owned value from which any face renders its report (a table,
//! the JSON document, NDJSON events, an HTTP response) and picks its exit or status code.

use crate::error::{Error, FileError, RowError, Rule};
use crate::plan::wire::ChangeJson;
use crate::plan::{Plan, Summary};
use crate::resolve::Resolved;

/// The file as the report names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileInfo {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    pub encoding: String,
}

/// How the run ended (`status` of SPEC §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Completed,
    Failed,
    DryRun,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Completed => "COMPLETED",
            RunStatus::Failed => "FAILED",
            RunStatus::DryRun => "DRY_RUN",
        }
    }
}

/// Why a run changed nothing: each is a refusal the contract names, with its exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A file-level error (SPEC §4): exit 1.
    File(FileError),
    /// Row errors without `--skip-invalid` (SPEC §5): exit 1. `rows` rows hold `errors` errors;
    /// `valid` members would apply if the errored rows were skipped.
    Rows {
        rows: usize,
        errors: usize,
        valid: u64,
    },
    /// Broken safety rules, or a changed plan under `--expect-plan` (SPEC §8): exit 4.
    Rules(Vec<Rule>),
    /// The face asked before applying ([`super::Events::confirm`]) and was told no: exit 1.
    Cancelled,
    /// A revert refused (SPEC §16): exit 1.
    Revert(crate::error::RevertRefusal),
}

impl Refusal {
    /// The refusal as the error a face reports; `details` and `hints` are the lines a face
    /// lists under a row refusal's message.
    pub fn to_error(&self, details: Vec<String>, hints: Vec<String>) -> Error {
        match self {
            Refusal::File(e) => Error::File(e.clone()),
            Refusal::Rows { rows, errors, .. } => Error::Rows {
                count: *rows,
                errors: *errors,
                details,
                hints,
            },
            Refusal::Rules(rules) => Error::Refused(rules.clone()),
            Refusal::Cancelled => Error::Cancelled,
            Refusal::Revert(r) => Error::Revert(r.clone()),
        }
    }

    /// The contract's messages, one per line, as history records them.
    pub fn messages(&self) -> Vec<String> {
        self.to_error(Vec::new(), Vec::new()).messages()
    }

    /// The exit code of SPEC §11: 1, or 4 for a safety rule.
    pub fn exit_code(&self) -> u8 {
        self.to_error(Vec::new(), Vec::new()).exit_code()
    }
}

self_cell::self_cell!(
    /// The plan with the file's records it borrows (a created member is its record, not a
    /// copy): owned together, so that an outcome can leave the pipeline.
    pub struct Planned {
        owner: Resolved,
        #[covariant]
        dependent: Plan,
    }
);

impl std::fmt::Debug for Planned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Planned({} changes)",
            self.borrow_dependent().changes.len()
        )
    }
}

/// The result of one import or diff.
#[derive(Debug)]
pub struct Outcome {
    /// The history row's id (`None` for a dry run, which records nothing).
    pub import_id: Option<i64>,
    pub plan_id: Option<String>,
    pub dry_run: bool,
    pub status: RunStatus,
    pub full_sync: bool,
    /// The import this run reverts (mode `revert`).
    pub reverts: Option<i64>,
    pub file: FileInfo,
    pub summary: Summary,
    /// Row errors, then (for a rules refusal) each broken rule's message.
    pub errors: Vec<RowError>,
    pub warnings: Vec<String>,
    /// The error report CSV: the errored rows with `error_row`, `error_column`,
    /// `error_message`; built when a row has an error, or when the options ask for it.
    pub error_report: Option<Vec<u8>>,
    /// Why nothing changed, when the run was refused.
    pub refusal: Option<Refusal>,
    pub(super) planned: Option<Planned>,
}

impl Outcome {
    /// `additive` or `full_sync`.
    pub fn mode(&self) -> &'static str {
        match self.reverts {
            Some(_) => "revert",
            None => crate::plan::Mode::name_of(self.full_sync),
        }
    }

    /// Frees the outcome on a thread of its own: a million records are as many allocations,
    /// which a server answering meanwhile need not wait for.
    pub fn free_beside(self) {
        crate::parallel::drop_beside(self);
    }

    /// Ends the outcome without freeing its records and plan, for a process about to exit:
    /// freeing a million records one by one takes tens of milliseconds that the exit does at
    /// once. Nothing in an outcome needs its drop to run: it holds memory only, no file, lock
    /// or connection.
    pub fn leave_unfreed(self) {
        std::mem::forget(self);
    }

    /// The plan, when the run got that far (a file-level error stops before it).
    pub fn plan(&self) -> Option<&Plan<'_>> {
        self.planned.as_ref().map(|p| p.borrow_dependent())
    }

    /// Each change in its wire form (SPEC §10), ready to serialize.
    pub fn changes(&self) -> impl Iterator<Item = ChangeJson<'_, '_>> {
        self.plan()
            .into_iter()
            .flat_map(|p| p.changes.iter().map(ChangeJson))
    }

    /// Rows with at least one error ("3 rows have 5 errors": 3 rows, however many errors each).
    pub fn errored_rows(&self) -> usize {
        let rows: std::collections::HashSet<u32> =
            self.errors.iter().filter_map(|e| e.row).collect();
        rows.len() + self.errors.iter().filter(|e| e.row.is_none()).count()
    }

    /// Whether the plan changes anything (`--detailed-exitcode`).
    pub fn has_changes(&self) -> bool {
        self.plan().is_some_and(|p| p.has_changes())
    }

    /// The exit code of SPEC §11 for this outcome: 0, 1 or 4 (3 is the CLI's to add).
    pub fn exit_code(&self) -> u8 {
        self.refusal.as_ref().map_or(0, Refusal::exit_code)
    }
}
