use super::*;
use crate::decode::Decoded;
use crate::parse::{InputFormat, ParseOptions, parse};

fn catalog() -> Catalog {
    Catalog {
        labels: ["vip".to_string(), "board".to_string()].into(),
        form_fields: ["profile.shirt".to_string()].into(),
    }
}

fn run(csv: &str) -> Validated {
    let decoded = Decoded::utf8(csv);
    let options = ParseOptions::new(InputFormat::Csv, "t.csv");
    let table = parse(&decoded, &options, &catalog()).expect("parses");
    validate(&table, &catalog())
}

/// The row errors as "row column value: message" lines.
fn errors(csv: &str) -> Vec<String> {
    run(csv)
        .errors
        .iter()
        .map(|e| {
            format!(
                "{} {} {}: {}",
                e.row.unwrap_or(0),
                e.column.as_deref().unwrap_or("-"),
                e.value.as_deref().unwrap_or("-"),
                e.message
            )
        })
        .collect()
}

#[test]
fn each_rule_gives_its_message() {
    let cases: &[(&str, &str)] = &[
        (
            "email\nnot-an-email\n",
            "2 email not-an-email: Invalid email format",
        ),
        (
            "email,phone\na@b.co,555\n",
            "2 phone 555: Invalid phone format",
        ),
        (
            "email,date_of_birth\na@b.co,2001-02-29\n",
            "2 date_of_birth 2001-02-29: Invalid date: expected YYYY-MM-DD",
        ),
        (
            "email,date_of_birth\na@b.co,01/02/2001\n",
            "2 date_of_birth 01/02/2001: Invalid date: expected YYYY-MM-DD",
        ),
        (
            "email,notify_sms\na@b.co,yes\n",
            "2 notify_sms yes: Invalid boolean: expected true, false, 1 or 0",
        ),
        (
            "email,labels\na@b.co,\"vip,gold\"\n",
            "2 labels vip,gold: Unknown label: gold",
        ),
        (
            "email,organization_role\na@b.co,boss\n",
            "2 organization_role boss: Invalid organization role: expected owner, admin or member",
        ),
        (
            "email,team,team_role\na@b.co,Sales,chief\n",
            "2 team_role chief: Invalid team role: expected owner, admin or member",
        ),
        (
            "email,team,team_role\na@b.co,Sales,\n",
            "2 team_role : Invalid team role: expected owner, admin or member",
        ),
        ("email,first_name\n,Ann\n", "2 - -: No identifier provided"),
        (
            "email,first_name\na@b.co,Ann,x\n",
            "2 - -: Row 2 has the wrong number of columns.",
        ),
    ];
    for (csv, want) in cases {
        assert_eq!(errors(csv), [want.to_string()], "{csv:?}");
    }
}

#[test]
fn lengths_count_characters_after_trimming() {
    let ok = format!("email,first_name\na@b.co,  {}  \n", "é".repeat(100));
    assert!(errors(&ok).is_empty());
    let long = format!("email,first_name\na@b.co,{}\n", "é".repeat(101));
    assert_eq!(
        run(&long).errors[0].message,
        "Row 2, column first_name: cell is too long."
    );
}

#[test]
fn every_error_is_collected() {
    let got = errors("email,phone\nbad,+1\n\nalso-bad,+15551234567\n");
    assert_eq!(
        got,
        [
            "2 email bad: Invalid email format",
            "2 phone +1: Invalid phone format",
            "4 email also-bad: Invalid email format",
        ]
    );
}

#[test]
fn duplicates_without_a_team_column_are_errors_on_each_row() {
    let got = errors("email,first_name\nann@x.co,Ann\nbob@x.co,Bob\nANN@x.co,Annie\n");
    assert_eq!(
        got,
        [
            "2 email ann@x.co: Duplicate member in file: also on row 4",
            "4 email ANN@x.co: Duplicate member in file: also on row 2",
        ]
    );
    let v = run("email,first_name\nann@x.co,Ann\nbob@x.co,Bob\nANN@x.co,Annie\n");
    assert_eq!(v.records.len(), 1);
    assert!(v.errored_ids.contains("ann@x.co"));
}

#[test]
fn team_rows_group_into_one_member() {
    let v = run("email,external_id,first_name,team,team_role\n\
         ann@x.co,E1,Ann,Sales,owner\n\
         ,E1,,Ops,member\n\
         bob@x.co,,Bob,,\n");
    assert!(v.errors.is_empty(), "{:?}", v.errors);
    assert_eq!(v.records.len(), 2);
    let ann = &v.records[0];
    assert_eq!(ann.get(Field::Email), Some("ann@x.co"));
    assert_eq!(
        ann.teams
            .iter()
            .map(|t| (&*t.team, t.role, t.row))
            .collect::<Vec<_>>(),
        [("Sales", Role::Owner, 2), ("Ops", Role::Member, 3)]
    );
    assert!(v.records[1].teams.is_empty());
}

