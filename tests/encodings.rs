//! The files people really have: encodings, delimiters, CRLF and quoted line breaks, binary
//! look-alikes, and exports from other systems mapped with --map (fixtures/encodings, exports).

use crate::harness::{Change, Roster, Summary, fixture};

/// `diff --output json` of a fixture: (summary, changes, file.encoding).
fn plan(r: &Roster, name: &str, extra: &[&str]) -> (Summary, Vec<Change>, String) {
    let path = fixture(name);
    let mut args = vec!["diff", path.as_str(), "--output", "json"];
    args.extend_from_slice(extra);
    let doc = r.args(&args).run().report();
    (doc.summary, doc.changes, doc.file.encoding)
}

#[test]
fn every_encoding_and_delimiter_gives_the_plain_plan() {
    let r = Roster::new();
    let (summary, changes, encoding) = plan(&r, "encodings/plain-utf8.csv", &[]);
    assert_eq!(summary.created, 8);
    assert_eq!(encoding, "UTF-8");
    let cases: &[(&str, &[&str], &str)] = &[
        ("encodings/utf8-bom.csv", &[], "UTF-8"),
        (
            "encodings/windows-1252.csv",
            &["--encoding", "windows-1252"],
            "windows-1252",
        ),
        ("encodings/utf16le-bom-tab.txt", &[], "UTF-16LE"),
        ("encodings/utf16be-bom-tab.txt", &[], "UTF-16BE"),
        ("encodings/semicolon.csv", &[], "UTF-8"),
        ("encodings/semicolon.csv", &["--delimiter", ";"], "UTF-8"),
        ("encodings/crlf-quoted.csv", &[], "UTF-8"),
    ];
    for (name, extra, want) in cases {
        let got = plan(&r, name, extra);
        assert_eq!(got.0, summary, "{name} summary");
        assert_eq!(got.1, changes, "{name} changes");
        assert_eq!(got.2, *want, "{name} encoding");
    }
}

#[test]
fn accents_quotes_and_line_breaks_survive() {
    let r = Roster::new();
    let (_, changes, _) = plan(&r, "encodings/crlf-quoted.csv", &[]);
    let rows: Vec<Option<u64>> = changes.iter().map(|c| c.row).collect();
    // A quoted cell with line breaks is one row: the 8 records are rows 2 to 9.
    assert_eq!(rows, (2..=9).map(Some).collect::<Vec<_>>());
    let soren = &changes[3].fields;
    assert_eq!(soren["first_name"].new, "Søren");
    assert_eq!(soren["last_name"].new, "Ødegård");
    assert_eq!(
        soren["description"].new,
        "Runs the \"Nordics\" desk\nMon-Fri only"
    );
    assert_eq!(changes[0].fields["job_title"].new, "Head of Sales, EMEA");
    assert_eq!(changes[2].fields["description"].new, "Says \"bonjour\"");
}

#[test]
fn applied_from_utf16_the_store_matches_the_plain_file() {
    let plain = Roster::new();
    plain
        .args(&["import", &fixture("encodings/plain-utf8.csv")])
        .run();
    let excel = Roster::new();
    excel
        .args(&["import", &fixture("encodings/utf16le-bom-tab.txt")])
        .run();
    assert_eq!(excel.dump(), plain.dump());
}

#[test]
fn invalid_utf8_is_refused_naming_the_line() {
    let r = Roster::new();
    let before = r.dump();
    r.args(&["import", &fixture("encodings/windows-1252.csv")])
        .status(1)
        .stderr_line("error: Line 2 is not valid UTF-8.")
        .stderr_line(
            "hint: if the file was saved by Excel on Windows, re-run with --encoding windows-1252.",
        )
        .run();
    assert_eq!(r.dump(), before);
    let path = r.write(
        "late.csv",
        b"email,first_name\na@x.co,A\nb@x.co,B\nc@x.co,Jos\xe9\n",
    );
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: Line 4 is not valid UTF-8.")
        .run();
    assert_eq!(r.dump(), before);
}

#[test]
fn binary_files_are_refused_saying_what_they_look_like() {
    let r = Roster::new();
    let before = r.dump();
    let cases = [
        ("encodings/workbook.xlsx", "an Excel workbook (.xlsx)"),
        ("encodings/archive.zip", "a zip archive"),
        ("encodings/document.pdf", "a PDF document"),
        (
            "encodings/nul-bytes.csv",
            "a binary file (it contains NUL bytes)",
        ),
    ];
    for (name, kind) in cases {
        r.args(&["import", &fixture(name)])
            .status(1)
            .stderr_line("error: The file is not a CSV. Save the file as .csv and try again.")
            .stderr_line(format!(
                "hint: the file looks like {kind}; open it in its program and save it as CSV (UTF-8)."
            ))
            .run();
        assert_eq!(r.dump(), before, "{name}");
    }
}

