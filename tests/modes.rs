//! SPEC §7 and the deactivation threshold of §8: additive and full-sync imports, reactivation,
//! blank cells, unchanged counts, idempotence, and `--max-deactivations`.

use crate::harness::{Roster, fixture, members_csv, summary};

const GONE: [&str; 3] = [
    "fatima.tanaka40@example.com",
    "priya.mueller50@example.com",
    "zainab.adams60@example.com",
];

fn staff() -> Roster {
    let r = Roster::new();
    let run = r.run(&["import", &fixture("valid/staff.csv"), "--output", "json"]);
    run.code(0);
    assert_eq!(run.summary(), summary(&[("rows", 64), ("created", 64)]));
    r
}

#[track_caller]
fn import_fixture(r: &Roster, name: &str, extra: &[&str]) -> serde_json::Value {
    let path = fixture(name);
    let mut args = vec!["import", path.as_str(), "--output", "json"];
    args.extend_from_slice(extra);
    let run = r.run(&args);
    run.code(0);
    run.summary()
}

#[test]
fn additive_touches_nobody_else() {
    let r = staff();
    let s = import_fixture(&r, "valid/staff_day2.csv", &[]);
    assert_eq!(
        s,
        summary(&[
            ("rows", 64),
            ("created", 3),
            ("updated", 4),
            ("unchanged", 57)
        ])
    );
    for email in GONE {
        assert_eq!(r.status(email), "PROVISIONED", "{email}");
    }
    assert_eq!(r.member("E1010")["job_title"], "Staff Engineer");
    assert_eq!(r.member("E1015")["email"], "mateo.lopez@example.org");
    assert_eq!(
        r.member("kenji.mori@example.com")["external_id"],
        serde_json::Value::Null
    );
}

#[test]
fn full_sync_deactivates_and_reactivation_restores_the_prior_status() {
    let r = staff();
    // Two of the three leavers had a status of their own before they left.
    r.run(&["invite", GONE[0], GONE[1]]).code(0);
    r.run(&["members", "activate", GONE[1]]).code(0);
    let s = import_fixture(&r, "valid/staff_day2.csv", &["--full-sync"]);
    assert_eq!(
        s,
        summary(&[
            ("rows", 64),
            ("created", 3),
            ("updated", 4),
            ("deactivated", 3),
            ("unchanged", 57)
        ])
    );
    for email in GONE {
        assert_eq!(r.status(email), "INACTIVE", "{email}");
    }
    // INACTIVE members are not exported and are left alone by the next full sync.
    let again = import_fixture(&r, "valid/staff_day2.csv", &["--full-sync"]);
    assert_eq!(again, summary(&[("rows", 64), ("unchanged", 64)]));
    // Day one's file again: the leavers come back to the status they had.
    let s = import_fixture(&r, "valid/staff.csv", &[]);
    assert_eq!(
        s,
        summary(&[
            ("rows", 64),
            ("updated", 4),
            ("reactivated", 3),
            ("unchanged", 57)
        ])
    );
    assert_eq!(r.status(GONE[0]), "INVITED");
    assert_eq!(r.status(GONE[1]), "ACTIVE");
    assert_eq!(r.status(GONE[2]), "PROVISIONED");
}

#[test]
fn a_reactivated_member_whose_fields_change_counts_once() {
    let r = Roster::new();
    r.import("a.csv", &members_csv([1, 2]), &[]);
    r.import("b.csv", &members_csv([1]), &["--full-sync"]);
    assert_eq!(r.status("m2@example.com"), "INACTIVE");
    let run = r.import("c.csv", "email,first_name\nm2@example.com,Renamed\n", &[]);
    assert_eq!(run.summary(), summary(&[("rows", 1), ("reactivated", 1)]));
    let change = &run.json()["changes"][0];
    assert_eq!(change["action"], "reactivate");
    assert_eq!(
        change["fields"],
        serde_json::json!({
            "first_name": {"old": "First2", "new": "Renamed"},
            "status": {"old": "INACTIVE", "new": "PROVISIONED"}
        })
    );
}

#[test]
fn blank_cells_never_clear_without_clear_blanks() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,first_name,job_title\nann@example.com,Ann,Engineer\n",
        &[],
    );
    let run = r.import(
        "b.csv",
        "email,first_name,job_title\nann@example.com,,\u{00A0}\n",
        &[],
    );
    assert_eq!(run.summary(), summary(&[("rows", 1), ("unchanged", 1)]));
    assert_eq!(r.member("ann@example.com")["job_title"], "Engineer");
    let run = r.import(
        "b.csv",
        "email,first_name,job_title\nann@example.com,,\n",
        &["--clear-blanks"],
    );
    assert_eq!(run.summary(), summary(&[("rows", 1), ("updated", 1)]));
    let ann = r.member("ann@example.com");
    assert_eq!(
        (ann["first_name"].clone(), ann["job_title"].clone()),
        (serde_json::Value::Null, serde_json::Value::Null)
    );
}

#[test]
fn the_same_file_twice_changes_nothing() {
    let r = staff();
    let before = r.dump();
    for extra in [&[][..], &["--full-sync"][..]] {
        let path = fixture("valid/staff.csv");
        let mut args = vec!["import", path.as_str(), "--output", "json"];
        args.extend_from_slice(extra);
        let run = r.run(&args);
        run.code(0);
        assert_eq!(run.summary(), summary(&[("rows", 64), ("unchanged", 64)]));
        assert_eq!(run.json()["changes"], serde_json::json!([]));
        assert_eq!(r.dump(), before);
    }
}

