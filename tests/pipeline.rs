//! `roster::import::run` called directly, as the CLI, the server and the fuzz targets call it:
//! an input from memory, events observed while it runs, and an outcome the CLI's JSON matches.

use roster::import::{self, Events, ImportInput, ImportOptions, Quiet, Refusal, RunStatus, Stage};
use roster::plan::Mode;
use roster::store::Store;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
    )
    .expect("fixture")
}

/// A SQLite store in a new temporary directory, with the directory: hold it as long as the
/// store (dropping it deletes the directory).
fn temporary_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = roster::store::open(&roster::store::Location::Sqlite(
        dir.path().join("roster.db"),
    ))
    .expect("open");
    (dir, store)
}

/// Records every event, in order.
#[derive(Default)]
struct Recorder {
    progress: Vec<(Stage, u64, u64)>,
    phases: Vec<&'static str>,
}

impl Events for Recorder {
    fn progress(&mut self, stage: Stage, done: u64, total: u64) {
        self.progress.push((stage, done, total));
    }
    fn phase(&mut self, phase: &'static str, _: std::time::Duration) {
        self.phases.push(phase);
    }
}

#[test]
fn an_import_from_memory_applies_and_reports_its_events() {
    let (_dir, mut store) = temporary_store();
    let bytes = fixture("valid/staff.csv");
    let input = ImportInput::bytes("staff.csv", bytes.clone());
    let mut events = Recorder::default();
    let outcome =
        import::run(&mut store, input, &ImportOptions::new("lib"), &mut events).expect("run");
    assert_eq!(outcome.status, RunStatus::Completed);
    assert_eq!(outcome.refusal, None);
    assert_eq!(outcome.file.name, "staff.csv");
    assert_eq!(outcome.file.bytes, bytes.len() as u64);
    let created = outcome.summary.created;
    assert!(created > 0);
    assert_eq!(outcome.changes().count() as u64, created);
    assert_eq!(outcome.import_id, Some(1));
    assert_eq!(
        store.snapshot().expect("snapshot").members.len() as u64,
        created
    );
    // Each stage's start and end; apply also reports about every 5% between them (issue 17).
    let ends = events.progress.iter().filter(|p| p.1 == 0 || p.1 == p.2);
    let stages: Vec<Stage> = ends.map(|p| p.0).collect();
    assert!(
        events.progress.len() > stages.len(),
        "no progress within apply"
    );
    assert_eq!(
        stages,
        [
            Stage::Parse,
            Stage::Validate,
            Stage::Validate,
            Stage::Plan,
            Stage::Plan,
            Stage::Apply,
            Stage::Apply
        ]
    );
    assert_eq!(
        events.phases,
        ["parse", "validate", "snapshot", "plan", "check", "apply"]
    );
    // The same file again: nothing to do, and the plan id names that empty plan.
    let again = ImportOptions {
        dry_run: true,
        ..ImportOptions::new("lib")
    };
    let input = ImportInput::bytes("staff.csv", bytes);
    let outcome = import::run(&mut store, input, &again, &mut Quiet).expect("diff");
    assert_eq!(outcome.status, RunStatus::DryRun);
    assert!(!outcome.has_changes());
    assert_eq!(outcome.import_id, None);
    assert_eq!(outcome.plan_id.as_ref().map(String::len), Some(64));
}

#[test]
fn refusals_are_outcomes_with_their_exit_codes() {
    let (_dir, mut store) = temporary_store();
    let run = |store: &mut Store, text: &str, options: &ImportOptions| {
        let input = ImportInput::bytes("x.csv", text.as_bytes().to_vec());
        import::run(store, input, options, &mut Quiet).expect("run")
    };
    let options = ImportOptions::new("lib");
    let empty = run(&mut store, "", &options);
    assert_eq!(
        empty.refusal,
        Some(Refusal::File(roster::error::FileError::Empty))
    );
    assert_eq!((empty.exit_code(), empty.status), (1, RunStatus::Failed));
    let rows = run(&mut store, "email\nnot-an-email\na@x.org\n", &options);
    assert_eq!(
        rows.refusal,
        Some(Refusal::Rows {
            rows: 1,
            errors: 1,
            valid: 1
        })
    );
    assert_eq!(rows.exit_code(), 1);
    assert!(rows.error_report.is_some());
    let ten: String = (0..12).map(|i| format!("m{i}@x.org\n")).collect();
    run(&mut store, &format!("email\n{ten}"), &options);
    let sync = ImportOptions {
        mode: Mode {
            full_sync: true,
            ..Mode::default()
        },
        max_deactivations: Some("1".parse().expect("limit")),
        ..ImportOptions::new("lib")
    };
    let refused = run(&mut store, "email\nm0@x.org\n", &sync);
    assert!(matches!(refused.refusal, Some(Refusal::Rules(_))));
    assert_eq!(refused.exit_code(), 4);
    assert_eq!(refused.summary.deactivated, 11);
    // History holds each refusal, FAILED, and the store still has its twelve members.
    let history = store.imports().expect("imports");
    let statuses: Vec<&str> = history.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(statuses, ["FAILED", "COMPLETED", "FAILED", "FAILED"]);
    assert_eq!(store.snapshot().expect("snapshot").members.len(), 12);
}

