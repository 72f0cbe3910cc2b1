//! SPEC §16: `roster imports revert ID` plans the inverse of an import from the audit log, under
//! the safety rules, the plan id and history of an import; conflicts, and reverting twice.

use crate::harness::Roster;

/// `email,first_name,job_title,team,team_role` for members `ids`, titles `Title{i}` (or
/// `Senior {i}` for `senior`), the first 300 in team Stay, the others in team Gone.
fn roster(ids: std::ops::Range<usize>, senior: std::ops::Range<usize>) -> String {
    let mut s = String::from("email,first_name,job_title,team,team_role\n");
    for i in ids {
        let title = match senior.contains(&i) {
            true => format!("Senior {i}"),
            false => format!("Title{i}"),
        };
        let team = if i < 300 { "Stay" } else { "Gone" };
        s.push_str(&format!(
            "m{i}@example.com,First{i},{title},{team},member\n"
        ));
    }
    s
}

fn revert<'r>(r: &'r Roster, id: i64, extra: &[&str]) -> crate::harness::Test<'r> {
    let id = id.to_string();
    let mut args = vec!["imports", "revert", id.as_str(), "--output", "json"];
    args.extend_from_slice(extra);
    r.args(&args)
}

#[test]
fn reverting_a_full_sync_restores_exactly_the_state_before_it() {
    let r = Roster::new();
    r.import_json("staff.csv", roster(0..600, 0..0)).run();
    let before = r.dump();
    // The night's file: 300 members gone (with their team), 200 titles changed.
    let sync = r
        .import_json("staff.csv", roster(0..300, 0..200))
        .args(&["--full-sync", "--max-deactivations", "300"])
        .run()
        .report();
    let s = &sync.summary;
    assert_eq!((s.deactivated, s.updated, s.teams_deleted), (300, 200, 1));
    let after_sync = r.dump();
    let target = sync.import_id.unwrap();
    // A dry run plans the inverse and changes nothing; its plan id applies it.
    let dry = revert(&r, target, &["--dry-run"])
        .unchanged()
        .run()
        .report();
    assert_eq!(dry.status, "DRY_RUN");
    assert_eq!(dry.mode, "revert");
    let s = &dry.summary;
    assert_eq!((s.reactivated, s.updated, s.deactivated), (300, 200, 0));
    assert_eq!((s.memberships_added, s.teams_created), (300, 1));
    let plan_id = dry.plan_id.unwrap();
    let applied = revert(&r, target, &["--expect-plan", &plan_id])
        .run()
        .report();
    assert_eq!(applied.status, "COMPLETED");
    assert_eq!(applied.plan_id.as_deref(), Some(plan_id.as_str()));
    assert_eq!(r.dump(), before, "the revert restores the export exactly");
    // History records it as an import with mode revert, and the audit log has its changes.
    let id = applied.import_id.unwrap().to_string();
    let shown = r
        .args(&["imports", "show", &id, "--output", "json"])
        .run()
        .json();
    assert_eq!(shown["mode"], "revert");
    assert_eq!(shown["options"]["reverts"], target);
    assert_eq!(shown["reverts"], target);
    assert_eq!(shown["status"], "COMPLETED");
    let log = r
        .args(&["log", "--import", &id, "--output", "json"])
        .run()
        .json();
    assert_eq!(log.as_array().unwrap().len(), 500);
    // An import is reverted at most once; the revert itself can be reverted.
    revert(&r, target, &[])
        .status(1)
        .unchanged()
        .stderr_line(format!(
            "error: Import {target} was already reverted by import {id}; an import is reverted at most once (revert import {id} to apply it again)."
        ))
        .run();
    let again = revert(&r, id.parse().unwrap(), &["--max-deactivations", "300"]).run();
    assert_eq!(again.report().status, "COMPLETED");
    assert_eq!(
        r.dump(),
        after_sync,
        "reverting the revert applies the import again"
    );
}

#[test]
fn a_member_changed_later_refuses_the_revert_unless_skipped() {
    let r = Roster::new();
    r.import_json("staff.csv", roster(0..10, 0..0)).run();
    let target = r
        .import_json("staff.csv", roster(0..10, 0..5))
        .run()
        .report()
        .import_id
        .unwrap();
    // A later import changes m1 again.
    let later = r
        .import_json("fix.csv", "email,job_title\nm1@example.com,Chief 1\n")
        .run()
        .report()
        .import_id
        .unwrap();
    let refused = revert(&r, target, &[]).status(1).unchanged().run().report();
    assert_eq!(refused.status, "FAILED");
    let messages: Vec<&str> = refused.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages[0],
        format!(
            "1 member was changed after import {target}; nothing was changed. Re-run with --skip-conflicts to leave it as it is now and revert the rest."
        )
    );
    assert!(
        messages[1].starts_with(&format!("m1@example.com: update by import {later} (")),
        "{messages:?}"
    );
    // The plan still shows what the others would get.
    assert_eq!(refused.summary.updated, 4);
    let applied = revert(&r, target, &["--skip-conflicts"]).run().report();
    assert_eq!(applied.status, "COMPLETED");
    assert_eq!(applied.summary.updated, 4);
    assert_eq!(
        r.member("m1@example.com").job_title.as_deref(),
        Some("Chief 1")
    );
    for i in [0, 2, 3, 4] {
        let m = r.member(&format!("m{i}@example.com"));
        assert_eq!(m.job_title, Some(format!("Title{i}")));
    }
}

#[test]
fn a_revert_is_checked_by_the_safety_rules() {
    let r = Roster::new();
    r.import_json("a.csv", "email\nann@example.com\n").run();
    let boss = r
        .import_json("b.csv", "email,organization_role\nbob@example.com,owner\n")
        .run()
        .report()
        .import_id
        .unwrap();
    // Reverting the import that made the only owner would leave the organization without one.
    let refused = revert(&r, boss, &[]).status(4).unchanged().run().report();
    assert_eq!(
        refused.errors[0].message,
        "This import would leave the organization with no owner. Promote another member to owner before re-uploading."
    );
    // A failed import, or one that does not exist, cannot be reverted.
    revert(&r, 99, &[])
        .status(1)
        .stderr_line("error: no import with id 99")
        .run();
    let failed = r
        .import_json("bad.csv", "email\nnot-an-email\n")
        .status(1)
        .run()
        .report()
        .import_id
        .unwrap();
    revert(&r, failed, &[])
        .status(1)
        .unchanged()
        .stderr_line(format!(
            "error: Import {failed} is FAILED: only a COMPLETED import can be reverted."
        ))
        .run();
}

#[test]
fn reverting_creates_deactivates_and_never_deletes() {
    let r = Roster::new();
    let first = r
        .import_json("staff.csv", crate::harness::members_csv(0..3))
        .run()
        .report()
        .import_id
        .unwrap();
    let id = first.to_string();
    let out = r.args(&["imports", "revert", &id, "--yes"]).run();
    assert!(
        out.stdout
            .contains("- m0@example.com (PROVISIONED -> INACTIVE)"),
        "{}",
        out.stdout
    );
    let members = r.members();
    assert_eq!(members.len(), 3);
    assert!(members.iter().all(|m| m.status == "INACTIVE"));
}
