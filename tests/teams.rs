//! Team files (SPEC §5, §7): one row per membership, grouping a member's rows, additive and
//! replace-style full sync, teams created and deleted, and the messages of team files.

use crate::harness::{Change, Roster, RowError, TeamChanges, TeamRole, TeamRoleChange, fixture};

const BASE: &str = "\
email,first_name,organization_role,team,team_role
ann@x.co,Ann,owner,Red,owner
ann@x.co,Ann,,Blue,member
bob@x.co,Bob,,Red,member
cy@x.co,Cy,,,
";

fn seeded() -> Roster {
    let r = Roster::new();
    r.import_json("base.csv", BASE).run();
    r
}

#[test]
fn a_member_in_two_teams_has_two_memberships() {
    let r = Roster::new();
    let run = r.import_json("base.csv", BASE).run();
    let s = run.report().summary;
    assert_eq!(s.rows, 4);
    assert_eq!(s.created, 3);
    assert_eq!(s.teams_created, 2);
    assert_eq!(s.memberships_added, 3);
    assert_eq!(r.teams_of("ann@x.co"), ["Blue:member", "Red:owner"]);
    assert_eq!(r.teams_of("bob@x.co"), ["Red:member"]);
    let ann = &run.report().changes[0];
    assert_eq!(ann.row, Some(2), "a member's change names its first row");
    assert_eq!(
        ann.teams.added,
        [TeamRole::of("Red", "owner"), TeamRole::of("Blue", "member")]
    );
}

#[test]
fn a_blank_team_cell_is_a_member_without_a_team() {
    let r = seeded();
    assert!(r.teams_of("cy@x.co").is_empty());
    assert_eq!(
        r.member_by_email("cy@x.co").first_name.as_deref(),
        Some("Cy")
    );
}

#[test]
fn the_same_team_file_twice_changes_nothing_the_second_time() {
    let r = seeded();
    let before = r.dump();
    let s = r
        .import_json("base.csv", BASE)
        .args(&["--full-sync"])
        .run()
        .report()
        .summary;
    assert_eq!(s.unchanged, 3);
    for (key, n) in [
        ("created", s.created),
        ("updated", s.updated),
        ("deactivated", s.deactivated),
        ("teams_created", s.teams_created),
        ("teams_deleted", s.teams_deleted),
        ("memberships_added", s.memberships_added),
        ("memberships_removed", s.memberships_removed),
        ("memberships_changed", s.memberships_changed),
    ] {
        assert_eq!(n, 0, "{key}");
    }
    assert_eq!(r.dump(), before);
}

#[test]
fn additive_mode_adds_a_membership_and_keeps_the_old_one() {
    let r = seeded();
    let run = r
        .import_json("move.csv", "email,team,team_role\nbob@x.co,Blue,member\n")
        .run();
    let s = run.report().summary;
    assert_eq!((s.updated, s.memberships_added), (1, 1));
    assert_eq!(s.memberships_removed, 0);
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
    let run = r.import_json("move.csv", file).args(&["--full-sync"]).run();
    let s = run.report().summary;
    assert_eq!(s.memberships_added, 1);
    assert_eq!(s.memberships_removed, 1);
    assert_eq!(s.memberships_changed, 1);
    assert_eq!(
        s.updated, 2,
        "a member whose only change is its teams is updated"
    );
    assert_eq!(s.unchanged, 1);
    assert_eq!(r.teams_of("bob@x.co"), ["Blue:member"]);
    assert_eq!(r.teams_of("ann@x.co"), ["Blue:owner", "Red:owner"]);
    let changes = run.report().changes;
    let of = |email: &str| -> &Change {
        changes
            .iter()
            .find(|c| c.member.email.as_deref() == Some(email))
            .unwrap_or_else(|| panic!("no change of {email}"))
    };
    let bob = of("bob@x.co");
    assert_eq!(bob.action, "update");
    assert_eq!(bob.row, Some(4));
    assert!(bob.fields.is_empty());
    assert_eq!(
        bob.teams,
        TeamChanges {
            added: vec![TeamRole::of("Blue", "member")],
            removed: vec![TeamRole::of("Red", "member")],
            changed: vec![]
        }
    );
    assert_eq!(
        of("ann@x.co").teams.changed,
        [TeamRoleChange::of("Blue", "member", "owner")]
    );
}

