//! `roster serve` and `roster keys` (SPEC §12): keys, authentication, scopes, every status of
//! the table that needs no import, rate limits, the request log, shutdown.

use crate::harness::Roster;
use crate::server_harness::{Server, client, create_key};

const MISSING: &str = "An API key is required: send the header Authorization: Bearer <key>.";
const INVALID: &str = "The API key is not valid.";

#[test]
fn healthz_needs_no_key_and_everything_else_does() {
    let r = Roster::new();
    let server = Server::start(&r, &[]);
    let health = crate::server_harness::Reply::from(client().get(server.url("/healthz")).send());
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    for path in [
        "/v1/imports",
        "/v1/imports/1",
        "/v1/members",
        "/v1/log",
        "/v1/openapi.json",
    ] {
        let reply = crate::server_harness::Reply::from(client().get(server.url(path)).send());
        reply.problem(401, MISSING);
        assert_eq!(reply.header("www-authenticate").as_deref(), Some("Bearer"));
    }
}

#[test]
fn keys_are_created_listed_and_revoked_and_a_revoked_key_is_refused() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let reader = create_key(&r, "auditor", "read");
    assert_ne!(key, reader);
    let list = r.args(&["keys", "list", "--output", "json"]).run();
    let keys = list.json();
    assert_eq!(keys[0]["name"], "auditor");
    assert_eq!(keys[0]["scope"], "read");
    assert_eq!(keys[1]["name"], "hris");
    assert_eq!(keys[1]["prefix"], &key[..12]);
    assert!(keys[1]["last_used_at"].is_null());
    assert!(!list.stdout.contains(&key) && !list.stdout.contains(&key[12..]));
    // A refusal for the store's state, not a usage error (issue 22).
    r.args(&["keys", "create", "hris"])
        .status(1)
        .stderr_line(
            "error: A key named 'hris' already exists. Revoke it first, or choose another name.",
        )
        .run();

    let server = Server::start(&r, &[]);
    assert_eq!(server.get("/v1/imports", &key).status, 200);
    // Last use is written off the request's path.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let used = r.args(&["keys", "list", "--output", "json"]).run().json();
    assert!(used[1]["last_used_at"].is_string(), "{used}");

    r.args(&["keys", "revoke", "hris"]).run();
    server
        .get("/v1/imports", &key)
        .problem(401, "The API key has been revoked.");
    assert_eq!(server.get("/v1/imports", &reader).status, 200);
    r.args(&["keys", "revoke", "hris"])
        .status(1)
        .stderr_line("error: No key named 'hris'.")
        .run();
    // The name of a revoked key may go to a new key; the old key stays refused.
    let again = create_key(&r, "hris", "sync");
    assert_eq!(server.get("/v1/imports", &again).status, 200);
    server.get("/v1/imports", &key).problem(401, INVALID);
}

#[test]
fn a_key_with_one_character_changed_or_unknown_is_refused() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    let mut changed = key.clone().into_bytes();
    changed[20] = if changed[20] == b'a' { b'b' } else { b'a' };
    let changed = String::from_utf8(changed).unwrap();
    server.get("/v1/imports", &changed).problem(401, INVALID);
    // Well formed (its checksum holds) but not in this store.
    let stranger = roster::keys::generate().unwrap().secret;
    server.get("/v1/imports", &stranger).problem(401, INVALID);
    server.get("/v1/imports", "rst_short").problem(401, INVALID);
    let basic = crate::server_harness::Reply::from(
        client()
            .get(server.url("/v1/imports"))
            .header("authorization", format!("Basic {key}"))
            .send(),
    );
    basic.problem(401, INVALID);
}

#[test]
fn a_read_key_may_read_and_dry_run_but_not_sync() {
    let r = Roster::new();
    let reader = create_key(&r, "auditor", "read");
    let server = Server::start(&r, &[]);
    server.sync("", &reader, "email\na@example.com\n").problem(
        403,
        "The key 'auditor' has the read scope; this request changes the roster and needs a sync key.",
    );
    server.sync("?full_sync=true", &reader, "email\na@example.com\n").problem(
        403,
        "The key 'auditor' has the read scope; this request changes the roster and needs a sync key.",
    );
    assert_ne!(
        server
            .sync("?dry_run=true", &reader, "email\na@example.com\n")
            .status,
        403
    );
    assert_eq!(server.get("/v1/members", &reader).status, 200);
}

#[test]
fn unknown_paths_imports_and_members_are_404_problems() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    server
        .get("/v1/imports/7", &key)
        .problem(404, "No import with id 7.");
    server
        .get("/v1/imports/7/errors", &key)
        .problem(404, "No import with id 7.");
    server
        .get("/v1/imports/7/original", &key)
        .problem(404, "No import with id 7.");
    server.get("/v1/members/nobody@example.com", &key).problem(
        404,
        "No member with email, external_id or phone 'nobody@example.com'.",
    );
    server
        .get("/v1/nothing", &key)
        .problem(404, "No such endpoint: /v1/nothing.");
    server
        .get("/v1/imports?colour=red", &key)
        .problem(400, "Unknown query parameter: colour.");
}

