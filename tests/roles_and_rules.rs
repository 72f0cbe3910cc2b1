//! Organization roles, the safety rules of SPEC §8 (each refusal exact, exit 4, store
//! unchanged; each boundary), protected members, `--expect-plan`, identity conflicts,
//! `roster config`, `roster invite`, and export with teams, roles and statuses.

use crate::harness::Roster;
use serde_json::json;

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
    r.import(
        "org.csv",
        "email,organization_role,team,team_role\n\
         ann@x.co,owner,Red,owner\n\
         bob@x.co,,Red,member\n\
         cy@x.co,admin,,\n",
        &["--invite"],
    );
    r
}

#[test]
fn new_members_take_the_row_role_else_the_default_role() {
    let r = Roster::new();
    let file = "email,org_role\nann@x.co,OWNER\nbob@x.co,\n";
    r.import("a.csv", file, &[]);
    assert_eq!(r.member_by_email("ann@x.co")["organization_role"], "owner");
    assert_eq!(r.member_by_email("bob@x.co")["organization_role"], "member");
    r.import("b.csv", "email\ncy@x.co\n", &["--default-role", "admin"]);
    assert_eq!(r.member_by_email("cy@x.co")["organization_role"], "admin");
}

#[test]
fn existing_members_keep_their_role_unless_the_row_says() {
    let r = org();
    let s = r
        .import(
            "keep.csv",
            "email,organization_role\nann@x.co,\ncy@x.co,\n",
            &["--default-role", "member"],
        )
        .summary();
    assert_eq!(s["unchanged"], 2);
    assert_eq!(r.member_by_email("cy@x.co")["organization_role"], "admin");
    r.import("set.csv", "email,organization_role\ncy@x.co,member\n", &[]);
    assert_eq!(r.member_by_email("cy@x.co")["organization_role"], "member");
}

#[test]
fn an_invalid_organization_role_is_a_row_error() {
    let r = org();
    let path = r.write("bad.csv", "email,organization_role\nbob@x.co,boss\n");
    r.refuses_all(
        &["import", &path],
        1,
        &["  row 2, organization_role 'boss': Invalid organization role: expected owner, admin or member"],
    );
}

#[test]
fn seats_exactly_at_the_limit_pass_and_one_over_refuses() {
    let r = org();
    r.ok(&["config", "set", "seat-limit", "3"]);
    r.ok(&["members", "activate", "ann@x.co"]);
    // 3 used (ann ACTIVE, bob and cy INVITED): new PROVISIONED members use no seat.
    let s = r
        .import("prov.csv", "email\ndee@x.co\neve@x.co\n", &[])
        .summary();
    assert_eq!(s["created"], 2);
    let path = r.write("one.csv", "email\nfox@x.co\n");
    let run = r.refuses_all(
        &["import", &path, "--invite"],
        4,
        &[&format!("error: {SEATS}")],
    );
    assert_eq!(run.error_lines(), [SEATS]);
    // Deactivate cy: 2 used; one invitation brings it to exactly 3.
    r.import(
        "sync.csv",
        "email,team,team_role\nann@x.co,Red,owner\nbob@x.co,Red,member\ndee@x.co,,\neve@x.co,,\n",
        &["--full-sync"],
    );
    let s = r
        .import("one.csv", "email\nfox@x.co\n", &["--invite"])
        .summary();
    assert_eq!(s["created"], 1);
    assert_eq!(r.member_by_email("fox@x.co")["status"], "INVITED");
    let gil = r.write("gil.csv", "email\ngil@x.co\n");
    r.refuses_all(
        &["import", &gil, "--invite"],
        4,
        &[&format!("error: {SEATS}")],
    );
    let path = r.write("back.csv", "email\ncy@x.co\n");
    r.refuses_all(
        &["import", &path],
        4,
        &["error: Your plan allows 3 seats, but this import would use 4. Remove new-member rows from the file or raise the seat limit."],
    );
}

#[test]
fn the_last_organization_owner_cannot_be_demoted_or_deactivated() {
    let r = org();
    let demote = r.write("demote.csv", "email,organization_role\nann@x.co,admin\n");
    r.refuses_all(
        &["import", &demote],
        4,
        &[&format!("error: {NO_ORG_OWNER}")],
    );
    r.refuses_all(&["diff", &demote], 4, &[&format!("error: {NO_ORG_OWNER}")]);
    let drop = r.write(
        "drop.csv",
        "email,team,team_role\nbob@x.co,Red,owner\ncy@x.co,,\n",
    );
    let run = r.refuses_all(&["import", &drop, "--full-sync"], 4, &[]);
    assert_eq!(run.error_lines(), [NO_ORG_OWNER]);
    // Promoting another owner in the same file is allowed.
    let hand_over = "email,organization_role\nann@x.co,admin\ncy@x.co,owner\n";
    assert_eq!(r.import("ok.csv", hand_over, &[]).summary()["updated"], 2);
}

