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
        assert!(
            self.stderr.lines().any(|l| l == line),
            "stderr has no line {line:?}\n--- stderr\n{}",
            self.stderr
        );
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
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_roster"));
        cmd.current_dir(self.dir.path())
            .env_remove("ROSTER_DB")
            .env("NO_COLOR", "1")
            .env("USER", "tester")
            .arg("--db")
            .arg(&self.db);
        cmd
    }

    /// The binary as `cmd()` sets it up, but on another store (a copy, a backup).
    pub fn cmd_on(&self, db: &Path) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_roster"));
        cmd.current_dir(self.dir.path())
            .env_remove("ROSTER_DB")
            .env("NO_COLOR", "1")
            .env("USER", "tester")
            .arg("--db")
            .arg(db);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().expect("run roster"))
    }

    pub fn run_stdin(&self, args: &[&str], stdin: impl AsRef<[u8]>) -> Run {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = self
            .cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn roster");
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
        let mut sh = std::process::Command::new("sh");
        sh.arg("-c")
            .arg(format!("trap '' XFSZ; {limits}; exec \"$0\" \"$@\""))
            .arg(cmd.get_program())
            .args(cmd.get_args())
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("ROSTER_DB")
            .env("NO_COLOR", "1")
            .env("USER", "tester");
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

/// The path of a file in `fixtures/`.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}
