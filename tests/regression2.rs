//! Regression tests of issue 17's second round, each with a `See: issue 17, ...` line: they
//! drive the real binary through the harness on files written into the test's folder.

use crate::harness::{Roster, members_csv};
use crate::support::at_a_terminal;

/// A store of members 1..=3 and a file of member 1 only: a full sync would deactivate two.
fn two_to_deactivate() -> (Roster, String) {
    let r = Roster::new();
    let all = r.write("all.csv", members_csv(1..=3));
    r.args(&["import", &all]).run();
    let one = r.write("one.csv", members_csv(1..=1));
    (r, one)
}

// See: issue 17, "--show all for everything": the default lists 50 creates and says how many
// more; --show all lists each.
#[test]
fn show_all_lists_every_change() {
    let r = Roster::new();
    let file = r.write("big.csv", members_csv(1..=60));
    let default = r.args(&["diff", &file]).run();
    assert!(
        default
            .stdout
            .contains("... and 10 more to create (use --show all)"),
        "{}",
        default.stdout
    );
    let all = r.args(&["diff", &file, "--show", "all"]).run();
    assert!(!all.stdout.contains("more to create"), "{}", all.stdout);
    assert_eq!(
        all.stdout.lines().filter(|l| l.starts_with("+ ")).count(),
        60
    );
}

// See: issue 17, "colour on a terminal only": --color always colours the plan's markers on
// stdout, NO_COLOR and a pipe leave it plain.
#[test]
fn the_plan_is_coloured_as_color_says() {
    let r = Roster::new();
    let file = r.write("one.csv", members_csv(1..=1));
    let always = r.args(&["--color", "always", "diff", &file]).run();
    assert!(always.stdout.contains("\x1b["), "{:?}", always.stdout);
    let piped = r.args(&["diff", &file]).run();
    assert!(!piped.stdout.contains('\x1b'), "{:?}", piped.stdout);
}

// See: issue 17, "the confirmation of section 15": at a terminal, `n` cancels: exit 1, the
// message, nothing changed, the run recorded as FAILED with that message.
#[test]
fn no_at_the_question_cancels_the_import() {
    let (r, one) = two_to_deactivate();
    let run = r
        .args(&["import", &one, "--full-sync", "--max-deactivations", "5"])
        .wrapper(&at_a_terminal())
        .stdin("n\n")
        .status(1)
        .unchanged()
        .run();
    assert!(
        run.stdout.contains("Apply these changes? [y/N]"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("Import cancelled: nothing was changed."),
        "{}",
        run.stdout
    );
    let history = r.args(&["imports", "list", "--output", "json"]).run();
    let last = &history.json()[0];
    assert_eq!(last["status"], "FAILED");
    assert!(last.to_string().contains("Import cancelled"), "{last}");
}

// See: issue 17, "the confirmation of section 15": `y` applies.
#[test]
fn yes_at_the_question_applies() {
    let (r, one) = two_to_deactivate();
    let run = r
        .args(&["import", &one, "--full-sync", "--max-deactivations", "5"])
        .wrapper(&at_a_terminal())
        .stdin("y\n")
        .run();
    assert!(
        run.stdout.contains("Apply these changes? [y/N]"),
        "{}",
        run.stdout
    );
    assert_eq!(r.status("m2@example.com"), "INACTIVE");
}

// See: issue 17, "--yes skips the question; without a terminal roster never asks".
#[test]
fn without_a_terminal_or_with_yes_nobody_is_asked() {
    let (r, one) = two_to_deactivate();
    let yes = r
        .args(&[
            "import",
            &one,
            "--full-sync",
            "--max-deactivations",
            "5",
            "--yes",
        ])
        .wrapper(&at_a_terminal())
        .run();
    assert!(
        !yes.stdout.contains("Apply these changes?"),
        "{}",
        yes.stdout
    );
    let (r, one) = two_to_deactivate();
    let piped = r
        .args(&["import", &one, "--full-sync", "--max-deactivations", "5"])
        .stdin("n\n")
        .run();
    assert!(
        !piped.stderr.contains("Apply these changes?"),
        "{}",
        piped.stderr
    );
    assert_eq!(r.status("m2@example.com"), "INACTIVE");
}

// See: issue 17, defect 1: a read-only command on a store that does not exist refuses (exit 1)
// with SPEC §2's message and creates nothing (no file, no -wal, no lock).
#[test]
fn read_only_commands_never_create_a_store() {
    let r = Roster::new();
    let file = r.write("staff.csv", members_csv(1..=2));
    let typo = r.path("typo.db");
    let message = format!(
        "error: No roster store at {}. Run roster import to create one, or pass --db.",
        typo.display()
    );
    let commands: [&[&str]; 11] = [
        &["invitations", "list"],
        &["diff", &file],
        &["import", &file, "--dry-run"],
        &["export"],
        &["imports", "list"],
        &["imports", "show", "1"],
        &["log"],
        &["members", "list"],
        &["members", "show", "m1@example.com"],
        &["backup", "copy.db"],
        &["log", "--import", "1"],
    ];
    for args in commands {
        r.args(args).db(&typo).status(1).stderr_line(&message).run();
    }
    let created: Vec<String> = std::fs::read_dir(r.dir())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("typo") || name.contains("copy"))
        .collect();
    assert!(
        created.is_empty(),
        "created by read-only commands: {created:?}"
    );
}

