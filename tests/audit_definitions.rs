//! Changes to the definitions and settings in the audit log (issue 17: `--operator` on every
//! command that writes): `labels add|remove`, `forms add|remove` and `config set` are events
//! about no member, with their operator, that `roster log` shows and `store copy` keeps.

use crate::harness::{AuditEvent, OldNew, Roster};
use serde_json::Value;

/// The events oldest first, from the test's store or (`db`) another one.
fn log(r: &Roster, db: Option<&str>) -> Vec<AuditEvent> {
    let mut run = r.args(&["log", "--output", "json"]);
    if let Some(db) = db {
        run = run.db(db);
    }
    let mut events: Vec<AuditEvent> = run.run().decode();
    events.reverse();
    events
}

/// (operator, action, field, old, new) of each event.
fn summary(events: &[AuditEvent]) -> Vec<(String, String, String, OldNew)> {
    events
        .iter()
        .map(|e| {
            assert_eq!((e.import_id, e.label()), (None, None), "{e:?}");
            let fields = e.changes.fields();
            assert_eq!(fields.len(), 1, "{e:?}");
            let (field, change) = fields.iter().next().expect("a field");
            let who = (e.operator.clone(), e.action.clone(), field.clone());
            (who.0, who.1, who.2, change.clone())
        })
        .collect()
}

fn ev(
    op: &str,
    action: &str,
    field: &str,
    old: Value,
    new: Value,
) -> (String, String, String, OldNew) {
    (op.into(), action.into(), field.into(), OldNew::of(old, new))
}

/// Every writing command of the definitions and settings, each by its own operator.
fn changes(r: &Roster) {
    r.args(&["labels", "add", "vip", "--operator", "ana"]).run();
    r.args(&["forms", "add", "profile.shirt_size", "--operator", "ben"])
        .run();
    r.args(&["config", "set", "seat-limit", "250", "--operator", "cy"])
        .run();
    r.args(&["config", "set", "seat-limit", "300", "--operator", "dee"])
        .run();
    r.args(&["config", "set", "seat-limit", "none", "--operator", "eve"])
        .run();
    r.args(&["forms", "remove", "profile.shirt_size", "--operator", "fay"])
        .run();
    r.args(&["labels", "remove", "vip", "--operator", "gus"])
        .run();
}

#[test]
fn each_change_is_an_event_with_its_operator() {
    let r = Roster::new();
    changes(&r);
    let n = Value::Null;
    let s = |v: &str| Value::from(v);
    assert_eq!(
        summary(&log(&r, None)),
        [
            ev("ana", "add_label", "label", n.clone(), s("vip")),
            ev(
                "ben",
                "add_form_field",
                "form_field",
                n.clone(),
                s("profile.shirt_size")
            ),
            ev("cy", "set_config", "seat-limit", n.clone(), s("250")),
            ev("dee", "set_config", "seat-limit", s("250"), s("300")),
            ev("eve", "set_config", "seat-limit", s("300"), n.clone()),
            ev(
                "fay",
                "remove_form_field",
                "form_field",
                s("profile.shirt_size"),
                n.clone()
            ),
            ev("gus", "remove_label", "label", s("vip"), n),
        ]
    );
}

#[test]
fn without_operator_the_login_user_is_recorded() {
    let r = Roster::new();
    r.args(&["labels", "add", "vip"]).run();
    r.args(&["forms", "add", "p.f"]).run();
    r.args(&["config", "set", "max-rows", "100"]).run();
    let events = log(&r, None);
    let who: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e.operator.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        who,
        [
            ("tester", "add_label"),
            ("tester", "add_form_field"),
            ("tester", "set_config")
        ]
    );
}

#[test]
fn what_changes_nothing_records_nothing() {
    let r = Roster::new();
    r.args(&["labels", "add", "vip"]).run();
    r.args(&["config", "set", "seat-limit", "5"]).run();
    let before = log(&r, None);
    r.args(&["labels", "add", "vip", "--operator", "x"]).run();
    r.args(&["config", "set", "seat-limit", "5", "--operator", "x"])
        .run();
    r.args(&["config", "set", "max-rows", "none", "--operator", "x"])
        .run();
    r.args(&["labels", "remove", "gold", "--operator", "x"])
        .status(1)
        .run();
    assert_eq!(log(&r, None), before);
}

#[test]
fn the_table_shows_the_change_and_a_member_filter_skips_it() {
    let r = Roster::new();
    r.import_json("a.csv", "email\nann@x.co\n").run();
    r.args(&["labels", "add", "vip", "--operator", "ana"]).run();
    let table = r.args(&["log"]).env("COLUMNS", "200").run().stdout;
    let line = table
        .lines()
        .find(|l| l.contains("add_label"))
        .unwrap_or_else(|| panic!("no add_label line:\n{table}"));
    assert!(
        line.contains("ana") && line.contains("label: (blank) -> vip"),
        "{line}"
    );
    let ann = log_of(&r, "ann@x.co");
    assert_eq!(ann.len(), 1);
    assert_eq!(ann[0].action, "create");
}

fn log_of(r: &Roster, member: &str) -> Vec<AuditEvent> {
    r.args(&["log", "--member", member, "--output", "json"])
        .run()
        .decode()
}

#[test]
fn store_copy_keeps_the_events() {
    let r = Roster::new();
    r.import_json("a.csv", "email\nann@x.co\n").run();
    changes(&r);
    let copy = r.path("copy.db").display().to_string();
    r.args(&["store", "copy", "--to", &copy]).run();
    let original = log(&r, None);
    assert_eq!(original.len(), 8);
    assert_eq!(log(&r, Some(&copy)), original);
}
