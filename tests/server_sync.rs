//! `POST /v1/sync` (SPEC §12): parity with `roster import --output json` (the same document and
//! the same store), the status of each outcome, NDJSON streaming, Idempotency-Key, and the
//! transport: the lock shared with the CLI, concurrent syncs, disconnects, SIGTERM, kill -9.

use crate::harness::{Roster, fixture};
use crate::server_harness::{Server, client, create_key};
use crate::support::{import_lock_held, integrity, roster_csv, wait_until};

const BUSY: &str =
    "Another import is being applied. Please wait for it to finish before uploading again.";

/// A store served over HTTP beside a store driven by the CLI, to compare the two faces.
struct Pair {
    cli: Roster,
    http: Roster,
    server: Server,
    key: String,
}

impl Pair {
    fn new() -> Pair {
        let cli = Roster::new();
        let http = Roster::new();
        let key = create_key(&http, "hris", "sync");
        let server = Server::start(&http, &[]);
        Pair {
            cli,
            http,
            server,
            key,
        }
    }

    /// The same file through both faces: the CLI's exit code and both documents, with the
    /// HTTP status; the documents' import ids are left out (the histories differ in nothing
    /// else, but ids are the store's).
    #[track_caller]
    fn both(&self, name: &str, csv: &str, flags: &[&str]) -> (i32, u16, serde_json::Value) {
        self.cli.write(name, csv);
        let mut args = vec!["import", name, "--output", "json"];
        args.extend_from_slice(flags);
        let cli = self.cli.args(&args).any_status().run();
        let query: Vec<String> = flags
            .iter()
            .map(|f| match f.trim_start_matches("--").split_once('=') {
                Some((k, v)) => format!("{}={v}", k.replace('-', "_")),
                None => format!("{}=true", f.trim_start_matches("--").replace('-', "_")),
            })
            .chain([format!("file_name={name}")])
            .collect();
        let reply = self
            .server
            .sync(&format!("?{}", query.join("&")), &self.key, csv);
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/json")
        );
        let strip = |mut doc: serde_json::Value| {
            doc["import_id"] = serde_json::Value::Null;
            doc
        };
        let cli_doc = strip(cli.json());
        let http_doc = strip(reply.json());
        assert_eq!(cli_doc, http_doc, "the documents differ");
        // Byte for byte apart from the import id.
        let cli_text = cli
            .stdout
            .replace(&format!("\"import_id\": {}", cli.json()["import_id"]), "");
        let http_text = reply
            .text()
            .replace(&format!("\"import_id\": {}", reply.json()["import_id"]), "");
        assert_eq!(cli_text, http_text);
        assert_eq!(self.cli.dump(), self.http.dump(), "the stores differ");
        (cli.code, reply.status, http_doc)
    }
}

#[test]
fn parity_additive_full_sync_teams_and_dry_run() {
    let p = Pair::new();
    let (code, status, doc) = p.both("staff.csv", &fixture_text("valid/staff.csv"), &[]);
    assert_eq!(
        (code, status, doc["status"].as_str()),
        (0, 200, Some("COMPLETED"))
    );
    assert_eq!(doc["summary"]["created"], 64);
    let day2 = fixture_text("valid/staff_day2.csv");
    let (code, status, doc) = p.both("day2.csv", &day2, &["--full-sync", "--dry-run"]);
    assert_eq!(
        (code, status, doc["status"].as_str()),
        (0, 200, Some("DRY_RUN"))
    );
    let (code, status, doc) = p.both("day2.csv", &day2, &["--full-sync"]);
    assert_eq!(
        (code, status, doc["summary"]["deactivated"].as_u64()),
        (0, 200, Some(3))
    );
    let (code, status, _) = p.both(
        "teams.csv",
        &fixture_text("valid/teams.csv"),
        &["--full-sync", "--max-deactivations=100%"],
    );
    assert_eq!((code, status), (0, 200));
    // The key's name is the operator in history and the audit log.
    let history = p.server.get("/v1/imports", &p.key).json();
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["operator"] == "hris")
    );
    let log = p.server.get("/v1/log", &p.key).json();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|e| e["operator"] == "hris")
    );
}

