use super::*;
use crate::columns::Catalog;
use crate::decode::Decoded;
use crate::model::Values;
use crate::parse::{InputFormat, ParseOptions, parse};
use crate::snapshot::Team;

fn member(id: i64, email: &str, first: &str, status: Status) -> Member {
    let values = Values::of(&[
        (Field::Email, email),
        (Field::FirstName, first),
        (Field::OrganizationRole, "member"),
    ]);
    Member::new(id, values, status)
}

fn snapshot(members: Vec<Member>, memberships: Vec<Vec<(usize, Role)>>) -> Snapshot {
    let teams = vec![
        Team {
            id: 1,
            name: "Ops".into(),
        },
        Team {
            id: 2,
            name: "Sales".into(),
        },
    ];
    Snapshot::new(
        members,
        teams,
        memberships,
        Catalog::default(),
        Default::default(),
        7,
    )
}

fn plan_of(snapshot: &Snapshot, csv: &str, mode: &Mode) -> Plan<'static> {
    let decoded = Decoded::utf8(csv);
    let options = ParseOptions::new(InputFormat::Csv, "t.csv");
    let table = parse(&decoded, &options, &snapshot.catalog).unwrap();
    let validated = crate::validate::validate(&table, &snapshot.catalog);
    // Leaked so that the plan, which borrows the records, can outlive this helper.
    let resolved = Box::leak(Box::new(crate::resolve::resolve(validated, snapshot)));
    plan(resolved, snapshot, mode)
}

fn full_sync() -> Mode {
    Mode {
        full_sync: true,
        ..Mode::default()
    }
}

#[test]
fn only_real_differences_count() {
    let s = snapshot(vec![member(1, "Ann@x.co", "Ann", Status::Active)], vec![]);
    let p = plan_of(&s, "email,first_name\nann@X.co,Ann\n", &Mode::default());
    assert!(!p.has_changes());
    assert_eq!(p.summary.unchanged, 1);
    let p = plan_of(
        &s,
        "email,first_name,last_name\nann@x.co,,Lee\n",
        &Mode::default(),
    );
    assert_eq!(p.summary.updated, 1);
    assert_eq!(
        p.changes[0].fields(),
        [FieldChange {
            key: Key::Field(Field::LastName),
            old: None,
            new: Some("Lee".into())
        }],
        "a blank first_name does not clear it"
    );
}

#[test]
fn clear_blanks_clears_optional_fields_only() {
    let s = snapshot(vec![member(1, "ann@x.co", "Ann", Status::Active)], vec![]);
    let mode = Mode {
        clear_blanks: true,
        ..Mode::default()
    };
    let p = plan_of(&s, "email,first_name,phone\nann@x.co,,\n", &mode);
    assert_eq!(p.changes[0].fields().len(), 1);
    assert_eq!(p.changes[0].fields()[0].key, Key::Field(Field::FirstName));
    assert_eq!(p.changes[0].fields()[0].new, None);
}

#[test]
fn new_members_get_status_and_role() {
    let s = snapshot(vec![], vec![]);
    let invite = Mode {
        invite: true,
        default_role: Role::Admin,
        ..Mode::default()
    };
    let p = plan_of(&s, "email,phone\nann@x.co,\n,+15551234567\n", &invite);
    let statuses: Vec<Status> = p.changes.iter().map(|c| c.status.unwrap().new).collect();
    assert_eq!(statuses, [Status::Invited, Status::Provisioned]);
    let created = p.changes[0].created.as_ref().expect("a create");
    assert_eq!(created.get(Field::OrganizationRole), Some("admin"));
    assert_eq!(p.changes[1].ids(), [None, None, Some("+15551234567")]);
}

#[test]
fn full_sync_deactivates_and_reactivates() {
    let mut gone = member(2, "bob@x.co", "Bob", Status::Inactive);
    gone.prior_status = Some(Status::Invited);
    let mut protected = member(4, "pat@x.co", "Pat", Status::Active);
    protected.protected = true;
    let s = snapshot(
        vec![
            member(1, "ann@x.co", "Ann", Status::Active),
            gone,
            member(3, "cy@x.co", "Cy", Status::Banned),
            protected,
            member(5, "dee@x.co", "Dee", Status::Provisioned),
        ],
        vec![],
    );
    let p = plan_of(&s, "email\nbob@x.co\ncy@x.co\n", &full_sync());
    let s_ = &p.summary;
    assert_eq!(
        (
            s_.reactivated,
            s_.deactivated,
            s_.banned_skipped,
            s_.unchanged
        ),
        (1, 2, 1, 0)
    );
    let reactivated = &p.changes[0];
    assert_eq!(reactivated.action, Action::Reactivate);
    assert_eq!(reactivated.status.unwrap().new, Status::Invited);
    let deactivated: Vec<&str> = p.changes[1..].iter().map(|c| c.ids()[0].unwrap()).collect();
    assert_eq!(deactivated, ["ann@x.co", "dee@x.co"]);
}

#[test]
fn protected_members_are_skipped_when_a_row_would_change_them() {
    let mut m = member(1, "ann@x.co", "Ann", Status::Active);
    m.protected = true;
    let s = snapshot(vec![m], vec![]);
    let p = plan_of(&s, "email,first_name\nann@x.co,Anna\n", &Mode::default());
    assert_eq!((p.summary.protected_skipped, p.changes.len()), (1, 0));
    let p = plan_of(&s, "email,first_name\nann@x.co,Ann\n", &Mode::default());
    assert_eq!(p.summary.unchanged, 1);
}

#[test]
fn team_file_full_sync_replaces_memberships_and_deletes_empty_teams() {
    let s = snapshot(
        vec![member(1, "ann@x.co", "Ann", Status::Active)],
        vec![vec![(0, Role::Owner)]],
    );
    let csv = "email,team,team_role\nann@x.co,Sales,owner\nann@x.co,R&D,member\n";
    let additive = plan_of(&s, csv, &Mode::default());
    assert_eq!(additive.changes[0].teams_removed().count(), 0);
    assert_eq!(additive.teams_created, ["R&D"]);
    let replace = plan_of(&s, csv, &full_sync());
    let c = &replace.changes[0];
    assert_eq!(
        c.teams_added().collect::<Vec<_>>(),
        [("Sales", Role::Owner), ("R&D", Role::Member)]
    );
    assert_eq!(
        c.teams_removed().collect::<Vec<_>>(),
        [("Ops", Role::Owner)]
    );
    assert_eq!(replace.teams_deleted, ["Ops"]);
    assert_eq!(
        replace.summary.updated, 1,
        "a membership-only change is an update"
    );
    assert_eq!(
        (
            replace.summary.memberships_added,
            replace.summary.memberships_removed
        ),
        (2, 1)
    );
}

#[test]
fn plan_id_depends_on_plan_and_generation() {
    let s = snapshot(vec![member(1, "ann@x.co", "Ann", Status::Active)], vec![]);
    let a = plan_of(&s, "email,first_name\nann@x.co,Anna\n", &Mode::default());
    let b = plan_of(&s, "email,first_name\nann@x.co,Annie\n", &Mode::default());
    assert_eq!(a.id(7), a.clone().id(7));
    assert_ne!(a.id(7), b.id(7));
    assert_ne!(a.id(7), a.id(8));
}

#[test]
fn a_change_stays_small() {
    // A first import of a million members holds a million of them.
    assert!(
        std::mem::size_of::<Change>() <= 56,
        "{}",
        std::mem::size_of::<Change>()
    );
}
