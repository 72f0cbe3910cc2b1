//! The import as a library call: the one place the stages are strung together.
//! input -> decode -> parse -> validate -> resolve -> plan -> policy -> apply.
//!
//! Every face calls [`run`]: the CLI (`import`, `diff`), the sync server, the tests and the fuzz
//! targets. It takes no terminal and no flags, writes nothing to stdout or stderr, reads no
//! environment variable, and returns an owned [`Outcome`] that the face renders.
//!
//! Parallelism: the snapshot loads on a second handle of the store while this thread reads and
//! validates the file, and the history row (with the compressed original) is written on a third
//! while the file is parsed, validated and planned. A dry run records nothing.

mod events;
mod mojibake;
mod options;
mod outcome;
mod revert;
pub mod shrink;
mod steps;

pub use events::{Beside, Events, Quiet, Stage};
pub use options::{DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, ImportInput, ImportOptions};
pub use outcome::{FileInfo, Outcome, Planned, Refusal, RunStatus};
pub use revert::revert;
pub use steps::parse_percent;

use crate::error::{Error, FileError, Result, RowError, StoreError};
use crate::input;
use crate::parallel;
use crate::plan::Summary;
use crate::store::shared::Original;
use crate::store::{Guard, ImportMeta, Store};
use events::Laps;
use std::sync::Arc;
use steps::Prepared;

/// Runs one import (or, with `options.dry_run`, one diff) of `input` into `store`.
///
/// `Ok` carries every outcome the contract reports: applied, dry run, and refusals (a file-level
/// error, row errors, broken safety rules), each recorded in history unless it is a dry run.
/// `Err` is a failure to run at all: the store could not be read or written, or another import
/// holds the lock (`StoreError::Busy`, exit 5).
pub fn run(
    store: &mut Store,
    input: ImportInput,
    options: &ImportOptions,
    events: &mut dyn Events,
) -> Result<Outcome> {
    let _guard = match options.dry_run {
        true => None,
        false => Some(lock(store, options.wait, events)?),
    };
    let (catalog, settings) = store.definitions()?;
    let second = store.reopen()?;
    let mut laps = Laps::start();
    let name = options.file_name.clone().unwrap_or_else(|| input.name());
    let mut outcome = Outcome::begin(options, &name);
    let max_bytes = options
        .max_bytes
        .or(settings.max_bytes)
        .unwrap_or(DEFAULT_MAX_BYTES);
    let path = match &input.source {
        input::Source::Path(path) => Some(path.clone()),
        _ => None,
    };
    let read = input::read(input.source, max_bytes);
    let input = match read {
        Ok(input) => Arc::new(input),
        Err(e) => {
            // The snapshot is not needed: drop the second handle unused.
            drop(second);
            if !options.dry_run {
                let meta = meta(options, &outcome.file);
                outcome.import_id = Some(store.record_import(&meta, Original::none())?);
            }
            return refuse_file(store, outcome, e);
        }
    };
    outcome.file.bytes = input.bytes.len() as u64;
    outcome.file.encoding = crate::decode::encoding_name(&input, options.encoding.as_deref());
    let mut meta = meta(options, &outcome.file);
    let for_history = Arc::clone(&input);
    let dry_run = options.dry_run;
    let history = &mut *store;
    let snapshot_gate = parallel::Gate::default();
    // The file's SHA-256 (history's, and the report's) is taken beside the parse, not before it.
    let ((sha256, recorded), prepared) = parallel::join(
        || {
            let mut opener = Some(snapshot_gate.opener());
            if !holds_snapshot_for_original(history, dry_run, for_history.bytes.len()) {
                opener = None;
            }
            meta.sha256 = input::sha256_hex(&for_history.bytes);
            let recorded = match dry_run {
                true => Ok(None),
                // The bytes go once compressed: the row's write and commit need them no more.
                false => history
                    .original_for(&meta.sha256, &for_history.bytes)
                    .and_then(|original| {
                        drop((for_history, opener));
                        history.record_import(&meta, original).map(Some)
                    }),
            };
            (meta.sha256, recorded)
        },
        || {
            let max_rows = options
                .max_rows
                .or(settings.max_rows)
                .unwrap_or(DEFAULT_MAX_ROWS);
            let context = steps::Context {
                options,
                catalog: &catalog,
                max_rows,
                file_name: &name,
                path: path.as_deref(),
                snapshot_gate: &snapshot_gate,
            };
            steps::prepare(input, second, &context, events, &mut laps)
        },
    );
    outcome.file.sha256 = sha256;
    outcome.import_id = recorded?;
    match prepared? {
        Prepared::FileError(e) => refuse_file(store, outcome, e),
        Prepared::Planned(planned)
            if planned
                .reread_sha256
                .as_ref()
                .is_some_and(|second| *second != outcome.file.sha256) =>
        {
            let e = FileError::Unreadable {
                path: path.map_or(name, |p| p.display().to_string()),
                reason: CHANGED_WHILE_READ.to_string(),
            };
            refuse_file(store, outcome, e)
        }
        Prepared::Planned(planned) => finish(store, outcome, *planned, options, events, &mut laps),
    }
}

