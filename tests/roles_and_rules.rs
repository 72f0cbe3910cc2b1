//! Organization roles, the safety rules of SPEC §8 (each refusal exact, exit 4, store
//! unchanged; each boundary), protected members, `--expect-plan`, identity conflicts,
//! `roster config`, `roster invite`, and export with teams, roles and statuses.

use crate::harness::{OldNew, Roster};
use serde_json::Value;

const SEATS: &str = "Your plan allows 3 seats, but this import would use 4. Remove new-member rows from the file or raise the seat limit.";
const NO_ORG_OWNER: &str = "This import would leave the organization with no owner. Promote another member to owner before re-uploading.";
const PLAN_CHANGED: &str = "The plan has changed since it was reviewed.";

fn no_team_owner(team: &str) -> String {
    format!(
        "This import would leave team {team} with no owner. Promote another member to team owner before re-uploading."
    )
}

/// ann owns the organization and team Red; bob is a member of Red; cy has no team.
fn org() -> Roster {
    let r = Roster::new();
    r.import_json(
        "org.csv",
        "email,organization_role,team,team_role\n\
         ann@x.co,owner,Red,owner\n\
         bob@x.co,,Red,member\n\
         cy@x.co,admin,,\n",
    )
    .args(&["--invite"])
    .run();
    r
}

#[test]
fn new_members_take_the_row_role_else_the_default_role() {
    let r = Roster::new();
    let file = "email,org_role\nann@x.co,OWNER\nbob@x.co,\n";
    r.import_json("a.csv", file).run();
    assert_eq!(
        r.member_by_email("ann@x.co").organization_role.as_deref(),
        Some("owner")
    );
    assert_eq!(
        r.member_by_email("bob@x.co").organization_role.as_deref(),
        Some("member")
    );
    r.import_json("b.csv", "email\ncy@x.co\n")
        .args(&["--default-role", "admin"])
        .run();
    assert_eq!(
        r.member_by_email("cy@x.co").organization_role.as_deref(),
        Some("admin")
    );
}

#[test]
fn existing_members_keep_their_role_unless_the_row_says() {
    let r = org();
    let s = r
        .import_json("keep.csv", "email,organization_role\nann@x.co,\ncy@x.co,\n")
        .args(&["--default-role", "member"])
        .run()
        .report()
        .summary;
    assert_eq!(s.unchanged, 2);
    assert_eq!(
        r.member_by_email("cy@x.co").organization_role.as_deref(),
        Some("admin")
    );
    r.import_json("set.csv", "email,organization_role\ncy@x.co,member\n")
        .run();
    assert_eq!(
        r.member_by_email("cy@x.co").organization_role.as_deref(),
        Some("member")
    );
}

