//! The apply's bulk path (issue 25): a first import of more than 1000 members drops the
//! identifier indexes, inserts, and builds them again in the same transaction.

use crate::harness::Roster;
use crate::support::{integrity, roster_csv};

const IDENTIFIER_INDEXES: [&str; 3] = ["members_email_key", "members_external_id", "members_phone"];

/// The unique indexes of the `members` table, by name.
fn unique_member_indexes(conn: &rusqlite::Connection) -> Vec<String> {
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_index_list('members') WHERE \"unique\" = 1 ORDER BY name")
        .expect("index list");
    let names = stmt.query_map([], |r| r.get(0)).expect("query");
    names.collect::<Result<_, _>>().expect("names")
}

#[test]
fn a_bulk_first_import_builds_its_identifier_indexes_again_and_they_hold() {
    if Roster::sqlite_only("a_bulk_first_import_builds_its_identifier_indexes_again_and_they_hold")
    {
        return;
    }
    let r = Roster::new();
    r.import_json("day0.csv", roster_csv(3_000, 0))
        .args(&["--max-rows", "100000"])
        .run();
    assert_eq!(integrity(r.db()), "ok");
    let conn = rusqlite::Connection::open(r.db()).expect("open the store");
    assert_eq!(unique_member_indexes(&conn), IDENTIFIER_INDEXES);
    let members: i64 = conn
        .query_row("SELECT count(*) FROM members", [], |r| r.get(0))
        .expect("count");
    assert_eq!(members, 3_000);
    // Each index enforces uniqueness again: a copy of a stored member's identifier is refused.
    for column in ["email_key", "external_id", "phone"] {
        let copy = conn.execute(
            &format!(
                "INSERT INTO members ({column}, status, created_at, updated_at) \
                 SELECT {column}, 'PROVISIONED', 't', 't' FROM members \
                 WHERE {column} IS NOT NULL LIMIT 1"
            ),
            [],
        );
        let err = copy.expect_err(column).to_string();
        assert!(err.contains("UNIQUE constraint failed"), "{column}: {err}");
    }
    drop(conn);
    // The next day matches every member through the rebuilt indexes: no member created twice.
    let next = r
        .import_json("day1.csv", roster_csv(3_000, 1))
        .args(&[
            "--full-sync",
            "--max-rows",
            "100000",
            "--max-deactivations",
            "100%",
        ])
        .run()
        .report();
    assert_eq!(next.summary.created, 150);
    assert_eq!(next.summary.deactivated, 149);
    assert_eq!(integrity(r.db()), "ok");
}

/// The store's journal mode as a plain connection reads it (without setting one).
fn journal_mode(db: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(db).expect("open the store");
    conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal_mode")
}

/// A fill (a bulk first import into a store holding no members) goes through a rollback
/// journal, then turns the store back to WAL: later imports and readers find WAL.
#[test]
fn a_fill_leaves_the_store_in_wal_mode_with_no_journal_behind() {
    if Roster::sqlite_only("a_fill_leaves_the_store_in_wal_mode_with_no_journal_behind") {
        return;
    }
    let r = Roster::new();
    r.import_json("day0.csv", roster_csv(3_000, 0))
        .args(&["--max-rows", "100000"])
        .run();
    assert_eq!(journal_mode(r.db()), "wal");
    let journal = format!("{}-journal", r.db().display());
    assert!(
        !std::path::Path::new(&journal).exists(),
        "{journal} left behind"
    );
    assert_eq!(integrity(r.db()), "ok");
    assert_eq!(
        r.sql_text("SELECT CAST(count(*) AS TEXT) FROM members"),
        "3000"
    );
}

/// With another connection open on the store the journal cannot be swapped: the fill runs
/// through the WAL as any import does, and the open connection reads its result.
#[test]
fn a_fill_beside_an_open_connection_applies_through_the_wal() {
    if Roster::sqlite_only("a_fill_beside_an_open_connection_applies_through_the_wal") {
        return;
    }
    let r = Roster::with_empty_store();
    let reader = rusqlite::Connection::open(r.db()).expect("open the store");
    let count = |c: &rusqlite::Connection| -> i64 {
        c.query_row("SELECT count(*) FROM members", [], |row| row.get(0))
            .expect("count")
    };
    assert_eq!(count(&reader), 0);
    r.import_json("day0.csv", roster_csv(3_000, 0))
        .args(&["--max-rows", "100000"])
        .run();
    assert_eq!(count(&reader), 3_000);
    drop(reader);
    assert_eq!(journal_mode(r.db()), "wal");
    assert_eq!(integrity(r.db()), "ok");
}

/// The store's apply runs the caller's work once, on a thread of its own, and the plan applies
/// in full: the import hashes its plan there while the members are written.
#[test]
fn the_callers_work_runs_once_beside_the_apply() {
    use std::sync::Mutex;
    let dir = tempfile::tempdir().expect("tempdir");
    let location = roster::store::Location::Sqlite(dir.path().join("roster.db"));
    let mut store = roster::store::open(&location).expect("open");
    let threads = Mutex::new(Vec::new());
    let beside = || threads.lock().unwrap().push(std::thread::current().id());
    crate::support::apply_file_beside(&mut store, &roster_csv(2_000, 0), &beside);
    let threads = threads.into_inner().unwrap();
    assert_eq!(threads.len(), 1, "the work ran once");
    assert_ne!(
        threads[0],
        std::thread::current().id(),
        "not on the applying thread"
    );
    assert_eq!(store.snapshot().expect("snapshot").members.len(), 2_000);
    assert_eq!(integrity(&dir.path().join("roster.db")), "ok");
}
