//! SPEC §11: one test per exit code, each with the line that explains it.

use crate::harness::{Roster, fixture, members_csv};

#[test]
fn zero_on_success() {
    let r = Roster::new();
    let path = r.write("a.csv", members_csv([1]));
    r.args(&["import", &path]).run();
    r.args(&["diff", &path]).run();
    r.args(&["export"]).run();
    r.args(&["template"]).run();
}

#[test]
fn one_when_the_file_or_its_rows_are_invalid() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1])).run();
    r.args(&["import", &fixture("invalid/empty.csv")])
        .status(1)
        .stderr_line("error: The file is empty.")
        .unchanged()
        .run();
    r.args(&["import", &fixture("invalid/row_errors.csv")])
        .status(1)
        .stderr_line("error: 7 rows have 7 errors; nothing was changed.")
        .unchanged()
        .run();
    let missing = r.path("missing.csv").display().to_string();
    let run = r
        .args(&["import", &missing])
        .status(1)
        .stderr_line(format!(
            "error: Could not read {missing}: No such file or directory (os error 2)"
        ))
        .unchanged()
        .run();
    assert_eq!(run.stdout, "");
}

#[test]
fn one_when_the_store_cannot_be_opened() {
    let r = Roster::new();
    let path = r.write("a.csv", members_csv([1]));
    let db = r.path("no/such/dir/roster.db").display().to_string();
    let run = r
        .args(&["import", &path])
        .no_db()
        .env("ROSTER_DB", &db)
        .status(1)
        .stderr_line("hint: check --db or $ROSTER_DB, and that the folder exists and is writable.")
        .run();
    let prefix =
        format!("error: could not open the roster store at {db}: unable to open database file");
    assert!(run.stderr.starts_with(&prefix), "{}", run.stderr);
}

#[test]
fn two_on_a_usage_error() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1])).run();
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
        let run = r.args(args).status(2).run();
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
    r.args(&["diff", &path, "--detailed-exitcode"])
        .status(3)
        .run();
    r.args(&["import", &path, "--detailed-exitcode"])
        .status(3)
        .run();
    r.args(&["diff", &path, "--detailed-exitcode"]).run();
}

#[test]
fn four_when_a_safety_rule_refuses() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv(0..12)).run();
    let path = r.write("b.csv", members_csv([0]));
    r.args(&["import", &path, "--full-sync"])
        .status(4)
        .stderr_line("error: This import would deactivate 11 of 12 members (92%), above the limit of 10. Review it with roster diff, then re-run with --max-deactivations 11 to allow it.")
        .unchanged()
        .run();
}

#[test]
fn five_when_another_import_is_being_applied() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1])).run();
    let path = r.write("b.csv", members_csv([2]));
    let lock = crate::concurrency::hold_lock(&r);
    r.args(&["import", &path])
        .status(5)
        .stderr_line("error: Another import is being applied. Please wait for it to finish before uploading again.")
        .unchanged()
        .run();
    drop(lock);
    r.args(&["import", &path]).run();
}
