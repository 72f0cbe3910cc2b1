//! Input formats (SPEC §4, issue 4): `--input-format auto|csv|json|ndjson`, the same roster
//! as CSV, JSON and NDJSON giving the same plan, row numbers, standard input, malformed JSON,
//! and the round trip through every export format with every field populated.

use crate::harness::{Change, Roster, RowError, Summary, fixture, form};

/// A store with the labels and form field that the `valid/roster.*` fixtures use.
fn catalog() -> Roster {
    let r = Roster::new();
    r.args(&["labels", "add", "vip"]).run();
    r.args(&["labels", "add", "board"]).run();
    r.args(&["forms", "add", "profile.shirt"]).run();
    r
}

/// The plan of a diff: its changes without their row numbers, its summary, and the rows.
fn plan_of(r: &Roster, args: &[&str]) -> (Vec<Change>, Summary, Vec<Option<u64>>) {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", "json"]);
    let run = r.args(&all).run();
    let report = run.report();
    assert_eq!(report.errors, [], "{}", run.stdout);
    assert!(report.warnings.is_empty(), "{}", run.stdout);
    let mut rows = Vec::new();
    let changes = report
        .changes
        .into_iter()
        .map(|mut c| {
            rows.push(c.row.take());
            c
        })
        .collect();
    (changes, report.summary, rows)
}

#[test]
fn the_same_roster_as_csv_json_and_ndjson_gives_the_same_plan() {
    let r = catalog();
    let (csv, csv_summary, csv_rows) = plan_of(&r, &[&fixture("valid/roster.csv")]);
    let (json_, json_summary, json_rows) = plan_of(&r, &[&fixture("valid/roster.json")]);
    let (nd, nd_summary, nd_rows) = plan_of(&r, &[&fixture("valid/roster.ndjson")]);
    assert_eq!(csv_summary.created, 3);
    assert_eq!(csv_summary.memberships_added, 3);
    assert_eq!(csv_summary.rows, 4);
    assert_eq!(json_, csv);
    assert_eq!(nd, csv);
    assert_eq!(json_summary, csv_summary);
    assert_eq!(nd_summary, csv_summary);
    // CSV: the header is row 1. JSON: the item's 1-based position. NDJSON: the line.
    assert_eq!(csv_rows, [Some(2), Some(4), Some(5)]);
    assert_eq!(json_rows, [Some(1), Some(3), Some(4)]);
    assert_eq!(nd_rows, [Some(1), Some(4), Some(5)]);
}

#[test]
fn json_values_arrive_as_the_csv_would_write_them() {
    let r = catalog();
    let path = fixture("valid/roster.json");
    r.args(&["import", &path]).run();
    let ann = r.member_by_email("ann@example.org");
    assert_eq!(ann.labels, ["board", "vip"]);
    assert_eq!(ann.notify_voice, Some(true), "a JSON number 1 is true");
    assert_eq!(ann.form, form(&[("profile", "shirt", "M")]));
    assert_eq!(ann.description.as_deref(), Some("Likes \"quotes\", commas"));
    let zoe = r.member_by_email("zoe@bücher.example");
    assert_eq!(zoe.notify_email, Some(false));
    assert_eq!(zoe.form, form(&[("profile", "shirt", "L")]));
    assert_eq!(r.teams_of("zoe@bücher.example"), ["Design:owner"]);
}

#[test]
fn input_format_overrides_the_extension() {
    let r = Roster::new();
    let path = r.write("people.txt", "[{\"email\": \"ann@x.co\"}]\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: The file has no header row.")
        .unchanged()
        .run();
    let run = r
        .args(&[
            "import",
            &path,
            "--input-format",
            "json",
            "--output",
            "json",
        ])
        .run();
    assert_eq!(run.report().summary.created, 1);
    let nd = r.write("people.data", "{\"email\": \"bob@x.co\"}\n");
    let run = r
        .args(&[
            "import",
            &nd,
            "--input-format",
            "ndjson",
            "--output",
            "json",
        ])
        .run();
    assert_eq!(run.report().summary.created, 1);
    let csv = r.write("people.json", "email\ncy@x.co\n");
    let run = r
        .args(&["import", &csv, "--input-format", "csv", "--output", "json"])
        .run();
    assert_eq!(run.report().summary.created, 1);
}