#[test]
fn team_rows_must_agree() {
    let got = errors(
        "email,first_name,team,team_role\n\
         ann@x.co,Ann,Sales,owner\n\
         ann@x.co,Anna,Ops,member\n\
         ann@x.co,,Sales,admin\n",
    );
    assert_eq!(
        got,
        [
            "3 first_name Anna: Conflicting first_name for ann@x.co: 'Ann' on row 2, 'Anna' on row 3",
            "4 team_role admin: Conflicting team_role for ann@x.co: 'owner' on row 2, 'admin' on row 4",
        ]
    );
}

#[test]
fn values_are_canonical() {
    let v = run(
        "email,notify_email,organization_role,labels,form.profile.shirt\n\
         a@b.co,TRUE,Owner,\"vip, board\",'=M\n",
    );
    let r = &v.records[0];
    assert_eq!(r.get(Field::NotifyEmail), Some("true"));
    assert_eq!(r.get(Field::OrganizationRole), Some("owner"));
    assert_eq!(r.get(Field::Labels), Some("board,vip"));
    assert_eq!(
        r.forms.get("profile.shirt").cloned().flatten(),
        Some("=M".to_string())
    );
    assert!(v.present[Field::Labels.index()]);
    assert!(!v.present[Field::Phone.index()]);
}

// See: issue 17, defect 14.
#[test]
fn a_member_with_a_row_error_still_gets_its_conflicts() {
    let team = "T".repeat(51);
    let got = errors(&format!(
        "email,external_id,first_name,team,team_role\n\
         a@x.org,E1,Ann,{team},member\n\
         a@x.org,E2,Bob,Red,member\n"
    ));
    assert_eq!(
        got,
        [
            format!("2 team {team}: Row 2, column team: cell is too long."),
            "3 external_id E2: Conflicting external_id for a@x.org: 'E1' on row 2, 'E2' on row 3"
                .to_string(),
            "3 first_name Bob: Conflicting first_name for a@x.org: 'Ann' on row 2, 'Bob' on row 3"
                .to_string(),
        ]
    );
}

// See: issue 17, defect 14.
#[test]
fn the_other_rows_of_a_member_with_a_row_error_are_reported() {
    let v = run("email,first_name,team,team_role\n\
         a@x.org,Ann,Red,boss\n\
         a@x.org,Ann,Blue,member\n\
         b@x.org,Bob,Red,member\n");
    let got: Vec<String> = v
        .errors
        .iter()
        .map(|e| format!("{} {}", e.row.unwrap_or(0), e.message))
        .collect();
    assert_eq!(
        got,
        [
            "2 Invalid team role: expected owner, admin or member",
            "3 Not applied: row 2 of the same member has errors",
        ]
    );
    assert_eq!(v.records.len(), 1, "only b@x.org is applied");
    assert!(v.errored_ids.contains("a@x.org"));
}

#[test]
fn a_record_stays_small() {
    // A million-row file holds a million of them beside the store's members.
    assert!(
        std::mem::size_of::<Record>() <= 64,
        "{}",
        std::mem::size_of::<Record>()
    );
}

fn table(csv: &str) -> Table {
    let decoded = Decoded::utf8(csv);
    let options = ParseOptions::new(InputFormat::Csv, "t.csv");
    parse(&decoded, &options, &catalog()).expect("parses")
}

/// The validation of a table it consumes is the validation of the table, whatever it keeps.
fn assert_same(owned: &Validated, borrowed: &Validated) {
    assert_eq!(owned.records, borrowed.records);
    assert_eq!(owned.errors, borrowed.errors);
    assert_eq!(owned.errored_ids, borrowed.errored_ids);
    assert_eq!(
        (owned.rows, owned.present, owned.has_team),
        (borrowed.rows, borrowed.present, borrowed.has_team)
    );
}

fn rows_of(table: &Table) -> Vec<(u32, Vec<&str>)> {
    table
        .rows
        .iter()
        .map(|r| (r.row, r.cells().collect()))
        .collect()
}

#[test]
fn a_consumed_table_keeps_only_its_errored_rows_as_written() {
    let csv = "email,phone,labels\nann@x.co,,vip\n bob@ ,+1555,\ncy@x.co,,\n\n DEE@x.co ,,nope\n";
    let borrowed = validate(&table(csv), &catalog());
    let (owned, kept) = validate_owned(table(csv), &catalog(), &Tally::default());
    assert_same(&owned, &borrowed);
    assert!(!kept.whole);
    assert_eq!(
        rows_of(&kept.table),
        [
            (3, vec![" bob@ ", "+1555", ""]),
            (6, vec![" DEE@x.co ", "", "nope"])
        ]
    );
    assert_eq!(kept.table.header, ["email", "phone", "labels"]);
}

#[test]
fn a_table_whose_rows_share_a_member_is_kept_whole() {
    for csv in [
        "email,first_name\nann@x.co,Ann\nANN@x.co,Ann\n",
        "email,team,team_role\nann@x.co,Red,member\nann@x.co,Blue,admin\nbob@,Red,member\n",
    ] {
        let borrowed = validate(&table(csv), &catalog());
        let (owned, kept) = validate_owned(table(csv), &catalog(), &Tally::default());
        assert_same(&owned, &borrowed);
        assert!(kept.whole, "{csv}");
        assert_eq!(rows_of(&kept.table), rows_of(&table(csv)));
    }
}