#[test]
fn a_body_over_the_byte_limit_is_413_and_another_type_415() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    r.args(&["config", "set", "max-bytes", "100"]).run();
    let server = Server::start(&r, &[]);
    let big = format!("email\n{}", "a@example.com\n".repeat(20));
    let sentence = "The file exceeds 0.0001 MB. Please reduce the file size and try again.";
    server.sync("", &key, &big).problem(413, sentence);
    // Without Content-Length (chunked): refused as soon as the bytes read pass the limit.
    let head = format!(
        "POST /v1/sync HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    let chunk: &[u8] = b"e\r\na@example.com\n\r\n";
    let answer = crate::server_harness::raw(&server, &head, &[chunk; 20]);
    assert!(answer.starts_with("HTTP/1.1 413 "), "{answer}");
    assert!(answer.contains(sentence), "{answer}");
    for content_type in ["text/plain", "application/xml", "application/octet-stream"] {
        server
            .post("", &key, content_type, b"email\n".to_vec(), &[])
            .problem(
                415,
                "The body must be text/csv, application/json or application/x-ndjson.",
            );
    }
    let history = r.args(&["imports", "list", "--output", "json"]).run();
    assert_eq!(history.stdout.trim(), "[]");
}

#[test]
fn a_key_gets_429_after_its_quota_and_another_key_is_unaffected() {
    let r = Roster::new();
    let a = create_key(&r, "a", "read");
    let b = create_key(&r, "b", "read");
    let server = Server::start(&r, &["--rate-limit", "3/min"]);
    for remaining in ["2", "1", "0"] {
        let ok = server.get("/v1/imports", &a);
        assert_eq!(ok.status, 200);
        assert_eq!(ok.header("ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(ok.header("ratelimit-remaining").as_deref(), Some(remaining));
        assert!(ok.header("ratelimit-reset").is_some());
    }
    let refused = server.get("/v1/imports", &a);
    refused.problem(
        429,
        "Too many requests for this API key (at most 3/min). Retry after 20 seconds.",
    );
    assert_eq!(refused.header("retry-after").as_deref(), Some("20"));
    assert_eq!(refused.header("ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(server.get("/v1/imports", &b).status, 200);
    // The refusal is logged with the key's name.
    assert!(
        server
            .stderr()
            .lines()
            .any(|l| l.contains(" GET /v1/imports 429 ") && l.contains(" key=a id="))
    );
}

#[test]
fn each_request_is_one_log_line_and_no_key_is_in_the_log_or_the_store() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    assert_eq!(server.get("/v1/imports?limit=5", &key).status, 200);
    server
        .get("/v1/imports", &format!("{key}x"))
        .problem(401, INVALID);
    server.sync("", &key, "email\na@example.com\n");
    // The server's stderr is read on a thread of the test: the last line may still be coming.
    let requests = |log: &str| log.lines().filter(|l| l.contains(" /v1/")).count();
    crate::support::wait_until(|| requests(&server.stderr()) >= 3, "three log lines");
    let log = server.stderr();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(" /v1/")).collect();
    assert_eq!(lines.len(), 3, "{log}");
    let fields: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(&fields[1..4], ["GET", "/v1/imports", "200"], "{}", lines[0]);
    assert!(fields[0].ends_with('Z') && fields[4].ends_with("ms") && fields[5] == "key=hris");
    assert!(lines[1].ends_with(" GET /v1/imports 401 0ms key=-") || lines[1].contains(" 401 "));
    assert!(!log.contains(&key[4..]), "the key is in the log:\n{log}");
    server.stop("TERM");
    if Roster::sqlite_only("each_request_is_one_log_line_and_no_key_is_in_the_log_or_the_store") {
        return;
    }
    let mut bytes = std::fs::read(r.db()).unwrap();
    for suffix in ["-wal", "-shm"] {
        let mut p = r.db().as_os_str().to_owned();
        p.push(suffix);
        bytes.extend(std::fs::read(std::path::PathBuf::from(p)).unwrap_or_default());
    }
    let secret = &key.as_bytes()[4..];
    assert!(
        !bytes.windows(secret.len()).any(|w| w == secret),
        "the key is in the store"
    );
}

#[test]
fn sigterm_and_sigint_stop_an_idle_server_with_exit_0() {
    for signal in ["TERM", "INT"] {
        let r = Roster::new();
        let server = Server::start(&r, &[]);
        assert_eq!(server.stop(signal), Some(0));
    }
}

#[test]
fn a_bad_rate_limit_is_a_usage_error() {
    let r = Roster::new();
    r.args(&["serve", "--rate-limit", "60/day"]).status(2).run();
}

#[test]
fn the_committed_openapi_document_is_the_one_served() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "read");
    let server = Server::start(&r, &[]);
    let served = server.get("/v1/openapi.json", &key);
    assert_eq!(served.status, 200);
    let doc = served.json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/v1/sync",
        "/v1/imports",
        "/v1/imports/{id}",
        "/v1/imports/{id}/errors",
        "/v1/imports/{id}/original",
        "/v1/imports/{id}/revert",
        "/v1/members",
        "/v1/members/{id}",
        "/v1/log",
        "/healthz",
        "/v1/openapi.json",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is missing");
    }
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/openapi.json");
    if std::env::var_os("ROSTER_BLESS").is_some() {
        std::fs::write(&committed, &served.body).unwrap();
    }
    let kept = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        kept == served.text(),
        "fixtures/openapi.json differs from GET /v1/openapi.json; rerun with ROSTER_BLESS=1"
    );
}
