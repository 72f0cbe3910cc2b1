//! Import history: what `roster imports list|show|errors|original` keep of each run.

use crate::harness::{ImportRecord, Roster, fixture, sha256};

const TWO: &str = "email,first_name\nann@x.co,Ann\nbob@x.co,Bob\n";
const BAD: &str = "email,first_name\nann@x.co,Anna\nbad-email,Bob\n";

fn cells(line: &str) -> Vec<&str> {
    line.split('|').map(str::trim).collect()
}

fn list(r: &Roster) -> Vec<ImportRecord> {
    r.args(&["imports", "list", "--output", "json"])
        .run()
        .imports()
}

#[track_caller]
fn assert_utc_time(s: &str) {
    let t = chrono::DateTime::parse_from_rfc3339(s).expect("RFC 3339");
    assert_eq!(t.offset().local_minus_utc(), 0, "{s} is not UTC");
    assert!(s.ends_with('Z'), "{s}");
}

#[test]
fn completed_import_is_recorded_with_its_facts() {
    let r = Roster::new();
    let path = r.write("staff.csv", TWO);
    let run = r
        .args(&[
            "import",
            &path,
            "--output",
            "json",
            "--operator",
            "alice",
            "--invite",
        ])
        .run();
    let imports = list(&r);
    assert_eq!(imports.len(), 1);
    let i = &imports[0];
    assert_eq!(Some(i.import_id), run.report().import_id);
    assert_eq!(i.status, "COMPLETED");
    assert_eq!(i.operator, "alice");
    assert_eq!(i.file.name, path.as_str());
    assert_eq!(i.file.sha256, sha256(TWO));
    assert_eq!(i.file.bytes, TWO.len() as u64);
    assert_eq!(i.file.encoding, "UTF-8");
    assert_eq!(i.mode, "additive");
    assert_eq!(i.options["invite"], true);
    assert_eq!(i.options["full_sync"], false);
    let summary = i.summary.as_ref().expect("a summary");
    assert_eq!(summary.created, 2);
    assert_eq!(summary.rows, 2);
    assert_utc_time(&i.started_at);
    assert_utc_time(i.finished_at.as_deref().expect("finished"));
}

#[test]
fn operator_defaults_to_the_login_user() {
    let r = Roster::new();
    r.import_json("staff.csv", TWO).run();
    assert_eq!(list(&r)[0].operator, "tester");
}

#[test]
fn import_refused_by_row_errors_is_recorded_as_failed() {
    let r = Roster::new();
    r.import_json("staff.csv", TWO).run();
    let before = r.dump();
    let path = r.write("bad.csv", BAD);
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: 1 row has 1 error; nothing was changed.")
        .stderr_line("  row 3, email 'bad-email': Invalid email format")
        .run();
    assert_eq!(r.dump(), before);
    let i = &list(&r)[0];
    assert_eq!(i.import_id, 2);
    assert_eq!(i.status, "FAILED");
    assert_eq!(
        i.message.as_deref(),
        Some("1 row has 1 error; nothing was changed.")
    );
    assert_eq!(i.summary.as_ref().map(|s| s.errors), Some(1));
    assert_eq!(i.file.sha256, sha256(BAD));
    let errors = r.args(&["imports", "errors", "2"]).run();
    assert_eq!(
        errors.stdout,
        "email,first_name,error_row,error_column,error_message,error_code\n\
         bad-email,Bob,3,email,Invalid email format,invalid_email\n"
    );
}

#[test]
fn import_refused_by_a_safety_rule_is_recorded_as_failed() {
    let r = Roster::new();
    r.args(&["config", "set", "seat-limit", "1"]).run();
    let before = r.dump();
    let path = r.write("staff.csv", TWO);
    let message = "Your plan allows 1 seats, but this import would use 2. Remove new-member rows from the file or raise the seat limit.";
    r.args(&["import", &path, "--invite"])
        .status(4)
        .stderr_line(format!("error: {message}"))
        .run();
    assert_eq!(r.dump(), before);
    let i = &list(&r)[0];
    assert_eq!(i.status, "FAILED");
    assert_eq!(i.message.as_deref(), Some(message));
    assert_eq!(i.summary.as_ref().map(|s| s.created), Some(2));
}

#[test]
fn dry_runs_are_not_recorded() {
    let r = Roster::new();
    let path = r.write("staff.csv", TWO);
    r.args(&["diff", &path]).run();
    r.args(&["import", &path, "--dry-run"]).run();
    let run = r.args(&["diff", &path, "--output", "json"]).run();
    assert_eq!(run.report().import_id, None);
    assert_eq!(list(&r), []);
}

