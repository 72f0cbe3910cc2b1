//! Every member field (SPEC §5, issue 4): phone, date_of_birth, description, notify_*,
//! labels, `form.{type}.{field}` columns, `--skip-invalid` and `--clear-blanks`.

use crate::harness::{Roster, fixture};
use serde_json::json;

/// Imports a one-column-per-field file that must be refused; returns the JSON errors.
#[track_caller]
fn row_errors(r: &Roster, name: &str, contents: &str) -> Vec<(u64, String, String)> {
    let path = r.write(name, contents);
    let run = r.refuses_all(&["import", &path, "--output", "json"], 1, &[]);
    run.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().expect("row"),
                e["value"].as_str().expect("value").to_string(),
                e["message"].as_str().expect("message").to_string(),
            )
        })
        .collect()
}

#[test]
fn phones_in_e164_syntax_pass() {
    let r = Roster::new();
    let file = "phone\n+15551234567\n+44\n+123456789012345\n'+4930123456\n";
    let s = r.import("ok.csv", file, &[]).summary();
    assert_eq!(s["created"], 4);
    assert_eq!(r.ok(&["members", "show", "+4930123456"]).code, 0);
}

#[test]
fn phones_that_are_not_e164_are_refused() {
    let r = Roster::new();
    r.import("seed.csv", "email\nseed@x.co\n", &[]);
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
    let mut lines = vec!["error: 7 rows have 7 errors; nothing was changed.".to_string()];
    lines.extend(
        bad.iter()
            .enumerate()
            .map(|(i, p)| format!("  row {}, phone '{p}': Invalid phone format", i + 2)),
    );
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    r.refuses_all(&["import", &path], 1, &lines);
}

#[test]
fn phone_is_the_third_identity_key() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "phone,first_name\n+15550001111,Pat\n+15550002222,Quinn\n",
        &[],
    );
    // No external_id, no known email: the phone decides, and the email is filled in.
    let run = r.import("b.csv", "email,phone\npat@x.co,+15550001111\n", &[]);
    assert_eq!(run.summary()["updated"], 1);
    assert_eq!(r.member_by_email("pat@x.co")["first_name"], "Pat");
    // An email that matches one member and a phone that belongs to another: a conflict.
    let path = r.write("c.csv", "email,phone\npat@x.co,+15550002222\n");
    r.refuses_all(
        &["import", &path],
        1,
        &["  row 2, phone '+15550002222': Identity conflict: pat@x.co matches pat@x.co but +15550002222 belongs to +15550002222"],
    );
}

#[test]
fn dates_of_birth_must_be_real_past_dates() {
    let r = Roster::new();
    let ok = "email,date_of_birth\na@x.co,2000-02-29\nb@x.co,2024-02-29\nc@x.co,1970-01-01\n";
    assert_eq!(r.import("ok.csv", ok, &[]).summary()["created"], 3);
    assert_eq!(r.member_by_email("a@x.co")["date_of_birth"], "2000-02-29");
    // In the shape but not in the calendar, in the future, or not in the shape (issue 17).
    let not_real = "Invalid date: not a real date (YYYY-MM-DD)";
    let shape = "Invalid date: expected YYYY-MM-DD";
    let bad = [
        ("2001-02-29", not_real),
        ("1900-02-29", not_real),
        ("2100-01-01", "Invalid date: in the future"),
        ("2000-2-29", shape),
        ("29/02/2000", shape),
        ("2000-13-01", not_real),
    ];
    let file: String = bad
        .iter()
        .enumerate()
        .map(|(i, (d, _))| format!("d{i}@x.co,{d}\n"))
        .collect();
    let file = format!("email,date_of_birth\n{file}");
    let errors = row_errors(&r, "bad.csv", &file);
    let want: Vec<(u64, String, String)> = bad
        .iter()
        .enumerate()
        .map(|(i, (d, m))| (i as u64 + 2, d.to_string(), m.to_string()))
        .collect();
    assert_eq!(errors, want);
}

#[test]
fn descriptions_are_at_most_2000_characters() {
    let r = Roster::new();
    let long = "é".repeat(2000);
    r.import(
        "ok.csv",
        &format!("email,description\na@x.co,{long}\n"),
        &[],
    );
    assert_eq!(r.member_by_email("a@x.co")["description"], long.as_str());
    let path = r.write("long.csv", format!("email,description\nb@x.co,{long}x\n"));
    r.refuses_all(
        &["import", &path],
        1,
        &["  Row 2, column description: cell is too long."],
    );
}