/// Renders the report's changes beside the apply, as the CLI and the server do.
struct Beside(roster::report::prerender::Prerender);

impl Events for Beside {
    fn beside_apply(&mut self) -> Option<import::Beside> {
        Some(self.0.work())
    }
}

#[test]
fn changes_rendered_beside_the_apply_are_the_report_rendered_after_it() {
    use roster::report::{json, ndjson, prerender::Prerender};
    for as_ndjson in [false, true] {
        let (_dir, mut store) = temporary_store();
        let first = ImportInput::bytes("staff.csv", fixture("valid/staff.csv"));
        import::run(&mut store, first, &ImportOptions::new("lib"), &mut Quiet).expect("day 1");
        // Day two as a full sync: updates, deactivations and team changes.
        let mut options = ImportOptions::new("lib");
        options.mode.full_sync = true;
        let input = ImportInput::bytes("day2.csv", fixture("valid/staff_day2.csv"));
        let mut events = Beside(Prerender::of(as_ndjson));
        let outcome = import::run(&mut store, input, &options, &mut events).expect("day 2");
        assert_eq!(outcome.status, RunStatus::Completed);
        assert!(outcome.summary.deactivated > 0 && outcome.summary.updated > 0);
        let rendered = events.0.take().expect("rendered beside the apply");
        let (mut beside, mut after) = (Vec::new(), Vec::new());
        if as_ndjson {
            ndjson::write(&outcome, Some(&rendered), &mut beside).expect("write");
            ndjson::write(&outcome, None, &mut after).expect("write");
        } else {
            json::write_document(&outcome, Some(&rendered), &mut beside).expect("write");
            json::write_document(&outcome, None, &mut after).expect("write");
            // And both are serde's own pretty form of the document.
            let value: serde_json::Value = serde_json::from_slice(&after).expect("parses");
            assert_eq!(serde_json::to_vec_pretty(&value).expect("pretty"), after);
        }
        assert!(beside == after, "ndjson: {as_ndjson}");
        assert!(events.0.take().is_none(), "taken once");
    }
}

/// Rewrites the file once its rows are validated (when the plan starts), as an editor saving
/// it in the middle of an import would.
struct Rewriter {
    path: std::path::PathBuf,
    text: &'static str,
}

impl Events for Rewriter {
    fn progress(&mut self, stage: Stage, done: u64, _: u64) {
        if stage == Stage::Plan && done == 0 {
            std::fs::write(&self.path, self.text).expect("rewrite");
        }
    }
}

#[test]
fn a_conflict_with_the_store_is_reported_from_the_file_read_again_unless_it_changed() {
    let (dir, mut store) = temporary_store();
    let base = dir.path().join("base.csv");
    std::fs::write(&base, "external_id,email\nE1,ann@x.co\nE2,bob@x.co\n").expect("write");
    let options = ImportOptions::new("lib");
    let outcome = import::run(&mut store, ImportInput::path(&base), &options, &mut Quiet);
    assert_eq!(outcome.expect("base").status, RunStatus::Completed);
    let before = store.snapshot().expect("snapshot");
    // Row 2's email belongs to another member: an error only the store can tell, after the
    // file's rows were validated and dropped.
    let text = "external_id,email,first_name\nE1, BOB@x.co ,Ann\nE3,cy@x.co,Cy\n";
    let file = dir.path().join("next.csv");
    std::fs::write(&file, text).expect("write");
    let from_file = import::run(&mut store, ImportInput::path(&file), &options, &mut Quiet);
    let from_file = from_file.expect("from the file");
    assert!(matches!(from_file.refusal, Some(Refusal::Rows { .. })));
    let from_memory = ImportInput::bytes("next.csv", text.as_bytes().to_vec());
    let from_memory = import::run(&mut store, from_memory, &options, &mut Quiet).expect("bytes");
    let report = from_file.error_report.expect("an error report");
    assert_eq!(Some(&report), from_memory.error_report.as_ref());
    let report = String::from_utf8(report).expect("UTF-8");
    assert!(
        report.contains("\nE1, BOB@x.co ,Ann,2,email,Identity conflict"),
        "{report}"
    );
    assert_eq!(report.lines().count(), 2, "{report}");
    // The same file, changed before it could be read again: refused, nothing changed.
    let mut rewriter = Rewriter {
        path: file.clone(),
        text: "external_id,email,first_name\nE1,bob@x.co,Ann\nE3,cy@x.co,Cy\n",
    };
    std::fs::write(&file, text).expect("write");
    let changed = import::run(
        &mut store,
        ImportInput::path(&file),
        &options,
        &mut rewriter,
    );
    let changed = changed.expect("refused, not failed");
    assert!(matches!(changed.refusal, Some(Refusal::File(_))));
    assert_eq!(changed.status, RunStatus::Failed);
    let messages: Vec<&str> = changed.errors.iter().map(|e| e.message.as_str()).collect();
    let expected = format!(
        "Could not read {}: it changed while it was being imported",
        file.display()
    );
    assert_eq!(messages, [expected.as_str()]);
    let after = store.snapshot().expect("snapshot");
    assert_eq!(after.generation, before.generation);
    assert_eq!(after.members, before.members);
}
