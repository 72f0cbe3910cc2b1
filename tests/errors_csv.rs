//! The error report (`--errors-csv PATH`, `roster imports errors ID`): the errored rows with
//! error_row, error_column and error_message, formulas neutralised.

use crate::harness::Roster;

const HEADER: &str =
    "email,first_name,phone,job_title,error_row,error_column,error_message,error_code";

/// Reads a CSV report into rows of cells (the header included).
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("CSV record").iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn report_holds_only_errored_rows_with_three_columns_added() {
    let r = Roster::new();
    let before = r.dump();
    let file = r.write(
        "staff.csv",
        "email,first_name,phone,job_title\n\
         ann@x.co,Ann,+15551234567,Dev\n\
         bob@,Bob,+15551234568,Ops\n\
         cat@x.co,Cat,555,Art\n",
    );
    let out = r.path("errors.csv");
    r.args(&["import", &file, "--errors-csv", out.to_str().expect("path")])
        .status(1)
        .stderr_line("error: 2 rows have 2 errors; nothing was changed.")
        .stderr_line("  row 3, email 'bob@': Invalid email format")
        .stderr_line("  row 4, phone '555': Invalid phone format")
        .run();
    assert_eq!(r.dump(), before);
    let report = std::fs::read_to_string(&out).expect("report written");
    assert_eq!(
        report,
        format!(
            "{HEADER}\n\
             bob@,Bob,+15551234568,Ops,3,email,Invalid email format,invalid_email\n\
             cat@x.co,Cat,555,Art,4,phone,Invalid phone format,invalid_phone\n"
        )
    );
    let stored = r.args(&["imports", "errors", "1"]).run();
    assert_eq!(stored.stdout, report);
}

#[test]
fn a_row_with_two_errors_has_two_lines() {
    let r = Roster::new();
    let before = r.dump();
    let file = r.write(
        "staff.csv",
        "email,first_name,phone,job_title\nbob@,Bob,555,Ops\n",
    );
    let out = r.path("errors.csv");
    r.args(&["import", &file, "--errors-csv", out.to_str().expect("path")])
        .status(1)
        .stderr_line("error: 1 row has 2 errors; nothing was changed.")
        .run();
    assert_eq!(r.dump(), before);
    assert_eq!(
        cells(&std::fs::read(&out).expect("report"))[1..],
        [
            [
                "bob@",
                "Bob",
                "555",
                "Ops",
                "2",
                "email",
                "Invalid email format",
                "invalid_email"
            ],
            [
                "bob@",
                "Bob",
                "555",
                "Ops",
                "2",
                "phone",
                "Invalid phone format",
                "invalid_phone"
            ],
        ]
    );
}

#[test]
fn formulas_are_neutralised_but_phone_numbers_are_not() {
    let r = Roster::new();
    let file = r.write(
        "staff.csv",
        "email,first_name,phone,job_title\n\
         a@,=HYPERLINK(\"x\"),+15551234567,@SUM(A1)\n\
         b@,-x,+15551234568,+SUM(A1)\n\
         c@,\"\tTab\",-5,\"\rCR\"\n\
         d@,Dee,+15551234569,=1+1\n",
    );
    let out = r.path("errors.csv");
    r.args(&["import", &file, "--errors-csv", out.to_str().expect("path")])
        .status(1)
        .stderr_line("error: 4 rows have 5 errors; nothing was changed.")
        .run();
    let rows = cells(&std::fs::read(&out).expect("report"));
    let originals: Vec<&[String]> = rows[1..].iter().map(|r| &r[..4]).collect();
    assert_eq!(
        originals,
        [
            ["a@", "'=HYPERLINK(\"x\")", "+15551234567", "'@SUM(A1)"],
            ["b@", "'-x", "+15551234568", "'+SUM(A1)"],
            ["c@", "'\tTab", "-5", "'\rCR"],
            ["c@", "'\tTab", "-5", "'\rCR"],
            ["d@", "Dee", "+15551234569", "'=1+1"],
        ]
    );
    assert_eq!(
        rows[4][5..],
        ["phone", "Invalid phone format", "invalid_phone"]
    );
}

#[test]
fn skip_invalid_applies_the_rest_and_keeps_the_report() {
    let r = Roster::new();
    let file = r.write(
        "staff.csv",
        "email,first_name,phone,job_title\n\
         ann@x.co,Ann,+15551234567,Dev\n\
         bob@,Bob,+15551234568,=cmd\n",
    );
    let out = r.path("errors.csv");
    let run = r
        .args(&[
            "import",
            &file,
            "--skip-invalid",
            "--output",
            "json",
            "--errors-csv",
            out.to_str().expect("path"),
        ])
        .run();
    let summary = run.report().summary;
    assert_eq!(summary.created, 1);
    assert_eq!(summary.errors, 1);
    let report = std::fs::read_to_string(&out).expect("report");
    assert_eq!(
        report,
        format!(
            "{HEADER}\nbob@,Bob,+15551234568,'=cmd,3,email,Invalid email format,invalid_email\n"
        )
    );
    let stored = r.args(&["imports", "errors", "1"]).run();
    assert_eq!(stored.stdout, report);
    let list = r.args(&["imports", "list", "--output", "json"]).run();
    assert_eq!(list.imports()[0].status, "COMPLETED");
}

#[test]
fn no_errors_writes_the_header_only() {
    let r = Roster::new();
    let file = r.write("staff.csv", "email,first_name\nann@x.co,Ann\n");
    let out = r.path("errors.csv");
    r.args(&["import", &file, "--errors-csv", out.to_str().expect("path")])
        .run();
    assert_eq!(
        std::fs::read_to_string(&out).expect("report"),
        "email,first_name,error_row,error_column,error_message,error_code\n"
    );
}

#[test]
fn a_fixed_report_imports_its_neutralised_cells_unchanged() {
    let r = Roster::new();
    let file = r.write("staff.csv", "email,first_name,job_title\nbob@,Bob,=cmd\n");
    let out = r.path("errors.csv");
    r.args(&["import", &file, "--errors-csv", out.to_str().expect("path")])
        .status(1)
        .run();
    let fixed = std::fs::read_to_string(&out)
        .expect("report")
        .replace("bob@,", "bob@x.co,");
    let path = r.write("fixed.csv", fixed);
    let run = r.args(&["import", &path, "--output", "json"]).run();
    let report = run.report();
    assert_eq!(report.changes[0].fields["job_title"].new, "=cmd");
    assert_eq!(
        report.warnings[0],
        "ignoring 4 unknown columns: `error_row`, `error_column`, `error_message`, and `error_code`"
    );
}
