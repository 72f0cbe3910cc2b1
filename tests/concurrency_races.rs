//! One import at a time per store (SPEC §2): imports started together apply one after another
//! or get exit 5 with the contract's message; readers keep working while an import applies.

use crate::harness::{Output, Roster};
use crate::support::{
    copy_store, history_statuses, hold_import_lock, import_lock_held, integrity, roster_csv,
};
use std::process::Child;

const BUSY: &str =
    "error: Another import is being applied. Please wait for it to finish before uploading again.";

/// The same members, every one with the job title `title`: any file applied last decides
/// every title, so each serial order ends in the state of its last file.
fn titled(rows: usize, title: &str) -> String {
    let mut out = String::from("email,external_id,first_name,job_title\n");
    for i in 0..rows {
        out.push_str(&format!("m{i}@example.com,{i},Member {i},{title} {i}\n"));
    }
    out
}

fn spawn_import(r: &Roster, file: &str) -> Child {
    r.args(&["import", file, "--output", "json"]).spawn()
}

fn statuses(r: &Roster) -> Vec<String> {
    let run = r.args(&["imports", "list"]).run();
    history_statuses(&run.stdout)
}

#[test]
fn imports_against_a_held_lock_get_exit_5_and_change_nothing() {
    let r = Roster::new();
    r.import_json("base.csv", titled(20, "Base")).run();
    let before = r.dump();
    let file = r.write("next.csv", titled(20, "Next"));
    let lock = r.hold_import_lock();
    for n in [2, 8] {
        let children: Vec<Child> = (0..n).map(|_| spawn_import(&r, &file)).collect();
        for child in children {
            let out = Output::of_child(child);
            assert_eq!(out.code, 5);
            let stderr = &out.stderr;
            assert!(stderr.lines().any(|l| l == BUSY), "stderr: {stderr}");
            // No import document: the refusal document, with the busy store's code.
            assert!(
                out.stdout.contains("\"code\": \"import_busy\"")
                    && !out.stdout.contains("import_id"),
                "stdout: {}",
                out.stdout
            );
        }
    }
    drop(lock);
    assert_eq!(r.dump(), before);
    assert_eq!(statuses(&r), ["COMPLETED"]);
    r.args(&["import", &file]).run();
}

/// Starts `n` imports of different files at once; checks one-at-a-time and the final state.
fn race(n: usize) {
    const ROWS: usize = 3_000;
    let base = Roster::new();
    base.import_json("base.csv", titled(ROWS, "Base")).run();
    // Each file applied alone: the state every serial order ending with it reaches.
    let files: Vec<String> = (0..n)
        .map(|i| base.write(&format!("f{i}.csv"), titled(ROWS, &format!("Title{i}"))))
        .collect();
    let expected: Vec<String> = files
        .iter()
        .map(|f| {
            let alone = Roster::new();
            copy_store(base.db(), alone.db());
            alone.args(&["import", f]).run();
            alone.dump()
        })
        .collect();

    let r = Roster::new();
    copy_store(base.db(), r.db());
    let children: Vec<Child> = files.iter().map(|f| spawn_import(&r, f)).collect();
    let mut applied = Vec::new();
    for (i, child) in children.into_iter().enumerate() {
        let out = Output::of_child(child);
        let stderr = &out.stderr;
        match out.code {
            0 => applied.push(i),
            5 => assert!(stderr.lines().any(|l| l == BUSY), "stderr: {stderr}"),
            other => panic!("import {i} exited {other:?}: {stderr}"),
        }
    }
    assert!(!applied.is_empty(), "the first to take the lock applies");
    let dump = r.dump();
    assert!(
        applied.iter().any(|&i| dump == expected[i]),
        "the store is not the state of any serial order of imports {applied:?}"
    );
    let mut want = vec!["COMPLETED".to_string(); applied.len() + 1];
    want.sort();
    let mut got = statuses(&r);
    got.sort();
    assert_eq!(
        got, want,
        "one history row per applied import, each COMPLETED"
    );
    assert_eq!(integrity(r.db()), "ok");
    eprintln!("{n} imports at once: {} applied", applied.len());
}

#[test]
fn two_imports_at_once_apply_one_at_a_time() {
    if Roster::sqlite_only("two_imports_at_once_apply_one_at_a_time") {
        return;
    }
    race(2);
}

