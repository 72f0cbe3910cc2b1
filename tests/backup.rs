//! `roster backup PATH`: a consistent copy of the store (SQLite's online backup API), written
//! while others read and while an import holds its write transaction open.

use crate::harness::Roster;
use crate::support::{hold_import_lock, integrity, roster_csv};

/// Everything worth comparing between a store and its copy.
fn state(r: &Roster, db: &std::path::Path) -> Vec<String> {
    let run = |args: &[&str]| {
        let out = r.args(args).db(db).run();
        String::from_utf8(out.raw_stdout).expect("utf-8")
    };
    let all = "PROVISIONED,INVITED,ACTIVE,INACTIVE,BANNED";
    vec![
        run(&["export", "--format", "json", "--status", all]),
        run(&["imports", "list", "--output", "json"]),
        run(&["labels", "list"]),
        run(&["log"]),
    ]
}

#[test]
fn a_backup_opens_and_holds_the_same_roster() {
    if Roster::sqlite_only("a_backup_opens_and_holds_the_same_roster") {
        return;
    }
    let r = Roster::new();
    r.args(&["labels", "add", "vip"]).run();
    r.import_json("day0.csv", roster_csv(500, 0)).run();
    r.import_json("day1.csv", roster_csv(500, 1))
        .args(&["--full-sync", "--max-deactivations", "100%"])
        .run();
    r.args(&["members", "ban", "mary.smith.1@acme-corp.com"])
        .run();
    let copy = r.path("copy.db");
    let copy_arg = copy.display().to_string();
    let run = r.args(&["backup", &copy_arg]).run();
    assert!(run.stdout.is_empty());
    // A single self-contained file, not a WAL database needing its log beside it.
    let conn = rusqlite::Connection::open(&copy).expect("open copy");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "delete");
    drop(conn);
    assert_eq!(integrity(&copy), "ok");
    assert_eq!(state(&r, &copy), state(&r, r.db()));
    assert!(!r.path("copy.db.partial").exists());
}

#[test]
fn a_backup_taken_during_an_import_holds_the_committed_state() {
    if Roster::sqlite_only("a_backup_taken_during_an_import_holds_the_committed_state") {
        return;
    }
    let r = Roster::new();
    r.import_json("day0.csv", roster_csv(300, 0)).run();
    let committed = state(&r, r.db());
    // An import mid-transaction: the lock and an uncommitted change; a reader beside it.
    let lock = hold_import_lock(r.db());
    let writer = rusqlite::Connection::open(r.db()).expect("open");
    writer
        .execute_batch("BEGIN IMMEDIATE; UPDATE members SET job_title = 'uncommitted';")
        .expect("write transaction");
    let reader = rusqlite::Connection::open(r.db()).expect("open");
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM members;")
        .expect("read transaction");
    let copy = r.path("during.db");
    r.args(&["backup", &copy.display().to_string()]).run();
    writer.execute_batch("COMMIT").expect("commit");
    reader.execute_batch("COMMIT").expect("end read");
    drop(lock);
    assert_eq!(state(&r, &copy), committed);
    assert_ne!(state(&r, r.db()), committed, "the original moved on");
}

#[test]
fn a_backup_never_overwrites_a_file() {
    if Roster::sqlite_only("a_backup_never_overwrites_a_file") {
        return;
    }
    let r = Roster::new();
    r.import_json("a.csv", "email\na@example.com\n").run();
    let existing = r.write("keep.db", "precious");
    r.args(&["backup", &existing])
        .status(1)
        .stderr_line(format!(
            "error: {existing} already exists; roster backup writes a new file."
        ))
        .run();
    assert_eq!(
        std::fs::read_to_string(&existing).expect("read"),
        "precious"
    );
    let store = r.db().display().to_string();
    r.args(&["backup", &store]).status(1).run();
    let missing = r.path("no/such/dir/x.db").display().to_string();
    r.args(&["backup", &missing]).status(1).run();
    assert!(!r.path("no").exists());
    assert_eq!(r.args(&["imports", "list"]).run().stdout.lines().count(), 3);
}

/// A backup killed at any instant leaves no file at PATH or a whole copy, never half of one.
#[test]
fn a_killed_backup_leaves_nothing_or_a_whole_copy() {
    if Roster::sqlite_only("a_killed_backup_leaves_nothing_or_a_whole_copy") {
        return;
    }
    let r = Roster::new();
    r.import_json("day0.csv", roster_csv(10_000, 0))
        .args(&["--max-rows", "100000", "--max-bytes", "100000000"])
        .run();
    let original = state(&r, r.db());
    let started = std::time::Instant::now();
    r.args(&["backup", &r.path("timed.db").display().to_string()])
        .run();
    let full = started.elapsed();
    let (mut absent, mut whole) = (0, 0);
    for k in 0..6 {
        let copy = r.path(&format!("killed{k}.db"));
        let mut child = r.args(&["backup"]).arg(&copy).spawn();
        std::thread::sleep(full.mul_f64(k as f64 / 5.0));
        child.kill().expect("SIGKILL");
        child.wait().expect("wait");
        if copy.exists() {
            assert_eq!(integrity(&copy), "ok");
            assert_eq!(state(&r, &copy), original);
            whole += 1;
        } else {
            absent += 1;
        }
    }
    eprintln!("killed backups: {absent} left nothing, {whole} a whole copy");
}
