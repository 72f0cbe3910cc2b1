//! SPEC §16's guards: `max-shrink` refuses a full sync whose file shrank from the last one of
//! the same source; `deactivate-after-missing` deactivates only after repeated absence.

use crate::harness::{Missing, Roster, Summary, members_csv};

/// A full sync of `m0..m{n}` from the file `name`, as JSON.
fn full_sync<'r>(
    r: &'r Roster,
    name: &str,
    ids: std::ops::Range<usize>,
) -> crate::harness::Test<'r> {
    r.import_json(name, members_csv(ids)).args(&["--full-sync"])
}

fn last_import_id(r: &Roster) -> i64 {
    let imports = r
        .args(&["imports", "list", "--output", "json"])
        .run()
        .imports();
    imports.first().expect("an import").import_id
}

#[test]
fn max_shrink_refuses_a_truncated_full_sync_then_allows_it_once() {
    let r = Roster::new();
    full_sync(&r, "staff.csv", 0..100).run();
    let first = last_import_id(&r);
    r.args(&["config", "set", "max-shrink", "5%"]).run();
    let refused = full_sync(&r, "staff.csv", 0..90)
        .status(4)
        .unchanged()
        .run();
    let report = refused.report();
    assert_eq!(report.status, "FAILED");
    let message = format!(
        "This full sync's file holds 90 members, 10% fewer than the 100 of import {first}, the last full sync from the same source, above the limit of 5%. Review it with roster diff, then re-run with --max-shrink 10% to allow it."
    );
    assert_eq!(report.errors[0].message, message);
    // diff refuses it the same way, and history keeps the refusal.
    let diff = r.write("staff.csv", members_csv(0..90));
    r.args(&["diff", &diff, "--full-sync"])
        .status(4)
        .stderr_line(format!("error: {message}"))
        .run();
    let history = r.args(&[
        "imports",
        "show",
        &(first + 1).to_string(),
        "--output",
        "json",
    ]);
    assert_eq!(history.run().json()["message"], message.as_str());
    // Another file is another source; an additive import is never compared.
    r.import_json("other.csv", members_csv(0..10))
        .args(&["--full-sync", "--max-deactivations", "100%"])
        .run();
    let again = r.import_json("staff.csv", members_csv(0..50)).run();
    assert_eq!(again.report().status, "COMPLETED");
    // The flag allows it once: the limit is back for the next run.
    let allowed = full_sync(&r, "staff.csv", 0..90)
        .args(&["--max-shrink", "10%", "--max-deactivations", "100%"])
        .run();
    assert_eq!(allowed.report().status, "COMPLETED");
    full_sync(&r, "staff.csv", 0..80)
        .status(4)
        .unchanged()
        .run();
}

#[test]
fn max_shrink_is_off_by_default_and_checks_its_values() {
    let r = Roster::new();
    full_sync(&r, "staff.csv", 0..20).run();
    let s = full_sync(&r, "staff.csv", 0..10).run().report().summary;
    assert_eq!(s.deactivated, 10);
    r.args(&["config", "set", "max-shrink", "150%"])
        .status(2)
        .run();
    let path = r.write("x.csv", members_csv(0..1));
    r.args(&["import", &path, "--max-shrink", "x"])
        .status(2)
        .run();
    r.args(&["config", "set", "max-shrink", "10"]).run();
    r.args(&["config", "get", "max-shrink"])
        .stdout("10\n")
        .run();
}