#[test]
fn list_is_newest_first_as_json_and_as_a_table() {
    let r = Roster::new();
    r.import_json("one.csv", TWO).run();
    r.args(&["import", &r.write("bad.csv", BAD)])
        .status(1)
        .run();
    r.import_json("three.csv", "email\ncat@x.co\n").run();
    let ids: Vec<_> = list(&r).iter().map(|i| i.import_id).collect();
    assert_eq!(ids, [3, 2, 1]);
    let run = r.args(&["imports", "list"]).env("COLUMNS", "200").run();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        cells(lines[0]),
        [
            "", "id", "status", "started", "operator", "file", "mode", "summary", ""
        ]
    );
    assert_eq!(cells(lines[2])[1..3], ["3", "COMPLETED"]);
    assert_eq!(cells(lines[3])[1..3], ["2", "FAILED"]);
    // A refused run changed nothing: its reason, not the counts it would have had.
    let message = list(&r)[1].message.clone().unwrap_or_default();
    assert_eq!(
        cells(lines[3])[7],
        message.lines().next().unwrap_or_default()
    );
    assert!(!lines[3].contains("updated 1"), "{}", lines[3]);
    assert_eq!(cells(lines[4])[7], "created 2");
}

#[test]
fn show_gives_one_import() {
    let r = Roster::new();
    r.import_json("staff.csv", TWO)
        .args(&["--operator", "bob"])
        .run();
    let run = r.args(&["imports", "show", "1", "--output", "json"]).run();
    // The listed object, as a document of its own (issue 22: format_version on top).
    let shown = run.decode::<ImportRecord>();
    assert_eq!(shown.format_version.as_deref(), Some("2"));
    let listed = list(&r).remove(0);
    assert_eq!(listed.format_version, None);
    assert_eq!(
        ImportRecord {
            format_version: None,
            ..shown
        },
        listed
    );
    let run = r
        .args(&["imports", "show", "1"])
        .env("COLUMNS", "200")
        .run();
    let row = |key: &str| {
        run.stdout
            .lines()
            .map(|l| l.split('|').map(str::trim).collect::<Vec<_>>())
            .find(|c| c.get(1) == Some(&key))
            .map(|c| c[2].to_string())
            .unwrap_or_else(|| panic!("no row {key}\n{}", run.stdout))
    };
    assert_eq!(row("status"), "COMPLETED");
    assert_eq!(row("operator"), "bob");
    assert_eq!(row("sha256"), sha256(TWO));
    assert_eq!(row("encoding"), "UTF-8");
    assert_eq!(row("created"), "2");
}

#[test]
fn unknown_import_id_is_an_error() {
    let r = Roster::new();
    for sub in ["show", "errors", "original"] {
        r.args(&["imports", sub, "7"])
            .status(1)
            .stderr_line("error: no import with id 7")
            .run();
    }
}

#[test]
fn original_bytes_come_back_identical() {
    let r = Roster::new();
    let path = fixture("encodings/utf16le-bom-tab.txt");
    let bytes = std::fs::read(&path).expect("fixture");
    let run = r.args(&["import", &path, "--output", "json"]).run();
    assert_eq!(run.report().file.encoding, "UTF-16LE");
    let original = r.args(&["imports", "original", "1"]).run();
    assert_eq!(sha256(&original.raw_stdout), sha256(&bytes));
    assert_eq!(list(&r)[0].file.sha256, sha256(&bytes));
    assert_eq!(list(&r)[0].file.encoding, "UTF-16LE");
}

#[test]
fn original_bytes_of_a_refused_file_are_kept() {
    let r = Roster::new();
    let path = fixture("encodings/windows-1252.csv");
    let bytes = std::fs::read(&path).expect("fixture");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: Line 2 is not valid UTF-8.")
        .run();
    let original = r.args(&["imports", "original", "1"]).run();
    assert_eq!(sha256(&original.raw_stdout), sha256(&bytes));
    let i = &list(&r)[0];
    assert_eq!(i.status, "FAILED");
    assert_eq!(i.message.as_deref(), Some("Line 2 is not valid UTF-8."));
}

#[test]
fn killed_import_shows_as_failed_interrupted_and_blocks_nothing() {
    let r = Roster::new();
    r.import_json("staff.csv", TWO).run();
    leave_killed_import(&r);
    let i = &list(&r)[0];
    assert_eq!((i.import_id, i.status.as_str()), (2, "FAILED"));
    assert_eq!(i.message.as_deref(), Some("interrupted"));
    assert_utc_time(i.finished_at.as_deref().expect("finished"));
    let run = r.args(&["imports", "list"]).env("COLUMNS", "200").run();
    let row = run.stdout.lines().nth(2).expect("a row");
    assert!(row.starts_with("| 2  | FAILED (interrupted) |"), "{row}");
    r.import_json("more.csv", "email\ncat@x.co\n").run();
    assert_eq!(list(&r)[0].status, "COMPLETED");
}

#[test]
fn interrupted_import_is_marked_when_the_next_import_takes_the_lock() {
    let r = Roster::new();
    r.import_json("staff.csv", TWO).run();
    leave_killed_import(&r);
    r.import_json("more.csv", "email\ncat@x.co\n").run();
    // Read the store directly: `imports list` would mark it on its own.
    let status = r.sql_text("SELECT status || ' ' || message FROM imports WHERE id = 2");
    assert_eq!(status, "FAILED interrupted");
}

