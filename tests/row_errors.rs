//! SPEC §5: row-level messages. Every error names its row (as a spreadsheet shows it), column
//! and value; all of them are collected; any one refuses the import (exit 1, nothing changed).

use crate::harness::{Roster, RowError, fixture, members_csv};

fn seeded() -> Roster {
    let r = Roster::new();
    r.import_json("seed.csv", members_csv([1, 2])).run();
    r
}

fn err(row: u64, column: Option<&str>, value: Option<&str>, message: &str) -> RowError {
    RowError::placed(row, column, value, message)
}

/// Imports `text` expecting row errors; asserts exit 1, an unchanged store, and returns them.
#[track_caller]
fn row_errors(r: &Roster, text: &str) -> Vec<RowError> {
    let path = r.write("rows.csv", text);
    let before = r.dump();
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .run();
    assert_eq!(r.dump(), before, "the store changed");
    let doc = run.report();
    assert_eq!(doc.status, "FAILED");
    assert_eq!(doc.summary.errors, doc.errors.len() as u64);
    doc.errors
}

/// One CSV cell, quoted.
fn q(cell: &str) -> String {
    format!("\"{}\"", cell.replace('"', "\"\""))
}

#[test]
fn each_message_of_the_fixture() {
    let r = seeded();
    let path = fixture("invalid/row_errors.csv");
    let before = r.dump();
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .run();
    assert_eq!(r.dump(), before);
    let role = "Invalid organization role: expected owner, admin or member";
    let long = "A".repeat(101);
    assert_eq!(
        run.report().errors,
        vec![
            err(2, Some("email"), Some("ann@"), "Invalid email format"),
            err(3, Some("organization_role"), Some("boss"), role),
            err(4, None, None, "No identifier provided"),
            err(5, None, None, "Row 5 has the wrong number of columns."),
            err(
                6,
                Some("first_name"),
                Some(&long),
                "Row 6, column first_name: cell is too long."
            ),
            err(
                7,
                Some("email"),
                Some("fay@example.com"),
                "Duplicate member in file: also on row 8"
            ),
            err(
                8,
                Some("email"),
                Some("FAY@example.com"),
                "Duplicate member in file: also on row 7"
            ),
        ]
    );
    // The table output lists every error for people, on stderr.
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: 7 rows have 7 errors; nothing was changed.")
        .stderr_line("  row 2, email 'ann@': Invalid email format")
        .stderr_line(format!("  row 3, organization_role 'boss': {role}"))
        .stderr_line("  row 4: No identifier provided")
        .stderr_line("  Row 5 has the wrong number of columns.")
        .stderr_line("  Row 6, column first_name: cell is too long.")
        .stderr_line("  row 7, email 'fay@example.com': Duplicate member in file: also on row 8")
        .stderr_line("  row 8, email 'FAY@example.com': Duplicate member in file: also on row 7")
        .stderr_line("hint: fix these rows and run again, or re-run with --skip-invalid to apply the 1 valid member.")
        .run();
    assert_eq!(r.dump(), before);
}

#[test]
fn invalid_emails() {
    let r = seeded();
    let too_long = format!("{}@example.com", "a".repeat(243));
    let bad = [
        "plain",
        "@example.com",
        "ann@",
        "ann@example",
        "ann@example.",
        "ann@example.com.",
        ".ann@example.com",
        "ann.@example.com",
        "a..nn@example.com",
        "ann@example..com",
        "ann@.example.com",
        "ann@-example.com",
        "ann@example-.com",
        "ann@exa_mple.com",
        "a nn@example.com",
        "ann@exa mple.com",
        "a(nn)@example.com",
        "ann@b@example.com",
        "ánn@example.com",
        "a\u{200B}nn@example.com",
        "ann@example.com\u{00A0}x",
        "ann,x@example.com",
        too_long.as_str(),
    ];
    let mut text = String::from("email,first_name\n");
    for e in bad {
        text.push_str(&format!("{},x\n", q(e)));
    }
    let want: Vec<RowError> = bad
        .iter()
        .enumerate()
        .map(|(i, e)| err(i as u64 + 2, Some("email"), Some(e), "Invalid email format"))
        .collect();
    assert_eq!(row_errors(&r, &text), want);
}

