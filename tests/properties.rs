//! Properties over random rosters (random subsets of members, random field values with
//! Unicode, formula characters, quotes, line breaks and blanks):
//! (a) importing the same file twice gives an empty second plan;
//! (b) export then full-sync import of the export gives an empty plan;
//! (c) a refused import (an invalid row, or a full sync over the deactivation limit) leaves
//!     the store equal.
//! (a) and (b) call the library's import (`roster::import::run`) on a temporary store; (c) drives
//! the binary.

use crate::harness::Roster;
use clap::Parser;
use proptest::prelude::*;
use roster::import::{self, ImportInput, ImportOptions, Outcome, Quiet, Refusal, RunStatus};
use roster::model::Status;
use roster::parse::InputFormat;
use roster::plan::Mode;
use roster::store::{StateChange, Store};
use std::path::Path;

const SLOTS: usize = 12;

#[derive(Debug, Clone)]
struct Person {
    slot: usize,
    upper: bool,
    ext: bool,
    cells: [String; 4],
    role: Option<&'static str>,
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[A-Za-z]{1,8}",
        "[ A-Za-zéöüßø李雷'=+@,\"\n\\-]{0,10}",
        Just("\u{00A0}Zoë\u{200B}".to_string()),
        Just("'=SUM(A1)".to_string()),
    ]
}

fn person() -> impl Strategy<Value = Person> {
    (
        any::<bool>(),
        any::<bool>(),
        [value(), value(), value(), value()],
        proptest::option::of(prop_oneof![Just("owner"), Just("admin"), Just("member")]),
    )
        .prop_map(|(upper, ext, cells, role)| Person {
            slot: 0,
            upper,
            ext,
            cells,
            role,
        })
}

/// A random subset of the slots (at least one), each with random values.
fn roster() -> impl Strategy<Value = Vec<Person>> {
    proptest::collection::vec((any::<bool>(), person()), SLOTS).prop_map(|v| {
        let mut people: Vec<Person> = v
            .into_iter()
            .enumerate()
            .filter(|(_, (keep, _))| *keep)
            .map(|(slot, (_, p))| Person { slot, ..p })
            .collect();
        if people.is_empty() {
            people.push(Person {
                slot: 0,
                upper: false,
                ext: true,
                cells: Default::default(),
                role: None,
            });
        }
        people
    })
}

