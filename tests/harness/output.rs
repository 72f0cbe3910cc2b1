//! What one run of the binary did, and typed readings of what it printed.

use super::json::{Event, ImportRecord, Member, Report};
use serde::de::DeserializeOwned;

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub raw_stdout: Vec<u8>,
}

impl Output {
    pub fn from_process(out: std::process::Output) -> Output {
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            raw_stdout: out.stdout,
        }
    }

    /// Waits for a process started by `Test::spawn` and collects what it printed.
    pub fn of_child(child: std::process::Child) -> Output {
        Output::from_process(child.wait_with_output().expect("wait for roster"))
    }

    /// stdout as one JSON value of type `T` (panics, showing stdout, when it is not one).
    #[track_caller]
    pub fn decode<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not a {} ({e}):\n{}",
                std::any::type_name::<T>(),
                self.stdout
            )
        })
    }

    /// stdout as untyped JSON: only for tests of the wire form itself (key order, exact values).
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        self.decode()
    }

    /// The `--output json` document of `import` or `diff`.
    #[track_caller]
    pub fn report(&self) -> Report {
        self.decode()
    }

    /// The `--output ndjson` events, one a line.
    #[track_caller]
    pub fn events(&self) -> Vec<Event> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not an event ({e}): {l:?}\n{}", self.stdout))
            })
            .collect()
    }

    /// The records of `roster imports list --output json`, newest first.
    #[track_caller]
    pub fn imports(&self) -> Vec<ImportRecord> {
        self.decode()
    }

    /// The members of `roster export --format json` or `roster members list --output json`.
    #[track_caller]
    pub fn members(&self) -> Vec<Member> {
        self.decode()
    }

    /// The `error: ...` lines of stderr, without the prefix.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("error: "))
            .collect()
    }
}