#[test]
fn valid_emails_and_trimming() {
    let r = Roster::new();
    let longest = format!("{}@example.com", "a".repeat(242));
    let good = [
        " spaced@example.com ",
        "\u{00A0}\u{200B}nbsp@example.com\u{FEFF}\u{2060}",
        "first.last+tag@example.com",
        "o'brien@example.ie",
        "x!#$%&'*+/=?^_`{|}~-@sub.example.org",
        "ann@bücher.de",
        "x@1-2.io",
        "UPPER@EXAMPLE.COM",
        longest.as_str(),
    ];
    let mut text = String::from("email\n");
    for e in good {
        text.push_str(&format!("{}\n", q(e)));
    }
    let run = r.import_json("good.csv", &text).run();
    assert_eq!(run.report().summary.created, good.len() as u64);
    // Stored trimmed, found case-insensitively.
    let email = |id: &str| r.member(id).email;
    assert_eq!(
        email("spaced@example.com").as_deref(),
        Some("spaced@example.com")
    );
    assert_eq!(
        email("nbsp@example.com").as_deref(),
        Some("nbsp@example.com")
    );
    assert_eq!(
        email("upper@example.com").as_deref(),
        Some("UPPER@EXAMPLE.COM")
    );
}

#[test]
fn organization_roles() {
    let r = seeded();
    let text = "email,organization_role\nm3@example.com,boss\nm4@example.com,superadmin\nm5@example.com,Owner \n";
    let role = "Invalid organization role: expected owner, admin or member";
    assert_eq!(
        row_errors(&r, text),
        vec![
            err(2, Some("organization_role"), Some("boss"), role),
            err(3, Some("organization_role"), Some("superadmin"), role),
        ]
    );
    // Roles ignore case and spaces; they are stored lowercase.
    r.import_json("roles.csv", "email,org_role\nm5@example.com, ADMIN \n")
        .run();
    assert_eq!(
        r.member("m5@example.com").organization_role.as_deref(),
        Some("admin")
    );
}

#[test]
fn no_identifier() {
    let r = seeded();
    let text = "email,external_id,first_name\n,,Ann\n\u{00A0},\u{200B},Bob\nm3@example.com,,Cy\n";
    assert_eq!(
        row_errors(&r, text),
        vec![
            err(2, None, None, "No identifier provided"),
            err(3, None, None, "No identifier provided"),
        ]
    );
}

#[test]
fn wrong_number_of_columns() {
    let r = seeded();
    let text = "email,first_name,last_name\nm3@example.com,Ann\nm4@example.com,Bob,Jones,extra\nm5@example.com,Cy,Ok,,  \n";
    // Trailing empty cells (as spreadsheets pad rows) are tolerated: row 4 is fine.
    assert_eq!(
        row_errors(&r, text),
        vec![
            err(2, None, None, "Row 2 has the wrong number of columns."),
            err(3, None, None, "Row 3 has the wrong number of columns."),
        ]
    );
}

#[test]
fn a_padded_header_does_not_need_padded_rows() {
    let r = seeded();
    // Spreadsheets pad the header with empty cells; rows may or may not carry them.
    let text = "email,first_name,,\nm3@example.com,Ann\nm4@example.com,Bob,,\nm5@example.com\n";
    assert_eq!(
        row_errors(&r, text),
        vec![err(4, None, None, "Row 4 has the wrong number of columns.")]
    );
    let run = r
        .import_json(
            "ok.csv",
            "email,first_name,,\nm3@example.com,Ann\nm4@example.com,Bob,,\n",
        )
        .run();
    assert_eq!(run.report().summary.created, 2);
    assert!(run.report().warnings.is_empty());
}

