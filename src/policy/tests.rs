use super::*;
use crate::model::{Field, Member, Values};
use crate::plan::{Change, Key, StatusChange, TeamChanges};
use crate::snapshot::Team;

fn member(id: i64, role: &str, status: Status) -> Member {
    let email = format!("m{id}@x.co");
    let values = Values::of(&[(Field::Email, &email), (Field::OrganizationRole, role)]);
    Member::new(id, values, status)
}

fn snapshot(n: usize) -> Snapshot {
    let mut members = vec![member(0, "owner", Status::Active)];
    members.extend((1..n).map(|i| member(i as i64, "member", Status::Active)));
    let memberships = (0..n)
        .map(|i| vec![(0, if i == 0 { Role::Owner } else { Role::Member })])
        .collect();
    let teams = vec![Team {
        id: 1,
        name: "Ops".into(),
    }];
    Snapshot::new(
        members,
        teams,
        memberships,
        Default::default(),
        Default::default(),
        0,
    )
}

fn change(
    member: Option<usize>,
    action: Action,
    status: Option<(Status, Status)>,
) -> Change<'static> {
    Change {
        action,
        row: None,
        member,
        ids: None,
        created: None,
        fields: vec![],
        status: status.map(|(old, new)| StatusChange {
            old: Some(old),
            new,
        }),
        teams: TeamChanges::default(),
    }
}

fn deactivating(k: usize) -> Plan<'static> {
    Plan {
        changes: (1..=k)
            .map(|i| {
                change(
                    Some(i),
                    Action::Deactivate,
                    Some((Status::Active, Status::Inactive)),
                )
            })
            .collect(),
        ..Plan::default()
    }
}

fn check_with(plan: &Plan, s: &Snapshot, policy: Policy) -> Vec<String> {
    match check(plan, s, &policy) {
        Ok(()) => vec![],
        Err(rules) => rules.iter().map(|r| r.to_string()).collect(),
    }
}

#[test]
fn deactivation_limit_default_is_a_quarter_never_below_ten() {
    let s = snapshot(100);
    assert!(check_with(&deactivating(25), &s, Policy::default()).is_empty());
    assert_eq!(
        check_with(&deactivating(26), &s, Policy::default()),
        [
            "This import would deactivate 26 of 100 members (26%), above the limit of 25% (25 members). Review it with roster diff, then re-run with --max-deactivations 26 to allow it."
        ]
    );
    let small = snapshot(20);
    assert!(check_with(&deactivating(10), &small, Policy::default()).is_empty());
    let refused = check_with(&deactivating(11), &small, Policy::default());
    assert!(refused[0].contains("above the limit of 10."), "{refused:?}");
}

#[test]
fn deactivation_limit_by_count_and_percent() {
    let s = snapshot(100);
    let count = |n| Policy {
        max_deactivations: Some(Limit::Count(n)),
        ..Policy::default()
    };
    assert!(check_with(&deactivating(5), &s, count(5)).is_empty());
    assert_eq!(check_with(&deactivating(6), &s, count(5)).len(), 1);
    let pct = Policy {
        max_deactivations: Some(Limit::Percent(50)),
        ..Policy::default()
    };
    assert!(check_with(&deactivating(50), &s, pct.clone()).is_empty());
    let refused = check_with(&deactivating(51), &s, pct);
    assert!(
        refused[0].contains("above the limit of 50% (50 members)."),
        "{refused:?}"
    );
    assert_eq!("10%".parse::<Limit>(), Ok(Limit::Percent(10)));
    assert_eq!("7".parse::<Limit>(), Ok(Limit::Count(7)));
    assert!("x%".parse::<Limit>().is_err());
}

#[test]
fn seats_refuse_only_growth_over_the_limit() {
    let s = snapshot(3);
    let invite_one = Plan {
        changes: vec![Change {
            status: Some(StatusChange {
                old: None,
                new: Status::Invited,
            }),
            ..change(None, Action::Create, None)
        }],
        ..Plan::default()
    };
    let limit = |n| Policy {
        seat_limit: Some(n),
        ..Policy::default()
    };
    assert!(check_with(&invite_one, &s, limit(4)).is_empty());
    assert_eq!(
        check_with(&invite_one, &s, limit(3)),
        [
            "Your plan allows 3 seats, but this import would use 4. Remove new-member rows from the file or raise the seat limit."
        ]
    );
    assert!(
        check_with(&Plan::default(), &s, limit(1)).is_empty(),
        "no growth, no refusal"
    );
}

#[test]
fn owners_are_kept_and_every_broken_rule_is_named() {
    let s = snapshot(3);
    let demote = Plan {
        changes: vec![Change {
            fields: vec![crate::plan::FieldChange {
                key: Key::Field(Field::OrganizationRole),
                old: Some("owner".into()),
                new: Some("member".into()),
            }],
            teams: TeamChanges {
                changed: vec![("Ops".into(), Role::Owner, Role::Member)],
                ..TeamChanges::default()
            },
            ..change(Some(0), Action::Update, None)
        }],
        ..Plan::default()
    };
    assert_eq!(
        check_with(&demote, &s, Policy::default()),
        [
            "This import would leave the organization with no owner. Promote another member to owner before re-uploading.",
            "This import would leave team Ops with no owner. Promote another member to team owner before re-uploading.",
        ]
    );
    let deleted_team = Plan {
        teams_deleted: vec!["Ops".into()],
        ..demote.clone()
    };
    assert_eq!(check_with(&deleted_team, &s, Policy::default()).len(), 1);
}
