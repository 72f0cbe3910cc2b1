//! SPEC §3: statuses of new members, BANNED and protected members during imports, and the
//! `roster members` commands that set them.

use crate::harness::{Roster, Summary, members_csv};

#[test]
fn new_members_are_provisioned_or_invited() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1])).run();
    assert_eq!(r.status("m1@example.com"), "PROVISIONED");
    r.import_json("b.csv", "email,external_id\nm2@example.com,E2\n,E3\n")
        .args(&["--invite"])
        .run();
    assert_eq!(r.status("m2@example.com"), "INVITED");
    // Without an email nobody can be invited.
    assert_eq!(r.status("E3"), "PROVISIONED");
    // --invite does not touch existing members.
    let run = r
        .import_json("c.csv", members_csv([1]))
        .args(&["--invite"])
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            unchanged: 1,
            ..Summary::default()
        }
    );
    assert_eq!(r.status("m1@example.com"), "PROVISIONED");
}

#[test]
fn banned_members_are_skipped_and_counted() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1, 2])).run();
    r.args(&["members", "ban", "m1@example.com"])
        .stdout_line("m1@example.com: PROVISIONED -> BANNED")
        .run();
    let before = r.dump();
    let run = r
        .import_json(
            "b.csv",
            "email,first_name\nm1@example.com,Changed\nm2@example.com,First2\n",
        )
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 2,
            unchanged: 1,
            banned_skipped: 1,
            ..Summary::default()
        }
    );
    assert_eq!(r.dump(), before);
    // Full sync does not deactivate them either.
    let run = r
        .import_json("c.csv", members_csv([2]))
        .args(&["--full-sync"])
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            unchanged: 1,
            ..Summary::default()
        }
    );
    assert_eq!(r.status("m1@example.com"), "BANNED");
    assert_eq!(r.dump(), before);
}

#[test]
fn unban_restores_the_status_before_the_ban() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1]))
        .args(&["--invite"])
        .run();
    r.args(&["members", "activate", "m1@example.com"]).run();
    r.args(&["members", "ban", "m1@example.com"]).run();
    assert_eq!(r.status("m1@example.com"), "BANNED");
    r.args(&["members", "unban", "m1@example.com"])
        .stdout_line("m1@example.com: BANNED -> ACTIVE")
        .run();
    assert_eq!(r.status("m1@example.com"), "ACTIVE");
}

#[test]
fn protected_members_are_never_changed_or_deactivated() {
    let r = Roster::new();
    r.import_json("a.csv", "email,first_name,organization_role\nm1@example.com,First1,owner\nm2@example.com,First2,owner\n")
        .run();
    r.args(&["members", "protect", "m1@example.com"])
        .stdout_line("m1@example.com: protected (PROVISIONED)")
        .run();
    assert!(r.member("m1@example.com").protected);
    let before = r.dump();
    // A row that would change (or demote) the member is skipped and counted.
    let run = r
        .import_json(
            "b.csv",
            "email,first_name,organization_role\nm1@example.com,Changed,member\n",
        )
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            protected_skipped: 1,
            ..Summary::default()
        }
    );
    assert_eq!(r.dump(), before);
    // A row equal to the member is simply unchanged.
    let run = r
        .import_json("c.csv", "email,first_name\nm1@example.com,First1\n")
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            unchanged: 1,
            ..Summary::default()
        }
    );
    // Missing from a full sync: kept as it is.
    let run = r
        .import_json("d.csv", members_csv([2]))
        .args(&["--full-sync"])
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            unchanged: 1,
            ..Summary::default()
        }
    );
    assert_eq!(r.status("m1@example.com"), "PROVISIONED");
    // Unprotected, the same file deactivates it.
    r.args(&["members", "unprotect", "m1@example.com"]).run();
    assert!(!r.member("m1@example.com").protected);
    let run = r
        .import_json("d.csv", members_csv([2]))
        .args(&["--full-sync", "--max-deactivations", "1"])
        .run();
    assert_eq!(run.report().summary.deactivated, 1);
    assert_eq!(r.status("m1@example.com"), "INACTIVE");
}

#[test]
fn activate_only_moves_invited_members() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1]))
        .args(&["--invite"])
        .run();
    r.import_json("b.csv", members_csv([2])).run();
    r.args(&["members", "activate", "m1@example.com"])
        .stdout_line("m1@example.com: INVITED -> ACTIVE")
        .run();
    assert_eq!(r.status("m1@example.com"), "ACTIVE");
    let before = r.dump();
    r.args(&["members", "activate", "m2@example.com"])
        .status(2)
        .stderr_line(
            "error: m2@example.com is PROVISIONED; only an INVITED member can be activated",
        )
        .run();
    assert_eq!(r.dump(), before);
}

#[test]
fn unknown_members_are_reported() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1])).run();
    for cmd in ["show", "ban", "unban", "protect", "unprotect", "activate"] {
        r.args(&["members", cmd, "nobody@example.com"])
            .status(1)
            .stderr_line("error: no member with email, external_id or phone 'nobody@example.com'")
            .unchanged()
            .run();
    }
}

#[test]
fn members_list_and_show() {
    let r = Roster::new();
    r.import_json("a.csv", "email,external_id,first_name,last_name,name\nann@example.com,E1,Ann,Smith,\nbob@example.com,E2,Bob,Jones,Bobby J\n")
        .run();
    r.args(&["members", "ban", "E2"]).run();
    let run = r.args(&["members", "list", "--output", "json"]).run();
    assert_eq!(run.members().len(), 2);
    let run = r
        .args(&["members", "list", "--status", "BANNED", "--output", "json"])
        .run();
    let banned = run.members();
    assert_eq!(banned[0].email.as_deref(), Some("bob@example.com"));
    assert_eq!(banned.len(), 1);
    // The table shows the display name: first and last name when there is no name.
    let run = r.args(&["members", "list"]).run();
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
    assert_eq!(ann.name, None);
    assert_eq!(ann.status, "PROVISIONED");
    assert_eq!(ann.teams, []);
}
