//! Key rotation and expiry (issue 23): `roster keys create NEW --replaces OLD` makes a key that
//! acts as OLD's operator, so both work side by side until OLD is revoked; `--expires` ends a key.

use crate::harness::{Roster, members_csv};
use crate::server_harness::Server;

fn create(r: &Roster, args: &[&str]) -> String {
    let mut all = vec!["keys", "create"];
    all.extend_from_slice(args);
    r.args(&all).run().stdout.trim().to_string()
}

#[test]
fn a_replacing_key_acts_as_the_old_operator_until_the_old_is_revoked() {
    let r = Roster::new();
    let old = create(&r, &["hris"]);
    let new = create(
        &r,
        &["hris-2027", "--replaces", "hris", "--expires", "400d"],
    );
    let server = Server::start(&r, &[]);
    assert_eq!(server.sync("", &old, &members_csv(1..=2)).status, 200);
    assert_eq!(server.sync("", &new, &members_csv(1..=3)).status, 200);
    let history = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .json();
    let operators: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["operator"].as_str().unwrap())
        .collect();
    assert_eq!(operators, ["hris", "hris"]);
    r.args(&["keys", "revoke", "hris"]).run();
    server
        .get("/v1/imports", &old)
        .problem(401, "The API key has been revoked.");
    assert_eq!(server.get("/v1/imports", &new).status, 200);
    let listed = r.args(&["keys", "list", "--output", "json"]).run().json();
    let rotated = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "hris-2027")
        .unwrap()
        .clone();
    assert_eq!(rotated["operator"], "hris");
    assert!(rotated["expires_at"].as_str().unwrap().ends_with('Z'));
    // The log names the key that made each request.
    assert!(server.stderr().contains(" key=hris-2027 "));
}

#[test]
fn an_expired_key_is_refused_and_bad_expiries_or_replacements_are_usage_errors() {
    let r = Roster::new();
    let gone = create(&r, &["temp", "--expires", "2020-01-01"]);
    let soon = create(&r, &["soon", "--expires", "2s"]);
    let server = Server::start(&r, &[]);
    let expired = server.get("/v1/imports", &gone);
    expired.problem(401, "The API key has expired.");
    // Its own code, not a revoked key's.
    assert_eq!(expired.json()["code"], "expired_key");
    assert_eq!(server.get("/v1/imports", &soon).status, 200);
    std::thread::sleep(std::time::Duration::from_secs(3));
    server
        .get("/v1/imports", &soon)
        .problem(401, "The API key has expired.");
    r.args(&["keys", "create", "x", "--expires", "soon"])
        .status(2)
        .run();
    r.args(&["keys", "create", "y", "--replaces", "nobody"])
        .status(2)
        .run();
}
