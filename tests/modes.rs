//! SPEC §7 and the deactivation threshold of §8: additive and full-sync imports, reactivation,
//! blank cells, unchanged counts, idempotence, and `--max-deactivations`.

use crate::harness::{OldNew, Roster, Summary, Test, fixture, members_csv};

const GONE: [&str; 3] = [
    "fatima.tanaka40@example.com",
    "priya.mueller50@example.com",
    "zainab.adams60@example.com",
];

fn staff() -> Roster {
    let r = Roster::new();
    let run = r
        .args(&["import", &fixture("valid/staff.csv"), "--output", "json"])
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 64,
            created: 64,
            ..Summary::default()
        }
    );
    r
}

#[track_caller]
fn import_fixture(r: &Roster, name: &str, extra: &[&str]) -> Summary {
    let path = fixture(name);
    let mut args = vec!["import", path.as_str(), "--output", "json"];
    args.extend_from_slice(extra);
    let run = r.args(&args).run();
    run.report().summary
}

#[test]
fn additive_touches_nobody_else() {
    let r = staff();
    let s = import_fixture(&r, "valid/staff_day2.csv", &[]);
    assert_eq!(
        s,
        Summary {
            rows: 64,
            created: 3,
            updated: 4,
            unchanged: 57,
            ..Summary::default()
        }
    );
    for email in GONE {
        assert_eq!(r.status(email), "PROVISIONED", "{email}");
    }
    assert_eq!(
        r.member("E1010").job_title.as_deref(),
        Some("Staff Engineer")
    );
    assert_eq!(
        r.member("E1015").email.as_deref(),
        Some("mateo.lopez@example.org")
    );
    assert_eq!(r.member("kenji.mori@example.com").external_id, None);
}

#[test]
fn full_sync_deactivates_and_reactivation_restores_the_prior_status() {
    let r = staff();
    // Two of the three leavers had a status of their own before they left.
    r.args(&["invite", GONE[0], GONE[1]]).run();
    r.args(&["members", "activate", GONE[1]]).run();
    let s = import_fixture(&r, "valid/staff_day2.csv", &["--full-sync"]);
    assert_eq!(
        s,
        Summary {
            rows: 64,
            created: 3,
            updated: 4,
            deactivated: 3,
            unchanged: 57,
            ..Summary::default()
        }
    );
    for email in GONE {
        assert_eq!(r.status(email), "INACTIVE", "{email}");
    }
    // INACTIVE members are not exported and are left alone by the next full sync.
    let again = import_fixture(&r, "valid/staff_day2.csv", &["--full-sync"]);
    assert_eq!(
        again,
        Summary {
            rows: 64,
            unchanged: 64,
            ..Summary::default()
        }
    );
    // Day one's file again: the leavers come back to the status they had.
    let s = import_fixture(&r, "valid/staff.csv", &[]);
    assert_eq!(
        s,
        Summary {
            rows: 64,
            updated: 4,
            reactivated: 3,
            unchanged: 57,
            ..Summary::default()
        }
    );
    assert_eq!(r.status(GONE[0]), "INVITED");
    assert_eq!(r.status(GONE[1]), "ACTIVE");
    assert_eq!(r.status(GONE[2]), "PROVISIONED");
}

#[test]
fn a_reactivated_member_whose_fields_change_counts_once() {
    let r = Roster::new();
    r.import_json("a.csv", members_csv([1, 2])).run();
    r.import_json("b.csv", members_csv([1]))
        .args(&["--full-sync"])
        .run();
    assert_eq!(r.status("m2@example.com"), "INACTIVE");
    let run = r
        .import_json("c.csv", "email,first_name\nm2@example.com,Renamed\n")
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            reactivated: 1,
            ..Summary::default()
        }
    );
    let change = &run.report().changes[0];
    assert_eq!(change.action, "reactivate");
    assert_eq!(
        change.fields,
        [
            ("first_name".to_string(), OldNew::of("First2", "Renamed")),
            ("status".to_string(), OldNew::of("INACTIVE", "PROVISIONED")),
        ]
        .into()
    );
}

#[test]
fn blank_cells_never_clear_without_clear_blanks() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email,first_name,job_title\nann@example.com,Ann,Engineer\n",
    )
    .run();
    let run = r
        .import_json(
            "b.csv",
            "email,first_name,job_title\nann@example.com,,\u{00A0}\n",
        )
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            unchanged: 1,
            ..Summary::default()
        }
    );
    assert_eq!(
        r.member("ann@example.com").job_title.as_deref(),
        Some("Engineer")
    );
    let run = r
        .import_json("b.csv", "email,first_name,job_title\nann@example.com,,\n")
        .args(&["--clear-blanks"])
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            updated: 1,
            ..Summary::default()
        }
    );
    let ann = r.member("ann@example.com");
    assert_eq!((ann.first_name, ann.job_title), (None, None));
}

#[test]
fn the_same_file_twice_changes_nothing() {
    let r = staff();
    let before = r.dump();
    for extra in [&[][..], &["--full-sync"][..]] {
        let path = fixture("valid/staff.csv");
        let mut args = vec!["import", path.as_str(), "--output", "json"];
        args.extend_from_slice(extra);
        let run = r.args(&args).run();
        assert_eq!(
            run.report().summary,
            Summary {
                rows: 64,
                unchanged: 64,
                ..Summary::default()
            }
        );
        assert_eq!(run.report().changes, []);
        assert_eq!(r.dump(), before);
    }
}