/// Files from this size on are large enough for [`holds_snapshot_for_original`] (64 MiB:
/// about 600,000 rows). The wait costs a next-day full sync about 5% of its time (1M: 3.3-3.5
/// against 3.5-3.7 s; 200k: 0.71 against 0.74 s), worth it only where the peak nears 400 MB.
const GATED_FROM_BYTES: usize = 64 << 20;

/// Whether the snapshot's load waits until the file's new original is compressed (and its
/// bytes let go): otherwise, with three threads on two cores, the compression can end after
/// the parse, and a million rows' bytes, table and snapshot are resident together (405-413
/// MB). A dry run keeps no original; a file of a size history keeps is most likely the same
/// file, which is not compressed (the nightly no-op, whose snapshot is on its critical path).
fn holds_snapshot_for_original(history: &Store, dry_run: bool, bytes: usize) -> bool {
    !dry_run && bytes >= GATED_FROM_BYTES && !history.keeps_original_of_size(bytes).unwrap_or(true)
}

/// Why a file read a second time (for the rows of its error report) is refused.
const CHANGED_WHILE_READ: &str = "it changed while it was being imported";

/// Takes the import lock, waiting up to `wait` while another import holds it.
fn lock(
    store: &Store,
    wait: Option<std::time::Duration>,
    events: &mut dyn Events,
) -> Result<Guard> {
    let deadline = wait.and_then(|w| std::time::Instant::now().checked_add(w));
    let forever = wait.is_some() && deadline.is_none();
    let mut told = false;
    loop {
        match store.lock_imports() {
            Err(StoreError::Busy)
                if forever || deadline.is_some_and(|d| std::time::Instant::now() < d) =>
            {
                if !told {
                    events.waiting();
                    told = true;
                }
                std::thread::sleep(LOCK_POLL);
            }
            taken => return Ok(taken?),
        }
    }
}

/// How often a waiting import tries the lock again.
const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// What history records of an import before it runs.
fn meta(options: &ImportOptions, file: &FileInfo) -> ImportMeta {
    ImportMeta {
        operator: options.operator.clone(),
        file_name: file.name.clone(),
        sha256: file.sha256.clone(),
        bytes: file.bytes,
        encoding: file.encoding.clone(),
        mode: options.mode.name().to_string(),
        options: options.history_json(),
    }
}

/// A file-level error: recorded (unless a dry run), reported with its message as the one error.
fn refuse_file(
    store: &mut Store,
    mut outcome: Outcome,
    e: crate::error::FileError,
) -> Result<Outcome> {
    let message = e.to_string();
    if let Some(id) = outcome.import_id {
        store.fail_import(id, &message, None, None)?;
    }
    outcome.errors = vec![RowError::unplaced(e.code(), message)];
    outcome.refusal = Some(Refusal::File(e));
    Ok(outcome)
}

