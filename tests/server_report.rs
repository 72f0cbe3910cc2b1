//! `POST /v1/sync?report=summary` (issue 25): the same import and the same document as the
//! default answer, without the list of changes; `report=full` is the default; any other value
//! is a `400` that changes nothing.

use crate::server_harness::{Server, client, create_key};
use crate::support::roster_csv;

fn served() -> (crate::harness::Roster, Server, String) {
    let roster = crate::harness::Roster::new();
    let key = create_key(&roster, "hris", "sync");
    let server = Server::start(&roster, &[]);
    (roster, server, key)
}

#[test]
fn a_summary_answer_is_the_full_document_without_its_changes() {
    let (roster, server, key) = served();
    let csv = roster_csv(40, 0);
    let full = server.sync("?dry_run=true", &key, &csv);
    let summary = server.sync("?dry_run=true&report=summary", &key, &csv);
    assert_eq!(
        (full.status, summary.status),
        (200, 200),
        "{}",
        summary.text()
    );
    let (mut full, summary) = (full.json(), summary.json());
    assert_eq!(full["changes"].as_array().map(Vec::len), Some(40));
    assert!(summary.get("changes").is_none(), "{summary}");
    crate::schema_check::assert_valid("import_result", &summary);
    full.as_object_mut().unwrap().remove("changes");
    assert_eq!(full, summary);
    // Keys in the contract's order, the document ends as the full one does.
    let keys: Vec<&String> = summary.as_object().unwrap().keys().collect();
    assert_eq!(keys.last().map(|k| k.as_str()), Some("warnings"));

    let applied = server.sync("?full_sync=true&report=summary", &key, &csv);
    assert_eq!(applied.status, 200, "{}", applied.text());
    let doc = applied.json();
    assert_eq!(doc["status"], "COMPLETED");
    assert_eq!(doc["summary"]["created"], 40);
    assert!(doc.get("changes").is_none());
    assert!(applied.text().ends_with("}\n"));
    // The import was applied and recorded as any other: the store holds the 40 members.
    let list = roster.args(&["export", "--format", "json"]).run().stdout;
    let members: serde_json::Value = serde_json::from_str(&list).unwrap();
    assert_eq!(members.as_array().map(Vec::len), Some(40));
    let again = server.sync("?full_sync=true&report=full", &key, &csv);
    assert_eq!(again.json()["summary"]["unchanged"], 40);
    assert_eq!(again.json()["changes"], serde_json::json!([]));
}

#[test]
fn a_summary_of_a_refused_sync_keeps_its_errors() {
    let (_roster, server, key) = served();
    let csv = "email,first_name\nnot-an-email,Ann\nbob@example.com,Bob\n";
    let reply = server.sync("?report=summary", &key, csv);
    assert_eq!(reply.status, 400, "{}", reply.text());
    let doc = reply.json();
    assert_eq!(doc["status"], "FAILED");
    assert!(doc.get("changes").is_none());
    assert_eq!(doc["errors"][0]["row"], 2, "{doc}");
}

#[test]
fn ndjson_with_report_summary_sends_no_change_events() {
    let (_roster, server, key) = served();
    let csv = roster_csv(30, 0);
    let reply = client()
        .post(server.url("/v1/sync?dry_run=true&report=summary"))
        .bearer_auth(&key)
        .header("content-type", "text/csv")
        .header("accept", "application/x-ndjson")
        .body(csv)
        .send()
        .expect("send");
    assert_eq!(reply.status().as_u16(), 200);
    let text = reply.text().unwrap();
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.iter().all(|e| e["event"] != "change"), "{text}");
    let last = events.last().unwrap();
    assert_eq!(last["event"], "summary");
    assert_eq!(last["summary"]["created"], 30);
}

#[test]
fn another_report_value_is_refused_and_changes_nothing() {
    let (roster, server, key) = served();
    let reply = server.sync("?report=changes", &key, &roster_csv(5, 0));
    reply.problem(
        400,
        "Invalid query parameter report: expected full or summary, got 'changes'.",
    );
    let twice = server.sync("?report=full&report=summary", &key, &roster_csv(5, 0));
    assert_eq!(twice.status, 400, "{}", twice.text());
    let history = roster
        .args(&["imports", "list", "--output", "json"])
        .run()
        .stdout;
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history.as_array().map(Vec::len), Some(0), "{history}");
}

/// A first sync of a bulk into the server's empty store is a fill (issue 25): the server keeps
/// no other connection open meanwhile, so SQLite writes it through a rollback journal; the
/// store is in WAL mode again afterwards, whole, and the next sync matches every member.
#[test]
fn a_first_bulk_sync_fills_the_store_and_leaves_it_in_wal_mode() {
    if crate::harness::Roster::sqlite_only(
        "a_first_bulk_sync_fills_the_store_and_leaves_it_in_wal_mode",
    ) {
        return;
    }
    let (roster, server, key) = served();
    // Requests before the sync leave connections idle in the server's pool.
    for _ in 0..3 {
        assert_eq!(server.get("/v1/imports", &key).status, 200);
    }
    let csv = roster_csv(3_000, 0);
    let first = server.sync("?report=summary", &key, &csv);
    assert_eq!(first.status, 200, "{}", first.text());
    assert_eq!(first.json()["summary"]["created"], 3_000);
    // Written through the rollback journal, the fill left next to nothing in the WAL; through
    // the WAL, the WAL would hold every page of it (the server's connection is still open).
    let size = |suffix: &str| {
        std::fs::metadata(format!("{}{suffix}", roster.db().display())).map_or(0, |m| m.len())
    };
    assert!(
        size("-wal") * 4 < size(""),
        "WAL {} of {}",
        size("-wal"),
        size("")
    );
    assert_eq!(roster.sql_text("PRAGMA journal_mode"), "wal");
    assert_eq!(crate::support::integrity(roster.db()), "ok");
    let again = server.sync("?report=summary", &key, &csv);
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["summary"]["unchanged"], 3_000);
}
