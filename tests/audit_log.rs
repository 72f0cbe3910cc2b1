//! The audit log: one event per member change, with import id, UTC time, operator, old and new.

use crate::harness::{
    AdminChanges, AuditChanges, AuditEvent, Change, OldNew, Roster, TeamChanges, TeamRole,
    TeamRoleChange,
};
use serde_json::Value;

const FIRST: &str = "email,first_name,team,team_role\n\
    ann@x.co,Ann,Sales,owner\nbob@x.co,Bob,Sales,member\n\
    cat@x.co,Cat,Ops,owner\ndan@x.co,Dan,Ops,member\n";
/// Full sync: Ann renamed, Bob promoted in Sales, Dan joins Sales and owns Ops, Cat missing.
const SECOND: &str = "email,first_name,team,team_role\n\
    ann@x.co,Anna,Sales,owner\nbob@x.co,Bob,Sales,admin\n\
    dan@x.co,Dan,Ops,owner\ndan@x.co,Dan,Sales,member\n";
/// Full sync: Bob moves from Sales to Ops, Cat comes back, Dan leaves Sales.
const THIRD: &str = "email,first_name,team,team_role\n\
    ann@x.co,Anna,Sales,owner\nbob@x.co,Bob,Ops,member\n\
    cat@x.co,Cat,Ops,member\ndan@x.co,Dan,Ops,owner\n";

/// Three imports by three operators.
fn story() -> Roster {
    let r = Roster::new();
    r.import_json("1.csv", FIRST)
        .args(&["--operator", "alice"])
        .run();
    r.import_json("2.csv", SECOND)
        .args(&["--operator", "bea", "--full-sync"])
        .run();
    r.import_json("3.csv", THIRD)
        .args(&["--operator", "cy", "--full-sync"])
        .run();
    r
}

/// The events oldest first (`roster log` prints the newest first).
fn log(r: &Roster, args: &[&str]) -> Vec<AuditEvent> {
    let mut all = vec!["log", "--output", "json"];
    all.extend_from_slice(args);
    let mut events: Vec<AuditEvent> = r.args(&all).run().decode();
    events.reverse();
    events
}

/// (import, member, action) of each event.
fn keys(events: &[AuditEvent]) -> Vec<(i64, String, String)> {
    events
        .iter()
        .map(|e| {
            let member = e.label().unwrap_or_default().to_string();
            (e.import_id.unwrap_or(0), member, e.action.clone())
        })
        .collect()
}

/// The change that one import recorded for one member.
fn event<'a>(events: &'a [AuditEvent], import: i64, member: &str) -> &'a Change {
    events
        .iter()
        .find(|e| e.import_id == Some(import) && e.label() == Some(member))
        .unwrap_or_else(|| panic!("no event for {member} in import {import}"))
        .changes
        .import()
}

fn k(import: i64, member: &str, action: &str) -> (i64, String, String) {
    (import, member.to_string(), action.to_string())
}

#[test]
fn every_change_is_an_event_with_import_time_and_operator() {
    let r = story();
    let events = log(&r, &[]);
    assert_eq!(
        keys(&events),
        [
            k(1, "ann@x.co", "create"),
            k(1, "bob@x.co", "create"),
            k(1, "cat@x.co", "create"),
            k(1, "dan@x.co", "create"),
            k(2, "ann@x.co", "update"),
            k(2, "bob@x.co", "update"),
            k(2, "dan@x.co", "update"),
            k(2, "cat@x.co", "deactivate"),
            k(3, "bob@x.co", "update"),
            k(3, "cat@x.co", "reactivate"),
            k(3, "dan@x.co", "update"),
        ]
    );
    for e in &events {
        let at = &e.created_at;
        let t = chrono::DateTime::parse_from_rfc3339(at).expect("RFC 3339");
        assert_eq!(t.offset().local_minus_utc(), 0, "{at}");
        assert!(at.ends_with('Z'), "{at}");
        let operator = ["alice", "bea", "cy"][e.import_id.unwrap_or(1) as usize - 1];
        assert_eq!(e.operator, operator);
    }
}

#[test]
fn create_records_every_new_value_and_the_membership() {
    let r = story();
    let events = log(&r, &[]);
    let e = event(&events, 1, "ann@x.co");
    assert_eq!(e.action, "create");
    assert_eq!(e.row, Some(2));
    assert_eq!(e.fields["first_name"], OldNew::of(Value::Null, "Ann"));
    assert_eq!(e.fields["email"], OldNew::of(Value::Null, "ann@x.co"));
    assert_eq!(e.fields["status"], OldNew::of(Value::Null, "PROVISIONED"));
    assert_eq!(e.teams.added, [TeamRole::of("Sales", "owner")]);
}

#[test]
fn field_update_records_old_and_new() {
    let r = story();
    let events = log(&r, &[]);
    let e = event(&events, 2, "ann@x.co");
    assert_eq!(
        e.fields,
        [("first_name".to_string(), OldNew::of("Ann", "Anna"))].into()
    );
    assert_eq!(
        e.teams,
        TeamChanges {
            added: vec![],
            removed: vec![],
            changed: vec![]
        }
    );
}