#[test]
fn new_members_get_the_row_role_else_the_default_role() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,organization_role\nann@example.com,owner\nbob@example.com,\n",
        &["--default-role", "admin"],
    );
    assert_eq!(r.member("ann@example.com")["organization_role"], "owner");
    assert_eq!(r.member("bob@example.com")["organization_role"], "admin");
    // Existing members keep theirs when the row says nothing.
    let run = r.import(
        "b.csv",
        "email\nbob@example.com\n",
        &["--default-role", "member"],
    );
    assert_eq!(run.summary(), summary(&[("rows", 1), ("unchanged", 1)]));
}

/// A store of `n` live members `m0..m{n-1}`.
fn members(n: usize) -> Roster {
    let r = Roster::new();
    r.import("all.csv", &members_csv(0..n), &[]);
    r
}

/// Full-syncs a file holding members `keep..n` (so `keep` are missing).
fn sync_without(r: &Roster, n: usize, missing: usize, extra: &[&str]) -> crate::harness::Run {
    let path = r.write("sync.csv", members_csv(missing..n));
    let mut args = vec!["import", path.as_str(), "--full-sync", "--output", "json"];
    args.extend_from_slice(extra);
    r.run(&args)
}

fn too_many(k: u64, n: u64, p: u64, limit: u64) -> String {
    format!(
        "error: This import would deactivate {k} of {n} members ({p}%), above the limit of {limit}. Review it with roster diff, then re-run with --max-deactivations {k} to allow it."
    )
}

#[track_caller]
fn refused(r: &Roster, n: usize, missing: usize, extra: &[&str], line: &str) {
    let path = r.write("sync.csv", members_csv(missing..n));
    let mut args = vec!["import", path.as_str(), "--full-sync"];
    args.extend_from_slice(extra);
    r.refuses(&args, 4, line);
    // `roster diff` applies the same rule, with the same exit code.
    args[0] = "diff";
    r.run(&args).code(4).stderr_line(line);
}

#[test]
fn default_threshold_is_at_least_ten_members() {
    let r = members(12);
    refused(&r, 12, 11, &[], &too_many(11, 12, 92, 10));
    let run = sync_without(&r, 12, 10, &[]);
    run.code(0);
    assert_eq!(run.summary()["deactivated"], 10);
}

#[test]
fn default_threshold_is_a_quarter_of_live_members() {
    let r = members(100);
    refused(&r, 100, 26, &[], &too_many(26, 100, 26, 25));
    let run = sync_without(&r, 100, 25, &[]);
    run.code(0);
    assert_eq!(run.summary()["deactivated"], 25);
    // Now 75 live members: the limit is 18, and INACTIVE members are not counted.
    refused(&r, 100, 25 + 19, &[], &too_many(19, 75, 25, 18));
}

#[test]
fn max_deactivations_as_a_count() {
    let r = members(40);
    refused(
        &r,
        40,
        6,
        &["--max-deactivations", "5"],
        &too_many(6, 40, 15, 5),
    );
    sync_without(&r, 40, 5, &["--max-deactivations", "5"]).code(0);
}

#[test]
fn max_deactivations_as_a_percentage() {
    let r = members(40);
    refused(
        &r,
        40,
        5,
        &["--max-deactivations", "10%"],
        &too_many(5, 40, 13, 4),
    );
    sync_without(&r, 40, 4, &["--max-deactivations", "10%"]).code(0);
}

#[test]
fn the_suggested_flag_allows_the_import() {
    let r = members(40);
    refused(&r, 40, 11, &[], &too_many(11, 40, 28, 10));
    let run = sync_without(&r, 40, 11, &["--max-deactivations", "11"]);
    run.code(0);
    assert_eq!(run.summary()["deactivated"], 11);
}

#[test]
fn the_store_setting_sets_the_threshold() {
    let r = members(20);
    r.run(&["config", "set", "max-deactivations", "2"]).code(0);
    refused(&r, 20, 3, &[], &too_many(3, 20, 15, 2));
    // The flag wins over the setting.
    sync_without(&r, 20, 3, &["--max-deactivations", "3"]).code(0);
}

#[test]
fn the_refusal_is_in_the_json_errors() {
    let r = members(12);
    let before = r.dump();
    let run = sync_without(&r, 12, 11, &[]);
    run.code(4);
    assert_eq!(r.dump(), before);
    let doc = run.json();
    assert_eq!(doc["status"], "FAILED");
    assert_eq!(
        doc["errors"][0]["message"],
        too_many(11, 12, 92, 10).trim_start_matches("error: ")
    );
}

#[test]
fn skip_invalid_keeps_members_named_by_errored_rows() {
    let r = Roster::new();
    r.import(
        "a.csv",
        "email,external_id\na@example.com,E1\nb@example.com,E2\nc@example.com,E3\n",
        &[],
    );
    let run = r.import(
        "b.csv",
        "email,external_id\na@example.com,E1\nbad@,E2\n",
        &["--full-sync", "--skip-invalid"],
    );
    assert_eq!(
        run.summary(),
        summary(&[
            ("rows", 2),
            ("unchanged", 1),
            ("deactivated", 1),
            ("errors", 1)
        ])
    );
    assert_eq!(r.status("E2"), "PROVISIONED");
    assert_eq!(r.status("E3"), "INACTIVE");
}