#[test]
fn new_members_get_the_row_role_else_the_default_role() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email,organization_role\nann@example.com,owner\nbob@example.com,\n",
    )
    .args(&["--default-role", "admin"])
    .run();
    assert_eq!(
        r.member("ann@example.com").organization_role.as_deref(),
        Some("owner")
    );
    assert_eq!(
        r.member("bob@example.com").organization_role.as_deref(),
        Some("admin")
    );
    // Existing members keep theirs when the row says nothing.
    let run = r
        .import_json("b.csv", "email\nbob@example.com\n")
        .args(&["--default-role", "member"])
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            unchanged: 1,
            ..Summary::default()
        }
    );
}

/// A store of `n` live members `m0..m{n-1}`.
fn members(n: usize) -> Roster {
    let r = Roster::new();
    r.import_json("all.csv", members_csv(0..n)).run();
    r
}

/// Full-syncs a file holding members `keep..n` (so `keep` are missing).
fn sync_without<'r>(r: &'r Roster, n: usize, missing: usize, extra: &[&str]) -> Test<'r> {
    let path = r.write("sync.csv", members_csv(missing..n));
    let mut args = vec!["import", path.as_str(), "--full-sync", "--output", "json"];
    args.extend_from_slice(extra);
    r.args(&args)
}

fn too_many(k: u64, n: u64, p: u64, limit: impl std::fmt::Display) -> String {
    format!(
        "error: This import would deactivate {k} of {n} members ({p}%), above the limit of {limit}. Review it with roster diff, then re-run with --max-deactivations {k} to allow it."
    )
}

#[track_caller]
fn refused(r: &Roster, n: usize, missing: usize, extra: &[&str], line: &str) {
    let path = r.write("sync.csv", members_csv(missing..n));
    let mut args = vec!["import", path.as_str(), "--full-sync"];
    args.extend_from_slice(extra);
    r.args(&args).status(4).stderr_line(line).unchanged().run();
    // `roster diff` applies the same rule, with the same exit code.
    args[0] = "diff";
    r.args(&args).status(4).stderr_line(line).run();
}

#[test]
fn default_threshold_is_at_least_ten_members() {
    let r = members(12);
    refused(&r, 12, 11, &[], &too_many(11, 12, 92, 10));
    let run = sync_without(&r, 12, 10, &[]).run();
    assert_eq!(run.report().summary.deactivated, 10);
}

#[test]
fn default_threshold_is_a_quarter_of_live_members() {
    let r = members(100);
    refused(&r, 100, 26, &[], &too_many(26, 100, 26, "25% (25 members)"));
    let run = sync_without(&r, 100, 25, &[]).run();
    assert_eq!(run.report().summary.deactivated, 25);
    // Now 75 live members: the limit is 18, and INACTIVE members are not counted.
    refused(
        &r,
        100,
        25 + 19,
        &[],
        &too_many(19, 75, 25, "25% (18 members)"),
    );
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
    sync_without(&r, 40, 5, &["--max-deactivations", "5"]).run();
}

#[test]
fn max_deactivations_as_a_percentage() {
    let r = members(40);
    refused(
        &r,
        40,
        5,
        &["--max-deactivations", "10%"],
        &too_many(5, 40, 13, "10% (4 members)"),
    );
    sync_without(&r, 40, 4, &["--max-deactivations", "10%"]).run();
}

#[test]
fn the_suggested_flag_allows_the_import() {
    let r = members(40);
    refused(&r, 40, 11, &[], &too_many(11, 40, 28, "25% (10 members)"));
    let run = sync_without(&r, 40, 11, &["--max-deactivations", "11"]).run();
    assert_eq!(run.report().summary.deactivated, 11);
}

#[test]
fn the_store_setting_sets_the_threshold() {
    let r = members(20);
    r.args(&["config", "set", "max-deactivations", "2"]).run();
    refused(&r, 20, 3, &[], &too_many(3, 20, 15, 2));
    // The flag wins over the setting.
    sync_without(&r, 20, 3, &["--max-deactivations", "3"]).run();
}

#[test]
fn the_refusal_is_in_the_json_errors() {
    let r = members(12);
    let before = r.dump();
    let run = sync_without(&r, 12, 11, &[]).status(4).run();
    assert_eq!(r.dump(), before);
    let doc = run.report();
    assert_eq!(doc.status, "FAILED");
    assert_eq!(
        doc.errors[0].message,
        too_many(11, 12, 92, 10).trim_start_matches("error: ")
    );
}

#[test]
fn skip_invalid_keeps_members_named_by_errored_rows() {
    let r = Roster::new();
    r.import_json(
        "a.csv",
        "email,external_id\na@example.com,E1\nb@example.com,E2\nc@example.com,E3\n",
    )
    .run();
    let run = r
        .import_json("b.csv", "email,external_id\na@example.com,E1\nbad@,E2\n")
        .args(&["--full-sync", "--skip-invalid"])
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 2,
            unchanged: 1,
            deactivated: 1,
            errors: 1,
            ..Summary::default()
        }
    );
    assert_eq!(r.status("E2"), "PROVISIONED");
    assert_eq!(r.status("E3"), "INACTIVE");
}
