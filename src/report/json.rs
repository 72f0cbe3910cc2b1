//! The JSON document of `--output json` and the change objects of NDJSON and the audit log,
//! with exactly the contract's keys (SPEC §10).

use super::Outcome;
use crate::model::Field;
use crate::plan::{Action, Change, Key};
use serde_json::{Map, Value, json};

pub const FORMAT_VERSION: &str = "1";

pub fn document(outcome: &Outcome) -> Value {
    let mut doc = head(outcome);
    let changes: Vec<Value> = outcome
        .plan
        .map(|p| p.changes.iter().map(change_value).collect())
        .unwrap_or_default();
    doc.insert("changes".into(), Value::Array(changes));
    doc.insert("errors".into(), json!(outcome.errors));
    doc.insert("warnings".into(), json!(outcome.warnings));
    Value::Object(doc)
}

/// Every top-level key except `changes`, `errors` and `warnings`.
pub fn head(outcome: &Outcome) -> Map<String, Value> {
    let mut doc = Map::new();
    doc.insert("format_version".into(), json!(FORMAT_VERSION));
    doc.insert("import_id".into(), json!(outcome.import_id));
    doc.insert("plan_id".into(), json!(outcome.plan_id));
    doc.insert("dry_run".into(), json!(outcome.dry_run));
    doc.insert("status".into(), json!(outcome.status));
    doc.insert("mode".into(), json!(outcome.mode()));
    doc.insert(
        "file".into(),
        json!({
            "name": outcome.file.name,
            "sha256": outcome.file.sha256,
            "bytes": outcome.file.bytes,
            "encoding": outcome.file.encoding,
        }),
    );
    doc.insert("summary".into(), json!(outcome.summary));
    doc
}

pub fn action_name(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Reactivate => "reactivate",
        Action::Deactivate => "deactivate",
    }
}

/// `{"action", "row", "member", "fields", "teams"}`.
pub fn change_value(change: &Change) -> Value {
    let [email, external_id, phone] = change.ids();
    let mut fields = Map::new();
    change.each_field(|key, old, new| {
        fields.insert(
            key.column(),
            json!({"old": typed(key, old), "new": typed(key, new)}),
        );
    });
    if let Some(s) = change.status {
        fields.insert(
            "status".into(),
            json!({"old": s.old.map(|o| o.as_str()), "new": s.new.as_str()}),
        );
    }
    let t = &change.teams;
    json!({
        "action": action_name(change.action),
        "row": change.row,
        "member": {"email": email, "external_id": external_id, "phone": phone},
        "fields": fields,
        "teams": {
            "added": t.added.iter().map(|(team, role)| json!({"team": team, "team_role": role.as_str()})).collect::<Vec<_>>(),
            "removed": t.removed.iter().map(|(team, role)| json!({"team": team, "team_role": role.as_str()})).collect::<Vec<_>>(),
            "changed": t.changed.iter().map(|(team, old, new)| json!({"team": team, "old": old.as_str(), "new": new.as_str()})).collect::<Vec<_>>(),
        },
    })
}

/// Booleans as JSON booleans, labels as arrays, everything else as strings.
pub fn typed(key: &Key, value: Option<&str>) -> Value {
    let Some(v) = value else { return Value::Null };
    match key {
        Key::Field(f) if f.is_bool() => json!(v == "true"),
        Key::Field(Field::Labels) => json!(crate::columns::split_labels(v).collect::<Vec<_>>()),
        _ => json!(v),
    }
}
