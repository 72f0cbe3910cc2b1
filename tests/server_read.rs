//! The read endpoints of `roster serve` (SPEC §12) answer what the matching CLI command prints:
//! history with pagination, one import, its error report and original, the export by
//! `Accept`, one member, the audit log.

use crate::harness::{Roster, fixture};
use crate::server_harness::{Server, create_key};

/// A store with three imports (the last refused for its rows) and a read key, served.
fn served() -> (Roster, Server, String) {
    let r = Roster::new();
    for (name, flags) in [
        ("valid/staff.csv", &[][..]),
        ("valid/staff_day2.csv", &["--full-sync"][..]),
    ] {
        r.args(&["import", &fixture(name)]).args(flags).run();
    }
    r.args(&["import", &fixture("invalid/row_errors.csv")])
        .status(1)
        .run();
    let key = create_key(&r, "auditor", "read");
    let server = Server::start(&r, &[]);
    (r, server, key)
}

#[test]
fn imports_are_paginated_newest_first_with_a_next_link() {
    let (r, server, key) = served();
    let all = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .json();
    let whole = server.get("/v1/imports", &key);
    assert_eq!(whole.json(), all);
    assert_eq!(whole.header("link"), None);
    let page = server.get("/v1/imports?limit=2", &key);
    assert_eq!(
        page.json().as_array().unwrap()[..],
        all.as_array().unwrap()[..2]
    );
    let link = page.header("link").expect("a next link");
    assert_eq!(link, "</v1/imports?limit=2&before=2>; rel=\"next\"");
    let next = server.get("/v1/imports?limit=2&before=2", &key);
    assert_eq!(
        next.json().as_array().unwrap()[..],
        all.as_array().unwrap()[2..]
    );
    assert_eq!(next.header("link"), None);
    server.get("/v1/imports?limit=many", &key).problem(
        400,
        "Invalid query parameter limit: invalid digit found in string.",
    );
}

#[test]
fn one_import_its_errors_and_its_original_are_the_clis() {
    let (r, server, key) = served();
    let show = r
        .args(&["imports", "show", "3", "--output", "json"])
        .run()
        .json();
    assert_eq!(server.get("/v1/imports/3", &key).json(), show);
    let errors = server.get("/v1/imports/3/errors", &key);
    assert_eq!(
        errors.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        errors.body,
        r.args(&["imports", "errors", "3"]).run().raw_stdout
    );
    let original = server.get("/v1/imports/1/original", &key);
    assert_eq!(
        original.body,
        std::fs::read(fixture("valid/staff.csv")).unwrap()
    );
}

#[test]
fn members_are_the_export_in_the_format_accept_asks_for() {
    let (r, server, key) = served();
    let get = |accept: &str, query: &str| {
        crate::server_harness::Reply::from(
            crate::server_harness::client()
                .get(server.url(&format!("/v1/members{query}")))
                .bearer_auth(&key)
                .header("accept", accept)
                .send(),
        )
    };
    for (accept, format) in [
        ("text/csv", "csv"),
        ("application/json", "json"),
        ("application/x-ndjson", "ndjson"),
        ("*/*", "csv"),
    ] {
        let export = r.args(&["export", "--format", format]).run();
        assert_eq!(get(accept, "").body, export.raw_stdout, "{accept}");
    }
    let inactive = r
        .args(&["export", "--format", "json", "--status", "INACTIVE"])
        .run();
    assert_eq!(
        get("application/json", "?status=inactive").body,
        inactive.raw_stdout
    );
    assert_eq!(get("application/json", "?status=GONE").status, 400);
}

#[test]
fn one_member_and_the_log_are_the_clis() {
    let (r, server, key) = served();
    let id = "mateo.lopez@example.org";
    let show = r
        .args(&["members", "show", id, "--output", "json"])
        .run()
        .json();
    assert_eq!(server.get(&format!("/v1/members/{id}"), &key).json(), show);
    assert_eq!(server.get("/v1/members/E1015", &key).json(), show);
    let log = r
        .args(&["log", "--member", id, "--output", "json"])
        .run()
        .json();
    assert_eq!(
        server.get(&format!("/v1/log?member={id}"), &key).json(),
        log
    );
    let log = r
        .args(&["log", "--import", "2", "--output", "json"])
        .run()
        .json();
    assert_eq!(server.get("/v1/log?import=2", &key).json(), log);
    let newest = r
        .args(&["log", "--limit", "3", "--output", "json"])
        .run()
        .json();
    assert_eq!(newest.as_array().map(Vec::len), Some(3));
    assert_eq!(server.get("/v1/log?limit=3", &key).json(), newest);
    assert_eq!(server.get("/v1/log?limit=x", &key).status, 400);
    server
        .get("/v1/log?member=nobody", &key)
        .problem(404, "No member with email, external_id or phone 'nobody'.");
}

#[test]
fn a_large_export_is_sent_in_pieces_equal_to_the_clis() {
    let r = Roster::new();
    let file = r.write("big.csv", crate::support::roster_csv(20_000, 0));
    r.args(&["import", &file]).run();
    let key = create_key(&r, "reader", "read");
    let server = Server::start(&r, &[]);
    for format in ["csv", "json"] {
        let accept = match format {
            "csv" => "text/csv",
            _ => "application/json",
        };
        let reply = crate::server_harness::Reply::from(
            crate::server_harness::client()
                .get(server.url("/v1/members"))
                .bearer_auth(&key)
                .header("accept", accept)
                .send(),
        );
        // Streamed: no length up front, the answer arrives in pieces.
        assert_eq!(reply.header("content-length"), None, "{format}");
        let export = r.args(&["export", "--format", format]).run();
        assert!(export.raw_stdout.len() > 1 << 20, "a large export");
        assert!(reply.body == export.raw_stdout, "{format}");
    }
}