#[test]
fn the_last_team_owner_cannot_be_demoted_or_removed() {
    let r = org();
    let demote = r.write("demote.csv", "email,team,team_role\nann@x.co,Red,member\n");
    r.refuses_all(
        &["import", &demote],
        4,
        &[&format!("error: {}", no_team_owner("Red"))],
    );
    let remove = r.write(
        "remove.csv",
        "email,team,team_role\nann@x.co,,\nbob@x.co,Red,member\ncy@x.co,,\n",
    );
    let run = r.refuses_all(&["import", &remove, "--full-sync"], 4, &[]);
    assert_eq!(run.error_lines(), [no_team_owner("Red")]);
    // Boundary: handing the team to bob in the same file passes.
    let s = r
        .import(
            "hand.csv",
            "email,team,team_role\nann@x.co,,\nbob@x.co,Red,owner\ncy@x.co,,\n",
            &["--full-sync"],
        )
        .summary();
    assert_eq!(s["memberships_removed"], 1);
    assert_eq!(s["memberships_changed"], 1);
    assert_eq!(r.teams_of("bob@x.co"), ["Red:owner"]);
}

#[test]
fn a_team_deleted_by_omission_needs_no_owner() {
    let r = org();
    let file = "email,team,team_role\nann@x.co,Blue,owner\nbob@x.co,,\ncy@x.co,,\n";
    let s = r.import("blue.csv", file, &["--full-sync"]).summary();
    assert_eq!(
        (s["teams_deleted"].clone(), s["teams_created"].clone()),
        (json!(1), json!(1))
    );
}

#[test]
fn a_plan_that_breaks_several_rules_names_each() {
    let r = org();
    r.ok(&["config", "set", "seat-limit", "3"]);
    // Only bob stays: ann (both owners) and cy are deactivated; two new invitations.
    let file = "email,team,team_role\nbob@x.co,Red,member\nnew1@x.co,,\nnew2@x.co,,\nnew3@x.co,,\n";
    let path = r.write("all.csv", file);
    let run = r.refuses_all(
        &[
            "import",
            &path,
            "--full-sync",
            "--invite",
            "--max-deactivations",
            "1",
        ],
        4,
        &[],
    );
    assert_eq!(
        run.error_lines(),
        [
            "Your plan allows 3 seats, but this import would use 4. Remove new-member rows from the file or raise the seat limit.",
            NO_ORG_OWNER,
            &no_team_owner("Red"),
            "This import would deactivate 2 of 3 members (67%), above the limit of 1. Review it with roster diff, then re-run with --max-deactivations 2 to allow it.",
        ]
    );
    let json = r.run(&[
        "import",
        &path,
        "--full-sync",
        "--invite",
        "--max-deactivations",
        "1",
        "--output",
        "json",
    ]);
    json.code(4);
    assert_eq!(json.json()["status"], "FAILED");
    assert_eq!(json.json()["errors"].as_array().map(Vec::len), Some(4));
}

#[test]
fn the_deactivation_threshold_boundary() {
    let r = Roster::new();
    let all: String = (1..=12).map(|i| format!("m{i}@x.co\n")).collect();
    r.import("all.csv", &format!("email\n{all}"), &[]);
    // Default: 25% of 12 is 3, never less than 10: keeping 2 deactivates exactly 10.
    let keep2 = r.write("keep2.csv", "email\nm1@x.co\nm2@x.co\n");
    let keep1 = r.write("keep1.csv", "email\nm1@x.co\n");
    r.ok(&["diff", &keep2, "--full-sync"]);
    r.refuses_all(
        &["import", &keep1, "--full-sync"],
        4,
        &["error: This import would deactivate 11 of 12 members (92%), above the limit of 10. Review it with roster diff, then re-run with --max-deactivations 11 to allow it."],
    );
    r.ok(&["config", "set", "max-deactivations", "50%"]);
    r.refuses_all(&["import", &keep2, "--full-sync"], 4, &[
        "error: This import would deactivate 10 of 12 members (83%), above the limit of 6. Review it with roster diff, then re-run with --max-deactivations 10 to allow it.",
    ]);
    let run = r.ok(&[
        "import",
        &keep2,
        "--full-sync",
        "--max-deactivations",
        "10",
        "--output",
        "json",
    ]);
    assert_eq!(run.summary()["deactivated"], 10);
}