#[test]
fn auto_decides_by_content_when_the_extension_says_nothing() {
    let r = Roster::new();
    for (name, contents) in [
        ("a", "[{\"email\": \"a@x.co\"}]"),
        ("b", "{\"email\": \"b@x.co\"}\n{\"email\": \"c@x.co\"}\n"),
        ("c", "email\nd@x.co\n"),
    ] {
        let path = r.write(name, contents);
        r.args(&["import", &path]).run();
    }
    for e in ["a@x.co", "b@x.co", "c@x.co", "d@x.co"] {
        assert_eq!(r.member_by_email(e).status, "PROVISIONED");
    }
}

#[test]
fn standard_input_is_read_in_every_format() {
    let r = Roster::new();
    let cases = [
        ("csv", "email,first_name\nann@x.co,Ann\n"),
        (
            "json",
            "[{\"email\": \"bob@x.co\", \"first_name\": \"Bob\"}]",
        ),
        (
            "ndjson",
            "{\"email\": \"cy@x.co\", \"first_name\": \"Cy\"}\n",
        ),
    ];
    for (format, contents) in cases {
        let run = r
            .args(&["import", "-", "--input-format", format, "--output", "json"])
            .stdin(contents)
            .run();
        let report = run.report();
        assert_eq!(report.file.name, "-");
        assert_eq!(report.summary.created, 1, "{format}");
    }
    // auto on standard input decides by the first character.
    let run = r
        .args(&["diff", "-", "--output", "json"])
        .stdin("[{\"email\": \"ann@x.co\", \"first_name\": \"Anne\"}]")
        .run();
    assert_eq!(run.report().summary.updated, 1);
    assert_eq!(
        r.member_by_email("cy@x.co").first_name.as_deref(),
        Some("Cy")
    );
}

#[test]
fn row_errors_in_json_name_the_item_and_in_ndjson_the_line() {
    let r = Roster::new();
    let path = r.write(
        "bad.json",
        "[{\"email\": \"ann@x.co\"}, {\"email\": \"bad\"}]",
    );
    r.args(&["import", &path])
        .status(1)
        .stderr_line("  row 2, email 'bad': Invalid email format")
        .unchanged()
        .run();
    let path = r.write(
        "bad.ndjson",
        "{\"email\": \"ann@x.co\", \"notify_sms\": \"maybe\"}\n\n{\"email\": \"x@y.co\", \"phone\": 12}\n",
    );
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .unchanged()
        .run();
    let error = |row, column: &str, value: &str, message: &str| {
        RowError::placed(row, Some(column), Some(value), message)
    };
    assert_eq!(
        run.report().errors,
        [
            error(
                1,
                "notify_sms",
                "maybe",
                "Invalid boolean: expected true, false, 1 or 0"
            ),
            error(3, "phone", "12", "Invalid phone format"),
        ]
    );
}

#[test]
fn json_keys_follow_the_csv_header_rules() {
    let r = Roster::new();
    let path = r.write(
        "dup.json",
        "[{\"Email\": \"ann@x.co\", \"e-mail\": \"x@x.co\"}]",
    );
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: Duplicate column found: email.")
        .unchanged()
        .run();
    let path = r.write("noid.ndjson", "{\"first_name\": \"Ann\"}\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: Required column is missing: one of email, external_id, phone.")
        .unchanged()
        .run();
    let path = r.write(
        "team.json",
        "[{\"email\": \"ann@x.co\", \"team\": \"Red\"}]",
    );
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: Required column is missing: team_role.")
        .unchanged()
        .run();
    let path = r.write(
        "form.json",
        "[{\"email\": \"ann@x.co\", \"form\": {\"profile\": {\"size\": \"L\"}}}]",
    );
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: Unknown form field: form.profile.size.")
        .unchanged()
        .run();
}