#[test]
fn a_truncated_file_with_deactivate_after_missing_2_deactivates_nobody_the_first_night() {
    let r = Roster::new();
    r.args(&["config", "set", "deactivate-after-missing", "2"])
        .run();
    full_sync(&r, "staff.csv", 0..100).run();
    // Night 1: the export lost its last 10% of rows.
    let night1 = full_sync(&r, "staff.csv", 0..90).run();
    let first = last_import_id(&r);
    assert_eq!(
        night1.report().summary,
        Summary {
            rows: 90,
            unchanged: 90,
            pending_deactivation: 10,
            ..Summary::default()
        }
    );
    let listed = &night1.report().missing;
    assert_eq!(listed.len(), 10);
    assert_eq!(listed[0]["member"]["email"], "m90@example.com");
    assert_eq!(
        (listed[0]["count"].as_u64(), listed[0]["of"].as_u64()),
        (Some(1), Some(2))
    );
    assert!(
        listed[0]["first_import_id"].is_null(),
        "this import is the first to miss them"
    );
    for i in 90..100 {
        let m = r.member(&format!("m{i}@example.com"));
        assert_eq!(m.status, "PROVISIONED");
        assert_eq!(
            m.missing,
            Some(Missing {
                count: 1,
                first_import_id: first
            })
        );
    }
    assert_eq!(r.member("m5@example.com").missing, None);
    // The plan in table mode lists them apart from the deactivations: a second miss
    // deactivates them (2 of 2); with 3 it would not yet.
    let path = r.write("staff.csv", members_csv(0..90));
    let diff = r.args(&["diff", &path, "--full-sync"]).run();
    let lines: Vec<&str> = diff.stdout.lines().collect();
    assert!(
        lines.contains(&"- m95@example.com (PROVISIONED -> INACTIVE)"),
        "{}",
        diff.stdout
    );
    let diff = r
        .args(&[
            "diff",
            &path,
            "--full-sync",
            "--deactivate-after-missing",
            "3",
        ])
        .run();
    let lines: Vec<&str> = diff.stdout.lines().collect();
    assert!(
        lines.contains(&"- m95@example.com  missing 2 of 3"),
        "{}",
        diff.stdout
    );
    assert!(lines.contains(&"No changes."), "{}", diff.stdout);
    assert!(
        lines.contains(&"10 members missing, not yet deactivated (deactivate-after-missing)."),
        "{}",
        diff.stdout
    );
    // Night 2: the full file is back; every mark is cleared, nobody was deactivated.
    let night2 = full_sync(&r, "staff.csv", 0..100).run().report();
    assert_eq!(night2.summary.pending_deactivation, 0);
    assert_eq!(night2.summary.deactivated, 0);
    let members = r.members();
    assert!(members.iter().all(|m| m.missing.is_none()));
    assert!(members.iter().all(|m| m.status == "PROVISIONED"));
}

#[test]
fn the_nth_consecutive_miss_deactivates_and_the_threshold_counts_only_that() {
    let r = Roster::new();
    full_sync(&r, "staff.csv", 0..100).run();
    // 40 of 100 missing is above the default threshold (25%), but none is deactivated yet.
    let flag = ["--deactivate-after-missing", "3"];
    let s1 = full_sync(&r, "staff.csv", 0..60).args(&flag).run();
    assert_eq!(s1.report().summary.pending_deactivation, 40);
    let first = last_import_id(&r);
    // An additive import naming some of them clears their marks only.
    r.import_json("late.csv", members_csv(55..65)).run();
    assert_eq!(r.member("m62@example.com").missing, None);
    assert_eq!(r.member("m70@example.com").missing.unwrap().count, 1);
    let s2 = full_sync(&r, "staff.csv", 0..60).args(&flag).run();
    assert_eq!(s2.report().summary.pending_deactivation, 40);
    let m70 = r.member("m70@example.com").missing.unwrap();
    assert_eq!(
        m70,
        Missing {
            count: 2,
            first_import_id: first
        }
    );
    assert_eq!(r.member("m62@example.com").missing.unwrap().count, 1);
    // The third miss deactivates the 35 missed three times: now the threshold counts them.
    let refused = full_sync(&r, "staff.csv", 0..60)
        .args(&flag)
        .status(4)
        .unchanged()
        .run();
    assert!(
        refused.report().errors[0]
            .message
            .contains("deactivate 35 of 100")
    );
    let s3 = full_sync(&r, "staff.csv", 0..60)
        .args(&flag)
        .args(&["--max-deactivations", "35"])
        .run()
        .report()
        .summary;
    assert_eq!((s3.deactivated, s3.pending_deactivation), (35, 5));
    assert_eq!(r.status("m70@example.com"), "INACTIVE");
    assert_eq!(r.member("m70@example.com").missing, None);
    assert_eq!(r.member("m62@example.com").missing.unwrap().count, 2);
}