#[test]
fn protected_owner_rows_are_skipped_and_counted() {
    let r = org();
    r.ok(&["members", "protect", "ann@x.co"]);
    let before = r.member_by_email("ann@x.co");
    let file = "email,first_name,organization_role,team,team_role\n\
                ann@x.co,Ann,member,Blue,member\n\
                bob@x.co,,,Red,member\n\
                cy@x.co,,admin,,\n";
    let run = r.import("demote.csv", file, &["--full-sync"]);
    let s = run.summary();
    assert_eq!(s["protected_skipped"], 1);
    assert_eq!(s["unchanged"], 2);
    assert_eq!(
        s["memberships_removed"], 0,
        "a protected member keeps its teams"
    );
    assert_eq!(s["teams_created"], 1, "Blue is named by a valid row");
    assert!(run.changes().is_empty());
    assert_eq!(r.member_by_email("ann@x.co"), before);
}

#[test]
fn protected_members_missing_from_a_full_sync_are_kept() {
    let r = org();
    r.ok(&["members", "protect", "ann@x.co"]);
    let file = "email,team,team_role\nbob@x.co,Red,owner\ncy@x.co,,\n";
    let s = r.import("no-ann.csv", file, &["--full-sync"]).summary();
    assert_eq!(
        (s["deactivated"].clone(), s["protected_skipped"].clone()),
        (json!(0), json!(0))
    );
    assert_eq!(r.member_by_email("ann@x.co")["status"], "INVITED");
    assert_eq!(r.teams_of("ann@x.co"), ["Red:owner"]);
}

#[test]
fn banned_members_are_skipped_and_never_deactivated() {
    let r = org();
    r.ok(&["members", "ban", "bob@x.co"]);
    let file = "email,first_name,team,team_role\nann@x.co,,Red,owner\nbob@x.co,Robert,Blue,owner\ncy@x.co,,,\n";
    let s = r.import("ban.csv", file, &["--full-sync"]).summary();
    assert_eq!(s["banned_skipped"], 1);
    assert_eq!(s["deactivated"], 0);
    assert_eq!(r.member_by_email("bob@x.co")["status"], "BANNED");
    assert_eq!(r.teams_of("bob@x.co"), ["Red:member"]);
}

#[test]
fn expect_plan_applies_exactly_the_reviewed_plan() {
    let r = org();
    let path = r.write("add.csv", "email,team,team_role\ndee@x.co,Red,admin\n");
    let diff = r.ok(&["diff", &path, "--output", "json"]);
    let id = diff.json()["plan_id"]
        .as_str()
        .expect("plan_id")
        .to_string();
    assert_eq!(id.len(), 64);
    let again = r.ok(&["diff", &path, "--output", "json"]).json()["plan_id"].clone();
    assert_eq!(
        again,
        id.as_str(),
        "the same file and store give the same plan id"
    );
    let other = r.write("other.csv", "email,team,team_role\neve@x.co,Red,admin\n");
    r.refuses_all(
        &["import", &other, "--expect-plan", &id],
        4,
        &[&format!("error: {PLAN_CHANGED}")],
    );
    // A refused import changes nothing, so the reviewed plan still applies.
    let run = r.ok(&["import", &path, "--expect-plan", &id, "--output", "json"]);
    assert_eq!(run.json()["plan_id"], id.as_str());
    assert_eq!(r.teams_of("dee@x.co"), ["Red:admin"]);
}

#[test]
fn expect_plan_refuses_after_the_store_changed() {
    let r = org();
    let path = r.write("add.csv", "email\ndee@x.co\n");
    let id = r.ok(&["diff", &path, "--output", "json"]).json()["plan_id"]
        .as_str()
        .unwrap()
        .to_string();
    r.import("other.csv", "email\neve@x.co\n", &[]);
    let run = r.refuses_all(
        &["import", &path, "--expect-plan", &id],
        4,
        &[&format!("error: {PLAN_CHANGED}")],
    );
    assert_eq!(run.error_lines(), [PLAN_CHANGED]);
}

#[test]
fn a_row_matched_by_email_with_another_external_id_is_an_identity_conflict() {
    let r = Roster::new();
    r.import("a.csv", "email,external_id\nann@x.co,E1\nbob@x.co,\n", &[]);
    let path = r.write("b.csv", "email,external_id\nANN@x.co,E2\n");
    r.refuses_all(
        &["import", &path],
        1,
        &["  row 2, external_id 'E2': Identity conflict: ANN@x.co matches ann@x.co but its stored external_id E1 differs from the row's E2"],
    );
    // A stored external_id that is empty is filled in.
    let run = r.import("c.csv", "email,external_id\nbob@x.co,E9\n", &[]);
    assert_eq!(
        run.changes()[0]["fields"]["external_id"],
        json!({"old": null, "new": "E9"})
    );
}

