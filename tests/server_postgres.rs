//! `roster serve` and `roster keys` on a PostgreSQL store (SPEC §12, §14): keys made and listed
//! there, and two servers on one store: of two syncs at once, exactly one applies and the
//! other is told `409`, as two CLI importers are.

use crate::harness::{Roster, members_csv};
use crate::postgres_support::{PgStore, command};
use crate::server_harness::{Reply, Server};

const BUSY: &str =
    "Another import is being applied. Please wait for it to finish before uploading again.";

fn keys(r: &Roster, db: &str, args: &[&str]) -> std::process::Output {
    let out = command(r, db).arg("keys").args(args).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    out
}

#[test]
fn keys_are_created_listed_and_revoked_on_postgresql() {
    let Some(pg) = PgStore::new("keys_are_created_listed_and_revoked_on_postgresql") else {
        return;
    };
    let r = Roster::new();
    let made = keys(&r, &pg.url, &["create", "hris", "--scope", "sync"]);
    let key = String::from_utf8(made.stdout).unwrap().trim().to_string();
    assert!(key.starts_with("rst_") && key.len() == 40, "{key}");
    keys(&r, &pg.url, &["create", "reader", "--scope", "read"]);
    let listed = keys(&r, &pg.url, &["list", "--output", "json"]);
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["hris", "reader"]);
    assert_eq!(listed[0]["prefix"], key[..12]);
    assert!(!String::from_utf8_lossy(&serde_json::to_vec(&listed).unwrap()).contains(&key));

    // The key works on a server of that store, and not once revoked.
    let server = Server::start_on(&r, &pg.url, &[]);
    assert_eq!(server.get("/v1/imports", &key).status, 200);
    keys(&r, &pg.url, &["revoke", "hris"]);
    assert_eq!(server.get("/v1/imports", &key).status, 401);
}

#[test]
fn two_servers_on_one_store_apply_one_of_two_concurrent_syncs() {
    let Some(pg) = PgStore::new("two_servers_on_one_store_apply_one_of_two_concurrent_syncs")
    else {
        return;
    };
    let r = Roster::new();
    let made = keys(&r, &pg.url, &["create", "hris"]);
    let key = String::from_utf8(made.stdout).unwrap().trim().to_string();
    let servers = [
        Server::start_on(&r, &pg.url, &[]),
        Server::start_on(&r, &pg.url, &[]),
    ];
    let body = members_csv(1..=20_000);
    let handles: Vec<_> = servers
        .iter()
        .map(|server| server.sync_on_a_thread(&key, body.clone()))
        .collect();
    let replies: Vec<Reply> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [200, 409],
        "{:?}",
        replies.iter().map(Reply::text).collect::<Vec<_>>()
    );
    let applied = replies.iter().find(|r| r.status == 200).unwrap();
    assert_eq!(applied.json()["summary"]["created"], 20_000);
    replies
        .iter()
        .find(|r| r.status == 409)
        .unwrap()
        .problem(409, BUSY);
    let list = command(&r, &pg.url)
        .args(["imports", "list", "--output", "json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
}