#[test]
fn delimiter_flag_overrides_the_sniffed_one() {
    let r = Roster::new();
    let before = r.dump();
    r.args(&[
        "import",
        &fixture("encodings/semicolon.csv"),
        "--delimiter",
        ",",
    ])
    .status(1)
    .stderr_line("error: Required column is missing: one of email, external_id, phone.")
    .run();
    assert_eq!(r.dump(), before);
    let path = r.write("tabs.txt", "email\tfirst_name\nann@x.co\tAnn, Jr.\n");
    let run = r
        .args(&["diff", &path, "--delimiter", "tab", "--output", "json"])
        .run();
    assert_eq!(run.report().changes[0].fields["first_name"].new, "Ann, Jr.");
}

const GOOGLE_MAP: &[&str] = &[
    "--map",
    "First Name [Required]=first_name",
    "--map",
    "Last Name [Required]=last_name",
    "--map",
    "Email Address [Required]=email",
    "--map",
    "Employee ID=external_id",
    "--map",
    "Employee Title=job_title",
    "--map",
    "Mobile Phone=phone",
];

/// (email, external_id, first_name, last_name, phone, job_title) of every stored member.
fn people(r: &Roster) -> Vec<[Option<String>; 6]> {
    r.members()
        .into_iter()
        .map(|m| {
            [
                m.email,
                m.external_id,
                m.first_name,
                m.last_name,
                m.phone,
                m.job_title,
            ]
        })
        .collect()
}

#[test]
fn google_workspace_export_imports_with_map() {
    let r = Roster::new();
    let path = fixture("exports/google-workspace-users.csv");
    let mut args = vec!["import", path.as_str()];
    args.extend_from_slice(GOOGLE_MAP);
    let run = r.args(&args).run();
    let mapped = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning: mapped 6 columns: "))
        .unwrap_or_else(|| panic!("no mapped-columns line\n{}", run.stderr));
    assert!(
        mapped.contains("`Email Address [Required]` to email"),
        "{mapped}"
    );
    assert!(mapped.contains("`Employee ID` to external_id"), "{mapped}");
    let ignored = run
        .stderr
        .lines()
        .find(|l| l.starts_with("warning: ignoring 23 unknown columns: `Password [Required]`, "))
        .unwrap_or_else(|| panic!("no unknown-columns warning\n{}", run.stderr));
    assert!(
        ignored.ends_with(", and `Email Usage [READ ONLY]`"),
        "{ignored}"
    );
    let plain = Roster::new();
    plain
        .args(&["import", &fixture("encodings/plain-utf8.csv")])
        .run();
    assert_eq!(people(&r), people(&plain));
}

#[test]
fn google_export_mappings_are_listed_in_json_warnings() {
    let r = Roster::new();
    let path = fixture("exports/google-workspace-users.csv");
    let mut args = vec!["diff", path.as_str(), "--output", "json"];
    args.extend_from_slice(GOOGLE_MAP);
    let run = r.args(&args).run();
    let warnings = run.report().warnings;
    // The six mappings are one warning, as on stderr (issue 22), then the unknown columns.
    assert!(
        warnings[0].starts_with("mapped 6 columns: `First Name [Required]` to first_name, "),
        "{warnings:?}"
    );
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[test]
fn google_export_without_map_has_no_identifier() {
    let r = Roster::new();
    let before = r.dump();
    r.args(&["import", &fixture("exports/google-workspace-users.csv")])
        .status(1)
        .stderr_line("error: Required column is missing: one of email, external_id, phone.")
        .stderr_line(
            "hint: the file's `Email Address [Required]` looks like email: re-run with --map 'Email Address [Required]=email'.",
        )
        .run();
    assert_eq!(r.dump(), before);
}

#[test]
fn entra_template_skips_its_version_line() {
    let r = Roster::new();
    let path = fixture("exports/entra-bulk-create.csv");
    let run = r
        .args(&[
            "diff",
            &path,
            "--output",
            "json",
            "--map",
            "User name [userPrincipalName] Required=email",
            "--map",
            "Name [displayName] Required=name",
            "--map",
            "First name [givenName]=first_name",
            "--map",
            "Last name [surname]=last_name",
            "--map",
            "Mobile phone [mobile]=phone",
        ])
        .run();
    let doc = run.report();
    assert_eq!(doc.summary.created, 8);
    let first = &doc.changes[0];
    // version:v1.0 is row 1 and the header row 2, as a spreadsheet shows them.
    assert_eq!(first.row, Some(3));
    assert_eq!(first.fields["name"].new, "José Álvarez");
    assert_eq!(first.fields["email"].new, "jose.alvarez@example.com");
    assert_eq!(first.fields["phone"].new, "+34612345678");
}
