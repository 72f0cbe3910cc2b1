//! SPEC §4: every file-level error has its exact message on stderr, exits 1, and changes nothing.

use crate::harness::{Roster, RowError, fixture, members_csv};

/// A store that already holds two members, so that "nothing changed" means something.
fn seeded() -> Roster {
    let r = Roster::new();
    r.import_json("seed.csv", members_csv([1, 2])).run();
    r
}

#[track_caller]
fn refused(r: &Roster, path: &str, extra: &[&str], message: &str) {
    let mut args = vec!["import", path];
    args.extend_from_slice(extra);
    r.args(&args)
        .status(1)
        .stderr_line(format!("error: {message}"))
        .unchanged()
        .run();
}

#[test]
fn every_fixture_has_its_message() {
    let r = seeded();
    let cases = [
        ("invalid/empty.csv", "The file is empty."),
        ("invalid/bom_only.csv", "The file is empty."),
        ("invalid/blank_lines.csv", "The file is empty."),
        ("invalid/no_header.csv", "The file has no header row."),
        ("invalid/header_only.csv", "The file has no data rows."),
        (
            "invalid/no_identifier.csv",
            "Required column is missing: one of email, external_id, phone.",
        ),
        (
            "invalid/missing_team_role.csv",
            "Required column is missing: team_role.",
        ),
        (
            "invalid/duplicate_column.csv",
            "Duplicate column found: email.",
        ),
        (
            "invalid/not_a_csv.xlsx",
            "The file is not a CSV. Save the file as .csv and try again.",
        ),
        (
            "invalid/nul_bytes.csv",
            "The file is not a CSV. Save the file as .csv and try again.",
        ),
        (
            "invalid/unknown_form_field.csv",
            "Unknown form field: form.profile.shirt_size.",
        ),
    ];
    for (name, message) in cases {
        refused(&r, &fixture(name), &[], message);
        // The same through `roster diff`, which must refuse the same way.
        r.args(&["diff", &fixture(name)])
            .status(1)
            .stderr_line(format!("error: {message}"))
            .run();
    }
}

#[test]
fn an_excel_workbook_is_named_in_the_hint() {
    let r = seeded();
    r.args(&["import", &fixture("invalid/not_a_csv.xlsx")])
        .status(1)
        .stderr_line("hint: the file looks like an Excel workbook (.xlsx); open it in its program and save it as CSV (UTF-8).")
        .unchanged()
        .run();
}

#[test]
fn empty_standard_input_is_an_empty_file() {
    let r = seeded();
    let before = r.dump();
    for input in [&b""[..], b"\xEF\xBB\xBF", b"\n\r\n  \n"] {
        r.args(&["import", "-"])
            .status(1)
            .stdin(input)
            .stderr_line("error: The file is empty.")
            .run();
    }
    assert_eq!(r.dump(), before);
}

#[test]
fn header_then_blank_lines_has_no_data_rows() {
    let r = seeded();
    let path = r.write("blank_rows.csv", "email,first_name\n\n,\n  ,  \n");
    refused(&r, &path, &[], "The file has no data rows.");
}

#[test]
fn aliases_count_as_the_same_column() {
    let r = seeded();
    let cases = [
        ("external_id,orgMemberId\nE1,E1\n", "external_id"),
        ("Email,email\na@b.co,a@b.co\n", "email"),
        ("email,firstName,First_Name\na@b.co,A,A\n", "first_name"),
        ("email, Display_Name ,name\na@b.co,A,A\n", "name"),
    ];
    for (text, column) in cases {
        let path = r.write("dup.csv", text);
        refused(
            &r,
            &path,
            &[],
            &format!("Duplicate column found: {column}."),
        );
    }
}

#[test]
fn team_role_without_team_names_team() {
    let r = seeded();
    let path = r.write("t.csv", "email,team_role\na@b.co,owner\n");
    refused(&r, &path, &[], "Required column is missing: team.");
}

#[test]
fn over_the_byte_limit() {
    let r = seeded();
    // The default limit: 10 MB. A sparse file is refused by its size before it is read.
    let big = r.path("big.csv");
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(10_000_001))
        .expect("sparse file");
    refused(
        &r,
        &big.display().to_string(),
        &[],
        "The file exceeds 10 MB. Please reduce the file size and try again.",
    );
    // A configured limit, from a file and from standard input.
    let text = format!("email\n{}", "a@example.com\n".repeat(40_000));
    assert!(text.len() > 500_000);
    let path = r.write("half.csv", &text);
    let message = "The file exceeds 0.5 MB. Please reduce the file size and try again.";
    refused(&r, &path, &["--max-bytes", "500000"], message);
    r.args(&["import", "-", "--max-bytes", "500000"])
        .status(1)
        .stdin(&text)
        .stderr_line(format!("error: {message}"))
        .run();
    // A small limit still names a real size, not "0 MB".
    let path = r.write("small.csv", "email\nm1@example.com\nm2@example.com\n");
    refused(
        &r,
        &path,
        &["--max-bytes", "20"],
        "The file exceeds 0.00002 MB. Please reduce the file size and try again.",
    );
}