#[test]
fn an_invalid_organization_role_is_a_row_error() {
    let r = org();
    let path = r.write("bad.csv", "email,organization_role\nbob@x.co,boss\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("  row 2, organization_role 'boss': Invalid organization role: expected owner, admin or member")
        .unchanged()
        .run();
}

#[test]
fn seats_exactly_at_the_limit_pass_and_one_over_refuses() {
    let r = org();
    r.args(&["config", "set", "seat-limit", "3"]).run();
    r.args(&["members", "activate", "ann@x.co"]).run();
    // 3 used (ann ACTIVE, bob and cy INVITED): new PROVISIONED members use no seat.
    let s = r
        .import_json("prov.csv", "email\ndee@x.co\neve@x.co\n")
        .run()
        .report()
        .summary;
    assert_eq!(s.created, 2);
    let path = r.write("one.csv", "email\nfox@x.co\n");
    let run = r
        .args(&["import", &path, "--invite"])
        .status(4)
        .stderr_line(format!("error: {SEATS}"))
        .unchanged()
        .run();
    assert_eq!(run.error_lines(), [SEATS]);
    // Deactivate cy: 2 used; one invitation brings it to exactly 3.
    r.import_json(
        "sync.csv",
        "email,team,team_role\nann@x.co,Red,owner\nbob@x.co,Red,member\ndee@x.co,,\neve@x.co,,\n",
    )
    .args(&["--full-sync"])
    .run();
    let s = r
        .import_json("one.csv", "email\nfox@x.co\n")
        .args(&["--invite"])
        .run()
        .report()
        .summary;
    assert_eq!(s.created, 1);
    assert_eq!(r.member_by_email("fox@x.co").status, "INVITED");
    let gil = r.write("gil.csv", "email\ngil@x.co\n");
    r.args(&["import", &gil, "--invite"])
        .status(4)
        .stderr_line(format!("error: {SEATS}"))
        .unchanged()
        .run();
    let path = r.write("back.csv", "email\ncy@x.co\n");
    r.args(&["import", &path])
        .status(4)
        .stderr_line("error: Your plan allows 3 seats, but this import would use 4. Remove new-member rows from the file or raise the seat limit.")
        .unchanged()
        .run();
}

#[test]
fn the_last_organization_owner_cannot_be_demoted_or_deactivated() {
    let r = org();
    let demote = r.write("demote.csv", "email,organization_role\nann@x.co,admin\n");
    r.args(&["import", &demote])
        .status(4)
        .stderr_line(format!("error: {NO_ORG_OWNER}"))
        .unchanged()
        .run();
    r.args(&["diff", &demote])
        .status(4)
        .stderr_line(format!("error: {NO_ORG_OWNER}"))
        .unchanged()
        .run();
    let drop = r.write(
        "drop.csv",
        "email,team,team_role\nbob@x.co,Red,owner\ncy@x.co,,\n",
    );
    let run = r
        .args(&["import", &drop, "--full-sync"])
        .status(4)
        .unchanged()
        .run();
    assert_eq!(run.error_lines(), [NO_ORG_OWNER]);
    // Promoting another owner in the same file is allowed.
    let hand_over = "email,organization_role\nann@x.co,admin\ncy@x.co,owner\n";
    assert_eq!(
        r.import_json("ok.csv", hand_over)
            .run()
            .report()
            .summary
            .updated,
        2
    );
}

#[test]
fn the_last_team_owner_cannot_be_demoted_or_removed() {
    let r = org();
    let demote = r.write("demote.csv", "email,team,team_role\nann@x.co,Red,member\n");
    r.args(&["import", &demote])
        .status(4)
        .stderr_line(format!("error: {}", no_team_owner("Red")))
        .unchanged()
        .run();
    let remove = r.write(
        "remove.csv",
        "email,team,team_role\nann@x.co,,\nbob@x.co,Red,member\ncy@x.co,,\n",
    );
    let run = r
        .args(&["import", &remove, "--full-sync"])
        .status(4)
        .unchanged()
        .run();
    assert_eq!(run.error_lines(), [no_team_owner("Red")]);
    // Boundary: handing the team to bob in the same file passes.
    let s = r
        .import_json(
            "hand.csv",
            "email,team,team_role\nann@x.co,,\nbob@x.co,Red,owner\ncy@x.co,,\n",
        )
        .args(&["--full-sync"])
        .run()
        .report()
        .summary;
    assert_eq!(s.memberships_removed, 1);
    assert_eq!(s.memberships_changed, 1);
    assert_eq!(r.teams_of("bob@x.co"), ["Red:owner"]);
}

#[test]
fn a_team_deleted_by_omission_needs_no_owner() {
    let r = org();
    let file = "email,team,team_role\nann@x.co,Blue,owner\nbob@x.co,,\ncy@x.co,,\n";
    let s = r
        .import_json("blue.csv", file)
        .args(&["--full-sync"])
        .run()
        .report()
        .summary;
    assert_eq!((s.teams_deleted, s.teams_created), (1, 1));
}

#[test]
fn a_plan_that_breaks_several_rules_names_each() {
    let r = org();
    r.args(&["config", "set", "seat-limit", "3"]).run();
    // Only bob stays: ann (both owners) and cy are deactivated; two new invitations.
    let file = "email,team,team_role\nbob@x.co,Red,member\nnew1@x.co,,\nnew2@x.co,,\nnew3@x.co,,\n";
    let path = r.write("all.csv", file);
    let run = r
        .args(&[
            "import",
            &path,
            "--full-sync",
            "--invite",
            "--max-deactivations",
            "1",
        ])
        .status(4)
        .unchanged()
        .run();
    assert_eq!(
        run.error_lines(),
        [
            "Your plan allows 3 seats, but this import would use 4. Remove new-member rows from the file or raise the seat limit.",
            NO_ORG_OWNER,
            &no_team_owner("Red"),
            "This import would deactivate 2 of 3 members (67%), above the limit of 1. Review it with roster diff, then re-run with --max-deactivations 2 to allow it.",
        ]
    );
    let json = r
        .args(&[
            "import",
            &path,
            "--full-sync",
            "--invite",
            "--max-deactivations",
            "1",
            "--output",
            "json",
        ])
        .status(4)
        .run();
    let report = json.report();
    assert_eq!(report.status, "FAILED");
    assert_eq!(report.errors.len(), 4);
}

#[test]
fn the_deactivation_threshold_boundary() {
    let r = Roster::new();
    let all: String = (1..=12).map(|i| format!("m{i}@x.co\n")).collect();
    r.import_json("all.csv", format!("email\n{all}")).run();
    // Default: 25% of 12 is 3, never less than 10: keeping 2 deactivates exactly 10.
    let keep2 = r.write("keep2.csv", "email\nm1@x.co\nm2@x.co\n");
    let keep1 = r.write("keep1.csv", "email\nm1@x.co\n");
    r.args(&["diff", &keep2, "--full-sync"]).run();
    r.args(&["import", &keep1, "--full-sync"])
        .status(4)
        .stderr_line("error: This import would deactivate 11 of 12 members (92%), above the limit of 10. Review it with roster diff, then re-run with --max-deactivations 11 to allow it.")
        .unchanged()
        .run();
    r.args(&["config", "set", "max-deactivations", "50%"]).run();
    r.args(&["import", &keep2, "--full-sync"])
        .status(4)
        .stderr_line("error: This import would deactivate 10 of 12 members (83%), above the limit of 50% (6 members). Review it with roster diff, then re-run with --max-deactivations 10 to allow it.")
        .unchanged()
        .run();
    let run = r
        .args(&[
            "import",
            &keep2,
            "--full-sync",
            "--max-deactivations",
            "10",
            "--output",
            "json",
        ])
        .run();
    assert_eq!(run.report().summary.deactivated, 10);
}

#[test]
fn protected_owner_rows_are_skipped_and_counted() {
    let r = org();
    r.args(&["members", "protect", "ann@x.co"]).run();
    let before = r.member_by_email("ann@x.co");
    let file = "email,first_name,organization_role,team,team_role\n\
                ann@x.co,Ann,member,Blue,member\n\
                bob@x.co,,,Red,member\n\
                cy@x.co,,admin,,\n";
    let run = r
        .import_json("demote.csv", file)
        .args(&["--full-sync"])
        .run();
    let s = run.report().summary;
    assert_eq!(s.protected_skipped, 1);
    assert_eq!(s.unchanged, 2);
    assert_eq!(
        s.memberships_removed, 0,
        "a protected member keeps its teams"
    );
    assert_eq!(s.teams_created, 1, "Blue is named by a valid row");
    assert!(run.report().changes.is_empty());
    assert_eq!(r.member_by_email("ann@x.co"), before);
}

#[test]
fn protected_members_missing_from_a_full_sync_are_kept() {
    let r = org();
    r.args(&["members", "protect", "ann@x.co"]).run();
    let file = "email,team,team_role\nbob@x.co,Red,owner\ncy@x.co,,\n";
    let s = r
        .import_json("no-ann.csv", file)
        .args(&["--full-sync"])
        .run()
        .report()
        .summary;
    assert_eq!((s.deactivated, s.protected_skipped), (0, 0));
    assert_eq!(r.member_by_email("ann@x.co").status, "INVITED");
    assert_eq!(r.teams_of("ann@x.co"), ["Red:owner"]);
}

#[test]
fn banned_members_are_skipped_and_never_deactivated() {
    let r = org();
    r.args(&["members", "ban", "bob@x.co"]).run();
    let file = "email,first_name,team,team_role\nann@x.co,,Red,owner\nbob@x.co,Robert,Blue,owner\ncy@x.co,,,\n";
    let s = r
        .import_json("ban.csv", file)
        .args(&["--full-sync"])
        .run()
        .report()
        .summary;
    assert_eq!(s.banned_skipped, 1);
    assert_eq!(s.deactivated, 0);
    assert_eq!(r.member_by_email("bob@x.co").status, "BANNED");
    assert_eq!(r.teams_of("bob@x.co"), ["Red:member"]);
}

#[test]
fn expect_plan_applies_exactly_the_reviewed_plan() {
    let r = org();
    let path = r.write("add.csv", "email,team,team_role\ndee@x.co,Red,admin\n");
    let diff = r.args(&["diff", &path, "--output", "json"]).run();
    let id = diff.report().plan_id.expect("plan_id");
    assert_eq!(id.len(), 64);
    let again = r
        .args(&["diff", &path, "--output", "json"])
        .run()
        .report()
        .plan_id;
    assert_eq!(
        again.as_deref(),
        Some(id.as_str()),
        "the same file and store give the same plan id"
    );
    let other = r.write("other.csv", "email,team,team_role\neve@x.co,Red,admin\n");
    r.args(&["import", &other, "--expect-plan", &id])
        .status(4)
        .stderr_line(format!("error: {PLAN_CHANGED}"))
        .unchanged()
        .run();
    // A refused import changes nothing, so the reviewed plan still applies.
    let run = r
        .args(&["import", &path, "--expect-plan", &id, "--output", "json"])
        .run();
    assert_eq!(run.report().plan_id.as_deref(), Some(id.as_str()));
    assert_eq!(r.teams_of("dee@x.co"), ["Red:admin"]);
}

#[test]
fn expect_plan_refuses_after_the_store_changed() {
    let r = org();
    let path = r.write("add.csv", "email\ndee@x.co\n");
    let id = r
        .args(&["diff", &path, "--output", "json"])
        .run()
        .report()
        .plan_id
        .expect("plan_id");
    r.import_json("other.csv", "email\neve@x.co\n").run();
    let run = r
        .args(&["import", &path, "--expect-plan", &id])
        .status(4)
        .stderr_line(format!("error: {PLAN_CHANGED}"))
        .unchanged()
        .run();
    assert_eq!(run.error_lines(), [PLAN_CHANGED]);
}

#[test]
fn a_row_matched_by_email_with_another_external_id_is_an_identity_conflict() {
    let r = Roster::new();
    r.import_json("a.csv", "email,external_id\nann@x.co,E1\nbob@x.co,\n")
        .run();
    let path = r.write("b.csv", "email,external_id\nANN@x.co,E2\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("  row 2, external_id 'E2': Identity conflict: ANN@x.co matches ann@x.co but its stored external_id E1 differs from the row's E2")
        .unchanged()
        .run();
    // A stored external_id that is empty is filled in.
    let run = r
        .import_json("c.csv", "email,external_id\nbob@x.co,E9\n")
        .run();
    assert_eq!(
        run.report().changes[0].fields["external_id"],
        OldNew::of(Value::Null, "E9")
    );
}

#[test]
fn config_get_and_set_every_key() {
    let r = Roster::new();
    assert_eq!(
        r.args(&["config", "get"]).run().stdout,
        "seat-limit = none\nmax-rows = none\nmax-bytes = none\nmax-deactivations = none\nmax-shrink = none\ndeactivate-after-missing = none\nscim-invite = none\nscim-max-deactivations = none\n"
    );
    for (key, value) in [
        ("seat-limit", "5"),
        ("max-rows", "100"),
        ("max-bytes", "20000"),
        ("max-deactivations", "30%"),
        ("max-shrink", "10%"),
        ("deactivate-after-missing", "2"),
        ("scim-invite", "true"),
        ("scim-max-deactivations", "5%"),
    ] {
        r.args(&["config", "set", key, value]).run();
        assert_eq!(
            r.args(&["config", "get", key]).run().stdout,
            format!("{value}\n")
        );
    }
    r.args(&["config", "set", "seat-limit", "none"]).run();
    assert_eq!(
        r.args(&["config", "get", "seat-limit"]).run().stdout,
        "none\n"
    );
    r.args(&["config", "set", "seat-limit", "many"])
        .status(2)
        .run();
    r.args(&["config", "set", "max-deactivations", "x%"])
        .status(2)
        .run();
    r.args(&["config", "set", "scim-invite", "maybe"])
        .status(2)
        .run();
    r.args(&["config", "set", "scim-max-deactivations", "101%"])
        .status(2)
        .run();
    r.args(&["config", "get", "colour"]).status(2).run();
    assert_eq!(r.args(&["config", "get", "max-rows"]).run().stdout, "100\n");
}

#[test]
fn stored_limits_apply_and_the_command_line_overrides_them_for_one_run() {
    let r = Roster::new();
    r.args(&["config", "set", "max-rows", "1"]).run();
    let path = r.write("two.csv", "email\na@x.co\nb@x.co\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("error: The file has more than 1 data rows.")
        .unchanged()
        .run();
    r.args(&["import", &path, "--max-rows", "2"]).run();
    r.args(&["config", "set", "max-bytes", "10000"]).run();
    let rows: String = (0..700).map(|i| format!("member{i:04}@x.co\n")).collect();
    let path = r.write("big.csv", format!("email\n{rows}"));
    let too_large = "error: The file exceeds 0.01 MB. Please reduce the file size and try again.";
    r.args(&["import", &path, "--max-rows", "1000"])
        .status(1)
        .stderr_line(too_large)
        .unchanged()
        .run();
    r.args(&[
        "import",
        &path,
        "--max-rows",
        "1000",
        "--max-bytes",
        "20000",
    ])
    .run();
    r.args(&["diff", &path, "--max-rows", "1000"])
        .status(1)
        .stderr_line(too_large)
        .unchanged()
        .run();
}

#[test]
fn invite_moves_provisioned_members_to_invited() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email,phone\na@x.co,\nb@x.co,\nc@x.co,\n,+15550001111\n",
    )
    .run();
    assert_eq!(
        r.args(&["invite", "--limit", "1"]).run().stdout,
        "invited 1 member\n"
    );
    assert_eq!(r.member_by_email("a@x.co").status, "INVITED");
    assert_eq!(r.member_by_email("b@x.co").status, "PROVISIONED");
    assert_eq!(
        r.args(&["invite", "c@x.co"]).run().stdout,
        "invited 1 member\n"
    );
    assert_eq!(r.member_by_email("b@x.co").status, "PROVISIONED");
    assert_eq!(
        r.args(&["invite"]).run().stdout,
        "invited 1 member\n",
        "no email, no invitation"
    );
    assert_eq!(r.member_by_email("b@x.co").status, "INVITED");
    assert_eq!(r.args(&["invite"]).run().stdout, "invited 0 members\n");
}

#[test]
fn invite_is_refused_by_the_seat_limit() {
    let r = Roster::new();
    r.import_json("a.csv", "email\na@x.co\nb@x.co\nc@x.co\nd@x.co\n")
        .run();
    r.args(&["config", "set", "seat-limit", "3"]).run();
    // Invitations have their own wording, naming --limit (issue 17).
    r.args(&["invite"])
        .status(4)
        .stderr_line("error: Your plan allows 3 seats, but these invitations would use 4. Invite at most 3 with --limit 3, or raise the seat limit with roster config set seat-limit N.")
        .unchanged()
        .run();
    r.args(&["invite", "--limit", "3"]).run();
    r.args(&["invite", "d@x.co"])
        .status(4)
        .stderr_line("error: Your plan allows 3 seats, but these invitations would use 4. No seat is free: raise the seat limit with roster config set seat-limit N.")
        .unchanged()
        .run();
}

#[test]
fn export_writes_one_row_per_membership() {
    let r = org();
    let csv = r.args(&["export"]).run().stdout;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "email,external_id,phone,first_name,last_name,name,job_title,date_of_birth,description,labels,notify_email,notify_sms,notify_voice,organization_role,team,team_role",
            "ann@x.co,,,,,,,,,,,,,owner,Red,owner",
            "bob@x.co,,,,,,,,,,,,,member,Red,member",
            "cy@x.co,,,,,,,,,,,,,admin,,",
        ]
    );
}

