use super::*;
use crate::model::Values;
use crate::snapshot::Team;
use serde_json::json;

fn member(id: i64, email: &str, title: &str, status: Status) -> Member {
    let values = Values::of(&[
        (Field::Email, email),
        (Field::JobTitle, title),
        (Field::OrganizationRole, "member"),
    ]);
    Member::new(id, values, status)
}

fn event(id: i64, member_id: i64, action: &str, changes: Value) -> Event {
    Event {
        id,
        import_id: Some(7),
        member_id: Some(member_id),
        member: Some(format!("m{member_id}@x.co")),
        action: action.into(),
        changes,
        at: "2026-12-06T10:00:00Z".into(),
        operator: "ops".into(),
    }
}

fn snapshot() -> Snapshot {
    let members = vec![
        member(1, "m1@x.co", "New", Status::Active),
        member(2, "m2@x.co", "Same", Status::Inactive),
        member(3, "m3@x.co", "Made", Status::Provisioned),
    ];
    let teams = vec![Team {
        id: 1,
        name: "Ops".into(),
    }];
    let memberships = vec![vec![(0, Role::Admin)], vec![], vec![(0, Role::Member)]];
    Snapshot::new(
        members,
        teams,
        memberships,
        Default::default(),
        Default::default(),
        1,
    )
}

fn reverted_events() -> Vec<Event> {
    vec![
        event(
            10,
            1,
            "update",
            json!({"fields": {"job_title": {"old": "Old", "new": "New"}, "notify_sms": {"old": null, "new": true}},
                   "teams": {"added": [], "removed": [{"team": "Gone", "team_role": "owner"}],
                             "changed": [{"team": "Ops", "old": "member", "new": "admin"}]}}),
        ),
        event(
            11,
            2,
            "deactivate",
            json!({"fields": {"status": {"old": "ACTIVE", "new": "INACTIVE"}}, "teams": {"added": [], "removed": [], "changed": []}}),
        ),
        event(
            12,
            3,
            "create",
            json!({"fields": {"email": {"old": null, "new": "m3@x.co"}, "status": {"old": null, "new": "PROVISIONED"}},
                   "teams": {"added": [{"team": "Ops", "team_role": "member"}], "removed": [], "changed": []}}),
        ),
    ]
}

#[test]
fn each_change_is_undone() {
    let s = snapshot();
    let r = plan(&reverted_events(), &[], &s);
    assert!(r.conflicts.is_empty());
    let [update, reactivate, deactivate] = &r.plan.changes[..] else {
        panic!("{:?}", r.plan.changes)
    };
    assert_eq!(update.action, Action::Update);
    assert_eq!(
        update.fields(),
        vec![FieldChange {
            key: Key::Field(Field::JobTitle),
            old: Some("New".into()),
            new: Some("Old".into())
        }]
    );
    assert_eq!(
        update.teams_added().collect::<Vec<_>>(),
        [("Gone", Role::Owner)]
    );
    assert_eq!(
        update.teams_changed().collect::<Vec<_>>(),
        [("Ops", Role::Admin, Role::Member)]
    );
    assert_eq!(reactivate.action, Action::Reactivate);
    assert_eq!(reactivate.status.unwrap().new, Status::Active);
    assert_eq!(deactivate.action, Action::Deactivate);
    assert_eq!(
        deactivate.teams_removed().collect::<Vec<_>>(),
        [("Ops", Role::Member)]
    );
    // "Gone" was deleted by the import: the revert recreates it.
    assert_eq!(r.plan.teams_created, vec!["Gone".to_string()]);
    assert!(r.plan.teams_deleted.is_empty());
    let sum = &r.plan.summary;
    assert_eq!((sum.updated, sum.reactivated, sum.deactivated), (1, 1, 1));
    assert_eq!((sum.memberships_added, sum.memberships_removed), (1, 1));
}

#[test]
fn a_member_changed_later_is_a_conflict_and_left_alone() {
    let s = snapshot();
    let mut later = event(20, 1, "ban", json!({"fields": {}}));
    later.import_id = None;
    let r = plan(&reverted_events(), &[later], &s);
    assert_eq!(r.conflicts.len(), 1);
    assert_eq!(r.conflicts[0].member.as_deref(), Some("m1@x.co"));
    assert_eq!(
        r.conflicts[0].describe(),
        "m1@x.co: ban by an administrative command (ops) at 2026-12-06T10:00:00Z"
    );
    assert!(r.plan.changes.iter().all(|c| c.member != Some(0)));
    assert_eq!(r.plan.changes.len(), 2);
}

#[test]
fn a_team_the_revert_empties_is_deleted() {
    let s = snapshot();
    // Member 3 alone in "Ops" after member 1's membership goes too.
    let events = vec![
        event(
            12,
            3,
            "create",
            json!({"fields": {}, "teams": {"added": [{"team": "Ops", "team_role": "member"}], "removed": [], "changed": []}}),
        ),
        event(
            13,
            1,
            "update",
            json!({"fields": {}, "teams": {"added": [{"team": "Ops", "team_role": "admin"}], "removed": [], "changed": []}}),
        ),
    ];
    let r = plan(&events, &[], &s);
    assert_eq!(r.plan.teams_deleted, vec!["Ops".to_string()]);
}
