//! SPEC §10: the JSON document's keys, change objects, `roster diff` (= `import --dry-run`),
//! `--detailed-exitcode`, NDJSON events and the summary table.

use crate::harness::{
    Change, Event, Ids, OldNew, Roster, SUMMARY_KEYS, TeamChanges, fixture, members_csv,
};
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn the_json_document_has_exactly_the_contract_keys() {
    let r = Roster::new();
    let text = members_csv([1, 2]);
    let run = r.import_json("a.csv", &text).run();
    // The wire form: the keys and their order.
    let raw = run.json();
    assert_eq!(
        keys(&raw),
        [
            "format_version",
            "import_id",
            "plan_id",
            "dry_run",
            "status",
            "mode",
            "file",
            "summary",
            "changes",
            "errors",
            "warnings"
        ]
    );
    assert_eq!(keys(&raw["file"]), ["name", "sha256", "bytes", "encoding"]);
    assert_eq!(keys(&raw["summary"]), SUMMARY_KEYS);
    // The values, typed: every summary count decodes as a u64.
    let doc = run.report();
    assert_eq!(doc.format_version, "2");
    assert!(doc.import_id.is_some());
    let plan_id = doc.plan_id.as_deref().expect("a plan id");
    assert_eq!(plan_id.len(), 64);
    assert!(plan_id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!doc.dry_run);
    assert_eq!(doc.status, "COMPLETED");
    assert_eq!(doc.mode, "additive");
    assert_eq!(doc.file.name, r.path("a.csv").display().to_string());
    assert_eq!(doc.file.sha256, roster::input::sha256_hex(text.as_bytes()));
    assert_eq!(doc.file.bytes, text.len() as u64);
    assert_eq!(doc.file.encoding, "UTF-8");
    assert_eq!(doc.errors, []);
    assert!(doc.warnings.is_empty());
}

#[test]
fn change_objects_have_field_level_old_and_new() {
    let r = Roster::new();
    let run = r
        .import_json(
            "a.csv",
            "email,external_id,first_name,job_title\nann@example.com,E1,Ann,Engineer\n",
        )
        .args(&["--invite"])
        .run();
    let create = &run.json()["changes"][0];
    assert_eq!(keys(create), ["action", "row", "member", "fields", "teams"]);
    assert_eq!(
        *create,
        json!({
            "action": "create",
            "row": 2,
            "member": {"email": "ann@example.com", "external_id": "E1", "phone": null},
            "fields": {
                "email": {"old": null, "new": "ann@example.com"},
                "external_id": {"old": null, "new": "E1"},
                "first_name": {"old": null, "new": "Ann"},
                "job_title": {"old": null, "new": "Engineer"},
                "organization_role": {"old": null, "new": "member"},
                "status": {"old": null, "new": "INVITED"}
            },
            "teams": {"added": [], "removed": [], "changed": []}
        })
    );
    let run = r
        .import_json("b.csv", "email,job_title\nANN@example.com,Staff Engineer\n")
        .run();
    assert_eq!(
        run.report().changes,
        [Change {
            action: "update".into(),
            row: Some(2),
            member: Ids::of(Some("ann@example.com"), Some("E1"), None),
            fields: [(
                "job_title".to_string(),
                OldNew::of("Engineer", "Staff Engineer")
            )]
            .into(),
            teams: TeamChanges::default(),
        }]
    );
    let run = r
        .import_json("c.csv", "email\nbob@example.com\n")
        .args(&["--full-sync"])
        .run();
    let changes = run.report().changes;
    assert_eq!(changes[1].action, "deactivate");
    assert_eq!(changes[1].row, None);
    assert_eq!(
        changes[1].fields,
        [("status".to_string(), OldNew::of("INVITED", "INACTIVE"))].into()
    );
}

#[test]
fn diff_changes_nothing_and_equals_a_dry_run() {
    let r = Roster::new();
    r.args(&["import", &fixture("valid/staff.csv")]).run();
    let before = r.dump();
    let day2 = fixture("valid/staff_day2.csv");
    let diff = r
        .args(&["diff", &day2, "--full-sync", "--output", "json"])
        .run();
    let dry = r
        .args(&[
            "import",
            &day2,
            "--full-sync",
            "--dry-run",
            "--output",
            "json",
        ])
        .run();
    assert_eq!(r.dump(), before);
    assert_eq!(diff.json(), dry.json());
    let doc = diff.report();
    assert!(doc.dry_run);
    assert_eq!(doc.status, "DRY_RUN");
    assert_eq!(doc.import_id, None);
    assert_eq!(doc.mode, "full_sync");
    assert_eq!(doc.summary.deactivated, 3);
    // The plan it shows is the one the import applies.
    let run = r
        .args(&["import", &day2, "--full-sync", "--output", "json"])
        .run();
    let applied = run.report();
    assert_eq!(applied.plan_id, doc.plan_id);
    assert_eq!(applied.changes, doc.changes);
    // Dry runs leave no history.
    let history = r.args(&["imports", "list", "--output", "json"]).run();
    assert_eq!(history.imports().len(), 2);
}

