//! Team files (SPEC §5, §7): one row per membership, grouping a member's rows, additive and
//! replace-style full sync, teams created and deleted, and the messages of team files.

use crate::harness::{Roster, fixture};
use serde_json::json;

const BASE: &str = "\
email,first_name,organization_role,team,team_role
ann@x.co,Ann,owner,Red,owner
ann@x.co,Ann,,Blue,member
bob@x.co,Bob,,Red,member
cy@x.co,Cy,,,
";

fn seeded() -> Roster {
    let r = Roster::new();
    r.import("base.csv", BASE, &[]);
    r
}

#[test]
fn a_member_in_two_teams_has_two_memberships() {
    let r = Roster::new();
    let run = r.import("base.csv", BASE, &[]);
    let s = run.summary();
    assert_eq!(s["rows"], 4);
    assert_eq!(s["created"], 3);
    assert_eq!(s["teams_created"], 2);
    assert_eq!(s["memberships_added"], 3);
    assert_eq!(r.teams_of("ann@x.co"), ["Blue:member", "Red:owner"]);
    assert_eq!(r.teams_of("bob@x.co"), ["Red:member"]);
    let ann = &run.changes()[0];
    assert_eq!(ann["row"], 2, "a member's change names its first row");
    assert_eq!(
        ann["teams"]["added"],
        json!([{"team": "Red", "team_role": "owner"}, {"team": "Blue", "team_role": "member"}])
    );
}

#[test]
fn a_blank_team_cell_is_a_member_without_a_team() {
    let r = seeded();
    assert!(r.teams_of("cy@x.co").is_empty());
    assert_eq!(r.member_by_email("cy@x.co")["first_name"], "Cy");
}

#[test]
fn the_same_team_file_twice_changes_nothing_the_second_time() {
    let r = seeded();
    let before = r.dump();
    let s = r.import("base.csv", BASE, &["--full-sync"]).summary();
    assert_eq!(s["unchanged"], 3);
    for key in [
        "created",
        "updated",
        "deactivated",
        "teams_created",
        "teams_deleted",
        "memberships_added",
        "memberships_removed",
        "memberships_changed",
    ] {
        assert_eq!(s[key], 0, "{key}");
    }
    assert_eq!(r.dump(), before);
}