fn csv_text(people: &[Person], invalid_at: Option<usize>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "email",
        "external_id",
        "first_name",
        "last_name",
        "name",
        "job_title",
        "organization_role",
    ])
    .unwrap();
    for (i, p) in people.iter().enumerate() {
        if invalid_at == Some(i) {
            w.write_record(["bad@", "", "", "", "", "", ""]).unwrap();
        }
        let email = format!("p{}@example.com", p.slot);
        let email = if p.upper { email.to_uppercase() } else { email };
        let ext = if p.ext {
            format!("X{}", p.slot)
        } else {
            String::new()
        };
        let [a, b, c, d] = &p.cells;
        w.write_record([email.as_str(), &ext, a, b, c, d, p.role.unwrap_or("")])
            .unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The library's import of `text` (a dry run unless `apply`), asserting the file is valid. The
/// safety rules may still refuse it (a random file may demote the last owner); its plan is
/// there all the same.
fn import(store: &mut Store, text: &str, mode: &Mode, apply: bool) -> Outcome {
    let options = ImportOptions {
        dry_run: !apply,
        mode: mode.clone(),
        input_format: InputFormat::Csv,
        // A child process the other tests fork may hold the lock file's descriptor for an
        // instant after this thread let the lock go (until its exec closes it).
        wait: Some(std::time::Duration::from_secs(10)),
        ..ImportOptions::new("prop")
    };
    let input = ImportInput::bytes("p.csv", text.as_bytes().to_vec());
    let outcome = import::run(store, input, &options, &mut Quiet).unwrap();
    let row_errors = outcome.errors.iter().filter(|e| e.row.is_some()).count();
    assert_eq!(row_errors, 0, "{text}: {:?}", outcome.errors);
    assert!(
        matches!(outcome.refusal, None | Some(Refusal::Rules(_))),
        "{text}: {:?}",
        outcome.refusal
    );
    outcome
}

/// Applies `text`; false when a safety rule refused it.
fn apply(store: &mut Store, text: &str, mode: &Mode) -> bool {
    let outcome = import(store, text, mode, true);
    outcome.status == RunStatus::Completed
}

fn mode(full_sync: bool, invite: bool) -> Mode {
    Mode {
        full_sync,
        invite,
        ..Mode::default()
    }
}

fn open(dir: &Path) -> Store {
    roster::store::open(&roster::store::Location::Sqlite(dir.join("roster.db"))).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn importing_the_same_file_twice_changes_nothing(
        first in roster(),
        second in roster(),
        full_sync in any::<bool>(),
        invite in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open(dir.path());
        prop_assume!(apply(&mut store, &csv_text(&first, None), &Mode::default()));
        let text = csv_text(&second, None);
        let mode = mode(full_sync, invite);
        prop_assume!(apply(&mut store, &text, &mode));
        let again = import(&mut store, &text, &mode, false);
        prop_assert!(!again.has_changes(), "{:?}", again.plan());
        prop_assert_eq!(again.summary.unchanged, second.len() as u64);
    }

    #[test]
    fn export_then_full_sync_changes_nothing(
        first in roster(),
        second in roster(),
        full_sync in any::<bool>(),
        ban in proptest::option::of(0..SLOTS),
        protect in proptest::option::of(0..SLOTS),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open(dir.path());
        prop_assume!(apply(&mut store, &csv_text(&first, None), &Mode::default()));
        prop_assume!(apply(&mut store, &csv_text(&second, None), &mode(full_sync, true)));
        let snapshot = store.snapshot().unwrap();
        let mut changes = Vec::new();
        for (pick, banned) in [(ban, true), (protect, false)] {
            if let Some(m) = pick.and_then(|i| snapshot.members.get(i)) {
                changes.push(StateChange {
                    member_id: m.id,
                    status: if banned { Status::Banned } else { m.status },
                    prior: if banned { Some(m.status) } else { m.prior_status },
                    protected: !banned || m.protected,
                    action: if banned { "ban" } else { "protect" },
                });
            }
        }
        store.set_member_states(&changes, "prop").unwrap();
        let out = dir.path().join("export.csv");
        let db = dir.path().join("roster.db");
        let cli = roster::Cli::try_parse_from([
            "roster".as_ref(),
            "--db".as_ref(),
            db.as_os_str(),
            "export".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ])
        .unwrap();
        let term = roster::term::Term { color: false, quiet: true, stderr_is_tty: false };
        prop_assert_eq!(roster::run(cli, &term).unwrap(), 0);
        let exported = std::fs::read_to_string(&out).unwrap();
        let snapshot = store.snapshot().unwrap();
        let again = import(&mut store, &exported, &mode(true, false), false);
        prop_assert!(!again.has_changes(), "{:?}\n{}", again.plan(), exported);
        let live = snapshot.members.iter().filter(|m| m.status.is_live()).count();
        prop_assert_eq!(again.summary.unchanged, live as u64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn a_refused_import_leaves_the_store_equal(
        first in roster(),
        second in roster(),
        invalid_at in 0..SLOTS,
    ) {
        let r = Roster::new();
        r.import_json("first.csv", csv_text(&first, None)).run();
        let before = r.dump();
        // One invalid row anywhere refuses the whole file.
        let at = invalid_at % second.len();
        let path = r.write("bad.csv", csv_text(&second, Some(at)));
        r.args(&["import", &path, "--full-sync"])
            .status(1)
            .stderr_line("error: 1 row has 1 error; nothing was changed.")
            .run();
        prop_assert_eq!(&r.dump(), &before);
        // A full sync that would deactivate anyone is refused over a limit of 0.
        let path = r.write("sync.csv", csv_text(&second, None));
        let run = r.args(&["import", &path, "--full-sync", "--max-deactivations", "0"]).any_status().run();
        let missing = first.iter().any(|p| !second.iter().any(|q| q.slot == p.slot));
        if missing {
            prop_assert_eq!(run.code, 4, "{}", run.stderr);
            prop_assert_eq!(&r.dump(), &before);
        } else if run.code != 0 {
            // Only another safety rule (the last owner demoted) may refuse it.
            prop_assert_eq!(run.code, 4, "{}", run.stderr);
            prop_assert_eq!(&r.dump(), &before);
        }
    }
}
