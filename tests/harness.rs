//! The test harness: one temporary folder and store per test (`Roster`), one builder for every
//! run of the real binary (`Test`, after casey/just's), what a run printed (`Output`) and the
//! JSON it printed as typed values (`json`).
//!
//! ```ignore
//! let r = Roster::new();
//! let file = r.write("staff.csv", "email\nann@x.co\n");
//! let report = r.args(&["import", &file, "--output", "json"]).run().report();
//! r.args(&["import", &file, "--bogus"]).status(2).unchanged().run();
//! ```

#![allow(dead_code)]

mod json;
mod output;
mod test;

pub use json::*;
pub use output::Output;
pub use test::Test;

use std::path::{Path, PathBuf};

/// A test's world: its temporary folder and the store in it.
pub struct Roster {
    dir: tempfile::TempDir,
    store: String,
}

impl Roster {
    pub fn new() -> Roster {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Roster::store_for(dir.path());
        let roster = Roster { dir, store };
        // Read-only commands (`diff`, `export`, ...) refuse a store that does not exist (SPEC
        // §2): every test starts on an empty store, as after a first `roster import`.
        roster.args(&["config", "get"]).run();
        roster
    }

    /// The `--db` value of the store of a test whose folder is `dir`: the one place the suite
    /// decides where its stores live.
    ///
    /// To run the whole suite on another store, switch here: for example
    /// `ROSTER_TEST_STORE=postgres` would return a PostgreSQL URL naming a fresh database or
    /// `schema=` for this test (SPEC §14). Not implemented yet. Tests that open the file
    /// itself (`db()`, `sql()`, the robustness tests' rusqlite checks) are SQLite-only.
    fn store_for(dir: &Path) -> String {
        dir.join("roster.db").display().to_string()
    }

    /// The test's store, as `--db` names it.
    pub fn store(&self) -> &str {
        &self.store
    }

    /// The test's store as an SQLite file (for tests that open, copy or lock the file itself).
    pub fn db(&self) -> &Path {
        Path::new(&self.store)
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file into the test's folder and returns its path as a string.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let p = self.path(name);
        std::fs::write(&p, contents).expect("write file");
        p.display().to_string()
    }

    /// A run of the binary with these arguments, to configure, then `run` or `spawn`.
    pub fn args(&self, args: &[&str]) -> Test<'_> {
        Test::new(self).args(args)
    }

    /// `roster import FILE --output json` on a file of these contents written as `name`
    /// (more arguments with `.args`).
    pub fn import_json(&self, name: &str, contents: impl AsRef<[u8]>) -> Test<'_> {
        let path = self.write(name, contents);
        self.args(&["import", &path, "--output", "json"])
    }

    /// Everything an import can change: every member of every status with teams, as JSON.
    pub fn dump(&self) -> String {
        self.args(&[
            "export",
            "--format",
            "json",
            "--status",
            "PROVISIONED,INVITED,ACTIVE,INACTIVE,BANNED",
        ])
        .run()
        .stdout
    }

    /// Every member of the store, of any status.
    pub fn members(&self) -> Vec<Member> {
        serde_json::from_str(&self.dump()).expect("the dump is a list of members")
    }

    /// One member as `roster members show ID --output json` prints it.
    #[track_caller]
    pub fn member(&self, id: &str) -> Member {
        self.args(&["members", "show", id, "--output", "json"])
            .run()
            .decode()
    }

    /// The status of one member.
    #[track_caller]
    pub fn status(&self, id: &str) -> String {
        self.member(id).status
    }

    /// One member of the store dump (any status), by email.
    #[track_caller]
    pub fn member_by_email(&self, email: &str) -> Member {
        self.members()
            .into_iter()
            .find(|m| m.email.as_deref() == Some(email))
            .unwrap_or_else(|| panic!("no member {email} in the store"))
    }

    /// A member's teams as `team:role` strings, sorted.
    #[track_caller]
    pub fn teams_of(&self, id: &str) -> Vec<String> {
        let mut teams: Vec<String> = self
            .member(id)
            .teams
            .iter()
            .map(|t| format!("{}:{}", t.team, t.team_role))
            .collect();
        teams.sort();
        teams
    }

    /// Every team that has at least one membership, sorted.
    pub fn team_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .members()
            .into_iter()
            .flat_map(|m| m.teams)
            .map(|t| t.team)
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Makes the store one written by schema version 1 (before the audit log was batched and
    /// originals moved out of the imports rows), holding what `sql` inserts. SQLite only.
    pub fn version_1_store(&self, sql: &str) {
        for suffix in ["", "-wal", "-shm"] {
            std::fs::remove_file(format!("{}{suffix}", self.db().display())).ok();
        }
        let conn = rusqlite::Connection::open(self.db()).expect("open store");
        conn.execute_batch(include_str!("../src/store/sqlite/sql/0001_initial.sql"))
            .expect("schema 1");
        conn.execute_batch(&format!("PRAGMA user_version = 1; {sql}"))
            .expect("a version 1 store");
    }

    /// Runs SQL on the store directly, to stage states the binary cannot reach (a killed
    /// import). SQLite only.
    pub fn sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.db()).expect("open store");
        conn.execute_batch(sql).expect("run SQL");
    }

    /// The first column of the first row of a query on the store, as text. SQLite only.
    pub fn sql_text(&self, sql: &str) -> String {
        let conn = rusqlite::Connection::open(self.db()).expect("open store");
        conn.query_row(sql, [], |r| r.get(0)).expect("query")
    }
}

/// A CSV roster: `email,first_name` rows `m{i}@example.com,First{i}` for each i.
pub fn members_csv(ids: impl IntoIterator<Item = usize>) -> String {
    let mut s = String::from("email,first_name\n");
    for i in ids {
        s.push_str(&format!("m{i}@example.com,First{i}\n"));
    }
    s
}

/// The path of a file in `fixtures/`.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

/// The hex sha256 of some bytes.
pub fn sha256(bytes: impl AsRef<[u8]>) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes.as_ref())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `summary` keys of SPEC §10, in order.
pub const SUMMARY_KEYS: [&str; 14] = [
    "rows",
    "created",
    "updated",
    "reactivated",
    "deactivated",
    "unchanged",
    "teams_created",
    "teams_deleted",
    "memberships_added",
    "memberships_removed",
    "memberships_changed",
    "banned_skipped",
    "protected_skipped",
    "errors",
];