#[test]
fn the_round_trip_with_teams_roles_and_statuses_changes_nothing() {
    let r = org();
    r.import_json(
        "more.csv",
        "email,first_name,organization_role,team,team_role\n\
         dee@x.co,Dée,admin,Blue,owner\n\
         dee@x.co,Dée,admin,Red,admin\n\
         eve@x.co,Eve,member,Blue,member\n\
         gone@x.co,,,Blue,member\n",
    )
    .run();
    r.args(&["members", "activate", "ann@x.co"]).run();
    r.args(&["members", "protect", "cy@x.co"]).run();
    r.args(&["members", "ban", "eve@x.co"]).run();
    r.import_json("sync.csv", "email,team,team_role\nann@x.co,Red,owner\nbob@x.co,Red,member\ncy@x.co,,\ndee@x.co,Blue,owner\ndee@x.co,Red,admin\n")
        .args(&["--full-sync"])
        .run();
    assert_eq!(r.member_by_email("gone@x.co").status, "INACTIVE");
    let before = r.dump();
    let export = r.path("x.csv").display().to_string();
    r.args(&["export", "-o", &export]).run();
    let run = r
        .args(&["import", &export, "--full-sync", "--output", "json"])
        .run();
    let report = run.report();
    assert!(report.changes.is_empty(), "{:?}", report.changes);
    let s = report.summary;
    assert_eq!(s.unchanged, 4);
    assert_eq!(s.teams_deleted, 0);
    assert_eq!(r.dump(), before);
}