#[test]
fn parity_of_every_refusal_with_its_status() {
    let p = Pair::new();
    p.both("staff.csv", &fixture_text("valid/staff.csv"), &[]);
    let (code, status, doc) = p.both("empty.csv", "", &[]);
    assert_eq!((code, status), (1, 400));
    assert_eq!(doc["status"], "FAILED");
    assert_eq!(doc["errors"][0]["message"], "The file is empty.");
    let (code, status, doc) = p.both("rows.csv", &fixture_text("invalid/row_errors.csv"), &[]);
    assert_eq!((code, status), (1, 400));
    assert_eq!(doc["errors"].as_array().unwrap().len(), 7);
    let two = "email,organization_role\njose.garcia00@example.com,owner\nzoe.mueller01@example.com,owner\n";
    let (code, status, doc) = p.both("two.csv", two, &["--full-sync"]);
    assert_eq!((code, status), (4, 422));
    assert!(
        doc["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("This import would deactivate 62 of 64 members")
    );
    let (code, status, doc) = p.both(
        "staff.csv",
        &fixture_text("valid/staff.csv"),
        &["--expect-plan=0000"],
    );
    assert_eq!((code, status), (4, 422));
    assert_eq!(
        doc["errors"][0]["message"],
        "The plan has changed since it was reviewed."
    );
    // A row error in a read key's dry run: the document, 400.
    let reader = create_key(&p.http, "auditor", "read");
    let dry = p.server.sync(
        "?dry_run=true",
        &reader,
        &fixture_text("invalid/row_errors.csv"),
    );
    assert_eq!(dry.status, 400);
    assert_eq!(dry.json()["dry_run"], true);
}

#[test]
fn json_and_ndjson_bodies_are_read_as_their_content_type_says() {
    let r = Roster::new();
    r.args(&["labels", "add", "vip"]).run();
    r.args(&["labels", "add", "board"]).run();
    r.args(&["forms", "add", "profile.shirt"]).run();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let json = server.post(
        "?dry_run=true",
        &key,
        "application/json",
        fixture_text("valid/roster.json").into_bytes(),
        &[],
    );
    let ndjson = server.post(
        "?dry_run=true",
        &key,
        "application/x-ndjson; charset=utf-8",
        fixture_text("valid/roster.ndjson").into_bytes(),
        &[],
    );
    assert_eq!((json.status, ndjson.status), (200, 200), "{}", json.text());
    assert_eq!(json.json()["summary"], ndjson.json()["summary"]);
    assert_eq!(json.json()["file"]["name"], "sync.json");
}

#[test]
fn idempotency_key_replays_the_first_answer_and_applies_nothing_again() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let csv = fixture_text("valid/staff.csv");
    let send = |body: &str| {
        server.post(
            "",
            &key,
            "text/csv",
            body.as_bytes().to_vec(),
            &[("idempotency-key", "nightly-2026-11-29")],
        )
    };
    let first = send(&csv);
    assert_eq!(first.status, 200);
    let again = send(&csv);
    assert_eq!((again.status, &again.body), (200, &first.body));
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let history = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .json();
    assert_eq!(history.as_array().unwrap().len(), 1);
    send(&fixture_text("valid/staff_day2.csv")).problem(
        422,
        "This Idempotency-Key was already used with a different request.",
    );
    // Another key's Idempotency-Key of the same name is its own.
    let other = create_key(&r, "other", "sync");
    let its_own = server.post(
        "",
        &other,
        "text/csv",
        csv.into_bytes(),
        &[("idempotency-key", "nightly-2026-11-29")],
    );
    assert_eq!(its_own.json()["summary"]["unchanged"], 64);
}

#[test]
fn a_sync_holding_the_lock_makes_a_cli_import_exit_5() {
    if Roster::sqlite_only("a_sync_holding_the_lock_makes_a_cli_import_exit_5") {
        return;
    }
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let sending = server.sync_on_a_thread(&key, roster_csv(20_000, 0));
    wait_until(|| import_lock_held(r.db()), "the sync to take the lock");
    let file = r.write("staff.csv", fixture_text("valid/staff.csv"));
    r.args(&["import", &file])
        .status(5)
        .stderr_line(format!("error: {BUSY}"))
        .run();
    let applied = sending.join().unwrap();
    assert_eq!(applied.status, 200, "{}", applied.text());
    assert_eq!(applied.json()["summary"]["created"], 20_000);
}

#[test]
fn a_body_cut_off_mid_upload_changes_nothing() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let head = format!(
        "POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: text/csv\r\nContent-Length: 5000\r\n\r\n"
    );
    write_then_close(&server, &head, b"email\nann@example.com\n");
    // The server saw the request end without its body, and answered it as refused.
    wait_until(
        || server.stderr().contains("POST /v1/sync 400"),
        "the cut-off request's log line",
    );
    let history = r.args(&["imports", "list", "--output", "json"]).run();
    assert_eq!(history.stdout.trim(), "[]");
    assert!(r.members().is_empty());
    assert_eq!(server.get("/v1/imports", &key).status, 200);
}

/// Writes part of a request and closes the connection without reading the answer.
fn write_then_close(server: &Server, head: &str, piece: &[u8]) {
    use std::io::Write;
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(piece).unwrap();
    drop(stream);
}