#[test]
fn additive_mode_adds_a_membership_and_keeps_the_old_one() {
    let r = seeded();
    let run = r.import(
        "move.csv",
        "email,team,team_role\nbob@x.co,Blue,member\n",
        &[],
    );
    let s = run.summary();
    assert_eq!(
        (s["updated"].clone(), s["memberships_added"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(s["memberships_removed"], 0);
    assert_eq!(r.teams_of("bob@x.co"), ["Blue:member", "Red:member"]);
}

#[test]
fn full_sync_moves_a_member_between_teams() {
    let r = seeded();
    let file = "\
email,team,team_role
ann@x.co,Red,owner
ann@x.co,Blue,owner
bob@x.co,Blue,member
cy@x.co,,
";
    let run = r.import("move.csv", file, &["--full-sync"]);
    let s = run.summary();
    assert_eq!(s["memberships_added"], 1);
    assert_eq!(s["memberships_removed"], 1);
    assert_eq!(s["memberships_changed"], 1);
    assert_eq!(
        s["updated"], 2,
        "a member whose only change is its teams is updated"
    );
    assert_eq!(s["unchanged"], 1);
    assert_eq!(r.teams_of("bob@x.co"), ["Blue:member"]);
    assert_eq!(r.teams_of("ann@x.co"), ["Blue:owner", "Red:owner"]);
    let changes = run.changes();
    let bob = changes
        .iter()
        .find(|c| c["member"]["email"] == "bob@x.co")
        .expect("bob's change");
    assert_eq!(bob["action"], "update");
    assert_eq!(bob["row"], 4);
    assert_eq!(bob["fields"], json!({}));
    assert_eq!(
        bob["teams"],
        json!({"added": [{"team": "Blue", "team_role": "member"}],
               "removed": [{"team": "Red", "team_role": "member"}], "changed": []})
    );
    let ann = changes
        .iter()
        .find(|c| c["member"]["email"] == "ann@x.co")
        .expect("ann's change");
    assert_eq!(
        ann["teams"]["changed"],
        json!([{"team": "Blue", "old": "member", "new": "owner"}])
    );
}

#[test]
fn full_sync_deletes_a_team_that_no_row_names() {
    let r = seeded();
    let file = "email,team,team_role\nann@x.co,Blue,owner\nbob@x.co,Blue,member\ncy@x.co,,\n";
    let s = r.import("no-red.csv", file, &["--full-sync"]).summary();
    assert_eq!(s["teams_deleted"], 1);
    assert_eq!(s["memberships_removed"], 2);
    assert_eq!(r.team_names(), ["Blue"]);
    // Red is gone: naming it again creates it.
    let s = r
        .import("red.csv", "email,team,team_role\ncy@x.co,Red,owner\n", &[])
        .summary();
    assert_eq!(s["teams_created"], 1);
}

#[test]
fn additive_mode_never_removes_memberships_or_deletes_teams() {
    let r = seeded();
    let before = r.dump();
    let file = "email,team,team_role\nann@x.co,Blue,member\n";
    let s = r.import("blue.csv", file, &[]).summary();
    assert_eq!(s["teams_deleted"], 0);
    assert_eq!(s["memberships_removed"], 0);
    assert_eq!(s["unchanged"], 1);
    assert_eq!(r.dump(), before);
}

#[test]
fn full_sync_removes_the_memberships_of_deactivated_members() {
    let r = seeded();
    let file = "email,team,team_role\nann@x.co,Red,owner\nann@x.co,Blue,member\ncy@x.co,,\n";
    let run = r.import("no-bob.csv", file, &["--full-sync"]);
    let s = run.summary();
    assert_eq!(s["deactivated"], 1);
    assert_eq!(s["memberships_removed"], 1);
    assert_eq!(r.member_by_email("bob@x.co")["status"], "INACTIVE");
    assert!(r.teams_of("bob@x.co").is_empty());
    let bob = &run.changes()[0];
    assert_eq!(bob["action"], "deactivate");
    assert_eq!(bob["row"], json!(null));
    assert_eq!(
        bob["teams"]["removed"],
        json!([{"team": "Red", "team_role": "member"}])
    );
}

#[test]
fn full_sync_without_a_team_column_leaves_memberships_alone() {
    let r = seeded();
    let file = "email,first_name\nann@x.co,Ann\nbob@x.co,Bob\ncy@x.co,Cy\n";
    let before = r.dump();
    let s = r.import("plain.csv", file, &["--full-sync"]).summary();
    assert_eq!(s["unchanged"], 3);
    assert_eq!(s["teams_deleted"], 0);
    assert_eq!(r.dump(), before);
}

#[test]
fn a_role_change_in_a_team_is_counted_as_changed() {
    let r = seeded();
    let run = r.import(
        "promote.csv",
        "email,team,team_role\nbob@x.co,Red,ADMIN\n",
        &[],
    );
    let s = run.summary();
    assert_eq!(s["memberships_changed"], 1);
    assert_eq!(s["memberships_added"], 0);
    assert_eq!(
        run.changes()[0]["teams"]["changed"],
        json!([{"team": "Red", "old": "member", "new": "admin"}])
    );
    assert_eq!(r.teams_of("bob@x.co"), ["Red:admin"]);
}

#[test]
fn a_team_fixture_imports() {
    let r = Roster::new();
    let path = fixture("valid/teams.csv");
    let run = r.ok(&["import", &path, "--output", "json"]);
    let s = run.summary();
    assert_eq!(s["created"], 4);
    assert_eq!(s["teams_created"], 3);
    assert_eq!(s["memberships_added"], 5);
    assert_eq!(
        r.teams_of("dana@example.org"),
        ["Design:owner", "Platform:admin"]
    );
    assert!(r.teams_of("eli@example.org").is_empty());
}

#[test]
fn team_role_is_a_required_column_of_a_team_file() {
    let r = seeded();
    let path = r.write("no-role.csv", "email,team\nann@x.co,Red\n");
    r.refuses_all(
        &["import", &path],
        1,
        &["error: Required column is missing: team_role."],
    );
    let path = fixture("invalid/team-without-role.csv");
    r.refuses_all(
        &["import", &path],
        1,
        &["error: Required column is missing: team_role."],
    );
}

#[test]
fn team_names_are_at_most_fifty_characters() {
    let r = seeded();
    let fifty = "T".repeat(50);
    let file = format!("email,team,team_role\nann@x.co,{fifty},member\n");
    let s = r.import("fifty.csv", &file, &[]).summary();
    assert_eq!(s["teams_created"], 1);

    let long = format!("email,team,team_role\nbob@x.co,{fifty}x,member\n");
    let path = r.write("long.csv", &long);
    let run = r.refuses_all(
        &["import", &path],
        1,
        &[
            "error: 1 row has 1 error; nothing was changed.",
            "  Row 2, column team: cell is too long.",
        ],
    );
    assert_eq!(run.error_lines().len(), 1);
}

#[test]
fn an_invalid_team_role_is_a_row_error() {
    let r = seeded();
    let path = r.write(
        "bad-role.csv",
        "email,team,team_role\nann@x.co,Red,owner\nbob@x.co,Red,boss\ncy@x.co,Red,\n",
    );
    let run = r.refuses_all(
        &["import", &path],
        1,
        &[
            "error: 2 rows have 2 errors; nothing was changed.",
            "  row 3, team_role 'boss': Invalid team role: expected owner, admin or member",
            "  row 4, team_role '': Invalid team role: expected owner, admin or member",
        ],
    );
    assert!(run.stdout.is_empty() || !run.stdout.contains("COMPLETED"));
}

#[test]
fn conflicting_member_fields_name_both_rows() {
    let r = seeded();
    let file = "\
email,first_name,team,team_role
ann@x.co,Ann,Red,owner
bob@x.co,Bob,Red,member
ann@x.co,Anne,Blue,member
";
    let path = r.write("conflict.csv", file);
    let want = "Conflicting first_name for ann@x.co: 'Ann' on row 2, 'Anne' on row 4";
    r.refuses_all(
        &["import", &path],
        1,
        &[
            "error: 1 row has 1 error; nothing was changed.",
            &format!("  row 4, first_name 'Anne': {want}"),
        ],
    );
    let run = r.run(&["import", &path, "--output", "json"]);
    run.code(1);
    assert_eq!(
        run.json()["errors"],
        json!([{"row": 4, "column": "first_name", "value": "Anne", "message": want}])
    );
}

#[test]
fn conflicting_roles_in_one_team_name_both_rows() {
    let r = Roster::new();
    let path = fixture("invalid/teams-conflicting-role.csv");
    let run = r.refuses_all(&["import", &path, "--output", "json"], 1, &[]);
    assert_eq!(
        run.json()["errors"][0]["message"],
        "Conflicting team_role for gus@example.org: 'owner' on row 2, 'member' on row 3"
    );
}

#[test]
fn a_value_given_on_a_later_row_is_named_by_that_row() {
    // Row 2 leaves the form cell blank; rows 3 and 4 disagree: the message names rows 3 and 4.
    let r = Roster::new();
    r.ok(&["forms", "add", "profile.shirt"]);
    let file = "\
email,form.profile.shirt,team,team_role
ann@x.co,,Red,owner
ann@x.co,M,Blue,member
ann@x.co,L,Green,member
";
    let path = r.write("forms.csv", file);
    let run = r.refuses_all(&["import", &path, "--output", "json"], 1, &[]);
    assert_eq!(
        run.json()["errors"][0]["message"],
        "Conflicting form.profile.shirt for ann@x.co: 'M' on row 3, 'L' on row 4"
    );
}

#[test]
fn rows_that_share_any_identifier_are_one_member() {
    let r = Roster::new();
    let file = "\
email,external_id,first_name,team,team_role
ann@x.co,E1,Ann,Red,owner
,E1,,Blue,member
";
    let run = r.import("ids.csv", file, &[]);
    assert_eq!(run.summary()["created"], 1);
    assert_eq!(r.teams_of("ann@x.co"), ["Blue:member", "Red:owner"]);
}

#[test]
fn diff_shows_team_changes_without_applying_them() {
    let r = seeded();
    let before = r.dump();
    let path = r.write("d.csv", "email,team,team_role\ncy@x.co,Green,admin\n");
    let run = r.ok(&["diff", &path, "--output", "json"]);
    assert_eq!(run.json()["status"], "DRY_RUN");
    assert_eq!(run.summary()["teams_created"], 1);
    assert_eq!(run.summary()["memberships_added"], 1);
    assert_eq!(r.dump(), before);
}

#[test]
fn a_team_full_sync_removes_the_memberships_of_members_deactivated_earlier() {
    // SPEC §7: every membership the file does not hold is removed, "those of deactivated
    // members too". bob was deactivated by a full sync without a team column (which keeps
    // memberships); the next team full sync removes his memberships and deletes Green.
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,organization_role,team,team_role\nann@x.co,owner,Red,owner\nbob@x.co,,Red,member\nbob@x.co,,Green,admin\n",
        &[],
    );
    r.import("b.csv", "email\nann@x.co\n", &["--full-sync"]);
    assert_eq!(r.member_by_email("bob@x.co")["status"], "INACTIVE");
    assert_eq!(r.teams_of("bob@x.co"), ["Green:admin", "Red:member"]);
    let run = r.import(
        "c.csv",
        "email,team,team_role\nann@x.co,Red,owner\n",
        &["--full-sync"],
    );
    let s = run.summary();
    assert_eq!(s["memberships_removed"], 2);
    assert_eq!(s["teams_deleted"], 1);
    assert_eq!(
        (s["deactivated"].clone(), s["updated"].clone()),
        (json!(0), json!(0))
    );
    assert!(r.teams_of("bob@x.co").is_empty());
    assert_eq!(r.member_by_email("bob@x.co")["status"], "INACTIVE");
    let bob = &run.changes()[0];
    assert_eq!(
        (bob["action"].clone(), bob["row"].clone()),
        (json!("update"), json!(null))
    );
    assert_eq!(bob["fields"], json!({}));
    // Applied once, the same file changes nothing more.
    let s = r
        .import(
            "c.csv",
            "email,team,team_role\nann@x.co,Red,owner\n",
            &["--full-sync"],
        )
        .summary();
    assert_eq!(s["memberships_removed"], 0);
}
