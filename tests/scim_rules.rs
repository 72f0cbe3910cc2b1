//! SCIM writes under roster's rules (issue 27, SPEC §17 and §8): BANNED and protected members,
//! the seat limit, the organization's last owner, the hourly deactivation limit; the audit
//! events; the write order shared with imports (a bounded wait, then 503); and a member made by
//! SCIM that the nightly file then updates. On the suite's store (SQLite or PostgreSQL).

use crate::harness::Roster;
use crate::scim_support::{Scim, assert_error, user};
use serde_json::{Value, json};
use std::time::Duration;

/// The User id of the member a filter on its userName finds.
#[track_caller]
fn id_of(scim: &Scim, user_name: &str) -> String {
    let found = scim.filter("Users", &format!("userName eq \"{user_name}\""));
    found["Resources"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no User {user_name}: {found}"))
        .to_string()
}

#[test]
fn banned_and_protected_members_are_refused_never_silently_kept() {
    let r = Roster::new();
    r.import_json("s.csv", "email\nann@example.com\nbob@example.com\n")
        .run();
    r.args(&["members", "ban", "ann@example.com"]).run();
    r.args(&["members", "protect", "bob@example.com"]).run();
    let scim = Scim::start(&r);
    let before = r.dump();
    for (who, word) in [
        ("ann@example.com", "BANNED"),
        ("bob@example.com", "protected"),
    ] {
        let path = format!("/Users/{}", id_of(&scim, who));
        let title = json!([{"op": "replace", "path": "title", "value": "X"}]);
        assert_error(&scim.patch(&path, title), 400, Some("mutability"), word);
        assert_error(&scim.delete(&path), 400, Some("mutability"), word);
    }
    assert_eq!(r.dump(), before);
}

#[test]
fn the_seat_limit_and_the_last_owner_hold_per_request() {
    let r = Roster::new();
    let file = "email,organization_role\nboss@example.com,owner\n";
    r.import_json("s.csv", file).args(&["--invite"]).run();
    r.args(&["config", "set", "seat-limit", "1"]).run();
    r.args(&["config", "set", "scim-invite", "true"]).run();
    let scim = Scim::start(&r);
    let before = r.dump();
    let seat = scim.post(
        "/Users",
        &user("new@example.com", Some("new@example.com"), "N1"),
    );
    assert_error(
        &seat,
        422,
        None,
        "Your plan allows 1 seats, but this import would use 2.",
    );
    let boss = format!("/Users/{}", id_of(&scim, "boss@example.com"));
    let off = scim.patch(
        &boss,
        json!([{"op": "replace", "value": {"active": false}}]),
    );
    assert_error(
        &off,
        422,
        None,
        "would leave the organization with no owner",
    );
    assert_error(&scim.delete(&boss), 422, None, "with no owner");
    assert_eq!(r.dump(), before);
    r.args(&["config", "set", "scim-invite", "false"]).run();
    let provisioned = scim.post(
        "/Users",
        &user("new@example.com", Some("new@example.com"), "N1"),
    );
    assert_eq!(provisioned.status, 201, "{}", provisioned.text());
    assert_eq!(r.status("new@example.com"), "PROVISIONED");
}

#[test]
fn deactivations_are_limited_per_rolling_hour() {
    let r = Roster::new();
    r.args(&["config", "set", "scim-max-deactivations", "2"])
        .run();
    let scim = Scim::start(&r);
    let ids: Vec<String> = (0..3)
        .map(|i| {
            let u = user(
                &format!("u{i}"),
                Some(&format!("u{i}@example.com")),
                &format!("E{i}"),
            );
            scim.create_user(u)["id"].as_str().unwrap().to_string()
        })
        .collect();
    for id in &ids[..2] {
        assert_eq!(scim.delete(&format!("/Users/{id}")).status, 204);
    }
    let third = scim.patch(
        &format!("/Users/{}", ids[2]),
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
    );
    assert_error(
        &third,
        429,
        None,
        "SCIM deactivated 2 members in the last hour",
    );
    let retry: u64 = third.header("retry-after").unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&retry), "{retry}");
    assert_eq!(r.status("u2@example.com"), "PROVISIONED");
    // Reactivating is not limited.
    let back = scim.post("/Users", &user("u0", Some("u0@example.com"), "E0"));
    assert_eq!(back.status, 201, "{}", back.text());
}

