//! Issue 22: every command that has `--output json` answers a refusal on stdout too, as the
//! refusal document (`schemas/refusal.json`) whose errors carry their stable code, with the
//! error's exit code; `error:` stays on stderr. One test per command family, and the codes
//! of kinds that were generic `usage_error` / `not_found`.

use crate::harness::Roster;
use crate::schema_check::assert_valid;
use serde_json::Value;

/// Runs `args` expecting exit `status`; returns the refusal document, checked against its
/// schema, after checking that stderr still has the `error:` line.
#[track_caller]
fn refused(r: &Roster, args: &[&str], status: i32) -> Value {
    let run = r.args(args).status(status).unchanged().run();
    assert!(run.stderr.contains("error: "), "{}", run.stderr);
    let doc = run.json();
    assert_valid("refusal", &doc);
    doc
}

#[track_caller]
fn code(doc: &Value) -> &str {
    doc["errors"][0]["code"].as_str().unwrap_or_default()
}

#[test]
fn history_and_log_refusals_are_documents_with_codes() {
    let r = Roster::new();
    for args in [
        &["imports", "show", "99", "--output", "json"][..],
        &["log", "--import", "99", "--output", "json"],
    ] {
        let doc = refused(&r, args, 1);
        assert_eq!(code(&doc), "import_not_found", "{args:?}");
        assert_eq!(doc["errors"][0]["message"], "no import with id 99");
    }
    let missing = r.path("none.db").display().to_string();
    for args in [
        &["imports", "list", "--output", "json"][..],
        &["log", "--output", "json"],
        &["members", "list", "--output", "json"],
        &["keys", "list", "--output", "json"],
        &["invitations", "list", "--output", "json"],
    ] {
        let run = r.args(args).db(&missing).status(1).run();
        assert_eq!(code(&run.json()), "no_store", "{args:?}");
    }
}

#[test]
fn member_and_definition_refusals_have_their_own_codes() {
    let r = Roster::new();
    let doc = refused(&r, &["members", "show", "zed@x.co", "--output", "json"], 1);
    assert_eq!(code(&doc), "member_not_found");
    let doc = refused(&r, &["config", "get", "seats", "--output", "json"], 2);
    assert_eq!(code(&doc), "unknown_setting");
    let doc = refused(&r, &["invitations", "send", "--output", "json"], 1);
    assert_eq!(code(&doc), "invitations_not_configured");
    let missing = r.path("none.db").display().to_string();
    for args in [
        &["labels", "list", "--output", "json"][..],
        &["forms", "list", "--output", "json"],
        &["config", "get", "--output", "json"],
    ] {
        let run = r.args(args).db(&missing).status(1).run();
        assert_eq!(code(&run.json()), "no_store", "{args:?}");
    }
    // Commands without --output json still refuse with their codes' exit codes.
    r.args(&["labels", "remove", "gold"])
        .status(1)
        .stderr_line("error: no label 'gold'")
        .run();
    r.args(&["config", "set", "seat-limit", "many"])
        .status(2)
        .run();
}

#[test]
fn usage_errors_of_clap_are_documents_when_json_was_asked_for() {
    let r = Roster::new();
    let cases = [
        (
            &["members", "list", "--output", "json", "--bogus"][..],
            "unknown_flag",
        ),
        (
            &["members", "list", "--status", "NOPE", "--output", "json"],
            "invalid_flag_value",
        ),
        (&["imports", "show", "--output", "json"], "missing_argument"),
        (&["diff", "--output=json"], "missing_argument"),
    ];
    for (args, expected) in cases {
        let doc = refused(&r, args, 2);
        assert_eq!(code(&doc), expected, "{args:?}: {doc}");
    }
    // Without --output json, a usage error prints nothing on stdout.
    r.args(&["members", "list", "--bogus"])
        .status(2)
        .stdout("")
        .run();
}

#[test]
fn import_diff_and_revert_refuse_before_a_plan_as_documents() {
    let r = Roster::new();
    let file = r.write("staff.csv", "email\nann@x.co\n");
    let missing = r.path("none.db").display().to_string();
    let run = r
        .args(&["diff", &file, "--output", "json"])
        .db(&missing)
        .status(1)
        .run();
    assert_eq!(code(&run.json()), "no_store");
    let doc = refused(&r, &["imports", "revert", "42", "--output", "json"], 1);
    assert_eq!(code(&doc), "import_not_found");
    // NDJSON: one error event.
    let run = r
        .args(&["imports", "revert", "42", "--output", "ndjson"])
        .status(1)
        .run();
    let event: Value = serde_json::from_str(run.stdout.trim()).expect("one event");
    assert_valid("event_error", &event);
    assert_eq!(event["code"], "import_not_found");
    // A refusal with an import document is not printed twice: one document.
    let bad = r.write("bad.csv", "email\nnot-an-email\n");
    let run = r
        .args(&["import", &bad, "--output", "json"])
        .status(1)
        .run();
    let doc = run.json();
    assert_eq!(doc["status"], "FAILED");
    assert_eq!(doc["errors"][0]["code"], "invalid_email");
}