#[test]
fn config_get_and_set_every_key() {
    let r = Roster::new();
    assert_eq!(
        r.ok(&["config", "get"]).stdout,
        "seat-limit = none\nmax-rows = none\nmax-bytes = none\nmax-deactivations = none\n"
    );
    for (key, value) in [
        ("seat-limit", "5"),
        ("max-rows", "100"),
        ("max-bytes", "20000"),
        ("max-deactivations", "30%"),
    ] {
        r.ok(&["config", "set", key, value]);
        assert_eq!(r.ok(&["config", "get", key]).stdout, format!("{value}\n"));
    }
    r.ok(&["config", "set", "seat-limit", "none"]);
    assert_eq!(r.ok(&["config", "get", "seat-limit"]).stdout, "none\n");
    r.run(&["config", "set", "seat-limit", "many"]).code(2);
    r.run(&["config", "set", "max-deactivations", "x%"]).code(2);
    r.run(&["config", "get", "colour"]).code(2);
    assert_eq!(r.ok(&["config", "get", "max-rows"]).stdout, "100\n");
}

#[test]
fn stored_limits_apply_and_the_command_line_overrides_them_for_one_run() {
    let r = Roster::new();
    r.ok(&["config", "set", "max-rows", "1"]);
    let path = r.write("two.csv", "email\na@x.co\nb@x.co\n");
    r.refuses_all(
        &["import", &path],
        1,
        &["error: The file has more than 1 data rows."],
    );
    r.ok(&["import", &path, "--max-rows", "2"]);
    r.ok(&["config", "set", "max-bytes", "10000"]);
    let rows: String = (0..700).map(|i| format!("member{i:04}@x.co\n")).collect();
    let path = r.write("big.csv", format!("email\n{rows}"));
    let too_large = "error: The file exceeds 0.01 MB. Please reduce the file size and try again.";
    r.refuses_all(&["import", &path, "--max-rows", "1000"], 1, &[too_large]);
    r.ok(&[
        "import",
        &path,
        "--max-rows",
        "1000",
        "--max-bytes",
        "20000",
    ]);
    r.refuses_all(&["diff", &path, "--max-rows", "1000"], 1, &[too_large]);
}

#[test]
fn invite_moves_provisioned_members_to_invited() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,phone\na@x.co,\nb@x.co,\nc@x.co,\n,+15550001111\n",
        &[],
    );
    assert_eq!(
        r.ok(&["invite", "--limit", "1"]).stdout,
        "invited 1 member\n"
    );
    assert_eq!(r.member_by_email("a@x.co")["status"], "INVITED");
    assert_eq!(r.member_by_email("b@x.co")["status"], "PROVISIONED");
    assert_eq!(r.ok(&["invite", "c@x.co"]).stdout, "invited 1 member\n");
    assert_eq!(r.member_by_email("b@x.co")["status"], "PROVISIONED");
    assert_eq!(
        r.ok(&["invite"]).stdout,
        "invited 1 member\n",
        "no email, no invitation"
    );
    assert_eq!(r.member_by_email("b@x.co")["status"], "INVITED");
    assert_eq!(r.ok(&["invite"]).stdout, "invited 0 members\n");
}

#[test]
fn invite_is_refused_by_the_seat_limit() {
    let r = Roster::new();
    r.import("a.csv", "email\na@x.co\nb@x.co\nc@x.co\nd@x.co\n", &[]);
    r.ok(&["config", "set", "seat-limit", "3"]);
    r.refuses_all(&["invite"], 4, &["error: Your plan allows 3 seats, but this import would use 4. Remove new-member rows from the file or raise the seat limit."]);
    r.ok(&["invite", "--limit", "3"]);
    r.refuses_all(&["invite", "d@x.co"], 4, &[&format!("error: {SEATS}")]);
}

#[test]
fn export_writes_one_row_per_membership() {
    let r = org();
    let csv = r.ok(&["export"]).stdout;
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
    r.import(
        "more.csv",
        "email,first_name,organization_role,team,team_role\n\
         dee@x.co,Dée,admin,Blue,owner\n\
         dee@x.co,Dée,admin,Red,admin\n\
         eve@x.co,Eve,member,Blue,member\n\
         gone@x.co,,,Blue,member\n",
        &[],
    );
    r.ok(&["members", "activate", "ann@x.co"]);
    r.ok(&["members", "protect", "cy@x.co"]);
    r.ok(&["members", "ban", "eve@x.co"]);
    r.import("sync.csv", "email,team,team_role\nann@x.co,Red,owner\nbob@x.co,Red,member\ncy@x.co,,\ndee@x.co,Blue,owner\ndee@x.co,Red,admin\n", &["--full-sync"]);
    assert_eq!(r.member_by_email("gone@x.co")["status"], "INACTIVE");
    let before = r.dump();
    let export = r.path("x.csv").display().to_string();
    r.ok(&["export", "-o", &export]);
    let run = r.ok(&["import", &export, "--full-sync", "--output", "json"]);
    assert!(run.changes().is_empty(), "{:?}", run.changes());
    let s = run.summary();
    assert_eq!(s["unchanged"], 4);
    assert_eq!(s["teams_deleted"], 0);
    assert_eq!(r.dump(), before);
}
