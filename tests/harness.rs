//! The test harness: one temporary directory and store per test, the real binary, and
//! helpers that make assertions exact (stdout, stderr, exit code) and check "nothing changed".

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub struct Roster {
    dir: tempfile::TempDir,
    db: PathBuf,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub raw_stdout: Vec<u8>,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            raw_stdout: out.stdout,
        }
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn code(&self, want: i32) -> &Run {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr holds exactly this line.
    #[track_caller]
    pub fn stderr_line(&self, line: &str) -> &Run {
        assert_has_line("stderr", &self.stderr, line);
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The `summary` object of a `--output json` document.
    pub fn summary(&self) -> serde_json::Value {
        self.json()["summary"].clone()
    }

    /// Asserts that stdout holds exactly this line.
    #[track_caller]
    pub fn stdout_line(&self, line: &str) -> &Run {
        assert_has_line("stdout", &self.stdout, line);
        self
    }

    /// The `errors` array of a `--output json` document.
    pub fn errors(&self) -> Vec<serde_json::Value> {
        self.json()["errors"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// A summary object with every key 0 except the ones given (in the contract's key order).
pub fn summary(counts: &[(&str, u64)]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for key in SUMMARY_KEYS {
        let n = counts
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, n)| *n);
        map.insert(key.to_string(), n.into());
    }
    for (k, _) in counts {
        assert!(SUMMARY_KEYS.contains(k), "no summary key {k}");
    }
    serde_json::Value::Object(map)
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

/// A CSV roster: `email,first_name` rows `m{i}@example.com,First{i}` for each i.
pub fn members_csv(ids: impl IntoIterator<Item = usize>) -> String {
    let mut s = String::from("email,first_name\n");
    for i in ids {
        s.push_str(&format!("m{i}@example.com,First{i}\n"));
    }
    s
}

impl Roster {
    pub fn new() -> Roster {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("roster.db");
        Roster { dir, db }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> &Path {
        &self.db
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file into the test's directory and returns its path as a string.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let p = self.path(name);
        std::fs::write(&p, contents).expect("write file");
        p.display().to_string()
    }

    /// The binary with `--db`, in the test's directory, with a fixed operator and no colour.
    pub fn cmd(&self) -> std::process::Command {
        self.cmd_on(&self.db)
    }

    /// The binary as `cmd()` sets it up, but on another store (a copy, a backup).
    pub fn cmd_on(&self, db: &Path) -> std::process::Command {
        let mut cmd = self.program(env!("CARGO_BIN_EXE_roster"));
        cmd.arg("--db").arg(db);
        cmd
    }

    /// A program in the test's directory with the test environment: no `$ROSTER_DB`, no colour,
    /// a fixed operator.
    fn program(&self, program: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.current_dir(self.dir.path())
            .env_remove("ROSTER_DB")
            .env("NO_COLOR", "1")
            .env("USER", "tester");
        cmd
    }

    /// The binary on this store with stdin, stdout and stderr piped, started.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        use std::process::Stdio;
        self.cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn roster")
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().expect("run roster"))
    }

    pub fn run_stdin(&self, args: &[&str], stdin: impl AsRef<[u8]>) -> Run {
        use std::io::Write;
        let mut child = self.spawn(args);
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_ref())
            .expect("write stdin");
        Run::from(child.wait_with_output().expect("wait roster"))
    }

    /// Runs the binary under `sh` with resource limits (for example `ulimit -f 64`), with
    /// SIGXFSZ ignored so that an over-large write fails with EFBIG instead of killing roster.
    pub fn run_limited(&self, limits: &str, args: &[&str]) -> Run {
        let cmd = self.cmd();
        let mut sh = self.program("sh");
        sh.arg("-c")
            .arg(format!("trap '' XFSZ; {limits}; exec \"$0\" \"$@\""))
            .arg(cmd.get_program())
            .args(cmd.get_args())
            .args(args);
        Run::from(sh.output().expect("run roster under sh"))
    }

    /// Imports a file's contents (written as `name`) with extra args; asserts success.
    #[track_caller]
    pub fn import(&self, name: &str, contents: &str, args: &[&str]) -> Run {
        let path = self.write(name, contents);
        let mut all = vec!["import", path.as_str(), "--output", "json"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        run.code(0);
        run
    }

    /// Runs and asserts a refusal: the exit code, one exact stderr line, and an unchanged store.
    #[track_caller]
    pub fn refuses(&self, args: &[&str], code: i32, line: &str) -> Run {
        self.refuses_all(args, code, &[line])
    }

    /// One member as `roster members show ID --output json` prints it.
    #[track_caller]
    pub fn member(&self, id: &str) -> serde_json::Value {
        let run = self.run(&["members", "show", id, "--output", "json"]);
        run.code(0);
        run.json()
    }

    /// The status of one member.
    #[track_caller]
    pub fn status(&self, id: &str) -> String {
        self.member(id)["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Everything an import can change: every member of every status with teams, as JSON.
    pub fn dump(&self) -> String {
        let run = self.run(&[
            "export",
            "--format",
            "json",
            "--status",
            "PROVISIONED,INVITED,ACTIVE,INACTIVE,BANNED",
        ]);
        run.code(0);
        run.stdout
    }
}

#[track_caller]
fn assert_has_line(stream: &str, text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "{stream} has no line {line:?}\n--- {stream}\n{text}"
    );
}

/// The path of a file in `fixtures/`.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

impl Run {
    /// stdout as NDJSON: one JSON value per line (panics on a line that is not JSON).
    pub fn ndjson(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("line is not JSON ({e}): {l:?}\n{}", self.stdout))
            })
            .collect()
    }
}