#[test]
fn each_write_is_one_audit_event_by_the_key_and_no_import() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let doc = scim.create_user(user("ann@example.com", Some("ann@example.com"), "E1"));
    let path = format!("/Users/{}", doc["id"].as_str().unwrap());
    scim.patch(
        &path,
        json!([{"op": "replace", "path": "title", "value": "Chief"}]),
    );
    scim.patch(
        &path,
        json!([{"op": "replace", "path": "title", "value": "Chief"}]),
    );
    scim.delete(&path);
    let out = r
        .args(&["log", "--member", "ann@example.com", "--output", "json"])
        .run();
    let events: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let actions: Vec<&str> = events
        .iter()
        .rev()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["create", "update", "deactivate"],
        "{}",
        out.stdout
    );
    for e in &events {
        assert_eq!(e["operator"], "scim:okta");
        assert!(e["import_id"].is_null());
        assert_eq!(e["changes"]["scim"]["userName"], "ann@example.com");
    }
    assert_eq!(
        events[1]["changes"]["fields"]["job_title"],
        json!({"old": null, "new": "Chief"})
    );
    let imports = r.args(&["imports", "list", "--output", "json"]).run();
    assert_eq!(imports.stdout.trim(), "[]");
}

#[test]
fn a_write_waits_for_a_running_import_then_answers_503() {
    let r = Roster::new();
    let scim = Scim::start_with(&r, &["--scim-wait", "1"]);
    let held = r.hold_import_lock();
    let busy = scim.post("/Users", &user("ann", Some("ann@example.com"), "E1"));
    assert_error(&busy, 503, None, "Another import is being applied.");
    assert_eq!(busy.header("retry-after").as_deref(), Some("5"));
    assert!(r.members().is_empty());
    // Released while the write waits: it goes through.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
    });
    let created = scim.post("/Users", &user("ann", Some("ann@example.com"), "E1"));
    release.join().unwrap();
    assert_eq!(created.status, 201, "{}", created.text());
}

#[test]
fn scim_writes_racing_a_cli_import_never_interleave() {
    let r = Roster::new();
    let scim = Scim::start_with(&r, &["--scim-wait", "60"]);
    let file = r.write("big.csv", crate::harness::members_csv(0..4000));
    let import = r
        .args(&["import", &file, "--wait=60s", "--output", "json"])
        .spawn();
    let writers: Vec<_> = (0..8)
        .map(|i| {
            let (url, key) = (scim.server.url("/scim/v2/Users"), scim.key.clone());
            std::thread::spawn(move || {
                let body = user(
                    &format!("s{i}"),
                    Some(&format!("s{i}@example.org")),
                    &format!("S{i}"),
                );
                crate::server_harness::client()
                    .post(url)
                    .bearer_auth(key)
                    .header("content-type", "application/scim+json")
                    .body(body.to_string())
                    .send()
                    .map(|resp| resp.status().as_u16())
            })
        })
        .collect();
    let statuses: Vec<u16> = writers
        .into_iter()
        .map(|w| w.join().unwrap().unwrap())
        .collect();
    let done = import.wait_with_output().expect("the import ends");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(statuses, vec![201; 8]);
    assert_eq!(r.members().len(), 4008);
    let users = scim.get("/Users?count=1").json();
    assert_eq!(users["totalResults"], 4008);
}

#[test]
fn a_member_created_by_scim_is_updated_by_the_nightly_file_not_duplicated() {
    let r = Roster::new();
    let scim = Scim::start(&r);
    let ann = scim.create_user(user("ann.l", Some("ann@example.com"), "E1"));
    scim.create_user(
        json!({"schemas": [crate::scim_support::USER], "userName": "clerk", "externalId": "E7"}),
    );
    let nightly = "email,external_id,job_title\nann@example.com,E1,Chief\n,E7,Clerk\n";
    let report = r.import_json("nightly.csv", nightly).run().report();
    assert_eq!(report.summary.created, 0, "{report:?}");
    assert_eq!(report.summary.updated, 2);
    assert_eq!(r.members().len(), 2);
    assert_eq!(
        r.member("ann@example.com").job_title.as_deref(),
        Some("Chief")
    );
    assert_eq!(r.member("E7").job_title.as_deref(), Some("Clerk"));
    let found = scim.filter("Users", r#"userName eq "ann.l""#);
    assert_eq!(found["Resources"][0]["id"], ann["id"]);
    assert_eq!(scim.get("/Users").json()["totalResults"], 2);
}