#[test]
fn a_client_gone_after_its_body_arrived_does_not_stop_the_import() {
    if Roster::sqlite_only("a_client_gone_after_its_body_arrived_does_not_stop_the_import") {
        return;
    }
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let body = roster_csv(20_000, 0);
    let head = format!(
        "POST /v1/sync?file_name=gone.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    use std::io::Write;
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    // Gone in the middle of the apply.
    wait_until(|| import_lock_held(r.db()), "the sync to take the lock");
    drop(stream);
    // Polled through the CLI: the key's rate limit is for the client, not for this test.
    let history = || {
        r.args(&["imports", "list", "--output", "json"])
            .run()
            .json()
    };
    wait_until(
        || history()[0]["status"] == "COMPLETED",
        "the import to complete",
    );
    assert_eq!(history()[0]["file"]["name"], "gone.csv");
    assert_eq!(r.members().len(), 20_000);
}

#[test]
fn sigterm_mid_apply_delivers_the_answer_and_exits_0() {
    if Roster::sqlite_only("sigterm_mid_apply_delivers_the_answer_and_exits_0") {
        return;
    }
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let sending = server.sync_on_a_thread(&key, roster_csv(20_000, 0));
    wait_until(|| import_lock_held(r.db()), "the sync to take the lock");
    server.signal("TERM");
    let reply = sending.join().unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["status"], "COMPLETED");
    assert_eq!(server.stop("CONT"), Some(0));
}

#[test]
fn kill_9_mid_apply_leaves_the_store_whole_and_the_import_interrupted() {
    if Roster::sqlite_only("kill_9_mid_apply_leaves_the_store_whole_and_the_import_interrupted") {
        return;
    }
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let (url, body) = (server.url("/v1/sync"), roster_csv(20_000, 0));
    let sending = std::thread::spawn(move || {
        client()
            .post(url)
            .bearer_auth(key)
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .is_ok()
    });
    wait_until(
        || {
            r.args(&["imports", "list", "--output", "json"])
                .run()
                .stdout
                .contains("RUNNING")
        },
        "the import to be recorded",
    );
    assert_eq!(server.stop("KILL"), None);
    sending.join().unwrap();
    assert_eq!(integrity(r.db()), "ok");
    let count = r.members().len();
    assert!(count == 0 || count == 20_000, "{count} members: not whole");
    let history = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .json();
    let first = &history.as_array().unwrap()[0];
    if count == 0 {
        assert_eq!(
            (first["status"].as_str(), first["message"].as_str()),
            (Some("FAILED"), Some("interrupted"))
        );
    }
    let file = r.write("staff.csv", fixture_text("valid/staff.csv"));
    r.args(&["import", &file]).run();
}

#[test]
fn ndjson_streams_progress_while_the_import_runs_and_the_summary_last() {
    use std::io::BufRead;
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let response = client()
        .post(server.url("/v1/sync"))
        .bearer_auth(&key)
        .header("content-type", "text/csv")
        .header("accept", "application/x-ndjson")
        .body(roster_csv(20_000, 0))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let mut lines = std::io::BufReader::new(response).lines();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["event"], "progress");
    // The first line arrived while the import was still running: history lists it RUNNING, or
    // not yet (the first progress comes while the file is parsed, as its history row is
    // written beside it), never finished.
    let running = server.get("/v1/imports", &key).json();
    let listed = running.as_array().expect("a list");
    assert!(listed.iter().all(|i| i["status"] == "RUNNING"), "{running}");
    let mut events = vec![first];
    events.extend(lines.map(|l| serde_json::from_str::<serde_json::Value>(&l.unwrap()).unwrap()));
    let stages = ["parse", "validate", "plan", "apply"];
    let mut at = (0, 0);
    for e in events.iter().filter(|e| e["event"] == "progress") {
        let stage = stages.iter().position(|s| e["stage"] == *s).unwrap();
        let done = e["done"].as_u64().unwrap();
        assert!((stage, done) >= at, "progress went back: {e}");
        at = (stage, done);
    }
    assert_eq!(at.0, 3, "no apply progress");
    // Within each stage too, about every 5% (issue 17), on either store.
    for stage in stages {
        let within = events
            .iter()
            .filter(|e| e["event"] == "progress" && e["stage"] == stage)
            .filter(|e| e["done"] != 0 && e["done"] != e["total"])
            .count();
        assert!((10..=20).contains(&within), "{stage}: {within}");
    }
    let last = events.last().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["status"].as_str()),
        (Some("summary"), Some("COMPLETED"))
    );
    assert_eq!(last["summary"]["created"], 20_000);
}

/// A fixture's contents.
fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("read fixture")
}