#[test]
fn notification_booleans_in_any_case() {
    let r = Roster::new();
    let file = "email,notify_email,notify_sms,notify_voice\na@x.co,TRUE,False,1\nb@x.co,0,tRuE,\n";
    r.import("ok.csv", file, &[]);
    let a = r.member_by_email("a@x.co");
    assert_eq!(
        (
            a["notify_email"].clone(),
            a["notify_sms"].clone(),
            a["notify_voice"].clone()
        ),
        (json!(true), json!(false), json!(true))
    );
    assert_eq!(r.member_by_email("b@x.co")["notify_voice"], json!(null));
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
        .import("same.csv", "email,notify_email\na@x.co,1\n", &[])
        .summary();
    assert_eq!(s["unchanged"], 1);
}

#[test]
fn labels_are_defined_listed_and_removed() {
    let r = Roster::new();
    assert_eq!(
        r.ok(&["labels", "add", "vip"]).stdout,
        "label vip defined\n"
    );
    r.ok(&["labels", "add", "board"]);
    r.ok(&["labels", "add", "temp"]);
    assert_eq!(r.ok(&["labels", "list"]).stdout, "board\ntemp\nvip\n");
    r.ok(&["labels", "remove", "temp"]);
    assert_eq!(r.ok(&["labels", "list"]).stdout, "board\nvip\n");
    r.run(&["labels", "remove", "temp"]).code(1);
    r.run(&["labels", "add", "a,b"]).code(2);
}

#[test]
fn a_quoted_labels_cell_holds_several_slugs_and_replaces_the_set() {
    let r = Roster::new();
    for l in ["vip", "board", "ops"] {
        r.ok(&["labels", "add", l]);
    }
    let run = r.import(
        "a.csv",
        "email,labels\nann@x.co,\" vip , board,vip\"\n",
        &[],
    );
    assert_eq!(
        run.changes()[0]["fields"]["labels"]["new"],
        json!(["board", "vip"])
    );
    assert_eq!(
        r.member_by_email("ann@x.co")["labels"],
        json!(["board", "vip"])
    );
    r.import("b.csv", "email,labels\nann@x.co,ops\n", &[]);
    assert_eq!(r.member_by_email("ann@x.co")["labels"], json!(["ops"]));
    // A blank cell keeps the set (without --clear-blanks); the same set in another order is no change.
    let s = r
        .import("c.csv", "email,labels\nann@x.co,\n", &[])
        .summary();
    assert_eq!(s["unchanged"], 1);
    r.import("d.csv", "email,labels\nann@x.co,\"ops,vip\"\n", &[]);
    let s = r
        .import("e.csv", "email,labels\nann@x.co,\"vip,ops\"\n", &[])
        .summary();
    assert_eq!(s["unchanged"], 1);
}

#[test]
fn unknown_labels_are_named_one_by_one() {
    let r = Roster::new();
    r.ok(&["labels", "add", "vip"]);
    let path = r.write("bad.csv", "email,labels\nann@x.co,\"vip,nope,zzz\"\n");
    r.refuses_all(
        &["import", &path],
        1,
        &[
            "  row 2, labels 'vip,nope,zzz': Unknown label: nope",
            "  row 2, labels 'vip,nope,zzz': Unknown label: zzz",
        ],
    );
}

#[test]
fn form_fields_are_defined_listed_and_removed() {
    let r = Roster::new();
    assert_eq!(
        r.ok(&["forms", "add", "Profile.Shirt"]).stdout,
        "form field profile.shirt defined (column form.profile.shirt)\n"
    );
    r.ok(&["forms", "add", "form.badge.number"]);
    assert_eq!(
        r.ok(&["forms", "list"]).stdout,
        "form.badge.number\nform.profile.shirt\n"
    );
    r.ok(&["forms", "remove", "badge.number"]);
    assert_eq!(r.ok(&["forms", "list"]).stdout, "form.profile.shirt\n");
    r.run(&["forms", "add", "shirt"]).code(2);
    r.run(&["forms", "remove", "badge.number"]).code(1);
}

#[test]
fn an_unknown_form_column_is_a_file_level_error() {
    let r = Roster::new();
    r.ok(&["forms", "add", "profile.shirt"]);
    r.import("a.csv", "email\nann@x.co\n", &[]);
    let path = r.write(
        "bad.csv",
        "email,form.profile.shirt,Form.Profile.Size\nann@x.co,M,L\n",
    );
    let run = r.refuses_all(
        &["import", &path],
        1,
        &["error: Unknown form field: Form.Profile.Size."],
    );
    assert_eq!(run.error_lines().len(), 1);
}