#[test]
fn full_sync_deletes_a_team_that_no_row_names() {
    let r = seeded();
    let file = "email,team,team_role\nann@x.co,Blue,owner\nbob@x.co,Blue,member\ncy@x.co,,\n";
    let s = r
        .import_json("no-red.csv", file)
        .args(&["--full-sync"])
        .run()
        .report()
        .summary;
    assert_eq!(s.teams_deleted, 1);
    assert_eq!(s.memberships_removed, 2);
    assert_eq!(r.team_names(), ["Blue"]);
    // Red is gone: naming it again creates it.
    let s = r
        .import_json("red.csv", "email,team,team_role\ncy@x.co,Red,owner\n")
        .run()
        .report()
        .summary;
    assert_eq!(s.teams_created, 1);
}

#[test]
fn additive_mode_never_removes_memberships_or_deletes_teams() {
    let r = seeded();
    let before = r.dump();
    let file = "email,team,team_role\nann@x.co,Blue,member\n";
    let s = r.import_json("blue.csv", file).run().report().summary;
    assert_eq!(s.teams_deleted, 0);
    assert_eq!(s.memberships_removed, 0);
    assert_eq!(s.unchanged, 1);
    assert_eq!(r.dump(), before);
}

#[test]
fn full_sync_removes_the_memberships_of_deactivated_members() {
    let r = seeded();
    let file = "email,team,team_role\nann@x.co,Red,owner\nann@x.co,Blue,member\ncy@x.co,,\n";
    let run = r
        .import_json("no-bob.csv", file)
        .args(&["--full-sync"])
        .run();
    let s = run.report().summary;
    assert_eq!(s.deactivated, 1);
    assert_eq!(s.memberships_removed, 1);
    assert_eq!(r.member_by_email("bob@x.co").status, "INACTIVE");
    assert!(r.teams_of("bob@x.co").is_empty());
    let bob = &run.report().changes[0];
    assert_eq!(bob.action, "deactivate");
    assert_eq!(bob.row, None);
    assert_eq!(bob.teams.removed, [TeamRole::of("Red", "member")]);
}

#[test]
fn full_sync_without_a_team_column_leaves_memberships_alone() {
    let r = seeded();
    let file = "email,first_name\nann@x.co,Ann\nbob@x.co,Bob\ncy@x.co,Cy\n";
    let before = r.dump();
    let s = r
        .import_json("plain.csv", file)
        .args(&["--full-sync"])
        .run()
        .report()
        .summary;
    assert_eq!(s.unchanged, 3);
    assert_eq!(s.teams_deleted, 0);
    assert_eq!(r.dump(), before);
}

#[test]
fn a_role_change_in_a_team_is_counted_as_changed() {
    let r = seeded();
    let run = r
        .import_json("promote.csv", "email,team,team_role\nbob@x.co,Red,ADMIN\n")
        .run();
    let s = run.report().summary;
    assert_eq!(s.memberships_changed, 1);
    assert_eq!(s.memberships_added, 0);
    assert_eq!(
        run.report().changes[0].teams.changed,
        [TeamRoleChange::of("Red", "member", "admin")]
    );
    assert_eq!(r.teams_of("bob@x.co"), ["Red:admin"]);
}

#[test]
fn a_team_fixture_imports() {
    let r = Roster::new();
    let path = fixture("valid/teams.csv");
    let run = r.args(&["import", &path, "--output", "json"]).run();
    let s = run.report().summary;
    assert_eq!(s.created, 4);
    assert_eq!(s.teams_created, 3);
    assert_eq!(s.memberships_added, 5);
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
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: Required column is missing: team_role.")
        .unchanged()
        .run();
    let path = fixture("invalid/team-without-role.csv");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: Required column is missing: team_role.")
        .unchanged()
        .run();
}

#[test]
fn team_names_are_at_most_fifty_characters() {
    let r = seeded();
    let fifty = "T".repeat(50);
    let file = format!("email,team,team_role\nann@x.co,{fifty},member\n");
    let s = r.import_json("fifty.csv", &file).run().report().summary;
    assert_eq!(s.teams_created, 1);

    let long = format!("email,team,team_role\nbob@x.co,{fifty}x,member\n");
    let path = r.write("long.csv", &long);
    let run = r
        .args(&["import", &path])
        .status(1)
        .stderr_line("error: 1 row has 1 error; nothing was changed.")
        .stderr_line("  Row 2, column team: cell is too long.")
        .unchanged()
        .run();
    assert_eq!(run.error_lines().len(), 1);
}

