//! SIGKILL at many instants of a large import (SPEC §2): after every kill the store opens,
//! passes `PRAGMA integrity_check`, and holds exactly the before-state or the after-state;
//! a killed import shows as `FAILED (interrupted)` and the next import runs normally.
//!
//! `ROSTER_KILL_COUNT` kills (default 4) of an import of `ROSTER_KILL_ROWS` rows (default 5 000).
//! The full run: `ROSTER_KILL_COUNT=50 ROSTER_KILL_ROWS=100000 cargo test --test integration
//! kill:: -- --nocapture`.

use crate::harness::Roster;
use crate::support::{
    copy_store, env_count, history_statuses, integrity, roster_csv, wal_has_uncommitted_tail,
};
use std::time::Instant;

/// Where a kill landed, judged from what it left behind.
#[derive(Debug, Default)]
struct Landed {
    before_history_row: usize,
    recording_import: usize,
    planning: usize,
    write_transaction: usize,
    after_commit: usize,
}

fn import_args(file: &str) -> [&str; 11] {
    [
        "import",
        file,
        "--full-sync",
        "--max-deactivations",
        "100%",
        "--max-rows",
        "10000000",
        "--max-bytes",
        "1000000000",
        "--output",
        "json",
    ]
}

fn statuses(r: &Roster) -> Vec<String> {
    let run = r.args(&["imports", "list"]).run();
    history_statuses(&run.stdout)
}

#[test]
fn a_killed_import_leaves_all_or_nothing() {
    if Roster::sqlite_only("a_killed_import_leaves_all_or_nothing") {
        return;
    }
    let kills = env_count("ROSTER_KILL_COUNT", 4);
    let rows = env_count("ROSTER_KILL_ROWS", 5_000);

    // The before-state: day 0 applied. The killed import: day 1, full sync.
    let base = Roster::new();
    let day0 = base.write("day0.csv", roster_csv(rows, 0));
    let day1 = base.write("day1.csv", roster_csv(rows, 1));
    base.args(&import_args(&day0)).run();
    let before = base.dump();

    // The after-state, and how long an uninterrupted import takes.
    let calib = Roster::new();
    copy_store(base.db(), calib.db());
    let started = Instant::now();
    let run = calib.args(&import_args(&day1)).run();
    let full = started.elapsed();
    let after = calib.dump();
    assert_ne!(before, after, "day 1 must change the store");
    let summary = run.report().summary;
    assert!(summary.updated > 0 && summary.deactivated > 0);
    eprintln!("kill test: {rows} rows, {kills} kills over an import of {full:?}");

    let mut landed = Landed::default();
    for k in 0..kills {
        let r = Roster::new();
        copy_store(base.db(), r.db());
        // Spread over the whole run and a little past it (some kills land after the commit).
        let delay = full.mul_f64(1.15 * (k as f64 + 0.5) / kills as f64);
        let mut child = r.args(&import_args(&day1)).discard_output().spawn();
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL"); // SIGKILL on Unix; harmless if it already exited
        child.wait().expect("wait");

        let in_write = wal_has_uncommitted_tail(r.db());
        assert_eq!(integrity(r.db()), "ok", "kill {k} at {delay:?}");
        let dump = r.dump();
        let history = statuses(&r);
        if dump == after {
            assert_eq!(history, ["COMPLETED", "COMPLETED"], "kill {k} at {delay:?}");
            landed.after_commit += 1;
        } else {
            assert!(
                dump == before,
                "kill {k} at {delay:?}: the store is neither the before- nor the after-state"
            );
            match history.len() {
                // Killed while recording the import (its original bytes are a large write).
                1 if in_write => landed.recording_import += 1,
                1 => landed.before_history_row += 1,
                _ => {
                    assert_eq!(
                        history,
                        ["FAILED (interrupted)", "COMPLETED"],
                        "kill {k} at {delay:?}"
                    );
                    if in_write {
                        landed.write_transaction += 1;
                    } else {
                        landed.planning += 1;
                    }
                }
            }
        }

        if k + 1 == kills {
            // The next import is the same file: it brings the store to the after-state.
            r.args(&import_args(&day1)).run();
            assert!(r.dump() == after, "re-running the killed import");
        } else {
            let next = r.write("next.csv", format!("email\nnext.{k}@example.com\n"));
            let run = r.args(&["import", &next, "--output", "json"]).run();
            assert_eq!(run.report().summary.created, 1);
        }
        assert_eq!(statuses(&r)[0], "COMPLETED");
    }
    eprintln!("kill test: where the kills landed: {landed:?}");
}

/// A kill is never needed to leave an import `RUNNING`: a crash between recording the import
/// and its transaction looks the same. The lock being free is what marks it interrupted.
#[test]
fn an_interrupted_import_blocks_nothing() {
    let r = Roster::new();
    r.import_json("a.csv", "email\na@example.com\n").run();
    r.sql("UPDATE imports SET status = 'RUNNING', finished_at = NULL, message = NULL");
    assert_eq!(statuses(&r), ["FAILED (interrupted)"]);
    r.import_json("b.csv", "email\nb@example.com\n").run();
    assert_eq!(statuses(&r), ["COMPLETED", "FAILED (interrupted)"]);
}

/// SIGKILL at several instants of a fill (a bulk first import, written through a rollback
/// journal): the next roster command rolls a partial fill back and finds the store in WAL
/// mode, holding none of the import or all of it.
#[test]
fn a_killed_fill_leaves_no_member_or_every_member_and_wal_mode() {
    if Roster::sqlite_only("a_killed_fill_leaves_no_member_or_every_member_and_wal_mode") {
        return;
    }
    let kills = env_count("ROSTER_KILL_COUNT", 4);
    let rows = env_count("ROSTER_KILL_ROWS", 5_000).max(2_000);
    let calib = Roster::new();
    let day0 = calib.write("day0.csv", roster_csv(rows, 0));
    let started = Instant::now();
    calib.args(&import_args(&day0)).run();
    let full = started.elapsed();
    let after = calib.dump();
    for k in 0..kills {
        let r = Roster::with_empty_store();
        let before = r.dump();
        let delay = full.mul_f64(1.15 * (k as f64 + 0.5) / kills as f64);
        let mut child = r.args(&import_args(&day0)).discard_output().spawn();
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");

        let dump = r.dump();
        assert!(
            dump == before || dump == after,
            "kill {k} at {delay:?}: a partial fill"
        );
        let history = statuses(&r);
        match dump == after {
            true => assert_eq!(history[0], "COMPLETED", "kill {k} at {delay:?}"),
            // Killed before recording the import (only the refused empty file), or after.
            false => assert!(
                history.len() == 1 || history[0] == "FAILED (interrupted)",
                "kill {k} at {delay:?}: {history:?}"
            ),
        }
        let mode: String = rusqlite::Connection::open(r.db())
            .expect("open the store")
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .expect("journal_mode");
        assert_eq!(mode, "wal", "kill {k} at {delay:?}");
        assert_eq!(integrity(r.db()), "ok", "kill {k} at {delay:?}");
        r.args(&import_args(&day0)).run();
        assert!(r.dump() == after, "re-running the killed fill");
    }
}
