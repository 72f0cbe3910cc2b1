//! `Test`: one run of the real binary, built up and then run, after casey/just's `Test`.
//! Everything a test varies (arguments, stdin, environment, store, working folder, resource
//! limits, a wrapper program) is a method, and so is everything it expects of the run (exit
//! status, stdout, stderr, exact lines, an unchanged store), checked by `run`.

use super::{Output, Roster};
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

#[must_use = "a Test does nothing until it is run or spawned"]
pub struct Test<'r> {
    roster: &'r Roster,
    args: Vec<OsString>,
    stdin: Option<Vec<u8>>,
    env: Vec<(OsString, Option<OsString>)>,
    db: Option<OsString>,
    dir: PathBuf,
    binary: PathBuf,
    wrapper: Vec<OsString>,
    discard_output: bool,
    expect: Expect,
}

/// What `run` checks. `status` is `Some(0)` unless a test says otherwise.
struct Expect {
    status: Option<i32>,
    stdout: Option<String>,
    stderr: Option<String>,
    stdout_lines: Vec<String>,
    stderr_lines: Vec<String>,
    unchanged: bool,
}

impl<'r> Test<'r> {
    /// The binary in the test's folder on the test's store, with no `$ROSTER_DB`, no colour
    /// and a fixed operator (`USER=tester`), expected to exit 0.
    pub(super) fn new(roster: &'r Roster) -> Test<'r> {
        Test {
            roster,
            args: Vec::new(),
            stdin: None,
            env: Vec::new(),
            db: Some(roster.store().into()),
            dir: roster.dir().to_path_buf(),
            binary: PathBuf::from(env!("CARGO_BIN_EXE_roster")),
            wrapper: Vec::new(),
            discard_output: false,
            expect: Expect {
                status: Some(0),
                stdout: None,
                stderr: None,
                stdout_lines: Vec::new(),
                stderr_lines: Vec::new(),
                unchanged: false,
            },
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(OsString::from));
        self
    }

    /// Bytes written to the binary's stdin (otherwise stdin is empty).
    pub fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.stdin = Some(bytes.as_ref().to_vec());
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.env.push((key.into(), Some(value.as_ref().to_owned())));
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.env.push((key.into(), None));
        self
    }

    /// Runs on another store (a copy, a backup) instead of the test's own: the `--db` value.
    pub fn db(mut self, db: impl AsRef<OsStr>) -> Self {
        self.db = Some(db.as_ref().to_owned());
        self
    }

    /// Passes no `--db` at all (to test `$ROSTER_DB` or the default location).
    pub fn no_db(mut self) -> Self {
        self.db = None;
        self
    }