#[test]
fn an_invalid_team_role_is_a_row_error() {
    let r = seeded();
    let path = r.write(
        "bad-role.csv",
        "email,team,team_role\nann@x.co,Red,owner\nbob@x.co,Red,boss\ncy@x.co,Red,\n",
    );
    let run = r
        .args(&["import", &path])
        .status(1)
        .stderr_line("error: 2 rows have 2 errors; nothing was changed.")
        .stderr_line(
            "  row 3, team_role 'boss': Invalid team role: expected owner, admin or member",
        )
        .stderr_line("  row 4, team_role '': Invalid team role: expected owner, admin or member")
        .unchanged()
        .run();
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
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: 1 row has 1 error; nothing was changed.")
        .stderr_line(format!("  row 4, first_name 'Anne': {want}"))
        .unchanged()
        .run();
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .run();
    assert_eq!(
        run.report().errors,
        [RowError {
            row: Some(4),
            column: Some("first_name".into()),
            value: Some("Anne".into()),
            code: "conflicting_value".into(),
            message: want.to_string()
        }]
    );
}

#[test]
fn conflicting_roles_in_one_team_name_both_rows() {
    let r = Roster::new();
    let path = fixture("invalid/teams-conflicting-role.csv");
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .unchanged()
        .run();
    assert_eq!(
        run.report().errors[0].message,
        "Conflicting team_role for gus@example.org: 'owner' on row 2, 'member' on row 3"
    );
}

#[test]
fn a_value_given_on_a_later_row_is_named_by_that_row() {
    // Row 2 leaves the form cell blank; rows 3 and 4 disagree: the message names rows 3 and 4.
    let r = Roster::new();
    r.args(&["forms", "add", "profile.shirt"]).run();
    let file = "\
email,form.profile.shirt,team,team_role
ann@x.co,,Red,owner
ann@x.co,M,Blue,member
ann@x.co,L,Green,member
";
    let path = r.write("forms.csv", file);
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .unchanged()
        .run();
    assert_eq!(
        run.report().errors[0].message,
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
    let run = r.import_json("ids.csv", file).run();
    assert_eq!(run.report().summary.created, 1);
    assert_eq!(r.teams_of("ann@x.co"), ["Blue:member", "Red:owner"]);
}

#[test]
fn diff_shows_team_changes_without_applying_them() {
    let r = seeded();
    let before = r.dump();
    let path = r.write("d.csv", "email,team,team_role\ncy@x.co,Green,admin\n");
    let run = r.args(&["diff", &path, "--output", "json"]).run();
    let report = run.report();
    assert_eq!(report.status, "DRY_RUN");
    assert_eq!(report.summary.teams_created, 1);
    assert_eq!(report.summary.memberships_added, 1);
    assert_eq!(r.dump(), before);
}

#[test]
fn a_team_full_sync_removes_the_memberships_of_members_deactivated_earlier() {
    // SPEC §7: every membership the file does not hold is removed, "those of deactivated
    // members too". bob was deactivated by a full sync without a team column (which keeps
    // memberships); the next team full sync removes his memberships and deletes Green.
    let r = Roster::new();
    r.import_json("a.csv", "email,organization_role,team,team_role\nann@x.co,owner,Red,owner\nbob@x.co,,Red,member\nbob@x.co,,Green,admin\n")
        .run();
    r.import_json("b.csv", "email\nann@x.co\n")
        .args(&["--full-sync"])
        .run();
    assert_eq!(r.member_by_email("bob@x.co").status, "INACTIVE");
    assert_eq!(r.teams_of("bob@x.co"), ["Green:admin", "Red:member"]);
    let run = r
        .import_json("c.csv", "email,team,team_role\nann@x.co,Red,owner\n")
        .args(&["--full-sync"])
        .run();
    let s = run.report().summary;
    assert_eq!(s.memberships_removed, 2);
    assert_eq!(s.teams_deleted, 1);
    assert_eq!((s.deactivated, s.updated), (0, 0));
    assert!(r.teams_of("bob@x.co").is_empty());
    assert_eq!(r.member_by_email("bob@x.co").status, "INACTIVE");
    let bob = &run.report().changes[0];
    assert_eq!((bob.action.as_str(), bob.row), ("update", None));
    assert!(bob.fields.is_empty());
    // Applied once, the same file changes nothing more.
    let s = r
        .import_json("c.csv", "email,team,team_role\nann@x.co,Red,owner\n")
        .args(&["--full-sync"])
        .run()
        .report()
        .summary;
    assert_eq!(s.memberships_removed, 0);
}