#[test]
fn deactivation_and_reactivation_record_the_status() {
    let r = story();
    let events = log(&r, &[]);
    let off = event(&events, 2, "cat@x.co");
    assert_eq!(off.fields["status"], OldNew::of("PROVISIONED", "INACTIVE"));
    assert_eq!(off.row, None);
    assert_eq!(off.teams.removed, [TeamRole::of("Ops", "owner")]);
    let on = event(&events, 3, "cat@x.co");
    assert_eq!(on.fields["status"], OldNew::of("INACTIVE", "PROVISIONED"));
    assert_eq!(on.teams.added, [TeamRole::of("Ops", "member")]);
}

#[test]
fn memberships_added_removed_and_role_changed() {
    let r = story();
    let events = log(&r, &[]);
    let bob = event(&events, 2, "bob@x.co");
    assert!(bob.fields.is_empty());
    assert_eq!(
        bob.teams.changed,
        [TeamRoleChange::of("Sales", "member", "admin")]
    );
    let dan = &event(&events, 2, "dan@x.co").teams;
    assert_eq!(dan.added, [TeamRole::of("Sales", "member")]);
    assert_eq!(dan.changed, [TeamRoleChange::of("Ops", "member", "owner")]);
    let bob = &event(&events, 3, "bob@x.co").teams;
    assert_eq!(bob.added, [TeamRole::of("Ops", "member")]);
    assert_eq!(bob.removed, [TeamRole::of("Sales", "admin")]);
    let dan = &event(&events, 3, "dan@x.co").teams;
    assert_eq!(dan.removed, [TeamRole::of("Sales", "member")]);
}

#[test]
fn member_filter_follows_one_member() {
    let r = story();
    assert_eq!(
        keys(&log(&r, &["--member", "cat@x.co"])),
        [
            k(1, "cat@x.co", "create"),
            k(2, "cat@x.co", "deactivate"),
            k(3, "cat@x.co", "reactivate"),
        ]
    );
    // Any identifier names the member, in any case for an email.
    assert_eq!(log(&r, &["--member", "CAT@x.co"]).len(), 3);
}

#[test]
fn import_filter_and_both_filters() {
    let r = story();
    assert_eq!(
        keys(&log(&r, &["--import", "3"])),
        [
            k(3, "bob@x.co", "update"),
            k(3, "cat@x.co", "reactivate"),
            k(3, "dan@x.co", "update"),
        ]
    );
    assert_eq!(
        keys(&log(&r, &["--import", "2", "--member", "bob@x.co"])),
        [k(2, "bob@x.co", "update")]
    );
    // An unknown import is an error, as for `imports show` (issue 17).
    r.args(&["log", "--import", "9"]).status(1).run();
}

#[test]
fn refused_and_dry_runs_log_nothing() {
    let r = story();
    let before = log(&r, &[]);
    let bad = r.write("bad.csv", "email,first_name\nann@x.co,Zed\nnope,X\n");
    r.args(&["import", &bad]).status(1).run();
    let good = r.write("good.csv", "email,first_name\nann@x.co,Zed\n");
    r.args(&["diff", &good]).run();
    assert_eq!(log(&r, &[]), before);
}

#[test]
fn administrative_changes_are_events_without_an_import() {
    let r = story();
    r.args(&["members", "ban", "dan@x.co"]).run();
    let events = log(&r, &["--member", "dan@x.co"]);
    let ban = events.last().expect("an event");
    assert_eq!(ban.import_id, None);
    assert_eq!(ban.action, "ban");
    assert_eq!(ban.label(), Some("dan@x.co"));
    assert_eq!(ban.operator, "tester");
    assert_eq!(
        ban.changes.fields()["status"],
        OldNew::of("PROVISIONED", "BANNED")
    );
}

#[test]
fn table_shows_old_and_new_values() {
    let r = story();
    // Wide enough for no cell to wrap.
    let run = r
        .args(&["log", "--import", "2"])
        .env("COLUMNS", "200")
        .run();
    let rows: Vec<Vec<String>> = run
        .stdout
        .lines()
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    assert_eq!(
        rows[0][1..7],
        ["time", "import", "operator", "member", "action", "changes"]
    );
    let changes: Vec<(&str, &str)> = rows[2..]
        .iter()
        .map(|c| (c[4].as_str(), c[6].as_str()))
        .collect();
    // Newest first (issue 17).
    assert_eq!(
        changes,
        [
            ("cat@x.co", "status: PROVISIONED -> INACTIVE; team -Ops"),
            (
                "dan@x.co",
                "team +Sales (member); team Ops: member -> owner"
            ),
            ("bob@x.co", "team Sales: member -> admin"),
            ("ann@x.co", "first_name: Ann -> Anna"),
        ]
    );
    assert!(rows[2..].iter().all(|c| c[2] == "2" && c[3] == "bea"));
}

