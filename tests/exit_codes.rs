//! SPEC §11: one test per exit code, each with the line that explains it.

use crate::harness::{Roster, fixture, members_csv};

#[test]
fn zero_on_success() {
    let r = Roster::new();
    let path = r.write("a.csv", members_csv([1]));
    r.run(&["import", &path]).code(0);
    r.run(&["diff", &path]).code(0);
    r.run(&["export"]).code(0);
    r.run(&["template"]).code(0);
}

#[test]
fn one_when_the_file_or_its_rows_are_invalid() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1]), &[]);
    r.refuses(
        &["import", &fixture("invalid/empty.csv")],
        1,
        "error: The file is empty.",
    );
    r.refuses(
        &["import", &fixture("invalid/row_errors.csv")],
        1,
        "error: 7 rows have 7 errors; nothing was changed.",
    );
    let missing = r.path("missing.csv").display().to_string();
    let run = r.refuses(
        &["import", &missing],
        1,
        &format!("error: Could not read {missing}: No such file or directory (os error 2)"),
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn one_when_the_store_cannot_be_opened() {
    let r = Roster::new();
    let path = r.write("a.csv", members_csv([1]));
    let db = r.path("no/such/dir/roster.db").display().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .current_dir(r.dir())
        .env("ROSTER_DB", &db)
        .env("NO_COLOR", "1")
        .args(["import", &path])
        .output()
        .expect("run roster");
    let run = crate::harness::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        raw_stdout: out.stdout,
    };
    run.code(1)
        .stderr_line("hint: check --db or $ROSTER_DB, and that the folder exists and is writable.");
    let prefix =
        format!("error: could not open the roster store at {db}: unable to open database file");
    assert!(run.stderr.starts_with(&prefix), "{}", run.stderr);
}

#[test]
fn two_on_a_usage_error() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1]), &[]);
    let path = r.write("b.csv", members_csv([2]));
    let before = r.dump();
    for args in [
        &["import", path.as_str(), "--bogus"][..],
        &["import"][..],
        &["import", path.as_str(), "--max-deactivations", "lots"][..],
        &["import", path.as_str(), "--output", "xml"][..],
        &["import", path.as_str(), "--default-role", "boss"][..],
        &["frobnicate"][..],
    ] {
        let run = r.run(args);
        run.code(2);
        assert!(
            run.stderr.starts_with("error: "),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(r.dump(), before);
}

#[test]
fn three_with_detailed_exitcode_and_changes() {
    let r = Roster::new();
    let path = r.write("a.csv", members_csv([1]));
    r.run(&["diff", &path, "--detailed-exitcode"]).code(3);
    r.run(&["import", &path, "--detailed-exitcode"]).code(3);
    r.run(&["diff", &path, "--detailed-exitcode"]).code(0);
}

#[test]
fn four_when_a_safety_rule_refuses() {
    let r = Roster::new();
    r.import("a.csv", &members_csv(0..12), &[]);
    let path = r.write("b.csv", members_csv([0]));
    r.refuses(
        &["import", &path, "--full-sync"],
        4,
        "error: This import would deactivate 11 of 12 members (92%), above the limit of 10. Review it with roster diff, then re-run with --max-deactivations 11 to allow it.",
    );
}

#[test]
fn five_when_another_import_is_being_applied() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1]), &[]);
    let path = r.write("b.csv", members_csv([2]));
    let lock = crate::concurrency::hold_lock(&r);
    r.refuses(
        &["import", &path],
        5,
        "error: Another import is being applied. Please wait for it to finish before uploading again.",
    );
    drop(lock);
    r.run(&["import", &path]).code(0);
}
