//! The old calls that `tests/properties.rs` and `tests/properties_teams.rs` still make, each
//! a thin shim over `Test`. Nothing else may use them; delete this module when those two files
//! move to `Roster::args` (they belong to the core refactor of issue 12).

use super::{Output, Roster};

impl Roster {
    /// Runs with any exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.args(args).any_status().run()
    }

    /// Runs a command that must exit 0.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Output {
        self.args(args).run()
    }

    /// Imports a file's contents (written as `name`) as JSON with extra args; expects exit 0.
    #[track_caller]
    pub fn import(&self, name: &str, contents: &str, args: &[&str]) -> Output {
        self.import_json(name, contents).args(args).run()
    }
}

impl Output {
    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn code(&self, want: i32) -> &Output {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr holds exactly this line.
    #[track_caller]
    pub fn stderr_line(&self, line: &str) -> &Output {
        super::test::assert_has_line("stderr", &self.stderr, line);
        self
    }

    /// The `summary` object of a `--output json` document, untyped.
    pub fn summary(&self) -> serde_json::Value {
        self.json()["summary"].clone()
    }

    /// The `changes` of a `--output json` document, untyped.
    pub fn changes(&self) -> Vec<serde_json::Value> {
        match &self.json()["changes"] {
            serde_json::Value::Array(items) => items.clone(),
            other => panic!("no changes array: {other}"),
        }
    }
}
