//! Every member field (SPEC §5, issue 4): phone, date_of_birth, description, notify_*,
//! labels, `form.{type}.{field}` columns, `--skip-invalid` and `--clear-blanks`.

use crate::harness::{Roster, fixture, form};
use serde_json::json;

/// Imports a one-column-per-field file that must be refused; returns the JSON errors.
#[track_caller]
fn row_errors(r: &Roster, name: &str, contents: &str) -> Vec<(u64, String, String)> {
    let path = r.write(name, contents);
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .unchanged()
        .run();
    run.report()
        .errors
        .into_iter()
        .map(|e| (e.row.expect("row"), e.value.expect("value"), e.message))
        .collect()
}

#[test]
fn phones_in_e164_syntax_pass() {
    let r = Roster::new();
    let file = "phone\n+15551234567\n+44\n+123456789012345\n'+4930123456\n";
    let s = r.import_json("ok.csv", file).run().report().summary;
    assert_eq!(s.created, 4);
    assert_eq!(r.args(&["members", "show", "+4930123456"]).run().code, 0);
}

#[test]
fn phones_that_are_not_e164_are_refused() {
    let r = Roster::new();
    r.import_json("seed.csv", "email\nseed@x.co\n").run();
    let bad = [
        "+1",
        "+1234567890123456",
        "+0123456789",
        "+1 555 123 4567",
        "(555) 123-4567",
        "5551234567",
        "+1-555-123-4567",
    ];
    let file: String = bad
        .iter()
        .enumerate()
        .map(|(i, p)| format!("u{i}@x.co,{p}\n"))
        .collect();
    let path = r.write("bad.csv", format!("email,phone\n{file}"));
    let refused = r
        .args(&["import", &path])
        .status(1)
        .stderr_line("error: 7 rows have 7 errors; nothing was changed.")
        .unchanged();
    bad.iter()
        .enumerate()
        .fold(refused, |t, (i, p)| {
            t.stderr_line(format!(
                "  row {}, phone '{p}': Invalid phone format",
                i + 2
            ))
        })
        .run();
}

#[test]
fn phone_is_the_third_identity_key() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "phone,first_name\n+15550001111,Pat\n+15550002222,Quinn\n",
    )
    .run();
    // No external_id, no known email: the phone decides, and the email is filled in.
    let run = r
        .import_json("b.csv", "email,phone\npat@x.co,+15550001111\n")
        .run();
    assert_eq!(run.report().summary.updated, 1);
    assert_eq!(
        r.member_by_email("pat@x.co").first_name.as_deref(),
        Some("Pat")
    );
    // An email that matches one member and a phone that belongs to another: a conflict.
    let path = r.write("c.csv", "email,phone\npat@x.co,+15550002222\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("  row 2, phone '+15550002222': Identity conflict: pat@x.co matches pat@x.co but +15550002222 belongs to +15550002222")
        .unchanged()
        .run();
}

#[test]
fn dates_of_birth_must_be_real_past_dates() {
    let r = Roster::new();
    let ok = "email,date_of_birth\na@x.co,2000-02-29\nb@x.co,2024-02-29\nc@x.co,1970-01-01\n";
    assert_eq!(
        r.import_json("ok.csv", ok).run().report().summary.created,
        3
    );
    assert_eq!(
        r.member_by_email("a@x.co").date_of_birth.as_deref(),
        Some("2000-02-29")
    );
    let bad = [
        "2001-02-29",
        "1900-02-29",
        "2100-01-01",
        "2000-2-29",
        "29/02/2000",
        "2000-13-01",
    ];
    let file: String = bad
        .iter()
        .enumerate()
        .map(|(i, d)| format!("d{i}@x.co,{d}\n"))
        .collect();
    let file = format!("email,date_of_birth\n{file}");
    let errors = row_errors(&r, "bad.csv", &file);
    let want: Vec<(u64, String, String)> = bad
        .iter()
        .enumerate()
        .map(|(i, d)| {
            (
                i as u64 + 2,
                d.to_string(),
                "Invalid date: expected YYYY-MM-DD".into(),
            )
        })
        .collect();
    assert_eq!(errors, want);
}

