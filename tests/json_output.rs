//! SPEC §10: the JSON document's keys, change objects, `roster diff` (= `import --dry-run`),
//! `--detailed-exitcode`, NDJSON events and the summary table.

use crate::harness::{Roster, SUMMARY_KEYS, fixture, members_csv};
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
    let run = r.import("a.csv", &text, &[]);
    let doc = run.json();
    assert_eq!(
        keys(&doc),
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
    assert_eq!(doc["format_version"], "1");
    assert!(doc["import_id"].is_i64());
    let plan_id = doc["plan_id"].as_str().unwrap();
    assert_eq!(plan_id.len(), 64);
    assert!(plan_id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(doc["dry_run"], false);
    assert_eq!(doc["status"], "COMPLETED");
    assert_eq!(doc["mode"], "additive");
    assert_eq!(keys(&doc["file"]), ["name", "sha256", "bytes", "encoding"]);
    assert_eq!(doc["file"]["name"], r.path("a.csv").display().to_string());
    assert_eq!(
        doc["file"]["sha256"],
        roster::input::sha256_hex(text.as_bytes())
    );
    assert_eq!(doc["file"]["bytes"], text.len());
    assert_eq!(doc["file"]["encoding"], "UTF-8");
    assert_eq!(keys(&doc["summary"]), SUMMARY_KEYS);
    assert!(
        doc["summary"]
            .as_object()
            .unwrap()
            .values()
            .all(Value::is_u64)
    );
    assert_eq!(doc["errors"], json!([]));
    assert_eq!(doc["warnings"], json!([]));
}

#[test]
fn change_objects_have_field_level_old_and_new() {
    let r = Roster::new();
    let run = r.import(
        "a.csv",
        "email,external_id,first_name,job_title\nann@example.com,E1,Ann,Engineer\n",
        &["--invite"],
    );
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
    let run = r.import(
        "b.csv",
        "email,job_title\nANN@example.com,Staff Engineer\n",
        &[],
    );
    assert_eq!(
        run.json()["changes"],
        json!([{
            "action": "update",
            "row": 2,
            "member": {"email": "ann@example.com", "external_id": "E1", "phone": null},
            "fields": {"job_title": {"old": "Engineer", "new": "Staff Engineer"}},
            "teams": {"added": [], "removed": [], "changed": []}
        }])
    );
    let run = r.import("c.csv", "email\nbob@example.com\n", &["--full-sync"]);
    let changes = run.json()["changes"].clone();
    assert_eq!(changes[1]["action"], "deactivate");
    assert_eq!(changes[1]["row"], Value::Null);
    assert_eq!(
        changes[1]["fields"],
        json!({"status": {"old": "INVITED", "new": "INACTIVE"}})
    );
}

#[test]
fn diff_changes_nothing_and_equals_a_dry_run() {
    let r = Roster::new();
    r.run(&["import", &fixture("valid/staff.csv")]).code(0);
    let before = r.dump();
    let day2 = fixture("valid/staff_day2.csv");
    let diff = r.run(&["diff", &day2, "--full-sync", "--output", "json"]);
    diff.code(0);
    let dry = r.run(&[
        "import",
        &day2,
        "--full-sync",
        "--dry-run",
        "--output",
        "json",
    ]);
    dry.code(0);
    assert_eq!(r.dump(), before);
    assert_eq!(diff.json(), dry.json());
    let doc = diff.json();
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["status"], "DRY_RUN");
    assert_eq!(doc["import_id"], Value::Null);
    assert_eq!(doc["mode"], "full_sync");
    assert_eq!(doc["summary"]["deactivated"], 3);
    // The plan it shows is the one the import applies.
    let run = r.run(&["import", &day2, "--full-sync", "--output", "json"]);
    run.code(0);
    assert_eq!(run.json()["plan_id"], doc["plan_id"]);
    assert_eq!(run.json()["changes"], doc["changes"]);
    // Dry runs leave no history.
    let history = r.run(&["imports", "list", "--output", "json"]);
    history.code(0);
    assert_eq!(history.json().as_array().map(Vec::len), Some(2));
}

