//! The inverse of an import (SPEC §16), planned from its audit events and the store's snapshot:
//! a pure function, no store. Members it created are deactivated (never deleted), fields it
//! updated get their old values, members it deactivated get the status they had, members it
//! reactivated are deactivated again, memberships and team roles it added, removed or changed
//! are restored; teams it emptied are recreated and teams it filled and the revert empties are
//! deleted. A member changed after the import (by a later import or an administrative
//! command) is a conflict: listed, and left as it is.

mod event;

pub use event::{Conflict, Event};

use crate::model::{Field, Member, Role, Status};
use crate::plan::{
    Action, Change, Edit, FieldChange, Key, Plan, StatusChange, TeamChanges, ids_of,
};
use crate::snapshot::Snapshot;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The revert's plan, and the members left out of it because they changed later.
#[derive(Debug, Default)]
pub struct Reverted {
    pub plan: Plan<'static>,
    pub conflicts: Vec<Conflict>,
}

/// Plans the inverse of the import whose events are `events` (in order), given every event
/// recorded after them (`later`) and the store as it is now.
pub fn plan(events: &[Event], later: &[Event], snapshot: &Snapshot) -> Reverted {
    let mut out = Reverted::default();
    let mut first_later: HashMap<i64, &Event> = HashMap::new();
    for e in later {
        if let Some(id) = e.member_id {
            first_later.entry(id).or_insert(e);
        }
    }
    let mut conflicted: HashSet<i64> = HashSet::new();
    let index: HashMap<i64, usize> = snapshot
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i))
        .collect();
    for e in events {
        let (Some(member_id), Some(&i)) = (e.member_id, e.member_id.and_then(|id| index.get(&id)))
        else {
            continue;
        };
        if let Some(later) = first_later.get(&member_id) {
            if conflicted.insert(member_id) {
                out.conflicts.push(Conflict::of(e, later));
            }
            continue;
        }
        if let Some(change) = inverse(e, i, &snapshot.members[i]) {
            out.plan.changes.push(change);
        }
    }
    teams(&mut out.plan, snapshot);
    count(&mut out.plan);
    out
}

/// The change that undoes one event of member `i`.
fn inverse(e: &Event, i: usize, member: &Member) -> Option<Change<'static>> {
    let fields = e.changes.get("fields");
    let status_was = fields
        .and_then(|f| f.get("status"))
        .and_then(|s| s.get("old"))
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Status>().ok());
    let status = match e.action.as_str() {
        "create" | "reactivate" => Some(Status::Inactive),
        "deactivate" => Some(status_was.unwrap_or(Status::Provisioned)),
        _ => None,
    }
    .filter(|&s| s != member.status)
    .map(|new| StatusChange {
        old: Some(member.status),
        new,
    });
    let field_changes = match e.action.as_str() {
        // A created member keeps its values: it is deactivated, never deleted.
        "create" => Vec::new(),
        _ => undo_fields(fields, member),
    };
    let teams = undo_teams(e.changes.get("teams"));
    if status.is_none() && field_changes.is_empty() && teams.is_empty() {
        return None;
    }
    let action = match status {
        Some(s) if s.new == Status::Inactive => Action::Deactivate,
        Some(_) => Action::Reactivate,
        None => Action::Update,
    };
    let mut after = member.values.clone();
    for c in &field_changes {
        if let Key::Field(f) = c.key {
            after.set(f, c.new.as_deref());
        }
    }
    let edit = Edit {
        ids: ids_of(&after),
        fields: field_changes,
        teams,
    };
    Some(Change::existing(action, None, i, status, edit))
}

/// Each field the event changed, back from its current value to the event's old one.
fn undo_fields(fields: Option<&Value>, member: &Member) -> Vec<FieldChange> {
    let Some(Value::Object(fields)) = fields else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (column, old_new) in fields {
        if column == "status" {
            continue;
        }
        let Some(key) = key_of(column) else { continue };
        let old = stored(old_new.get("old"));
        let now = match &key {
            Key::Field(f) => member.get(*f).map(str::to_string),
            Key::Form(k) => member.forms.get(k).cloned(),
        };
        if now != old {
            out.push(FieldChange {
                key,
                old: now,
                new: old,
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn key_of(column: &str) -> Option<Key> {
    if let Some(form) = column.strip_prefix("form.") {
        return Some(Key::Form(form.to_string()));
    }
    Field::ALL
        .into_iter()
        .find(|f| f.name() == column)
        .map(Key::Field)
}

/// A wire value as the store keeps it: booleans as `true`/`false`, labels comma-joined.
fn stored(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let labels: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            (!labels.is_empty()).then(|| labels.join(","))
        }
        other => Some(other.to_string()),
    }
}

/// Memberships added are removed, removed ones added back, changed roles changed back.
fn undo_teams(teams: Option<&Value>) -> TeamChanges {
    let list = |key: &str| -> Vec<(String, Role)> {
        teams
            .and_then(|t| t.get(key))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                let team = t.get("team")?.as_str()?.to_string();
                Some((team, Role::parse(t.get("team_role")?.as_str()?)?))
            })
            .collect()
    };
    let changed = teams
        .and_then(|t| t.get("changed"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let team = t.get("team")?.as_str()?.to_string();
            let old = Role::parse(t.get("old")?.as_str()?)?;
            let new = Role::parse(t.get("new")?.as_str()?)?;
            Some((team, new, old))
        })
        .collect();
    TeamChanges {
        added: list("removed"),
        removed: list("added"),
        changed,
    }
}

/// Teams the revert adds members to that no longer exist are recreated; teams it takes the
/// last members out of, and that the import had put members in, are deleted.
fn teams(plan: &mut Plan, snapshot: &Snapshot) {
    let mut created = BTreeSet::new();
    let mut remaining = vec![0i64; snapshot.teams.len()];
    for (_, ti, _) in snapshot.all_memberships() {
        remaining[ti] += 1;
    }
    let mut filled_by_import = BTreeSet::new();
    for c in &plan.changes {
        for (team, _) in c.teams_added() {
            match snapshot.team(team) {
                Some(ti) => remaining[ti] += 1,
                None => {
                    created.insert(team.to_string());
                }
            }
        }
        for (team, _) in c.teams_removed() {
            if let Some(ti) = snapshot.team(team) {
                remaining[ti] -= 1;
                filled_by_import.insert(ti);
            }
        }
    }
    plan.teams_created = created.into_iter().collect();
    plan.teams_deleted = filled_by_import
        .into_iter()
        .filter(|&ti| remaining[ti] <= 0)
        .map(|ti| snapshot.teams[ti].name.clone())
        .collect();
}

/// The summary's counts (SPEC §7): each member in one bucket; no rows, nothing unchanged.
fn count(plan: &mut Plan) {
    let s = &mut plan.summary;
    for c in &plan.changes {
        match c.action {
            Action::Deactivate => s.deactivated += 1,
            Action::Reactivate => s.reactivated += 1,
            _ => s.updated += 1,
        }
        s.memberships_added += c.teams_added().count() as u64;
        s.memberships_removed += c.teams_removed().count() as u64;
        s.memberships_changed += c.teams_changed().count() as u64;
    }
    s.teams_created = plan.teams_created.len() as u64;
    s.teams_deleted = plan.teams_deleted.len() as u64;
}

#[cfg(test)]
mod tests;