/// After the plan: the refusals, the dry run, or the apply.
fn finish(
    store: &mut Store,
    mut outcome: Outcome,
    planned: steps::PlannedRun,
    options: &ImportOptions,
    events: &mut dyn Events,
    laps: &mut Laps,
) -> Result<Outcome> {
    let steps::PlannedRun {
        planned,
        snapshot,
        errors,
        warnings,
        error_report,
        reread_sha256: _,
    } = planned;
    // A million stored members are as many allocations to free: not on this thread.
    let snapshot = parallel::DropBeside::new(snapshot);
    let plan = planned.borrow_dependent();
    outcome.summary = plan.summary.clone();
    outcome.errors = errors;
    outcome.warnings = warnings;
    outcome.warnings.extend(mojibake::question_marks(plan));
    outcome.error_report = error_report;
    // History keeps an error report only when a row had an error.
    let row_errors = !outcome.errors.is_empty();
    let summary = serde_json::to_value(&outcome.summary).unwrap_or_default();
    let plan_id = std::sync::OnceLock::new();
    let id_of_plan = || plan_id.get_or_init(|| plan.id(snapshot.generation)).clone();
    if let Some(refusal) = steps::check(plan, &snapshot, options, &outcome.errors, &id_of_plan)? {
        outcome.plan_id = Some(id_of_plan());
        if let Refusal::Rules(rules) = &refusal {
            outcome
                .errors
                .extend(rules.iter().map(crate::error::Rule::to_error_object));
        }
        if let Some(id) = outcome.import_id {
            let message = refusal.messages().join("\n");
            let report = outcome.error_report.as_deref().filter(|_| row_errors);
            store.fail_import(id, &message, Some(&summary), report)?;
        }
        outcome.refusal = Some(refusal);
        outcome.planned = Some(planned);
        return Ok(outcome);
    }
    if options.dry_run {
        outcome.plan_id = Some(id_of_plan());
        outcome.status = RunStatus::DryRun;
        outcome.planned = Some(planned);
        return Ok(outcome);
    }
    if !events.confirm(plan, &outcome.summary) {
        if let Some(id) = outcome.import_id {
            let message = Refusal::Cancelled.messages().join("\n");
            store.fail_import(id, &message, Some(&summary), None)?;
        }
        outcome.plan_id = Some(id_of_plan());
        outcome.refusal = Some(Refusal::Cancelled);
        outcome.planned = Some(planned);
        return Ok(outcome);
    }
    let import_id = outcome.import_id.unwrap_or_default();
    laps.lap(events, "check");
    let changes = plan.changes.len() as u64;
    events.progress(Stage::Apply, 0, changes);
    // The plan is hashed on the second core after the audit is encoded, while the store writes
    // the members; a prerendered document (the face's work) on a thread of its own.
    let hash_plan = || {
        id_of_plan();
    };
    let face_work = events.beside_apply();
    let mut apply = || {
        let mut progress = |done| events.progress(Stage::Apply, done, changes);
        store.apply(
            import_id,
            plan,
            &snapshot,
            &summary,
            &options.operator,
            &mut progress,
            &hash_plan,
        )
    };
    let applied = match face_work {
        Some(work) => parallel::join(|| work(plan), apply).1,
        None => apply(),
    };
    if let Err(e) = applied {
        store
            .fail_import(import_id, &e.to_string(), Some(&summary), None)
            .ok();
        return Err(Error::Store(e));
    }
    events.progress(Stage::Apply, changes, changes);
    if let Some(report) = outcome.error_report.as_deref().filter(|_| row_errors) {
        store.set_import_errors(import_id, report)?;
    }
    laps.lap(events, "apply");
    outcome.plan_id = Some(id_of_plan());
    outcome.status = RunStatus::Completed;
    outcome.planned = Some(planned);
    Ok(outcome)
}

impl Outcome {
    fn begin(options: &ImportOptions, name: &str) -> Outcome {
        Outcome {
            import_id: None,
            plan_id: None,
            dry_run: options.dry_run,
            status: RunStatus::Failed,
            full_sync: options.mode.full_sync,
            reverts: None,
            file: FileInfo {
                name: name.to_string(),
                ..FileInfo::default()
            },
            summary: Summary::default(),
            errors: Vec::new(),
            warnings: Vec::new(),
            error_report: None,
            refusal: None,
            planned: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On SQLite, and on PostgreSQL too when `ROSTER_TEST_PG` names a cluster.
    #[test]
    fn only_a_large_new_original_holds_the_snapshot_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut locations = vec![crate::store::Location::Sqlite(dir.path().join("s.db"))];
        if let Ok(url) = std::env::var("ROSTER_TEST_PG") {
            let schema = format!("gate_{}", std::process::id());
            locations.push(crate::store::Location::parse(&format!(
                "{url}?schema={schema}"
            )));
        }
        for location in locations {
            holds_back_only_a_large_new_original(crate::store::open(&location).unwrap());
        }
    }

    fn holds_back_only_a_large_new_original(mut store: Store) {
        let large = GATED_FROM_BYTES;
        assert!(holds_snapshot_for_original(&store, false, large));
        assert!(!holds_snapshot_for_original(&store, true, large));
        assert!(!holds_snapshot_for_original(&store, false, large - 1));
        let meta = ImportMeta {
            bytes: large as u64,
            ..ImportMeta::default()
        };
        let original = Original::compress(b"email\nann@x.co\n").unwrap();
        store.record_import(&meta, original).unwrap();
        assert!(!holds_snapshot_for_original(&store, false, large));
        assert!(holds_snapshot_for_original(&store, false, large + 1));
    }
}