#[test]
fn cells_too_long_count_characters_not_bytes() {
    let r = seeded();
    let cases = [
        ("external_id", 255),
        ("first_name", 100),
        ("last_name", 100),
        ("name", 200),
        ("job_title", 200),
    ];
    for (column, max) in cases {
        // At the limit in two-byte characters, with spaces around: accepted.
        let ok = format!(" {} ", "é".repeat(max));
        let text = format!("email,{column}\nok@example.com,{ok}\n");
        let path = r.write("ok.csv", &text);
        r.args(&["diff", &path]).run();
        // One character over: refused, naming row, column and the trimmed value.
        let over = "é".repeat(max + 1);
        let text = format!("email,{column}\nm3@example.com,x\nm4@example.com,{over}\n");
        assert_eq!(
            row_errors(&r, &text),
            vec![err(
                3,
                Some(column),
                Some(&over),
                &format!("Row 3, column {column}: cell is too long.")
            )],
            "{column}"
        );
    }
}

#[test]
fn duplicate_members_are_an_error_on_each_row() {
    let r = seeded();
    let text = "email,external_id\nann@example.com,E1\nbob@example.com,E2\nANN@Example.com,E3\nann@example.com,E4\ncy@example.com,E2\n";
    let dup = |n| format!("Duplicate member in file: also on row {n}");
    assert_eq!(
        row_errors(&r, text),
        vec![
            err(2, Some("email"), Some("ann@example.com"), &dup(4)),
            err(3, Some("external_id"), Some("E2"), &dup(6)),
            err(4, Some("email"), Some("ANN@Example.com"), &dup(2)),
            err(5, Some("email"), Some("ann@example.com"), &dup(2)),
            err(6, Some("external_id"), Some("E2"), &dup(3)),
        ]
    );
}

#[test]
fn all_errors_are_collected_not_only_the_first() {
    let r = seeded();
    let mut text = String::from("email,organization_role\n");
    for i in 0..150 {
        text.push_str(&format!("bad{i}@,member\nm{i}x@example.com,boss\n"));
    }
    let errors = row_errors(&r, &text);
    assert_eq!(errors.len(), 300);
    assert_eq!(errors[299].row, Some(301));
    // A row with two errors has both, and counts as one row in the headline.
    let path = r.write("two.csv", "email,organization_role\nbad@,boss\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: 1 row has 2 errors; nothing was changed.")
        .stderr_line("  row 2, email 'bad@': Invalid email format")
        .stderr_line(
            "  row 2, organization_role 'boss': Invalid organization role: expected owner, admin or member",
        )
        .unchanged()
        .run();
}

#[test]
fn row_numbers_are_what_a_spreadsheet_shows() {
    let r = seeded();
    for eol in ["\n", "\r\n"] {
        let text = [
            "email,first_name",
            "",
            "bad1@,A",
            "ok1@example.com,\"two",
            "lines\"",
            "",
            "",
            "bad2@,\"x",
            "y\"",
            "   ",
            "bad3@,C",
        ]
        .join(eol);
        let rows: Vec<Option<u64>> = row_errors(&r, &text).iter().map(|e| e.row).collect();
        assert_eq!(rows, [Some(3), Some(7), Some(9)], "{eol:?}");
    }
    // Entra's `version:v1.0` first line is row 1; the header row 2.
    let errors = row_errors(&r, "version:v1.0\nemail\nok@example.com\nbad@\n");
    assert_eq!(errors[0].row, Some(4));
}

#[test]
fn errors_csv_has_the_rejected_rows() {
    let r = seeded();
    let out = r.path("errors.csv");
    let path = r.write("rows.csv", "email,first_name\nok@example.com,A\nbad@,B\n");
    r.args(&["import", &path, "--errors-csv", &out.display().to_string()])
        .status(1)
        .stderr_line("error: 1 row has 1 error; nothing was changed.")
        .unchanged()
        .run();
    let report = std::fs::read_to_string(out).unwrap();
    assert_eq!(
        report,
        "email,first_name,error_row,error_column,error_message,error_code\nbad@,B,3,email,Invalid email format,invalid_email\n"
    );
}
