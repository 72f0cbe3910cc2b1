//! The JSON document of `--output json` and the change objects of NDJSON and the audit log,
//! with exactly the contract's keys (SPEC §10).

use super::Outcome;
use crate::model::Field;
use crate::plan::{Action, Change, Key, TeamChanges};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
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
    serde_json::to_value(ChangeJson(change)).unwrap_or_default()
}

/// A change as the contract's JSON object, serialized directly (the audit log writes a million
/// of these on a large first import; building a `Value` for each first cost a tenth of it).
pub struct ChangeJson<'a, 'p>(pub &'a Change<'p>);

impl Serialize for ChangeJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let [email, external_id, phone] = c.ids();
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("action", action_name(c.action))?;
        m.serialize_entry("row", &c.row)?;
        m.serialize_entry(
            "member",
            &Ids {
                email,
                external_id,
                phone,
            },
        )?;
        m.serialize_entry("fields", &FieldsJson(c))?;
        m.serialize_entry("teams", &TeamsJson(&c.teams))?;
        m.end()
    }
}

#[derive(Serialize)]
struct Ids<'a> {
    email: Option<&'a str>,
    external_id: Option<&'a str>,
    phone: Option<&'a str>,
}

#[derive(Serialize)]
struct OldNew<T> {
    old: T,
    new: T,
}

struct FieldsJson<'a, 'p>(&'a Change<'p>);

impl Serialize for FieldsJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut m = s.serialize_map(None)?;
        let mut failed = None;
        c.each_field(|key, old, new| {
            if failed.is_none() {
                let value = OldNew {
                    old: TypedJson(key, old),
                    new: TypedJson(key, new),
                };
                failed = m.serialize_entry(&key.column(), &value).err();
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        if let Some(st) = c.status {
            let value = OldNew {
                old: st.old.map(|o| o.as_str()),
                new: Some(st.new.as_str()),
            };
            m.serialize_entry("status", &value)?;
        }
        m.end()
    }
}

struct TypedJson<'a>(&'a Key, Option<&'a str>);

impl Serialize for TypedJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.0, self.1) {
            (_, None) => s.serialize_none(),
            (Key::Field(f), Some(v)) if f.is_bool() => s.serialize_bool(v == "true"),
            (Key::Field(Field::Labels), Some(v)) => s.collect_seq(crate::columns::split_labels(v)),
            (_, Some(v)) => s.serialize_str(v),
        }
    }
}

struct TeamsJson<'a>(&'a TeamChanges);

fn team_roles(list: &[(String, crate::model::Role)]) -> Vec<TeamRole<'_>> {
    list.iter()
        .map(|(team, role)| TeamRole {
            team,
            team_role: role.as_str(),
        })
        .collect()
}

#[derive(Serialize)]
struct TeamRole<'a> {
    team: &'a str,
    team_role: &'a str,
}

#[derive(Serialize)]
struct TeamRoleChange<'a> {
    team: &'a str,
    old: &'a str,
    new: &'a str,
}

impl Serialize for TeamsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let t = self.0;
        let changed: Vec<TeamRoleChange> = t
            .changed
            .iter()
            .map(|(team, old, new)| TeamRoleChange {
                team,
                old: old.as_str(),
                new: new.as_str(),
            })
            .collect();
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("added", &team_roles(&t.added))?;
        m.serialize_entry("removed", &team_roles(&t.removed))?;
        m.serialize_entry("changed", &changed)?;
        m.end()
    }
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
