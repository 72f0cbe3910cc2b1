//! Regression tests, one per defect, each named after its issue (ripgrep's `tests/regression.rs`).
//! They drive the real binary with `std::process::Command` on files in fixtures/.

use clap::CommandFactory;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// One temporary directory and store per test.
struct Env {
    dir: tempfile::TempDir,
}

/// What one run did.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn from(out: Output) -> Ran {
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    #[track_caller]
    fn code(&self, want: i32) -> &Ran {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// stderr holds exactly these lines, in this order (other lines may come between).
    #[track_caller]
    fn stderr_lines(&self, want: &[&str]) -> &Ran {
        let mut lines = self.stderr.lines();
        for line in want {
            assert!(
                lines.any(|l| l == *line),
                "stderr has no line (in order) {line:?}\n--- stderr\n{}",
                self.stderr
            );
        }
        self
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The JSON `errors` as "row column value: message" lines.
    fn errors(&self) -> Vec<String> {
        let doc = self.json();
        let errors = doc["errors"].as_array().cloned().unwrap_or_default();
        errors
            .iter()
            .map(|e| {
                let text = |k: &str| match &e[k] {
                    serde_json::Value::Null => "-".to_string(),
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!(
                    "{} {} {}: {}",
                    text("row"),
                    text("column"),
                    text("value"),
                    text("message")
                )
            })
            .collect()
    }
}

impl Env {
    /// A folder with an empty store in it (read-only commands refuse a missing one).
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        let location = roster::store::Location::parse(&env.db().display().to_string());
        roster::store::open(&location).expect("a new store");
        env
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("roster.db")
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
        cmd.current_dir(self.dir.path())
            .env_remove("ROSTER_DB")
            .env("NO_COLOR", "1")
            .env("USER", "tester")
            .arg("--db")
            .arg(self.db());
        cmd
    }

    fn run(&self, args: &[&str]) -> Ran {
        Ran::from(self.cmd().args(args).output().expect("run roster"))
    }

    /// The member exported as JSON, by email.
    fn exported(&self, email: &str) -> serde_json::Value {
        let out = self.run(&["export", "--format", "json"]);
        out.code(0);
        let members: Vec<serde_json::Value> =
            serde_json::from_str(&out.stdout).expect("export is JSON");
        members
            .into_iter()
            .find(|m| m["email"] == email)
            .unwrap_or_else(|| panic!("{email} was not exported:\n{}", out.stdout))
    }

    fn export_csv(&self) -> String {
        let out = self.run(&["export"]);
        out.code(0);
        out.stdout
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

// See: issue 17, defect 4.
#[test]
fn r17_a_map_naming_no_header_of_the_file_is_refused() {
    let env = Env::new();
    env.run(&["labels", "add", "seed"]).code(0);
    let before = env.export_csv();
    let file = fixture("valid/hr-headers.csv");
    env.run(&["import", &file, "--map", "Employe ID=external_id"])
        .code(1)
        .stderr_lines(&[
            "error: --map 'Employe ID=external_id' names a header the file does not have; the closest is 'Employee ID'.",
            "hint: if that is the header you meant, re-run with --map 'Employee ID=external_id'.",
        ]);
    assert_eq!(env.export_csv(), before, "nothing was imported");
    let json = env.run(&[
        "import",
        &file,
        "--map",
        "Employe ID=external_id",
        "--output",
        "json",
    ]);
    json.code(1);
    assert_eq!(json.json()["status"], "FAILED");
    // The header it meant takes the column.
    let both = [
        "--map",
        "Employee ID=external_id",
        "--map",
        "Work Email=email",
    ];
    env.run(&[&["import", file.as_str()][..], &both].concat())
        .code(0);
    assert_eq!(env.exported("ann.lee@example.org")["external_id"], "E1001");
}

// See: issue 17, defect 5.
#[test]
fn r17_hr_style_headers_match_and_lookalikes_suggest_a_map() {
    let env = Env::new();
    let file = fixture("valid/hr-headers.csv");
    let run = env.run(&["import", &file, "--map", "Work Email=email"]);
    run.code(0)
        .stderr_lines(&["warning: ignoring 2 unknown columns: `Employee ID` and `Department`"]);
    let ann = env.exported("ann.lee@example.org");
    assert_eq!(ann["first_name"], "Ann");
    assert_eq!(ann["last_name"], "Lee");
    assert_eq!(ann["job_title"], "Chef");

    // Without any mapping the file has no identifier column: the hint names the `--map`.
    let env = Env::new();
    env.run(&["diff", &file]).code(1).stderr_lines(&[
        "error: Required column is missing: one of email, external_id, phone.",
        "hint: the file's `Work Email` looks like email: re-run with --map 'Work Email=email'.",
    ]);

    // A header that resembles a column the file lacks: the warning names the `--map`.
    let file = env.dir.path().join("with-id.csv");
    std::fs::write(
        &file,
        "phone,Work Email,First Name,Cost Center\n+15551234567,ann@example.org,Ann,12\n",
    )
    .expect("write");
    env.run(&["diff", &file.display().to_string()])
        .code(0)
        .stderr_lines(&[
            "warning: ignoring 2 unknown columns: `Work Email` and `Cost Center`",
            "warning: unknown column `Work Email` looks like email; to import it, add --map 'Work Email=email'",
        ]);
}

// See: issue 17, defect 13.
#[test]
fn r17_row_messages_name_the_fix() {
    let env = Env::new();
    let file = fixture("invalid/fix-hints.csv");
    env.run(&["import", &file])
        .code(1)
        .stderr_lines(&[
            "error: 2 rows have 5 errors; nothing was changed.",
            "  row 2, phone '555 123 4567': Invalid phone format",
            "  row 2, date_of_birth '1990-02-30': Invalid date: expected YYYY-MM-DD",
            "  row 2, labels 'gold': Unknown label: gold",
            "  row 3, labels 'gold,silver': Unknown label: gold",
            "  row 3, labels 'gold,silver': Unknown label: silver",
            "hint: phone numbers are E.164: a + and the country code, then the number without spaces or punctuation, such as +15551234567.",
            "hint: row 2: 1990-02-30 has the YYYY-MM-DD shape but is not a real date; a date of birth is a real, past date.",
            "hint: define a label before a file uses it: `roster labels add gold`, `roster labels add silver`.",
        ]);
    // JSON keeps the contract's bare messages.
    let json = env.run(&["import", &file, "--output", "json"]);
    json.code(1);
    let errors = json.errors();
    assert!(
        errors.contains(&"2 phone 555 123 4567: Invalid phone format".to_string()),
        "{errors:?}"
    );
    // --skip-invalid lists the rows it left out with the same hints.
    env.run(&["import", &file, "--skip-invalid"])
        .code(0)
        .stderr_lines(&[
            "warning: skipped 2 rows with 5 errors (--skip-invalid)",
            "hint: phone numbers are E.164: a + and the country code, then the number without spaces or punctuation, such as +15551234567.",
        ]);
}

// See: issue 17, defect 14.
#[test]
fn r17_a_team_members_conflicts_are_reported_beside_its_row_error() {
    let env = Env::new();
    let file = fixture("invalid/team-member-row-error.csv");
    let t51 = "T".repeat(51);
    let json = env.run(&["diff", &file, "--output", "json"]);
    json.code(1);
    assert_eq!(
        json.errors(),
        [
            format!("2 team {t51}: Row 2, column team: cell is too long."),
            "3 external_id E2: Conflicting external_id for a@x.org: 'E1' on row 2, 'E2' on row 3"
                .to_string(),
            "3 first_name Bob: Conflicting first_name for a@x.org: 'Ann' on row 2, 'Bob' on row 3"
                .to_string(),
        ]
    );
    env.run(&["import", &file])
        .code(1)
        .stderr_lines(&["error: 2 rows have 3 errors; nothing was changed."]);
}

// See: issue 17, defect 14.
#[test]
fn r17_skip_invalid_reports_every_row_of_a_member_it_leaves_out() {
    let env = Env::new();
    let file = fixture("invalid/team-member-skipped-row.csv");
    let errors_csv = env.dir.path().join("rejected.csv");
    let run = env.run(&[
        "import",
        &file,
        "--skip-invalid",
        "--output",
        "json",
        "--errors-csv",
        &errors_csv.display().to_string(),
    ]);
    run.code(0);
    assert_eq!(
        run.errors(),
        [
            "2 team_role boss: Invalid team role: expected owner, admin or member",
            "3 email a@x.org: Not applied: row 2 of the same member has errors",
        ]
    );
    assert_eq!(run.json()["summary"]["created"], 1, "only b@x.org");
    let report = std::fs::read_to_string(&errors_csv).expect("errors csv");
    assert_eq!(
        report.lines().count(),
        3,
        "header and both rows of a@x.org:\n{report}"
    );
}

/// Runs with stdout a pipe whose reading end is already closed.
fn run_into_closed_pipe(env: &Env, args: &[&str]) -> Ran {
    let mut child = env
        .cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn roster");
    drop(child.stdout.take());
    Ran::from(child.wait_with_output().expect("wait roster"))
}

// See: issue 17, defect 8.
#[test]
fn r17_no_command_panics_on_a_closed_pipe_or_a_full_disk() {
    let env = Env::new();
    env.run(&["labels", "add", "vip"]).code(0);
    let commands: [&[&str]; 6] = [
        &["completions", "bash"],
        &["completions", "zsh"],
        &["man"],
        &["template"],
        &["config", "get"],
        &["labels", "list"],
    ];
    for args in commands {
        let ran = run_into_closed_pipe(&env, args);
        assert_eq!(ran.code, 0, "{args:?} on a closed pipe:\n{}", ran.stderr);
        assert!(!ran.stderr.contains("panicked"), "{args:?}: {}", ran.stderr);
        if Path::new("/dev/full").exists() {
            let full = || std::fs::File::create("/dev/full").expect("/dev/full");
            let out = env.cmd().args(args).stdout(full()).output().expect("run");
            let ran = Ran::from(out);
            assert_eq!(ran.code, 1, "{args:?} on a full disk:\n{}", ran.stderr);
            assert!(!ran.stderr.contains("panicked"), "{args:?}: {}", ran.stderr);
            // stderr full too: the error message is lost, the exit code is not.
            let status = env
                .cmd()
                .args(args)
                .stdout(full())
                .stderr(full())
                .status()
                .expect("run");
            assert_eq!(
                status.code(),
                Some(1),
                "{args:?} with stdout and stderr full"
            );
        }
    }
}

// See: issue 17, defect 9.
#[test]
fn r17_config_set_refuses_values_that_break_every_import() {
    let env = Env::new();
    let refused = [
        (
            "max-rows",
            "0",
            "error: invalid value '0' for max-rows: expected a whole number, 1 or more, or none",
        ),
        (
            "max-bytes",
            "0",
            "error: invalid value '0' for max-bytes: expected a whole number of bytes, 1 or more, or none",
        ),
        (
            "max-deactivations",
            "150%",
            "error: invalid value '150%' for max-deactivations: expected a whole number N, or a percentage N% from 0% to 100%, or none",
        ),
        (
            "seat-limit",
            "-1",
            "error: invalid value '-1' for seat-limit: expected a whole number, 0 or more, or none",
        ),
    ];
    for (key, value, line) in refused {
        env.run(&["config", "set", key, value])
            .code(2)
            .stderr_lines(&[line]);
    }
    assert_eq!(
        env.run(&["config", "get"]).stdout,
        "seat-limit = none\nmax-rows = none\nmax-bytes = none\nmax-deactivations = none\nmax-shrink = none\ndeactivate-after-missing = none\nscim-invite = none\nscim-max-deactivations = none\n"
    );
    for (key, value) in [
        ("max-deactivations", "100%"),
        ("max-deactivations", "0"),
        ("seat-limit", "0"),
        ("max-rows", "1"),
    ] {
        env.run(&["config", "set", key, value]).code(0);
    }
}

// See: issue 17, defect 9.
#[test]
fn r17_a_seat_limit_below_the_seats_in_use_is_warned_about() {
    let env = Env::new();
    let file = env.dir.path().join("three.csv");
    std::fs::write(&file, "email\na@x.org\nb@x.org\nc@x.org\n").expect("write");
    env.run(&["import", &file.display().to_string(), "--invite"])
        .code(0);
    let warning = "warning: the seat limit 2 is below the 3 seats already in use (ACTIVE and INVITED members); imports that add seats will be refused";
    env.run(&["config", "set", "seat-limit", "2"])
        .code(0)
        .stderr_lines(&[warning]);
    let at_limit = env.run(&["config", "set", "seat-limit", "3"]);
    at_limit.code(0);
    assert_eq!(at_limit.stderr, "", "no warning at the limit");
}

/// Every command of the tree, with its path (`roster members ban`).
fn every_command() -> Vec<(String, clap::Command)> {
    fn walk(path: &str, cmd: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let name = format!("{path} {}", sub.get_name());
            out.push((name.clone(), sub.clone()));
            walk(&name, sub, out);
        }
    }
    let mut root = roster::Cli::command();
    root.build();
    let mut out = vec![("roster".to_string(), root.clone())];
    walk("roster", &root, &mut out);
    out
}

// See: issue 17, help.
#[test]
fn r17_every_command_argument_and_option_has_help_and_an_example() {
    for (name, cmd) in every_command() {
        assert!(cmd.get_about().is_some(), "`{name}` has no help line");
        let long = cmd.clone().render_long_help().to_string();
        assert!(
            long.contains("Example")
                && long
                    .trim_end()
                    .lines()
                    .last()
                    .is_some_and(|l| l.contains("$ roster")),
            "`{name} --help` does not end with an example:\n{long}"
        );
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            assert!(
                arg.get_help().is_some() || arg.get_long_help().is_some(),
                "`{name}`: `{id}` has no help line"
            );
        }
    }
}

// See: issue 17, help.
#[test]
fn r17_help_pages_say_what_the_contract_needs() {
    let env = Env::new();
    let root = env.run(&["--help"]);
    root.code(0);
    for code in [
        "0  success",
        "1  refused",
        "2  usage",
        "3  --detailed",
        "4  refused",
        "5  another",
    ] {
        assert!(
            root.stdout.contains(code),
            "roster --help lacks exit code `{code}`"
        );
    }
    let set = env.run(&["config", "set", "--help"]);
    set.code(0);
    for (key, range) in roster::error::setting::RANGES {
        let line = set
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{key}  ")))
            .unwrap_or_else(|| panic!("config set --help lacks {key}:\n{}", set.stdout));
        assert!(line.contains(range), "{key}: {line:?} lacks {range:?}");
    }
    let diff = env.run(&["diff", "--help"]);
    diff.code(0);
    assert!(!diff.stdout.contains("--dry-run"), "{}", diff.stdout);
    assert!(!diff.stdout.contains("--operator"), "{}", diff.stdout);
    assert!(env.run(&["import", "--help"]).stdout.contains("--dry-run"));
}

// See: issue 17, help (the man page).
#[test]
fn r17_the_man_pages_come_from_the_same_definitions() {
    let env = Env::new();
    let page = env.run(&["man"]);
    page.code(0);
    assert!(page.stdout.contains(".TH roster 1"), "{}", page.stdout);
    assert!(
        page.stdout.contains("Exit codes"),
        "the page lists the exit codes"
    );
    let import = env.run(&["man", "import"]);
    import.code(0);
    assert!(
        import.stdout.contains(".TH roster-import 1"),
        "{}",
        import.stdout
    );
    assert!(import.stdout.contains("full\\-sync"), "{}", import.stdout);
    let ban = env.run(&["man", "members", "ban"]);
    ban.code(0);
    assert!(ban.stdout.contains(".TH roster-members-ban 1"));
    env.run(&["man", "nope"])
        .code(2)
        .stderr_lines(&["error: `roster` has no command `nope`; `roster --help` lists them"]);
    let dir = env.dir.path().join("man1");
    std::fs::create_dir(&dir).expect("mkdir");
    env.run(&["man", "--out-dir", &dir.display().to_string()])
        .code(0);
    for page in [
        "roster.1",
        "roster-import.1",
        "roster-members-ban.1",
        "roster-config-set.1",
    ] {
        assert!(dir.join(page).is_file(), "{page} was not written");
    }
}
