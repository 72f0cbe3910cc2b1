//! The wire form of a change (SPEC §10): `{"action", "row", "member", "fields", "teams"}`, with
//! exactly the contract's keys. One form for every reader: the JSON and NDJSON reports, the
//! audit log the store writes, and the plan id.

use super::{Action, Change, Key};
use crate::model::Field;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Value, json};

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
        m.serialize_entry("teams", &TeamsJson(c))?;
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

/// A change's `teams`: added, removed and changed.
struct TeamsJson<'a, 'p>(&'a Change<'p>);

fn team_roles<'a>(list: impl Iterator<Item = (&'a str, crate::model::Role)>) -> Vec<TeamRole<'a>> {
    list.map(|(team, role)| TeamRole {
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

impl Serialize for TeamsJson<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let changed: Vec<TeamRoleChange> = c
            .teams_changed()
            .map(|(team, old, new)| TeamRoleChange {
                team,
                old: old.as_str(),
                new: new.as_str(),
            })
            .collect();
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("added", &team_roles(c.teams_added()))?;
        m.serialize_entry("removed", &team_roles(c.teams_removed()))?;
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