#[test]
fn detailed_exitcode() {
    let r = Roster::new();
    let path = r.write("a.csv", members_csv([1, 2]));
    r.run(&["diff", &path, "--detailed-exitcode"]).code(3);
    r.run(&["diff", &path]).code(0);
    r.run(&["import", &path, "--detailed-exitcode"]).code(3);
    r.run(&["diff", &path, "--detailed-exitcode"]).code(0);
    r.run(&["import", &path, "--detailed-exitcode"]).code(0);
    r.run(&["import", &path, "--dry-run", "--detailed-exitcode"])
        .code(0);
}

#[test]
fn the_table_output_has_the_summary_rows() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1]), &[]);
    let path = r.write("b.csv", members_csv([1, 2, 3]));
    let run = r.run(&["import", &path]);
    run.code(0)
        .stdout_line(&format!("Import 2 completed (additive mode, {path})."))
        .stdout_line("| summary             | count |")
        .stdout_line("| rows                | 3     |")
        .stdout_line("| created             | 2     |")
        .stdout_line("| unchanged           | 1     |")
        .stdout_line("| deactivated         | 0     |")
        .stdout_line("| protected_skipped   | 0     |")
        .stdout_line("| errors              | 0     |");
    run.stdout_line("+ m3@example.com (PROVISIONED)")
        .stdout_line("    first_name: First3")
        .stdout_line("Plan: 2 to create, 0 to update, 0 to reactivate, 0 to deactivate.");
    assert_eq!(run.stderr, "");
    let run = r.run(&["diff", &path]);
    run.code(0)
        .stdout_line(&format!(
            "Dry run: nothing was changed (additive mode, {path})."
        ))
        .stdout_line("| unchanged           | 3     |");
}

#[test]
fn unknown_columns_are_a_warning() {
    let r = Roster::new();
    let path = r.write(
        "a.csv",
        "email,Department,Cost Center,\nann@example.com,Sales,42,\n",
    );
    let run = r.run(&["import", &path]);
    run.code(0)
        .stderr_line("warning: ignoring 2 unknown columns: `Department` and `Cost Center`");
    let run = r.run(&["diff", &path, "--output", "json"]);
    run.code(0);
    assert_eq!(
        run.json()["warnings"],
        json!(["ignoring 2 unknown columns: `Department` and `Cost Center`"])
    );
    // --quiet keeps stderr for errors only.
    let run = r.run(&["--quiet", "import", &path]);
    run.code(0);
    assert_eq!(run.stderr, "");
}

#[test]
fn ndjson_ends_with_the_summary_event() {
    let r = Roster::new();
    let path = r.write(
        "a.csv",
        "email,Dept\nann@example.com,x\nbob@example.com,y\n",
    );
    let run = r.run(&["import", &path, "--output", "ndjson"]);
    run.code(0);
    let events: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["change", "change", "warning", "summary"]);
    let last = &events[3];
    assert_eq!(last["summary"]["created"], 2);
    assert_eq!(last["status"], "COMPLETED");
    assert_eq!(events[0]["action"], "create");
}

#[test]
fn row_errors_in_json_refuse_with_status_failed() {
    let r = Roster::new();
    let path = r.write("a.csv", "email\nok@example.com\nbad@\n");
    let run = r.refuses(
        &["import", &path, "--output", "json"],
        1,
        "error: 1 row has errors; nothing was changed.",
    );
    let doc = run.json();
    assert_eq!(doc["status"], "FAILED");
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(
        doc["summary"]["created"], 1,
        "the plan of the valid rows is shown"
    );
    // In JSON mode stderr does not repeat every row error.
    assert!(!run.stderr.contains("Invalid email format"));
}