#[test]
fn form_values_are_stored_and_exported() {
    let r = Roster::new();
    r.ok(&["forms", "add", "profile.shirt"]);
    r.ok(&["forms", "add", "badge.number"]);
    r.import(
        "a.csv",
        "email,Form.Profile.Shirt,form.badge.number\nann@x.co,M,=1+2\nbob@x.co,L,\n",
        &[],
    );
    assert_eq!(
        r.member_by_email("ann@x.co")["form"],
        json!({"badge": {"number": "=1+2"}, "profile": {"shirt": "M"}})
    );
    assert_eq!(
        r.member_by_email("bob@x.co")["form"],
        json!({"profile": {"shirt": "L"}})
    );
    let csv = r.ok(&["export"]).stdout;
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
    r.refuses_all(
        &["import", &path],
        1,
        &["error: 3 rows have 3 errors; nothing was changed."],
    );
    let run = r.ok(&["import", &path, "--skip-invalid", "--output", "json"]);
    let doc = run.json();
    assert_eq!(doc["status"], "COMPLETED");
    assert_eq!(doc["summary"]["created"], 2);
    assert_eq!(doc["summary"]["errors"], 3);
    let rows: Vec<u64> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [3, 4, 6]);
    assert_eq!(
        r.member_by_email("ok1@example.org")["phone"],
        "+442071838750"
    );
    assert_eq!(
        r.member_by_email("ok2@example.org")["date_of_birth"],
        "1988-07-14"
    );
}

#[test]
fn full_sync_with_skip_invalid_keeps_members_named_by_errored_rows() {
    let r = Roster::new();
    let seed = "email,phone\nann@x.co,+15550001111\nbob@x.co,\ncy@x.co,+15550003333\ndee@x.co,\n";
    r.import("seed.csv", seed, &[]);
    let file = "\
email,phone,notify_email
ANN@X.CO,555-1234,
cy@,+15550003333,
bob@x.co,,maybe
zed@x.co,,1
";
    let run = r.import("sync.csv", file, &["--full-sync", "--skip-invalid"]);
    let s = run.summary();
    assert_eq!(s["errors"], 3);
    assert_eq!(s["created"], 1);
    assert_eq!(s["deactivated"], 1, "only dee, whom no row names");
    for kept in ["ann@x.co", "bob@x.co", "cy@x.co"] {
        assert_eq!(r.member_by_email(kept)["status"], "PROVISIONED", "{kept}");
    }
    assert_eq!(r.member_by_email("dee@x.co")["status"], "INACTIVE");
}

#[test]
fn clear_blanks_clears_optional_fields_but_never_identifiers() {
    let r = Roster::new();
    r.ok(&["labels", "add", "vip"]);
    r.ok(&["forms", "add", "profile.shirt"]);
    let full = "email,phone,external_id,first_name,job_title,labels,notify_sms,form.profile.shirt\n\
                ann@x.co,+15550001111,E1,Ann,Boss,vip,true,M\n";
    r.import("full.csv", full, &[]);
    let blank = "email,phone,external_id,first_name,job_title,labels,notify_sms,form.profile.shirt\n\
                 ann@x.co,,,,,,,\n";
    let s = r.import("keep.csv", blank, &[]).summary();
    assert_eq!(
        s["unchanged"], 1,
        "blank cells never clear without --clear-blanks"
    );
    let run = r.import("clear.csv", blank, &["--clear-blanks"]);
    let fields = &run.changes()[0]["fields"];
    let mut cleared: Vec<&String> = fields.as_object().unwrap().keys().collect();
    cleared.sort();
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
        (ann["phone"].clone(), ann["external_id"].clone()),
        (json!("+15550001111"), json!("E1"))
    );
    assert_eq!(ann["first_name"], json!(null));
    assert_eq!(ann["labels"], json!([]));
    assert_eq!(ann["form"], json!({}));
    // Every member has an organization role: a blank cell never clears it.
    r.import(
        "admin.csv",
        "email,organization_role\nann@x.co,admin\n",
        &[],
    );
    let s = r
        .import(
            "role.csv",
            "email,organization_role\nann@x.co,\n",
            &["--clear-blanks"],
        )
        .summary();
    assert_eq!(s["unchanged"], 1);
    assert_eq!(r.member_by_email("ann@x.co")["organization_role"], "admin");
    // A column the file does not have is not cleared.
    r.import("name.csv", "email,first_name\nann@x.co,Ann\n", &[]);
    r.import(
        "other.csv",
        "email,job_title\nann@x.co,\n",
        &["--clear-blanks"],
    );
    assert_eq!(r.member_by_email("ann@x.co")["first_name"], "Ann");
}

#[test]
fn one_row_with_several_errors_counts_as_one_row() {
    let r = Roster::new();
    r.import("seed.csv", "email\nseed@x.co\n", &[]);
    let path = r.write("bad.csv", "email,phone,notify_sms\nann@x.co,123,maybe\n");
    let run = r.refuses_all(
        &["import", &path],
        1,
        &[
            "error: 1 row has 2 errors; nothing was changed.",
            "  row 2, phone '123': Invalid phone format",
            "  row 2, notify_sms 'maybe': Invalid boolean: expected true, false, 1 or 0",
        ],
    );
    assert_eq!(run.error_lines().len(), 1);
}
