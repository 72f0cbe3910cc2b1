//! SQLite's generation check (ARCHITECTURE.md, "A plan is applied only if the store did not
//! change since its snapshot"): a plan made before another handle wrote to the store is refused
//! and applies nothing, whichever writer it was; with no write in between it applies.

use crate::support::{original, plan_for, roster_csv, test_meta};
use roster::error::StoreError;
use roster::model::Status;
use roster::plan::Mode;
use roster::store::{Location, StateChange, Store};

fn members(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    store
        .each_member(&Status::ALL, &mut |m, _| {
            out.push(format!("{} {}", m.label(), m.status));
            Ok(())
        })
        .unwrap();
    out
}

/// A write through a second handle of the store.
type Write = dyn Fn(&mut Store);

/// Plans day 1 of a roster over a store holding day 0, lets `write` change the store through
/// a second handle, then applies the plan: the error, if any, and whether the members moved.
fn apply_after(write: &Write) -> (Option<StoreError>, bool) {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("roster.db"));
    let mut store = roster::store::open(&location).unwrap();
    let day0 = roster_csv(6, 0);
    let first = store.snapshot().unwrap();
    let id = store
        .record_import(&test_meta("additive"), original(&day0))
        .unwrap();
    let plan = plan_for(&first, &day0, &Mode::default());
    let summary = serde_json::json!({});
    store
        .apply(id, &plan, &first, &summary, "test", &mut |_| {}, &|| {})
        .unwrap();
    let snapshot = store.snapshot().unwrap();
    let day1 = roster_csv(6, 1);
    let plan = plan_for(&snapshot, &day1, &Mode::default());
    assert!(!plan.changes.is_empty(), "day 1 changes something");
    let mut other = roster::store::open(&location).unwrap();
    write(&mut other);
    let before = members(&store);
    let id = store
        .record_import(&test_meta("additive"), original(&day1))
        .unwrap();
    let error = store
        .apply(id, &plan, &snapshot, &summary, "test", &mut |_| {}, &|| {})
        .err();
    (error, members(&store) != before)
}

#[test]
fn with_no_write_in_between_the_plan_applies() {
    let (error, moved) = apply_after(&|_| {});
    assert!(error.is_none(), "{error:?}");
    assert!(moved, "the plan changed the members");
}

#[test]
fn a_write_by_another_handle_after_the_snapshot_refuses_the_plan() {
    let writers: [(&str, &Write); 5] = [
        ("a setting", &|s| {
            s.set_setting("seat-limit", Some("100"), "test").unwrap()
        }),
        ("a label", &|s| assert!(s.add_label("vip", "test").unwrap())),
        ("a form field", &|s| {
            assert!(s.add_form_field("profile.shirt", "test").unwrap())
        }),
        ("a ban", &|s| {
            let first = s.snapshot().unwrap().members[0].id;
            let ban = StateChange {
                member_id: first,
                status: Status::Banned,
                prior: None,
                protected: false,
                action: "ban",
            };
            s.set_member_states(&[ban], "test").unwrap()
        }),
        ("another import", &|s| {
            let snapshot = s.snapshot().unwrap();
            let text = "email,first_name\nsomeone.else@example.com,Else\n";
            let plan = plan_for(&snapshot, text, &Mode::default());
            let id = s
                .record_import(&test_meta("additive"), original(text))
                .unwrap();
            s.apply(
                id,
                &plan,
                &snapshot,
                &serde_json::json!({}),
                "test",
                &mut |_| {},
                &|| {},
            )
            .unwrap()
        }),
    ];
    for (writer, write) in writers {
        let (error, moved) = apply_after(write);
        assert!(
            matches!(error, Some(StoreError::Changed)),
            "{writer}: {error:?}"
        );
        assert!(!moved, "{writer}: nothing applied");
    }
}
