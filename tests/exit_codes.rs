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

// See: issue 22, "keys list, config get, labels list, forms list, invitations send and serve
// on a mistyped --db create a store and exit 0": each refuses with SPEC §2's message, exit 1,
// and creates nothing.
#[test]
fn one_for_a_store_that_does_not_exist() {
    let r = Roster::new();
    let typo = r.path("typo.db");
    let message = format!(
        "error: No roster store at {}. Run roster import to create one, or pass --db.",
        typo.display()
    );
    let commands: [&[&str]; 6] = [
        &["keys", "list"],
        &["config", "get"],
        &["labels", "list"],
        &["forms", "list"],
        &["invitations", "send"],
        &["serve", "--listen", "127.0.0.1:0"],
    ];
    for args in commands {
        r.args(args).db(&typo).status(1).stderr_line(&message).run();
    }
    let created: Vec<String> = std::fs::read_dir(r.dir())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("typo"))
        .collect();
    assert!(created.is_empty(), "created {created:?}");
}

// See: issue 22, "a duplicate keys create exits 2; invite --resend on an ACTIVE member exits 2
// while invitations accept on one exits 1": refusals for the store's state, exit 1.
#[test]
fn one_for_a_refusal_that_is_not_a_usage_error() {
    let r = Roster::new();
    r.args(&["keys", "create", "hris"]).run();
    r.args(&["keys", "create", "hris"])
        .status(1)
        .stderr_line(
            "error: A key named 'hris' already exists. Revoke it first, or choose another name.",
        )
        .run();
    r.import_json("a.csv", members_csv([1])).run();
    r.args(&["invite", "m1@example.com"]).run();
    r.args(&["members", "activate", "m1@example.com"]).run();
    r.args(&["invite", "--resend", "m1@example.com"])
        .status(1)
        .stderr_line("error: m1@example.com is ACTIVE; only an INVITED member can be invited again")
        .run();
}

// See: issue 22, "roster --help > /dev/full exits 0": help that cannot be written is an
// error (exit 1), as for roster man; a closed pipe stays exit 0.
#[test]
fn one_when_the_help_cannot_be_written() {
    let r = Roster::new();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--help")
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("error: "),
        "{out:?}"
    );
    r.args(&["--help"]).no_db().run();
}

// See: issue 22, "the store changed refusal does not say to run again": the message itself
// says so (JSON, the history and --quiet have no hint line).
#[test]
fn the_store_changed_refusal_says_to_run_again() {
    let message = roster::error::StoreError::Changed.to_string();
    assert!(message.contains("nothing was changed"), "{message}");
    assert!(message.contains("Run the import again"), "{message}");
}