#[test]
fn unknown_member_is_an_error() {
    let r = story();
    r.args(&["log", "--member", "zed@x.co"])
        .status(1)
        .stderr_line("error: no member with email, external_id or phone 'zed@x.co'")
        .run();
}

/// A store written by the one-row-per-event schema (version 1) keeps its events, ids and all,
/// when opened by this version, and new events are numbered after them.
#[test]
fn a_version_1_store_keeps_its_audit_events() {
    if Roster::sqlite_only("a_version_1_store_keeps_its_audit_events") {
        return;
    }
    let r = Roster::new();
    r.version_1_store(
        "INSERT INTO members (id, email, email_key, status, created_at, updated_at)
           VALUES (7, 'ann@x.co', 'ann@x.co', 'ACTIVE', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
         INSERT INTO audit (id, import_id, at, operator, member_id, member, action, changes)
           VALUES (41, NULL, '2026-01-02T00:00:00Z', 'alice', 7, 'ann@x.co', 'protect',
                   '{\"fields\":{\"protected\":{\"old\":false,\"new\":true}}}');",
    );

    let before = log(&r, &["--member", "ann@x.co"]);
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].id, 41);
    assert_eq!(before[0].operator, "alice");
    assert_eq!(before[0].created_at, "2026-01-02T00:00:00Z");
    assert_eq!(before[0].action, "protect");
    assert_eq!(
        before[0].changes,
        AuditChanges::Admin(AdminChanges {
            fields: [("protected".to_string(), OldNew::of(false, true))].into()
        })
    );

    r.args(&["members", "ban", "ann@x.co"]).run();
    let after = log(&r, &["--member", "ann@x.co"]);
    assert_eq!(after.len(), 2);
    assert_eq!(after[0], before[0]);
    assert_eq!(after[1].id, 42);
    assert_eq!(after[1].action, "ban");
}

/// Events are stored in compressed batches of a few thousand; a large import's events keep
/// one id each, in order, and `--member` finds one event among them.
#[test]
fn a_large_import_logs_every_change_with_consecutive_ids() {
    let r = Roster::new();
    let mut csv = String::from("email,first_name\n");
    for i in 0..10_000 {
        csv.push_str(&format!("m{i}@x.co,M{i}\n"));
    }
    r.import_json("big.csv", &csv)
        .args(&["--max-rows", "20000"])
        .run();
    let events = log(&r, &["--import", "1"]);
    assert_eq!(events.len(), 10_000);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.id, i as i64 + 1);
        assert_eq!(e.label(), Some(format!("m{i}@x.co").as_str()));
    }
    let one = log(&r, &["--member", "m9999@x.co"]);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].id, 10_000);
    assert_eq!(one[0].changes.fields()["first_name"].new, "M9999");
    r.args(&["log", "--import", "2"]).status(1).run();
}

/// `--limit` reads the newest batches first, a page at a time: the newest N across more than
/// one page of batches (every ban or unban is a batch of its own), and a member's or an
/// import's newest events found however far back they lie.
#[test]
fn limit_finds_the_newest_events_across_pages_of_batches() {
    let r = Roster::new();
    r.import_json("1.csv", "email\nann@x.co\nbob@x.co\n").run();
    for _ in 0..35 {
        r.args(&["members", "ban", "ann@x.co"]).run();
        r.args(&["members", "unban", "ann@x.co"]).run();
    }
    let all = log(&r, &[]);
    assert_eq!(all.len(), 72);
    for n in [1, 5, 64, 65, 71, 72, 500] {
        let newest = log(&r, &["--limit", &n.to_string()]);
        assert_eq!(
            ids(&newest),
            ids(&all[all.len().saturating_sub(n)..]),
            "--limit {n}"
        );
    }
    let bob = log(&r, &["--member", "bob@x.co", "--limit", "1"]);
    assert_eq!(
        (bob.len(), bob[0].id, bob[0].action.as_str()),
        (1, 2, "create")
    );
    let first = log(&r, &["--import", "1", "--limit", "1"]);
    assert_eq!(ids(&first), vec![2]);
    assert!(log(&r, &["--since", "2999-01-01", "--limit", "3"]).is_empty());
    assert_eq!(log(&r, &["--since", "2000-01-01", "--limit", "3"]).len(), 3);
}

fn ids(events: &[AuditEvent]) -> Vec<i64> {
    events.iter().map(|e| e.id).collect()
}

/// The log is written one event at a time as the store reads it, yet it is the very text of
/// one pretty-printed array (as every other `--output json`), empty or not.
#[test]
fn the_streamed_log_is_one_pretty_printed_array() {
    let r = story();
    r.args(&["members", "ban", "dan@x.co"]).run();
    for args in [&[][..], &["--limit", "2"], &["--since", "2999-01-01"]] {
        let mut all = vec!["log", "--output", "json"];
        all.extend_from_slice(args);
        let out = r.args(&all).run();
        let value: Value = serde_json::from_str(&out.stdout).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap() + "\n";
        assert_eq!(out.stdout, pretty, "{args:?}");
    }
}