#[test]
fn detailed_exitcode() {
    let r = Roster::new();
    let path = r.write("a.csv", members_csv([1, 2]));
    r.args(&["diff", &path, "--detailed-exitcode"])
        .status(3)
        .run();
    r.args(&["diff", &path]).run();
    r.args(&["import", &path, "--detailed-exitcode"])
        .status(3)
        .run();
    r.args(&["diff", &path, "--detailed-exitcode"]).run();
    r.args(&["import", &path, "--detailed-exitcode"]).run();
    r.args(&["import", &path, "--dry-run", "--detailed-exitcode"])
        .run();
}

#[test]
fn the_table_output_has_the_summary_rows() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1])).run();
    let path = r.write("b.csv", members_csv([1, 2, 3]));
    let run = r
        .args(&["import", &path])
        .stdout_line(format!("Import 2 completed (additive mode, {path})."))
        .stdout_line("| summary             | count |")
        .stdout_line("| rows                | 3     |")
        .stdout_line("| created             | 2     |")
        .stdout_line("| unchanged           | 1     |")
        .stdout_line("| deactivated         | 0     |")
        .stdout_line("| protected_skipped   | 0     |")
        .stdout_line("| errors              | 0     |")
        .stdout_line("+ m3@example.com (PROVISIONED)")
        .stdout_line("    first_name: First3")
        .stdout_line("Plan: 2 to create, 0 to update, 0 to reactivate, 0 to deactivate.")
        .run();
    assert_eq!(run.stderr, "");
    r.args(&["diff", &path])
        .stdout_line(format!(
            "Dry run: nothing was changed (additive mode, {path})."
        ))
        .stdout_line("| unchanged           | 3     |")
        .run();
}

#[test]
fn unknown_columns_are_a_warning() {
    let r = Roster::new();
    let path = r.write(
        "a.csv",
        "email,Department,Cost Center,\nann@example.com,Sales,42,\n",
    );
    r.args(&["import", &path])
        .stderr_line("warning: ignoring 2 unknown columns: `Department` and `Cost Center`")
        .run();
    let run = r.args(&["diff", &path, "--output", "json"]).run();
    assert_eq!(
        run.report().warnings,
        ["ignoring 2 unknown columns: `Department` and `Cost Center`"]
    );
    // --quiet keeps stderr for errors only.
    let run = r.args(&["--quiet", "import", &path]).run();
    assert_eq!(run.stderr, "");
}

#[test]
fn ndjson_ends_with_the_summary_event() {
    let r = Roster::new();
    let path = r.write(
        "a.csv",
        "email,Dept\nann@example.com,x\nbob@example.com,y\n",
    );
    let run = r.args(&["import", &path, "--output", "ndjson"]).run();
    let events = run.events();
    let names: Vec<&str> = events.iter().map(Event::name).collect();
    assert_eq!(names, ["change", "change", "warning", "summary"]);
    let Event::Summary(last) = &events[3] else {
        panic!("not a summary: {:?}", events[3])
    };
    assert_eq!(last.summary.created, 2);
    assert_eq!(last.status, "COMPLETED");
    let Event::Change(first) = &events[0] else {
        panic!("not a change: {:?}", events[0])
    };
    assert_eq!(first.action, "create");
}

#[test]
fn row_errors_in_json_refuse_with_status_failed() {
    let r = Roster::new();
    let path = r.write("a.csv", "email\nok@example.com\nbad@\n");
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .stderr_line("error: 1 row has 1 error; nothing was changed.")
        .unchanged()
        .run();
    let doc = run.report();
    assert_eq!(doc.status, "FAILED");
    assert_eq!(doc.summary.errors, 1);
    assert_eq!(
        doc.summary.created, 1,
        "the plan of the valid rows is shown"
    );
    // In JSON mode stderr does not repeat every row error.
    assert!(!run.stderr.contains("Invalid email format"));
}