#[test]
fn a_refused_workbook_is_kept_with_its_hash() {
    let r = Roster::new();
    let path = fixture("encodings/workbook.xlsx");
    let bytes = std::fs::read(&path).expect("fixture");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: The file is not a CSV. Save the file as .csv and try again.")
        .run();
    let i = &list(&r)[0];
    assert_eq!(i.status, "FAILED");
    assert_eq!(i.file.sha256, sha256(&bytes));
    assert_eq!(i.file.bytes, bytes.len() as u64);
    let original = r.args(&["imports", "original", "1"]).run();
    assert_eq!(original.raw_stdout, bytes);
}

/// What a process killed between its history row and its commit leaves behind.
fn leave_killed_import(r: &Roster) {
    r.sql(
        "INSERT INTO imports (id, status, operator, file_name, sha256, bytes, encoding, mode, \
         options, started_at) SELECT coalesce(max(id), 0) + 1, 'RUNNING', 'ghost', \
         'killed.csv', '', 0, 'UTF-8', 'additive', '{}', '2026-01-01T00:00:00Z' FROM imports",
    );
}

/// Originals are stored compressed; one stored as plain bytes (by an earlier version) reads
/// back as it is.
#[test]
fn originals_are_compressed_and_plain_ones_still_read() {
    let r = Roster::new();
    let csv = "email,first_name\nann@x.co,Ann\n";
    let mut big = String::from("email,first_name\n");
    for i in 0..2000 {
        big.push_str(&format!("member{i}@example.com,Member\n"));
    }
    r.import_json("a.csv", csv).run();
    r.import_json("big.csv", &big).run();
    let stored: i64 = r
        .sql_text("SELECT CAST(length(bytes) AS TEXT) FROM import_originals WHERE import_id = 2")
        .parse()
        .unwrap();
    assert!(
        stored * 4 < big.len() as i64,
        "{stored} bytes stored for {}",
        big.len()
    );
    assert_eq!(
        r.args(&["imports", "original", "2"]).run().raw_stdout,
        big.as_bytes()
    );

    let plain = if Roster::on_postgres() {
        "convert_to(E'plain,bytes\\n', 'UTF8')"
    } else {
        "CAST('plain,bytes\n' AS BLOB)"
    };
    r.sql(&format!(
        "UPDATE import_originals SET bytes = {plain}, codec = NULL WHERE import_id = 1"
    ));
    let original = r.args(&["imports", "original", "1"]).run();
    assert_eq!(original.raw_stdout, b"plain,bytes\n");
}

/// The same file imported again (the nightly file that did not change) is kept once: later
/// imports of it store a reference, and every one of them gives the bytes back (issue 25).
#[test]
fn a_file_imported_again_is_kept_once_and_read_back_by_each_import() {
    let r = Roster::new();
    let mut same = String::from("email,first_name\n");
    for i in 0..500 {
        same.push_str(&format!("member{i}@example.com,Member\n"));
    }
    let other = same.replace("Member", "Person");
    for (name, text) in [
        ("a.csv", &same),
        ("a.csv", &same),
        ("b.csv", &other),
        ("c.csv", &same),
    ] {
        r.write(name, text);
        r.args(&["import", name, "--full-sync", "--quiet"]).run();
    }
    let kept = |id: i64| -> String {
        r.sql_text(&format!(
            "SELECT coalesce(codec, '-') || ' ' || CAST(length(bytes) AS TEXT) \
             FROM import_originals WHERE import_id = {id}"
        ))
    };
    assert!(kept(1).starts_with("zstd "), "{}", kept(1));
    assert_eq!(kept(2), "same 0");
    assert!(kept(3).starts_with("zstd "), "{}", kept(3));
    assert_eq!(kept(4), "same 0");
    for (id, text) in [(1, &same), (2, &same), (3, &other), (4, &same)] {
        let original = r.args(&["imports", "original", &id.to_string()]).run();
        assert_eq!(original.raw_stdout, text.as_bytes(), "import {id}");
    }
}

/// A version 1 store kept originals in the imports row; opened by this version, they move to
/// their own table and read back unchanged.
#[test]
fn a_version_1_store_keeps_its_originals() {
    if Roster::sqlite_only("a_version_1_store_keeps_its_originals") {
        return;
    }
    let r = Roster::new();
    r.version_1_store(
        "INSERT INTO imports (id, status, operator, file_name, sha256, bytes, encoding, mode,
           options, started_at, finished_at, original)
         VALUES (1, 'COMPLETED', 'alice', 'old.csv', 'abc', 12, 'UTF-8', 'additive', '{}',
           '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', CAST('email\nann@x.co' AS BLOB));",
    );
    let original = r.args(&["imports", "original", "1"]).run();
    assert_eq!(original.raw_stdout, b"email\nann@x.co");
    assert_eq!(list(&r)[0].file.name, "old.csv");
}