impl Roster {
    /// Runs with extra environment: `Some(v)` sets a variable, `None` removes it.
    pub fn run_env(&self, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
        let mut cmd = self.cmd();
        for (k, v) in env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        Run::from(cmd.args(args).output().expect("run roster"))
    }

    /// Makes the store one written by schema version 1 (before the audit log was batched and
    /// originals moved out of the imports rows), holding what `sql` inserts.
    pub fn version_1_store(&self, sql: &str) {
        let conn = rusqlite::Connection::open(&self.db).expect("open store");
        conn.execute_batch(include_str!("../src/store/sqlite/sql/0001_initial.sql"))
            .expect("schema 1");
        conn.execute_batch(&format!("PRAGMA user_version = 1; {sql}"))
            .expect("a version 1 store");
    }

    /// Runs SQL on the store directly, to stage states the binary cannot reach (a killed import).
    pub fn sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(&self.db).expect("open store");
        conn.execute_batch(sql).expect("run SQL");
    }
}

/// The hex sha256 of some bytes.
pub fn sha256(bytes: impl AsRef<[u8]>) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes.as_ref())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Roster {
    /// The first column of the first row of a query on the store, as text.
    pub fn sql_text(&self, sql: &str) -> String {
        let conn = rusqlite::Connection::open(&self.db).expect("open store");
        conn.query_row(sql, [], |r| r.get(0)).expect("query")
    }
}

// Helpers added for the teams, roles, fields and input-format tests.

impl Run {
    /// The `error: ...` lines of stderr, without the prefix.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("error: "))
            .collect()
    }

    /// The `changes` of a `--output json` document.
    pub fn changes(&self) -> Vec<serde_json::Value> {
        match &self.json()["changes"] {
            serde_json::Value::Array(items) => items.clone(),
            other => panic!("no changes array: {other}"),
        }
    }
}

impl Roster {
    /// Runs, then asserts the exit code, each exact stderr line, and that the store is unchanged.
    #[track_caller]
    pub fn refuses_all(&self, args: &[&str], code: i32, lines: &[&str]) -> Run {
        let before = self.dump();
        let run = self.run(args);
        run.code(code);
        for line in lines {
            run.stderr_line(line);
        }
        assert_eq!(self.dump(), before, "the store changed");
        run
    }

    /// Runs a command that must succeed (exit 0).
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.run(args);
        run.code(0);
        run
    }

    /// One member of the store dump (any status), by email.
    #[track_caller]
    pub fn member_by_email(&self, email: &str) -> serde_json::Value {
        let all: serde_json::Value = serde_json::from_str(&self.dump()).expect("dump is JSON");
        all.as_array()
            .expect("dump is an array")
            .iter()
            .find(|m| m["email"] == email)
            .unwrap_or_else(|| panic!("no member {email} in the store"))
            .clone()
    }

    /// A member's teams as `team:role` strings, sorted.
    #[track_caller]
    pub fn teams_of(&self, email: &str) -> Vec<String> {
        let m = self.member(email);
        let mut teams: Vec<String> = m["teams"]
            .as_array()
            .expect("teams array")
            .iter()
            .map(|t| {
                format!(
                    "{}:{}",
                    t["team"].as_str().unwrap(),
                    t["team_role"].as_str().unwrap()
                )
            })
            .collect();
        teams.sort();
        teams
    }

    /// Every team that has at least one membership, sorted.
    pub fn team_names(&self) -> Vec<String> {
        let all: serde_json::Value = serde_json::from_str(&self.dump()).expect("dump is JSON");
        let mut names: Vec<String> = all
            .as_array()
            .expect("dump is an array")
            .iter()
            .flat_map(|m| m["teams"].as_array().cloned().unwrap_or_default())
            .map(|t| t["team"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}