    /// Runs in another folder than the test's own.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.dir = dir.as_ref().to_path_buf();
        self
    }

    /// Runs another copy of the binary.
    pub fn binary(mut self, path: impl AsRef<Path>) -> Self {
        self.binary = path.as_ref().to_path_buf();
        self
    }

    /// Runs the binary through a program: `wrapper... BINARY ARGS...` (for example `setpriv`).
    pub fn wrapper(mut self, program_and_args: &[&OsStr]) -> Self {
        self.wrapper = program_and_args.iter().map(|a| a.to_os_string()).collect();
        self
    }

    /// Runs the binary under `sh` with resource limits (for example `ulimit -f 64`), with
    /// SIGXFSZ ignored so that an over-large write fails with EFBIG instead of killing roster.
    pub fn limits(self, limits: &str) -> Self {
        let script = format!("trap '' XFSZ; {limits}; exec \"$0\" \"$@\"");
        self.wrapper(&["sh".as_ref(), "-c".as_ref(), script.as_ref()])
    }

    /// The exit status `run` expects (0 unless set).
    pub fn status(mut self, code: i32) -> Self {
        self.expect.status = Some(code);
        self
    }

    /// Expects no particular exit status: the test judges `Output::code` itself.
    pub fn any_status(mut self) -> Self {
        self.expect.status = None;
        self
    }

    /// Expects exactly this stdout.
    pub fn stdout(mut self, text: impl Into<String>) -> Self {
        self.expect.stdout = Some(text.into());
        self
    }

    /// Expects exactly this stderr.
    pub fn stderr(mut self, text: impl Into<String>) -> Self {
        self.expect.stderr = Some(text.into());
        self
    }

    /// Expects stdout to hold exactly this line (among others).
    pub fn stdout_line(mut self, line: impl Into<String>) -> Self {
        self.expect.stdout_lines.push(line.into());
        self
    }

    /// Expects stderr to hold exactly this line (among others).
    pub fn stderr_line(mut self, line: impl Into<String>) -> Self {
        self.expect.stderr_lines.push(line.into());
        self
    }

    /// Expects the test's store to hold the same roster after the run as before it.
    pub fn unchanged(mut self) -> Self {
        self.expect.unchanged = true;
        self
    }

    /// Runs to the end and checks every expectation, showing both streams when one fails.
    #[track_caller]
    pub fn run(self) -> Output {
        let before = self.expect.unchanged.then(|| self.roster.dump());
        let mut child = self.command(true).spawn().expect("start roster");
        if let Some(bytes) = &self.stdin {
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(bytes).expect("write stdin");
        }
        let out = Output::of_child(child);
        self.expect.check(&out);
        if let Some(before) = before {
            assert_eq!(self.roster.dump(), before, "the store changed");
        }
        out
    }

    /// Starts the binary and returns at once, with stdin, stdout and stderr piped (or stdout
    /// and stderr discarded). Nothing is checked: collect with `Output::of_child`.
    pub fn spawn(self) -> Child {
        self.command(false).spawn().expect("start roster")
    }

    /// Sends stdout and stderr of a spawned process nowhere (a long run whose output nobody
    /// reads must not fill a pipe and stall).
    pub fn discard_output(mut self) -> Self {
        self.discard_output = true;
        self
    }

    fn command(&self, run: bool) -> Command {
        let mut cmd = match self.wrapper.split_first() {
            Some((program, args)) => {
                let mut cmd = Command::new(program);
                cmd.args(args).arg(&self.binary);
                cmd
            }
            None => Command::new(&self.binary),
        };
        if let Some(db) = &self.db {
            cmd.arg("--db").arg(db);
        }
        cmd.args(&self.args)
            .current_dir(&self.dir)
            .env_remove("ROSTER_DB")
            .env("NO_COLOR", "1")
            .env("COLUMNS", "250")
            .env("USER", "tester");
        for (key, value) in &self.env {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        let stdin = if run && self.stdin.is_none() {
            Stdio::null()
        } else {
            Stdio::piped()
        };
        let out = || {
            if self.discard_output {
                Stdio::null()
            } else {
                Stdio::piped()
            }
        };
        cmd.stdin(stdin).stdout(out()).stderr(out());
        cmd
    }
}

impl Expect {
    #[track_caller]
    fn check(&self, out: &Output) {
        let shown = || format!("--- stdout\n{}\n--- stderr\n{}", out.stdout, out.stderr);
        if let Some(code) = self.status {
            assert_eq!(out.code, code, "exit status\n{}", shown());
        }
        if let Some(want) = &self.stdout {
            assert_eq!(&out.stdout, want, "stdout\n{}", shown());
        }
        if let Some(want) = &self.stderr {
            assert_eq!(&out.stderr, want, "stderr\n{}", shown());
        }
        for line in &self.stdout_lines {
            assert_has_line("stdout", &out.stdout, line);
        }
        for line in &self.stderr_lines {
            assert_has_line("stderr", &out.stderr, line);
        }
    }
}

#[track_caller]
pub(super) fn assert_has_line(stream: &str, text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "{stream} has no line {line:?}\n--- {stream}\n{text}"
    );
}
