use super::*;
use crate::model::{Field, Member, Values};
use crate::plan::{Change, Edit, FieldChange, Key, NewMember, StatusChange, TeamChanges};
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

fn change(member: usize, action: Action, status: Option<(Status, Status)>) -> Change<'static> {
    let status = status.map(|(old, new)| StatusChange {
        old: Some(old),
        new,
    });
    Change::existing(action, None, member, status, Edit::default())
}

/// A created member of no particular record.
fn new_member() -> NewMember<'static> {
    NewMember {
        record: Box::leak(Box::default()),
        role: Role::Member,
    }
}

fn deactivating(k: usize) -> Plan<'static> {
    Plan {
        changes: (1..=k)
            .map(|i| {
                change(
                    i,
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
        changes: vec![Change::create(None, new_member(), Status::Invited)],
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
        changes: vec![Change::existing(
            Action::Update,
            None,
            0,
            None,
            Edit {
                fields: vec![FieldChange {
                    key: Key::Field(Field::OrganizationRole),
                    old: Some("owner".into()),
                    new: Some("member".into()),
                }],
                teams: TeamChanges {
                    changed: vec![("Ops".into(), Role::Owner, Role::Member)],
                    ..TeamChanges::default()
                },
                ..Edit::default()
            },
        )],
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

#[test]
fn shrink_refuses_a_file_that_lost_more_than_the_limit() {
    let s = snapshot(3);
    let naming = |n| Plan {
        summary: crate::plan::Summary {
            unchanged: n,
            ..Default::default()
        },
        ..Plan::default()
    };
    let previous = Previous {
        import_id: 7,
        members: 1000,
    };
    let limit = |p| Policy {
        shrink: Some((p, previous)),
        ..Policy::default()
    };
    // 10% fewer is allowed by 10%, refused by 9%, with the shrink rounded up in the message.
    assert!(check_with(&naming(900), &s, limit(10)).is_empty());
    let broken = check(&naming(900), &s, &limit(9)).unwrap_err();
    assert_eq!(
        broken,
        vec![Rule::Shrink {
            now: 900,
            before: 1000,
            import: 7,
            p: 10,
            limit: 9
        }]
    );
    assert_eq!(
        broken[0].to_string(),
        "This full sync's file holds 900 members, 10% fewer than the 1000 of import 7, the last full sync from the same source, above the limit of 9%. Review it with roster diff, then re-run with --max-shrink 10% to allow it."
    );
    let lost_a_bit_more = check(&naming(899), &s, &limit(10)).unwrap_err();
    assert!(matches!(lost_a_bit_more[..], [Rule::Shrink { p: 11, .. }]));
    // A file that grew, or a first full sync, is never refused.
    assert!(check_with(&naming(1200), &s, limit(0)).is_empty());
    assert!(check_with(&naming(0), &s, Policy::default()).is_empty());
}

#[test]
fn scim_deactivations_count_the_last_hour_with_the_default_share() {
    let s = snapshot(100);
    // Default: 25% of 100 live members.
    assert_eq!(scim_deactivations(&deactivating(1), &s, 24, None), None);
    assert_eq!(
        scim_deactivations(&deactivating(1), &s, 25, None).as_deref(),
        Some("25% (25 members)")
    );
    assert_eq!(
        scim_deactivations(&deactivating(1), &s, 2, Some(Limit::Count(2))).as_deref(),
        Some("2")
    );
    // A plan that deactivates nobody is never refused.
    assert_eq!(scim_deactivations(&deactivating(0), &s, 99, None), None);
    // Never less than 10.
    assert_eq!(
        scim_deactivations(&deactivating(1), &snapshot(8), 9, None),
        None
    );
}