#[test]
fn malformed_json_is_a_file_level_error_that_says_where() {
    let r = Roster::new();
    r.import_json("seed.csv", "email\nseed@x.co\n").run();
    let path = r.write("bad.json", "[{\"email\": \"ann@x.co\"},\n {\"email\": }]");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: The file is not valid JSON: expected value at line 2 column 12.")
        .unchanged()
        .run();
    let path = r.write(
        "bad.ndjson",
        "{\"email\": \"ann@x.co\"}\n{\"email\": \"bob@x.co\"\n",
    );
    r.args(&["import", &path])
        .status(1)
        .stderr_line(
            "error: The file is not valid JSON: line 2, column 20: EOF while parsing an object.",
        )
        .unchanged()
        .run();
    let path = r.write("scalar.json", "[{\"email\": \"ann@x.co\"}, 7]");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: The file is not valid JSON: item 2 is not an object.")
        .unchanged()
        .run();
    let path = r.write("object.json", "{\"email\": \"ann@x.co\"}");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: The file is not valid JSON: expected an array of objects.")
        .unchanged()
        .run();
    let path = r.write("list.ndjson", "{\"email\": \"ann@x.co\"}\n[1]\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: The file is not valid JSON: line 2 is not an object.")
        .unchanged()
        .run();
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .run();
    assert_eq!(
        run.report().errors[0].message,
        "The file is not valid JSON: line 2 is not an object."
    );
}

/// Every field populated, with unicode, formula-looking values, labels, forms and teams.
fn populated() -> Roster {
    let r = catalog();
    r.args(&["forms", "add", "badge.note"]).run();
    r.args(&["import", &fixture("valid/roster.csv"), "--invite"])
        .run();
    r.import_json(
        "extra.csv",
        "email,last_name,job_title,description,form.badge.note,notify_sms,team,team_role\n\
         ann@example.org,-Smith,=SUM(A1),\"two\nlines\",@home,1,Platform,owner\n\
         ann@example.org,,,,,,Design,member\n\
         ivy@example.org,+Plus,Ops,,,,Design,admin\n",
    )
    .run();
    r.args(&["members", "activate", "ann@example.org"]).run();
    r.args(&["members", "protect", "zoe@bücher.example"]).run();
    r
}

#[test]
fn the_round_trip_through_every_export_format_changes_nothing() {
    let r = populated();
    let before = r.dump();
    let ann = r.member_by_email("ann@example.org");
    assert_eq!(ann.job_title.as_deref(), Some("=SUM(A1)"));
    assert_eq!(ann.description.as_deref(), Some("two\nlines"));
    assert_eq!(
        ann.form,
        form(&[("badge", "note", "@home"), ("profile", "shirt", "M")])
    );
    for (format, name) in [("csv", "x.csv"), ("json", "x.json"), ("ndjson", "x.ndjson")] {
        let out = r.path(name).display().to_string();
        r.args(&["export", "--format", format, "-o", &out]).run();
        let run = r
            .args(&["import", &out, "--full-sync", "--output", "json"])
            .run();
        let report = run.report();
        assert_eq!(report.changes, [], "{format}");
        let s = report.summary;
        assert_eq!(s.unchanged, 4, "{format}");
        assert_eq!(s.errors, 0, "{format}");
        assert_eq!(r.dump(), before, "{format}");
    }
}

#[test]
fn the_csv_export_neutralises_formulas_and_imports_them_back_unchanged() {
    let r = populated();
    let csv = r.args(&["export"]).run().stdout;
    assert!(csv.contains(",'-Smith,"), "{csv}");
    assert!(csv.contains(",'=SUM(A1),"), "{csv}");
    assert!(csv.contains(",'@home,"), "{csv}");
    assert!(csv.contains(",'+Plus,"), "{csv}");
    assert!(
        csv.contains(",+15551234567,"),
        "a phone is a plain number: {csv}"
    );
}