#[test]
fn descriptions_are_at_most_2000_characters() {
    let r = Roster::new();
    let long = "é".repeat(2000);
    r.import_json("ok.csv", format!("email,description\na@x.co,{long}\n"))
        .run();
    assert_eq!(
        r.member_by_email("a@x.co").description.as_deref(),
        Some(long.as_str())
    );
    let path = r.write("long.csv", format!("email,description\nb@x.co,{long}x\n"));
    r.args(&["import", &path])
        .status(1)
        .stderr_line("  Row 2, column description: cell is too long.")
        .unchanged()
        .run();
}

#[test]
fn notification_booleans_in_any_case() {
    let r = Roster::new();
    let file = "email,notify_email,notify_sms,notify_voice\na@x.co,TRUE,False,1\nb@x.co,0,tRuE,\n";
    r.import_json("ok.csv", file).run();
    let a = r.member_by_email("a@x.co");
    assert_eq!(
        (a.notify_email, a.notify_sms, a.notify_voice),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(r.member_by_email("b@x.co").notify_voice, None);
    let errors = row_errors(&r, "bad.csv", "email,notify_sms\na@x.co,yes\nb@x.co,2\n");
    assert_eq!(
        errors,
        [
            (
                2,
                "yes".into(),
                "Invalid boolean: expected true, false, 1 or 0".into()
            ),
            (
                3,
                "2".into(),
                "Invalid boolean: expected true, false, 1 or 0".into()
            ),
        ]
    );
    // The same value in another spelling is no change.
    let s = r
        .import_json("same.csv", "email,notify_email\na@x.co,1\n")
        .run()
        .report()
        .summary;
    assert_eq!(s.unchanged, 1);
}

#[test]
fn labels_are_defined_listed_and_removed() {
    let r = Roster::new();
    assert_eq!(
        r.args(&["labels", "add", "vip"]).run().stdout,
        "label vip defined\n"
    );
    r.args(&["labels", "add", "board"]).run();
    r.args(&["labels", "add", "temp"]).run();
    assert_eq!(
        r.args(&["labels", "list"]).run().stdout,
        "board\ntemp\nvip\n"
    );
    r.args(&["labels", "remove", "temp"]).run();
    assert_eq!(r.args(&["labels", "list"]).run().stdout, "board\nvip\n");
    r.args(&["labels", "remove", "temp"]).status(1).run();
    r.args(&["labels", "add", "a,b"]).status(2).run();
}

#[test]
fn a_quoted_labels_cell_holds_several_slugs_and_replaces_the_set() {
    let r = Roster::new();
    for l in ["vip", "board", "ops"] {
        r.args(&["labels", "add", l]).run();
    }
    let run = r
        .import_json("a.csv", "email,labels\nann@x.co,\" vip , board,vip\"\n")
        .run();
    assert_eq!(
        run.report().changes[0].fields["labels"].new,
        json!(["board", "vip"])
    );
    assert_eq!(r.member_by_email("ann@x.co").labels, ["board", "vip"]);
    r.import_json("b.csv", "email,labels\nann@x.co,ops\n").run();
    assert_eq!(r.member_by_email("ann@x.co").labels, ["ops"]);
    // A blank cell keeps the set (without --clear-blanks); the same set in another order is no change.
    let s = r
        .import_json("c.csv", "email,labels\nann@x.co,\n")
        .run()
        .report()
        .summary;
    assert_eq!(s.unchanged, 1);
    r.import_json("d.csv", "email,labels\nann@x.co,\"ops,vip\"\n")
        .run();
    let s = r
        .import_json("e.csv", "email,labels\nann@x.co,\"vip,ops\"\n")
        .run()
        .report()
        .summary;
    assert_eq!(s.unchanged, 1);
}

#[test]
fn unknown_labels_are_named_one_by_one() {
    let r = Roster::new();
    r.args(&["labels", "add", "vip"]).run();
    let path = r.write("bad.csv", "email,labels\nann@x.co,\"vip,nope,zzz\"\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("  row 2, labels 'vip,nope,zzz': Unknown label: nope")
        .stderr_line("  row 2, labels 'vip,nope,zzz': Unknown label: zzz")
        .unchanged()
        .run();
}

#[test]
fn form_fields_are_defined_listed_and_removed() {
    let r = Roster::new();
    assert_eq!(
        r.args(&["forms", "add", "Profile.Shirt"]).run().stdout,
        "form field profile.shirt defined (column form.profile.shirt)\n"
    );
    r.args(&["forms", "add", "form.badge.number"]).run();
    assert_eq!(
        r.args(&["forms", "list"]).run().stdout,
        "form.badge.number\nform.profile.shirt\n"
    );
    r.args(&["forms", "remove", "badge.number"]).run();
    assert_eq!(
        r.args(&["forms", "list"]).run().stdout,
        "form.profile.shirt\n"
    );
    r.args(&["forms", "add", "shirt"]).status(2).run();
    r.args(&["forms", "remove", "badge.number"]).status(1).run();
}

#[test]
fn an_unknown_form_column_is_a_file_level_error() {
    let r = Roster::new();
    r.args(&["forms", "add", "profile.shirt"]).run();
    r.import_json("a.csv", "email\nann@x.co\n").run();
    let path = r.write(
        "bad.csv",
        "email,form.profile.shirt,Form.Profile.Size\nann@x.co,M,L\n",
    );
    let run = r
        .args(&["import", &path])
        .status(1)
        .stderr_line("error: Unknown form field: Form.Profile.Size.")
        .unchanged()
        .run();
    assert_eq!(run.error_lines().len(), 1);
}

#[test]
fn form_values_are_stored_and_exported() {
    let r = Roster::new();
    r.args(&["forms", "add", "profile.shirt"]).run();
    r.args(&["forms", "add", "badge.number"]).run();
    r.import_json(
        "a.csv",
        "email,Form.Profile.Shirt,form.badge.number\nann@x.co,M,=1+2\nbob@x.co,L,\n",
    )
    .run();
    assert_eq!(
        r.member_by_email("ann@x.co").form,
        form(&[("badge", "number", "=1+2"), ("profile", "shirt", "M")])
    );
    assert_eq!(
        r.member_by_email("bob@x.co").form,
        form(&[("profile", "shirt", "L")])
    );
    let csv = r.args(&["export"]).run().stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].contains(",notify_voice,form.badge.number,form.profile.shirt,organization_role,"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains(",'=1+2,M,member,"), "{}", lines[1]);
    assert!(lines[2].contains(",,L,member,"), "{}", lines[2]);
}

#[test]
fn skip_invalid_applies_the_valid_rows_and_counts_the_errors() {
    let r = Roster::new();
    let path = fixture("invalid/fields-mixed.csv");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: 3 rows have 3 errors; nothing was changed.")
        .unchanged()
        .run();
    let run = r
        .args(&["import", &path, "--skip-invalid", "--output", "json"])
        .run();
    let doc = run.report();
    assert_eq!(doc.status, "COMPLETED");
    assert_eq!(doc.summary.created, 2);
    assert_eq!(doc.summary.errors, 3);
    let rows: Vec<u64> = doc.errors.iter().map(|e| e.row.unwrap()).collect();
    assert_eq!(rows, [3, 4, 6]);
    assert_eq!(
        r.member_by_email("ok1@example.org").phone.as_deref(),
        Some("+442071838750")
    );
    assert_eq!(
        r.member_by_email("ok2@example.org")
            .date_of_birth
            .as_deref(),
        Some("1988-07-14")
    );
}

#[test]
fn full_sync_with_skip_invalid_keeps_members_named_by_errored_rows() {
    let r = Roster::new();
    let seed = "email,phone\nann@x.co,+15550001111\nbob@x.co,\ncy@x.co,+15550003333\ndee@x.co,\n";
    r.import_json("seed.csv", seed).run();
    let file = "\
email,phone,notify_email
ANN@X.CO,555-1234,
cy@,+15550003333,
bob@x.co,,maybe
zed@x.co,,1
";
    let run = r
        .import_json("sync.csv", file)
        .args(&["--full-sync", "--skip-invalid"])
        .run();
    let s = run.report().summary;
    assert_eq!(s.errors, 3);
    assert_eq!(s.created, 1);
    assert_eq!(s.deactivated, 1, "only dee, whom no row names");
    for kept in ["ann@x.co", "bob@x.co", "cy@x.co"] {
        assert_eq!(r.member_by_email(kept).status, "PROVISIONED", "{kept}");
    }
    assert_eq!(r.member_by_email("dee@x.co").status, "INACTIVE");
}

#[test]
fn clear_blanks_clears_optional_fields_but_never_identifiers() {
    let r = Roster::new();
    r.args(&["labels", "add", "vip"]).run();
    r.args(&["forms", "add", "profile.shirt"]).run();
    let full = "email,phone,external_id,first_name,job_title,labels,notify_sms,form.profile.shirt\n\
                ann@x.co,+15550001111,E1,Ann,Boss,vip,true,M\n";
    r.import_json("full.csv", full).run();
    let blank = "email,phone,external_id,first_name,job_title,labels,notify_sms,form.profile.shirt\n\
                 ann@x.co,,,,,,,\n";
    let s = r.import_json("keep.csv", blank).run().report().summary;
    assert_eq!(
        s.unchanged, 1,
        "blank cells never clear without --clear-blanks"
    );
    let run = r
        .import_json("clear.csv", blank)
        .args(&["--clear-blanks"])
        .run();
    let fields = &run.report().changes[0].fields;
    let cleared: Vec<&String> = fields.keys().collect();
    assert_eq!(
        cleared,
        [
            "first_name",
            "form.profile.shirt",
            "job_title",
            "labels",
            "notify_sms"
        ]
    );
    let ann = r.member_by_email("ann@x.co");
    assert_eq!(
        (ann.phone.as_deref(), ann.external_id.as_deref()),
        (Some("+15550001111"), Some("E1"))
    );
    assert_eq!(ann.first_name, None);
    assert!(ann.labels.is_empty());
    assert!(ann.form.is_empty());
    // Every member has an organization role: a blank cell never clears it.
    r.import_json("admin.csv", "email,organization_role\nann@x.co,admin\n")
        .run();
    let s = r
        .import_json("role.csv", "email,organization_role\nann@x.co,\n")
        .args(&["--clear-blanks"])
        .run()
        .report()
        .summary;
    assert_eq!(s.unchanged, 1);
    assert_eq!(
        r.member_by_email("ann@x.co").organization_role.as_deref(),
        Some("admin")
    );
    // A column the file does not have is not cleared.
    r.import_json("name.csv", "email,first_name\nann@x.co,Ann\n")
        .run();
    r.import_json("other.csv", "email,job_title\nann@x.co,\n")
        .args(&["--clear-blanks"])
        .run();
    assert_eq!(
        r.member_by_email("ann@x.co").first_name.as_deref(),
        Some("Ann")
    );
}

#[test]
fn one_row_with_several_errors_counts_as_one_row() {
    let r = Roster::new();
    r.import_json("seed.csv", "email\nseed@x.co\n").run();
    let path = r.write("bad.csv", "email,phone,notify_sms\nann@x.co,123,maybe\n");
    let run = r
        .args(&["import", &path])
        .status(1)
        .stderr_line("error: 1 row has 2 errors; nothing was changed.")
        .stderr_line("  row 2, phone '123': Invalid phone format")
        .stderr_line("  row 2, notify_sms 'maybe': Invalid boolean: expected true, false, 1 or 0")
        .unchanged()
        .run();
    assert_eq!(run.error_lines().len(), 1);
}
