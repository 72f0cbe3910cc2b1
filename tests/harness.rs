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
    /// The test's PostgreSQL schema under `ROSTER_TEST_STORE=postgres`, dropped with the test.
    pg: Option<crate::postgres_support::PgStore>,
}

impl Roster {
    /// A store that exists and holds no member: a refused header-only import created it.
    pub fn with_empty_store() -> Roster {
        let r = Roster::new();
        r.import_json("empty.csv", "email\n").status(1).run();
        r
    }

    pub fn new() -> Roster {
        let dir = tempfile::tempdir().expect("tempdir");
        let pg = Roster::store_for(dir.path());
        let store = match &pg {
            Some(pg) => pg.url.clone(),
            None => dir.path().join("roster.db").display().to_string(),
        };
        let roster = Roster { dir, store, pg };
        // Read-only commands (`diff`, `export`, `config get`, ...) refuse a store that does not
        // exist (SPEC §2): every test starts on an empty store, as after a first `roster import`.
        roster::store::open(&roster::store::Location::parse(&roster.store)).expect("a new store");
        roster
    }

    /// The store of a test whose folder is `dir`: the one place the suite decides where its
    /// stores live. An SQLite file `roster.db` in the folder, or, with
    /// `ROSTER_TEST_STORE=postgres` (and `ROSTER_TEST_PG` naming a server), a fresh schema
    /// on that server (`?schema=t_<random>`), dropped when the `Roster` is.
    fn store_for(dir: &Path) -> Option<crate::postgres_support::PgStore> {
        let _ = dir;
        if !Roster::on_postgres() {
            return None;
        }
        let server = std::env::var("ROSTER_TEST_PG")
            .ok()
            .filter(|u| !u.is_empty())
            .expect("ROSTER_TEST_STORE=postgres needs ROSTER_TEST_PG: eval \"$(.ci/pg start)\"");
        crate::postgres_support::PgStore::on(&server)
    }

    /// Whether the suite runs on PostgreSQL (`ROSTER_TEST_STORE=postgres`).
    pub fn on_postgres() -> bool {
        std::env::var("ROSTER_TEST_STORE").is_ok_and(|v| v == "postgres")
    }

    /// For tests that open the SQLite file itself: true (after a note on stderr) when the
    /// suite runs on PostgreSQL, and the test is to return at once.
    pub fn sqlite_only(test: &str) -> bool {
        if Roster::on_postgres() {
            eprintln!("{test}: SQLite-only (it inspects the store's file), skipped on PostgreSQL");
        }
        Roster::on_postgres()
    }

    /// For tests of what only the SQLite store does (`why`): true (after a note on stderr)
    /// when the suite runs on PostgreSQL, and the test is to return at once.
    pub fn sqlite_feature(test: &str, why: &str) -> bool {
        if Roster::on_postgres() {
            eprintln!("{test}: SQLite-only ({why}), skipped on PostgreSQL");
        }
        Roster::on_postgres()
    }

    /// The test's store, as `--db` names it.
    pub fn store(&self) -> &str {
        &self.store
    }

    /// The test's store as an SQLite file (for tests that open, copy or lock the file itself).
    #[track_caller]
    pub fn db(&self) -> &Path {
        assert!(
            self.pg.is_none(),
            "this test opens the SQLite file: skip it on PostgreSQL with Roster::sqlite_only"
        );
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
    /// import): through rusqlite on SQLite, in the test's schema on PostgreSQL.
    pub fn sql(&self, sql: &str) {
        match &self.pg {
            Some(pg) => pg_in_schema(pg).batch_execute(sql).expect("run SQL"),
            None => {
                let conn = rusqlite::Connection::open(self.db()).expect("open store");
                conn.execute_batch(sql).expect("run SQL");
            }
        }
    }

    /// The first column of the first row of a query on the store, as text.
    pub fn sql_text(&self, sql: &str) -> String {
        match &self.pg {
            Some(pg) => pg_in_schema(pg).query_one(sql, &[]).expect("query").get(0),
            None => {
                let conn = rusqlite::Connection::open(self.db()).expect("open store");
                conn.query_row(sql, [], |r| r.get(0)).expect("query")
            }
        }
    }

    /// Takes the store's one-import-at-a-time lock as an import does (through the library, so
    /// on either store); held until dropped.
    pub fn hold_import_lock(&self) -> roster::store::Guard {
        let location = roster::store::Location::parse(&self.store);
        let store = roster::store::open(&location).expect("open the store");
        store.try_lock().expect("the import lock is free")
    }
}

/// A connection to the test's PostgreSQL schema, for `sql` and `sql_text`.
fn pg_in_schema(pg: &crate::postgres_support::PgStore) -> postgres::Client {
    let mut client = pg.client();
    client
        .batch_execute(&format!("SET search_path TO \"{}\"", pg.schema))
        .expect("set search_path");
    client
}

/// The invitation token at the start of `text` (as a link carries it: `ID-SIGNATURE`, or the
/// bare signature of an older store), up to the first character no token has.
pub fn token_at(text: &str) -> &str {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .next()
        .unwrap_or_default()
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
pub const SUMMARY_KEYS: [&str; 15] = [
    "rows",
    "created",
    "updated",
    "reactivated",
    "deactivated",
    "pending_deactivation",
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
