//! SPEC §16 over HTTP: `POST /v1/imports/{id}/revert` (scopes, dry run, conflicts as 409,
//! reverting twice, 404) and `max_shrink` on `POST /v1/sync` (422), per API key.

use crate::harness::{Roster, members_csv};
use crate::server_harness::{Reply, Server, client, create_key};

fn revert(server: &Server, id: i64, query: &str, key: &str) -> Reply {
    let url = server.url(&format!("/v1/imports/{id}/revert{query}"));
    Reply::from(client().post(url).bearer_auth(key).send())
}

#[test]
fn a_revert_over_http_answers_as_a_sync_does() {
    let r = Roster::new();
    let sync_key = create_key(&r, "hris", "sync");
    let read_key = create_key(&r, "audit", "read");
    let server = Server::start(&r, &[]);
    assert_eq!(server.sync("", &sync_key, &members_csv(0..10)).status, 200);
    let before = r.dump();
    let titles = "email,job_title\nm1@example.com,Lead\nm2@example.com,Lead\n";
    let target = server.sync("", &sync_key, titles).json()["import_id"]
        .as_i64()
        .unwrap();
    // A read key may only look.
    revert(&server, target, "", &read_key).problem(
        403,
        "The key 'audit' has the read scope; this request changes the roster and needs a sync key.",
    );
    let dry = revert(&server, target, "?dry_run=true", &read_key);
    assert_eq!(dry.status, 200, "{}", dry.text());
    assert_eq!(dry.json()["status"], "DRY_RUN");
    assert_eq!(dry.json()["mode"], "revert");
    assert_eq!(dry.json()["summary"]["updated"], 2);
    // m2 changes again later: a conflict, 409 with the document naming it.
    server.sync("", &sync_key, "email,job_title\nm2@example.com,Chief\n");
    let refused = revert(&server, target, "", &sync_key);
    assert_eq!(refused.status, 409, "{}", refused.text());
    let doc = refused.json();
    assert_eq!(doc["status"], "FAILED");
    let conflict = doc["errors"][1]["message"].as_str().unwrap();
    assert!(
        conflict.starts_with("m2@example.com: update by import"),
        "{conflict}"
    );
    let applied = revert(&server, target, "?skip_conflicts=true", &sync_key);
    assert_eq!(applied.status, 200, "{}", applied.text());
    assert_eq!(applied.json()["summary"]["updated"], 1);
    assert_eq!(r.member("m1@example.com").job_title, None);
    assert_eq!(
        r.member("m2@example.com").job_title.as_deref(),
        Some("Chief")
    );
    assert_ne!(r.dump(), before);
    // Twice: 409; an import that does not exist: 404.
    let again = revert(&server, target, "", &sync_key);
    assert_eq!(again.status, 409);
    assert!(
        again.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("was already reverted by import")
    );
    revert(&server, 999, "", &sync_key).problem(404, "No import with id 999.");
}

#[test]
fn max_shrink_refuses_a_key_s_shrunken_full_sync_with_422() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let other = create_key(&r, "ams", "sync");
    let server = Server::start(&r, &[]);
    assert_eq!(
        server
            .sync("?full_sync=true", &key, &members_csv(0..40))
            .status,
        200
    );
    let shrunk = members_csv(0..30);
    let refused = server.sync("?full_sync=true&max_shrink=10%25", &key, &shrunk);
    assert_eq!(refused.status, 422, "{}", refused.text());
    let message = refused.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.starts_with(
            "This full sync's file holds 30 members, 25% fewer than the 40 of import "
        ),
        "{message}"
    );
    // Another key is another source; a bad value is a 400.
    let ok = server.sync(
        "?full_sync=true&max_shrink=10%25&max_deactivations=100%25",
        &other,
        &shrunk,
    );
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(server.sync("?max_shrink=abc", &key, &shrunk).status, 400);
}

#[test]
fn deactivate_after_missing_over_http_marks_and_shows_the_mark() {
    let r = Roster::new();
    let key = create_key(&r, "hris", "sync");
    let server = Server::start(&r, &[]);
    assert_eq!(
        server
            .sync("?full_sync=true", &key, &members_csv(0..10))
            .status,
        200
    );
    let query = "?full_sync=true&deactivate_after_missing=2";
    let night = server.sync(query, &key, &members_csv(0..9)).json();
    assert_eq!(night["summary"]["pending_deactivation"], 1);
    assert_eq!(night["summary"]["deactivated"], 0);
    let member = server.get("/v1/members/m9@example.com", &key).json();
    assert_eq!(member["status"], "PROVISIONED");
    assert_eq!(member["missing"]["count"], 1);
    assert_eq!(member["missing"]["first_import_id"], night["import_id"]);
    let bad = server.sync(
        "?full_sync=true&deactivate_after_missing=0",
        &key,
        &members_csv(0..9),
    );
    assert_eq!(bad.status, 400);
}