#[test]
fn eight_imports_at_once_apply_one_at_a_time() {
    if Roster::sqlite_only("eight_imports_at_once_apply_one_at_a_time") {
        return;
    }
    race(8);
}

/// An import in the middle of its write transaction, held still: the lock and an open
/// `BEGIN IMMEDIATE` with an uncommitted change. Readers see the committed state.
#[test]
fn readers_work_while_an_import_applies() {
    if Roster::sqlite_only("readers_work_while_an_import_applies") {
        return;
    }
    let r = Roster::new();
    r.import_json("base.csv", titled(50, "Base")).run();
    let before = r.dump();
    let export_csv = r.args(&["export"]).run();
    let next = r.write("next.csv", titled(50, "Next"));

    let lock = hold_import_lock(r.db());
    let conn = rusqlite::Connection::open(r.db()).expect("open");
    conn.execute_batch("BEGIN IMMEDIATE; UPDATE members SET job_title = 'uncommitted';")
        .expect("write transaction");

    assert_eq!(r.dump(), before, "export sees the committed state");
    assert_eq!(r.args(&["export"]).run().stdout, export_csv.stdout);
    let diff = r.args(&["diff", &next, "--output", "json"]).run();
    let report = diff.report();
    assert_eq!(report.summary.updated, 50);
    assert_eq!(report.status, "DRY_RUN");
    assert_eq!(statuses(&r), ["COMPLETED"]);
    r.args(&["log"]).run();
    r.args(&["members", "show", "m1@example.com"]).run();
    r.args(&["import", &next]).status(5).stderr_line(BUSY).run();

    conn.execute_batch("ROLLBACK").expect("rollback");
    drop(conn);
    drop(lock);
    assert_eq!(r.dump(), before);
    r.args(&["import", &next]).run();
    assert_ne!(r.dump(), before);
}

/// A real import of a large file, with readers running beside it until it finishes.
#[test]
fn readers_beside_a_running_import_see_before_or_after() {
    if Roster::sqlite_only("readers_beside_a_running_import_see_before_or_after") {
        return;
    }
    let r = Roster::new();
    r.import_json("day0.csv", roster_csv(2_000, 0)).run();
    readers_beside_an_import_of(&r, roster_csv(12_000, 0));
}

/// The same beside a fill (a bulk first import into a store holding no members, written
/// through a rollback journal): readers wait for it, then see the before or the after state.
#[test]
fn readers_beside_a_fill_see_before_or_after() {
    if Roster::sqlite_only("readers_beside_a_fill_see_before_or_after") {
        return;
    }
    let r = Roster::with_empty_store();
    readers_beside_an_import_of(&r, roster_csv(20_000, 0));
}

fn readers_beside_an_import_of(r: &Roster, file: String) {
    let before = r.dump();
    let big = r.write("big.csv", file);
    let mut child = r
        .args(&["import", &big, "--max-rows", "100000"])
        .discard_output()
        .spawn();
    let mut reads = 0;
    let mut while_locked = 0;
    let mut dumps = Vec::new();
    while child.try_wait().expect("try_wait").is_none() {
        let locked = import_lock_held(r.db());
        dumps.push(r.dump());
        r.args(&["imports", "list"]).run();
        r.args(&["diff", &big, "--max-rows", "100000", "--quiet"])
            .run();
        reads += 1;
        while_locked += usize::from(locked);
    }
    assert!(child.wait().expect("wait").success());
    let after = r.dump();
    assert_ne!(before, after);
    for d in &dumps {
        assert!(*d == before || *d == after, "a reader saw a partial import");
    }
    eprintln!("{reads} rounds of readers beside the import, {while_locked} while it held the lock");
}

/// Readers never take the import lock when no import is left `RUNNING`: holding it even for
/// an instant would make an import starting then fail with exit 5.
#[test]
fn readers_leave_the_import_lock_alone() {
    if Roster::sqlite_only("readers_leave_the_import_lock_alone") {
        return;
    }
    let r = Roster::new();
    r.import_json("a.csv", "email\na@example.com\n").run();
    let lock = crate::support::lock_path(r.db());
    std::fs::remove_file(&lock).expect("remove lock file");
    for args in [
        &["imports", "list"][..],
        &["imports", "show", "1"],
        &["export"],
        &["log"],
    ] {
        r.args(args).run();
    }
    assert!(!lock.exists(), "a reader took the import lock");
}
