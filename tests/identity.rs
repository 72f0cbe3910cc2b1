//! SPEC §6: rows match members by external_id, then email (ignoring case), then phone; a change
//! of email; identity conflicts refuse the import; an empty stored external_id is filled in.

use crate::harness::{Ids, OldNew, Roster, RowError, Summary};
use serde_json::Value;

fn row_error(row: u64, column: &str, value: &str, message: &str) -> RowError {
    RowError::placed(row, Some(column), Some(value), message)
}

const BASE: &str = "email,external_id,phone,first_name\n\
ann@example.com,E1,+15550000001,Ann\n\
bob@example.com,,+15550000002,Bob\n\
Cy@Example.com,E3,,Cy\n";

fn based() -> Roster {
    let r = Roster::new();
    r.import_json("base.csv", BASE).run();
    r
}

#[test]
fn by_external_id_first_then_a_change_of_email() {
    let r = based();
    let run = r
        .import_json(
            "move.csv",
            "external_id,email,first_name\nE1,ann.new@example.org,Ann\n",
        )
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            updated: 1,
            ..Summary::default()
        }
    );
    let change = &run.report().changes[0];
    assert_eq!(change.action, "update");
    assert_eq!(change.row, Some(2));
    assert_eq!(
        change.member,
        Ids::of(
            Some("ann.new@example.org"),
            Some("E1"),
            Some("+15550000001")
        )
    );
    assert_eq!(
        change.fields,
        [(
            "email".to_string(),
            OldNew::of("ann@example.com", "ann.new@example.org")
        )]
        .into()
    );
    let ann = r.member("E1");
    assert_eq!(ann.email.as_deref(), Some("ann.new@example.org"));
    // The old address names nobody now; the new one finds her.
    r.args(&["members", "show", "ann@example.com"])
        .status(1)
        .run();
    assert_eq!(
        r.member("ann.new@example.org").external_id.as_deref(),
        Some("E1")
    );
}

#[test]
fn by_email_ignoring_case() {
    let r = based();
    let run = r
        .import_json(
            "case.csv",
            "email,first_name\nANN@EXAMPLE.COM,Ann\ncy@example.com,Cyrus\n",
        )
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 2,
            updated: 1,
            unchanged: 1,
            ..Summary::default()
        }
    );
    // An email that differs only in case is the same email: the stored spelling stays.
    assert_eq!(r.member("E3").email.as_deref(), Some("Cy@Example.com"));
    assert_eq!(r.member("E3").first_name.as_deref(), Some("Cyrus"));
}

#[test]
fn by_phone_last() {
    let r = based();
    let run = r
        .import_json("phone.csv", "phone,first_name\n+15550000002,Robert\n")
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            updated: 1,
            ..Summary::default()
        }
    );
    assert_eq!(
        r.member("bob@example.com").first_name.as_deref(),
        Some("Robert")
    );
}

#[test]
fn an_empty_stored_external_id_is_filled_in() {
    let r = based();
    let run = r
        .import_json("fill.csv", "email,external_id\nbob@example.com,E2\n")
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 1,
            updated: 1,
            ..Summary::default()
        }
    );
    assert_eq!(
        run.report().changes[0].fields,
        [("external_id".to_string(), OldNew::of(Value::Null, "E2"))].into()
    );
    assert_eq!(r.member("E2").email.as_deref(), Some("bob@example.com"));
}

#[test]
fn a_later_identifier_of_another_member_is_a_conflict() {
    let r = based();
    let cases = [
        (
            "external_id,email\nE1,bob@example.com\n",
            "email",
            "bob@example.com",
            "Identity conflict: E1 matches ann@example.com but bob@example.com belongs to bob@example.com",
        ),
        (
            "external_id,phone\nE3,+15550000002\n",
            "phone",
            "+15550000002",
            "Identity conflict: E3 matches Cy@Example.com but +15550000002 belongs to bob@example.com",
        ),
        (
            "email,phone\ncy@example.com,+15550000001\n",
            "phone",
            "+15550000001",
            "Identity conflict: cy@example.com matches Cy@Example.com but +15550000001 belongs to ann@example.com",
        ),
    ];
    for (text, column, value, message) in cases {
        let path = r.write("conflict.csv", text);
        let run = r
            .args(&["import", &path, "--output", "json"])
            .status(1)
            .stderr_line("error: 1 row has 1 error; nothing was changed.")
            .unchanged()
            .run();
        assert_eq!(run.report().errors, [row_error(2, column, value, message)]);
    }
}

#[test]
fn a_different_external_id_is_never_relinked_silently() {
    let r = based();
    let path = r.write("relink.csv", "email,external_id\nann@example.com,E9\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("  row 2, external_id 'E9': Identity conflict: ann@example.com matches ann@example.com but its stored external_id E1 differs from the row's E9")
        .stderr_line("error: 1 row has 1 error; nothing was changed.")
        .unchanged()
        .run();
}

#[test]
fn the_same_member_named_twice_through_different_identifiers() {
    let r = based();
    let path = r.write(
        "twice.csv",
        "external_id,email,first_name\nE1,,Ann\n,ann@example.com,Annie\n",
    );
    let run = r
        .args(&["import", &path, "--output", "json"])
        .status(1)
        .stderr_line("error: 1 row has 1 error; nothing was changed.")
        .unchanged()
        .run();
    assert_eq!(
        run.report().errors,
        [row_error(
            3,
            "email",
            "ann@example.com",
            "Duplicate member in file: also on row 2"
        )]
    );
}

#[test]
fn no_match_creates_and_identifiers_stay_unique() {
    let r = based();
    let run = r
        .import_json("new.csv", "email,external_id\ndee@example.com,E4\n,E5\n")
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 2,
            created: 2,
            ..Summary::default()
        }
    );
    let created = &run.report().changes[1];
    assert_eq!(created.member, Ids::of(None, Some("E5"), None));
    // Importing again matches them both: nothing is created twice.
    let run = r
        .import_json("new.csv", "email,external_id\ndee@example.com,E4\n,E5\n")
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 2,
            unchanged: 2,
            ..Summary::default()
        }
    );
}

#[test]
fn external_ids_are_matched_exactly() {
    let r = Roster::new();
    // Case-sensitive IDs (Salesforce's, for one) that differ only in case are two members.
    let run = r
        .import_json("ids.csv", "external_id,first_name\nabc,Lower\nABC,Upper\n")
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 2,
            created: 2,
            ..Summary::default()
        }
    );
    assert_eq!(r.member("abc").first_name.as_deref(), Some("Lower"));
    assert_eq!(r.member("ABC").first_name.as_deref(), Some("Upper"));
    let run = r
        .import_json("ids.csv", "external_id,first_name\nabc,Lower\nABC,Upper\n")
        .run();
    assert_eq!(
        run.report().summary,
        Summary {
            rows: 2,
            unchanged: 2,
            ..Summary::default()
        }
    );
    // The same ID twice is still a duplicate.
    let path = r.write("dup.csv", "external_id\nabc\nabc\n");
    r.args(&["import", &path])
        .status(1)
        .stderr_line("  row 3, external_id 'abc': Duplicate member in file: also on row 2")
        .unchanged()
        .run();
}