#[test]
fn exactly_at_the_byte_limit_passes() {
    let r = seeded();
    let text = members_csv([1, 2, 3]);
    let limit = text.len().to_string();
    let run = r
        .import_json("exact.csv", &text)
        .args(&["--max-bytes", &limit])
        .run();
    assert_eq!(run.report().summary.created, 1);
    let one_less = (text.len() - 1).to_string();
    let path = r.write("exact.csv", &text);
    r.args(&["import", &path, "--max-bytes", &one_less])
        .status(1)
        .run();
}

#[test]
fn the_store_setting_sets_the_byte_limit() {
    let r = seeded();
    r.args(&["config", "set", "max-bytes", "1000000"]).run();
    let text = format!("email\n{}", "a@example.com\n".repeat(80_000));
    let path = r.write("big.csv", &text);
    refused(
        &r,
        &path,
        &[],
        "The file exceeds 1 MB. Please reduce the file size and try again.",
    );
}

#[test]
fn over_the_row_limit() {
    let r = seeded();
    let path = r.write("rows.csv", members_csv(10..14));
    refused(
        &r,
        &path,
        &["--max-rows", "3"],
        "The file has more than 3 data rows.",
    );
    // Exactly at the limit passes; blank lines do not count as data rows.
    let path = r.write(
        "rows3.csv",
        "email\nm10@example.com\n\n\nm11@example.com\n,\nm12@example.com\n",
    );
    r.args(&["import", &path, "--max-rows", "3"]).run();
}

#[test]
fn the_default_row_limit_is_30000() {
    let r = seeded();
    let path = r.write("many.csv", members_csv(0..30_001));
    refused(&r, &path, &[], "The file has more than 30000 data rows.");
}

#[test]
fn the_store_setting_sets_the_row_limit() {
    let r = seeded();
    r.args(&["config", "set", "max-rows", "2"]).run();
    let path = r.write("rows.csv", members_csv(10..13));
    refused(&r, &path, &[], "The file has more than 2 data rows.");
    // The flag wins over the setting.
    r.args(&["import", &path, "--max-rows", "3"]).run();
}

#[test]
fn a_defined_form_field_is_accepted() {
    let r = seeded();
    let path = fixture("invalid/unknown_form_field.csv");
    r.args(&["forms", "add", "profile.shirt_size"]).run();
    r.args(&["import", &path]).run();
}

#[test]
fn file_errors_in_json_are_bare_messages() {
    let r = seeded();
    let run = r
        .args(&[
            "import",
            &fixture("invalid/header_only.csv"),
            "--output",
            "json",
        ])
        .status(1)
        .stderr_line("error: The file has no data rows.")
        .unchanged()
        .run();
    let doc = run.report();
    assert_eq!(doc.status, "FAILED");
    assert_eq!(
        doc.errors,
        [RowError {
            row: None,
            column: None,
            value: None,
            code: "no_data_rows".into(),
            message: "The file has no data rows.".into()
        }]
    );
}

// See: issue 22, "--map's closest header has no threshold": a renamed export's old --map gets
// no far-off suggestion (`Hire Date`), never a header that is already a column (`Email
// Address`, email's alias), but the file's headers; every bad --map is reported at once.
#[test]
fn a_bad_map_suggests_only_a_close_free_header() {
    let r = seeded();
    let path = r.write(
        "renamed.csv",
        "Email Address,Hire Date,Employee Number\nm1@example.com,2020-01-01,E1\n",
    );
    let headers = "its headers are: 'Email Address', 'Hire Date', 'Employee Number'.";
    r.args(&[
        "import",
        &path,
        "--map",
        "E-mail Addr=email",
        "--map",
        "Employe Number=external_id",
        "--map",
        "Staff No=phone",
    ])
    .status(1)
    .stderr_line(format!(
        "error: --map 'E-mail Addr=email' names a header the file does not have; {headers}"
    ))
    .stderr_line("error: --map 'Employe Number=external_id' names a header the file does not have; the closest is 'Employee Number'.")
    .stderr_line(format!(
        "error: --map 'Staff No=phone' names a header the file does not have; {headers}"
    ))
    .stderr_line("hint: if that is the header you meant, re-run with --map 'Employee Number=external_id'.")
    .unchanged()
    .run();
}

// See: issue 22, "HR headers Employee ID, Employee Number, Staff Number, Mobile, Mobile Phone
// get no suggestion": each gets the --map that would take it, and a file with an HR id but no
// external_id is warned about loudly.
#[test]
fn hr_headers_get_their_map() {
    for (header, column) in [
        ("Employee ID", "external_id"),
        ("Employee Number", "external_id"),
        ("Staff Number", "external_id"),
        ("Mobile", "phone"),
        ("Mobile Phone", "phone"),
    ] {
        let r = Roster::new();
        let path = r.write("hr.csv", format!("email,{header}\nm1@example.com,7\n"));
        let run = r.args(&["diff", &path]).run();
        let map = format!("--map '{header}={column}'");
        assert!(run.stderr.contains(&map), "{header}: {}", run.stderr);
    }
    let r = Roster::new();
    let path = r.write("hr.csv", "email,Employee ID\nm1@example.com,E7\n");
    let run = r.args(&["diff", &path]).run();
    assert!(
        run.stderr.lines().any(|l| l.starts_with(
            "warning: the file has no external_id column, but `Employee ID` looks like the member's id"
        ) && l.ends_with("add --map 'Employee ID=external_id'")),
        "{}",
        run.stderr
    );
}
