//! SPEC §3: statuses of new members, BANNED and protected members during imports, and the
//! `roster members` commands that set them.

use crate::harness::{Roster, members_csv, summary};

#[test]
fn new_members_are_provisioned_or_invited() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1]), &[]);
    assert_eq!(r.status("m1@example.com"), "PROVISIONED");
    r.import(
        "b.csv",
        "email,external_id\nm2@example.com,E2\n,E3\n",
        &["--invite"],
    );
    assert_eq!(r.status("m2@example.com"), "INVITED");
    // Without an email nobody can be invited.
    assert_eq!(r.status("E3"), "PROVISIONED");
    // --invite does not touch existing members.
    let run = r.import("c.csv", &members_csv([1]), &["--invite"]);
    assert_eq!(run.summary(), summary(&[("rows", 1), ("unchanged", 1)]));
    assert_eq!(r.status("m1@example.com"), "PROVISIONED");
}

#[test]
fn banned_members_are_skipped_and_counted() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1, 2]), &[]);
    r.run(&["members", "ban", "m1@example.com"])
        .code(0)
        .stdout_line("m1@example.com: PROVISIONED -> BANNED");
    let before = r.dump();
    let run = r.import(
        "b.csv",
        "email,first_name\nm1@example.com,Changed\nm2@example.com,First2\n",
        &[],
    );
    assert_eq!(
        run.summary(),
        summary(&[("rows", 2), ("unchanged", 1), ("banned_skipped", 1)])
    );
    assert_eq!(r.dump(), before);
    // Full sync does not deactivate them either.
    let run = r.import("c.csv", &members_csv([2]), &["--full-sync"]);
    assert_eq!(run.summary(), summary(&[("rows", 1), ("unchanged", 1)]));
    assert_eq!(r.status("m1@example.com"), "BANNED");
    assert_eq!(r.dump(), before);
}

#[test]
fn unban_restores_the_status_before_the_ban() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1]), &["--invite"]);
    r.run(&["members", "activate", "m1@example.com"]).code(0);
    r.run(&["members", "ban", "m1@example.com"]).code(0);
    assert_eq!(r.status("m1@example.com"), "BANNED");
    r.run(&["members", "unban", "m1@example.com"])
        .code(0)
        .stdout_line("m1@example.com: BANNED -> ACTIVE");
    assert_eq!(r.status("m1@example.com"), "ACTIVE");
}

#[test]
fn protected_members_are_never_changed_or_deactivated() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,first_name,organization_role\nm1@example.com,First1,owner\nm2@example.com,First2,owner\n",
        &[],
    );
    r.run(&["members", "protect", "m1@example.com"])
        .code(0)
        .stdout_line("m1@example.com: PROVISIONED -> PROVISIONED (protected)");
    assert_eq!(r.member("m1@example.com")["protected"], true);
    let before = r.dump();
    // A row that would change (or demote) the member is skipped and counted.
    let run = r.import(
        "b.csv",
        "email,first_name,organization_role\nm1@example.com,Changed,member\n",
        &[],
    );
    assert_eq!(
        run.summary(),
        summary(&[("rows", 1), ("protected_skipped", 1)])
    );
    assert_eq!(r.dump(), before);
    // A row equal to the member is simply unchanged.
    let run = r.import("c.csv", "email,first_name\nm1@example.com,First1\n", &[]);
    assert_eq!(run.summary(), summary(&[("rows", 1), ("unchanged", 1)]));
    // Missing from a full sync: kept as it is.
    let run = r.import("d.csv", &members_csv([2]), &["--full-sync"]);
    assert_eq!(run.summary(), summary(&[("rows", 1), ("unchanged", 1)]));
    assert_eq!(r.status("m1@example.com"), "PROVISIONED");
    // Unprotected, the same file deactivates it.
    r.run(&["members", "unprotect", "m1@example.com"]).code(0);
    assert_eq!(r.member("m1@example.com")["protected"], false);
    let run = r.import(
        "d.csv",
        &members_csv([2]),
        &["--full-sync", "--max-deactivations", "1"],
    );
    assert_eq!(run.summary()["deactivated"], 1);
    assert_eq!(r.status("m1@example.com"), "INACTIVE");
}

#[test]
fn activate_only_moves_invited_members() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1]), &["--invite"]);
    r.import("b.csv", &members_csv([2]), &[]);
    r.run(&["members", "activate", "m1@example.com"])
        .code(0)
        .stdout_line("m1@example.com: INVITED -> ACTIVE");
    assert_eq!(r.status("m1@example.com"), "ACTIVE");
    let before = r.dump();
    let run = r.run(&["members", "activate", "m2@example.com"]);
    run.code(2).stderr_line(
        "error: m2@example.com is PROVISIONED; only an INVITED member can be activated",
    );
    assert_eq!(r.dump(), before);
}

#[test]
fn unknown_members_are_reported() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1]), &[]);
    for cmd in ["show", "ban", "unban", "protect", "unprotect", "activate"] {
        r.refuses(
            &["members", cmd, "nobody@example.com"],
            1,
            "error: no member with email, external_id or phone 'nobody@example.com'",
        );
    }
}

#[test]
fn members_list_and_show() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,external_id,first_name,last_name,name\nann@example.com,E1,Ann,Smith,\nbob@example.com,E2,Bob,Jones,Bobby J\n",
        &[],
    );
    r.run(&["members", "ban", "E2"]).code(0);
    let run = r.run(&["members", "list", "--output", "json"]);
    run.code(0);
    let list = run.json();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    let run = r.run(&["members", "list", "--status", "BANNED", "--output", "json"]);
    run.code(0);
    assert_eq!(run.json()[0]["email"], "bob@example.com");
    assert_eq!(run.json().as_array().map(Vec::len), Some(1));
    // The table shows the display name: first and last name when there is no name.
    let run = r.run(&["members", "list"]);
    run.code(0);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.contains("ann@example.com") && l.contains("Ann Smith"))
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.contains("Bobby J") && l.contains("BANNED"))
    );
    let ann = r.member("E1");
    assert_eq!(ann["name"], serde_json::Value::Null);
    assert_eq!(ann["status"], "PROVISIONED");
    assert_eq!(ann["teams"], serde_json::json!([]));
}