/// Runs the binary with stdout on a full disk (`/dev/full`).
fn stdout_full() -> [&'static std::ffi::OsStr; 3] {
    [
        "sh".as_ref(),
        "-c".as_ref(),
        r#"exec "$0" "$@" > /dev/full"#.as_ref(),
    ]
}

// See: issue 17, defect 2: an applied import whose report cannot be written exits 6 (applied,
// report unwritten), never 1 (nothing changed), and says it was applied.
#[test]
fn an_applied_import_with_an_unwritable_report_exits_6() {
    let r = Roster::new();
    let file = r.write("staff.csv", members_csv(1..=2));
    for output in ["table", "json", "ndjson"] {
        let run = r
            .args(&["import", &file, "--output", output])
            .wrapper(&stdout_full())
            .status(6)
            .run();
        assert!(
            run.stderr
                .contains("was applied, but its report could not be written"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(r.status("m1@example.com"), "PROVISIONED");
    // A refused import on a full disk still exits 1: nothing changed.
    let bad = r.write("bad.csv", "email\nnot-an-email\n");
    r.args(&["import", &bad])
        .wrapper(&stdout_full())
        .status(1)
        .unchanged()
        .run();
}

// See: issue 17, defect 3: without USER and LOGNAME the operator is the OS account's name, not
// `unknown`; `--operator` names who bans and who invites.
#[test]
fn the_operator_falls_back_to_the_os_account() {
    let r = Roster::new();
    let file = r.write("staff.csv", members_csv(1..=2));
    r.args(&["import", &file])
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env_remove("USERNAME")
        .run();
    let me = std::process::Command::new("id")
        .arg("-un")
        .output()
        .expect("id -un");
    let me = String::from_utf8_lossy(&me.stdout).trim().to_string();
    let history = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .json();
    assert_eq!(history[0]["operator"], me.as_str());
    r.args(&["members", "ban", "m1@example.com", "--operator", "alice"])
        .run();
    r.args(&["invite", "--operator", "bob"]).run();
    let log = r.args(&["log", "--output", "json"]).run().stdout;
    assert!(log.contains("\"alice\""), "{log}");
    assert!(log.contains("\"bob\""), "{log}");
}

// See: issue 17, defect 6 and defect 13 (invite): an invitation over the seat limit names
// --limit, not "remove new-member rows"; invite says whom it invited, or why nobody.
#[test]
fn invite_names_limit_and_whom_it_invited() {
    let r = Roster::new();
    let file = r.write("staff.csv", members_csv(1..=4));
    r.args(&["import", &file]).run();
    r.args(&["config", "set", "seat-limit", "2"]).run();
    r.args(&["invite"])
        .status(4)
        .stderr_line("error: Your plan allows 2 seats, but these invitations would use 4. Invite at most 2 with --limit 2, or raise the seat limit with roster config set seat-limit N.")
        .unchanged()
        .run();
    r.args(&["invite", "--limit", "2"])
        .stdout("invited 2 members\n")
        .stderr_line("  m1@example.com")
        .stderr_line("  m2@example.com")
        .run();
    r.args(&["invite", "m1@example.com"])
        .stdout("invited 0 members\n")
        .stderr_line("not invited: m1@example.com is INVITED")
        .run();
    r.args(&["config", "set", "seat-limit", "none"]).run();
    r.args(&["invite"]).run();
    r.args(&["invite"])
        .stdout("invited 0 members\n")
        .stderr_line("nobody invited: no PROVISIONED member with an email (imports with --invite invite new members themselves)")
        .run();
}

// See: issue 17, defect 7: --skip-invalid when every row is invalid is a refusal (exit 1),
// recorded FAILED, not "completed".
#[test]
fn skip_invalid_with_no_valid_row_is_refused() {
    let r = Roster::new();
    let file = r.write("bad.csv", "email\nnot-an-email\nalso bad\n");
    r.args(&["import", &file, "--skip-invalid"])
        .status(1)
        .stderr_line("error: 2 rows have 2 errors; nothing was changed.")
        .unchanged()
        .run();
    let history = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .json();
    assert_eq!(history[0]["status"], "FAILED");
}

// See: issue 17, defect 11 (second half): an unknown import id exits 1 everywhere, `log
// --import 99` as `imports show 99`.
#[test]
fn unknown_import_ids_exit_1_everywhere() {
    let r = Roster::new();
    for args in [
        &["log", "--import", "99"][..],
        &["imports", "show", "99"],
        &["imports", "errors", "99"],
        &["imports", "original", "99"],
    ] {
        r.args(args)
            .status(1)
            .stderr_line("error: no import with id 99")
            .run();
    }
}

// See: issue 17, "roster log: newest first, --limit N, --since DATE; a former email finds the
// member".
#[test]
fn log_is_newest_first_limited_since_and_follows_emails() {
    let r = Roster::new();
    let first = r.write("a.csv", "external_id,email\nE1,old@x.org\nE2,b@x.org\n");
    let second = r.write("b.csv", "external_id,email\nE1,new@x.org\n");
    let third = r.write("c.csv", "external_id,email\nE1,newer@x.org\n");
    for file in [&first, &second, &third] {
        r.args(&["import", file]).run();
    }
    let log = |args: &[&str]| {
        let mut all = vec!["log", "--output", "json"];
        all.extend_from_slice(args);
        r.args(&all).run().json()
    };
    let imports = |doc: &serde_json::Value| -> Vec<i64> {
        let events = doc.as_array().expect("an array");
        events
            .iter()
            .map(|e| e["import_id"].as_i64().expect("id"))
            .collect()
    };
    assert_eq!(imports(&log(&[])), [3, 2, 1, 1]);
    assert_eq!(imports(&log(&["--limit", "2"])), [3, 2]);
    assert_eq!(imports(&log(&["--member", "OLD@x.org"])), [3, 2, 1]);
    assert_eq!(imports(&log(&["--since", "2999-01-01"])), Vec::<i64>::new());
    assert_eq!(imports(&log(&["--since", "2000-01-01"])).len(), 4);
    r.args(&["log", "--member", "never@x.org"]).status(1).run();
    r.args(&["log", "--since", "yesterday"]).status(2).run();
}

// See: issue 17, defect 12: a windows-1252 save turns `Łukasz` into `?ukasz`; the updates that
// would replace letters with `?` are counted and the likely cause named, in every output.
#[test]
fn letters_replaced_by_question_marks_are_warned_about() {
    let r = Roster::new();
    let utf8 = r.write(
        "utf8.csv",
        "email,first_name,last_name\nl@x.org,Łukasz,Żak\nz@x.org,Zoë,Ng\nb@x.org,Bob,Ng\n",
    );
    r.args(&["import", &utf8]).run();
    let saved = r.write(
        "cp1252.csv",
        "email,first_name,last_name\nl@x.org,?ukasz,?ak\nz@x.org,Zo?,Ng\nb@x.org,Bobby,Ng\n",
    );
    let warning = "2 rows would replace letters with '?' ('Łukasz' -> '?ukasz', row 2): the file was probably saved in a code page that lacks those letters (such as windows-1252); save it as CSV UTF-8 and import again";
    r.args(&["diff", &saved])
        .stderr_line(format!("warning: {warning}"))
        .run();
    let report = r.args(&["diff", &saved, "--output", "json"]).run().json();
    assert_eq!(report["warnings"][0], warning);
}

// See: issue 17, defect 13: backup errors name the path given, not the temporary file; `backup
// -` is refused; a file that is not a database gets no "folder is writable" hint; `members
// protect` says what it did, and that a protected member already is.
#[test]
fn messages_name_the_path_and_what_happened() {
    let r = Roster::new();
    let missing = r.path("no/such/folder/copy.db");
    let run = r
        .args(&["backup", &missing.display().to_string()])
        .status(1)
        .run();
    assert!(!run.stderr.contains(".partial"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("could not write the backup {}", missing.display())),
        "{}",
        run.stderr
    );
    r.args(&["backup", "-"])
        .status(2)
        .stderr_line("error: roster backup writes a file, not standard output: name the file, such as roster-backup.db")
        .run();
    assert!(!r.path("-").exists());
    let not_a_db = r.write("notes.db", "these are notes, not a database\n".repeat(200));
    let run = r.args(&["members", "list"]).db(&not_a_db).status(1).run();
    assert!(!run.stderr.contains("writable"), "{}", run.stderr);
    assert!(run.stderr.contains("not a roster store"), "{}", run.stderr);
    let file = r.write("staff.csv", members_csv(1..=1));
    r.args(&["import", &file]).run();
    r.args(&["members", "protect", "m1@example.com"])
        .stdout("m1@example.com: protected (PROVISIONED)\n")
        .run();
    r.args(&["members", "protect", "m1@example.com"])
        .stdout("m1@example.com is already protected\n")
        .unchanged()
        .run();
}

// See: issue 17, "NDJSON progress events come during a stage too (at most about every 5%)":
// apply reports within the stage, in order, each step at most 5% of the changes.
#[test]
fn progress_events_come_within_the_apply_stage() {
    let r = Roster::new();
    let file = r.write("big.csv", members_csv(1..=2000));
    let run = r.args(&["import", &file, "--output", "ndjson"]).run();
    let done: Vec<u64> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
        .filter(|e| e["event"] == "progress" && e["stage"] == "apply")
        .map(|e| e["done"].as_u64().expect("done"))
        .collect();
    assert!(done.len() > 10, "{done:?}");
    assert!(
        done.windows(2).all(|w| w[0] < w[1] && w[1] - w[0] <= 100),
        "{done:?}"
    );
    assert_eq!(done.last(), Some(&2000));
}

// See: issue 17, "Ctrl-C leaves a clean line": at a terminal, Ctrl-C while the spinner is drawn
// erases its line before roster ends.
#[test]
fn ctrl_c_erases_the_spinner_line() {
    use std::io::{Read, Write};
    let r = Roster::new();
    let file = r.write("huge.csv", members_csv(1..=300_000));
    let mut child = r
        .args(&[
            "import",
            &file,
            "--max-rows",
            "400000",
            "--max-bytes",
            "100000000",
        ])
        .wrapper(&at_a_terminal())
        .spawn();
    let mut stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    // Wait for the spinner's first message, then type Ctrl-C.
    while !String::from_utf8_lossy(&seen).contains(" rows") {
        let n = stdout.read(&mut buf).expect("read the terminal");
        assert!(n > 0, "no spinner: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(b"\x03").expect("type Ctrl-C");
    drop(stdin);
    stdout.read_to_end(&mut seen).expect("read the rest");
    child.wait().expect("wait");
    let text = String::from_utf8_lossy(&seen);
    assert!(
        text.ends_with("\r\x1b[2K"),
        "{:?}",
        &text[text.len().saturating_sub(200)..]
    );
    let history = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .json();
    assert_ne!(
        history[0]["status"], "COMPLETED",
        "the import was not interrupted"
    );
}

// See: issue 17 and issue 22, "one JSON vocabulary": a document of one object carries
// format_version "2", a list none in its elements, and the history names an import as the
// import's own document does (`import_id`, `file.name`), each thing once.
#[test]
fn every_json_document_speaks_one_vocabulary() {
    let r = Roster::new();
    let file = r.write("staff.csv", members_csv(1..=2));
    let report = r.args(&["import", &file, "--output", "json"]).run().json();
    let shown = r
        .args(&["imports", "show", "1", "--output", "json"])
        .run()
        .json();
    let listed = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .json();
    for record in [&shown, &listed[0]] {
        assert_eq!(record["import_id"], report["import_id"]);
        assert_eq!(record["file"], report["file"]);
        for twice in ["id", "file_name", "sha256", "bytes", "encoding"] {
            assert!(record.get(twice).is_none(), "{twice} in {record}");
        }
    }
    let log = r.args(&["log", "--output", "json"]).run().json();
    let members = r
        .args(&["members", "list", "--output", "json"])
        .run()
        .json();
    let member = r
        .args(&["members", "show", "m1@example.com", "--output", "json"])
        .run()
        .json();
    for doc in [&report, &shown, &member] {
        assert_eq!(doc["format_version"], "2", "{doc}");
    }
    for element in [&listed[0], &log[0], &members[0]] {
        assert!(element.get("format_version").is_none(), "{element}");
    }
    // The export is the import format: no key that is not a column.
    let export = r.args(&["export", "--format", "json"]).run().json();
    assert!(export[0].get("format_version").is_none());
}

// See: issue 17, "README is complete on its own": every contract message of src/error.rs (up
// to its first placeholder) and every summary key is written out in README, and README states
// the build prerequisites.
#[test]
fn readme_spells_out_the_output_contract() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect("read");
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let readme = flat(&read("README.md"));
    let errors = read("src/error.rs");
    let mut checked = 0;
    for line in errors.lines().map(str::trim) {
        let Some(text) = line
            .strip_prefix("#[error(\"")
            .or_else(|| line.strip_prefix('"').filter(|_| line.ends_with("\"")))
        else {
            continue;
        };
        let head = flat(text.split(['{', '"']).next().unwrap_or_default());
        // The contract's messages are sentences; lower-case ones are diagnostics.
        if head.len() < 12 || !head.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        assert!(readme.contains(&head), "README lacks the message {head:?}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} messages found");
    for key in [
        "banned_skipped",
        "memberships_changed",
        "format_version",
        "plan_id",
    ] {
        assert!(readme.contains(key), "README lacks {key}");
    }
    assert!(readme.contains("A C compiler"), "prerequisites");
}
