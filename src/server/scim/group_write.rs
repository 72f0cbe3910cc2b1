//! The write side of `/scim/v2/Groups`: what a Group asks of its team (name, members, roles),
//! and one team's write as a plan of the memberships it adds, removes or changes, under the
//! rules, with the Group's resource.

use super::discovery::ROSTER_GROUP_URN;
use super::filter::get_ci;
use super::groups::{member_id, memberships};
use super::write::{self, Fail};
use crate::error::ScimError;
use crate::model::Role;
use crate::plan::{Action, Change, Edit, Plan, TeamChanges, ids_of};
use crate::snapshot::Snapshot;
use crate::store::Store;
use crate::store::scim::{GroupWrite, ScimWrite};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The longest team name (SPEC §5's `team`).
const MAX_NAME: usize = 50;

/// The member ids a list attribute of a Group holds.
pub fn listed(group: &Value, name: &str) -> Vec<String> {
    get_ci(group, name)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(member_id).collect())
        .unwrap_or_default()
}

/// A member that a PATCH removed from `members` (of `before`) loses its role too.
pub fn drop_roles_of_removed(resource: &mut Value, before: &[String]) {
    let after = listed(resource, "members");
    let gone: Vec<&String> = before.iter().filter(|id| !after.contains(id)).collect();
    if let Some(roles) = resource
        .as_object_mut()
        .and_then(|m| {
            m.iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case(ROSTER_GROUP_URN))
        })
        .and_then(|(_, v)| v.as_object_mut())
    {
        for list in roles.values_mut().filter_map(Value::as_array_mut) {
            list.retain(|e| member_id(e).is_none_or(|id| !gone.contains(&&id)));
        }
    }
}

/// What a Group asks for: its name, and its members (by member index) with their roles.
fn desired(
    snapshot: &Snapshot,
    store: &Store,
    resource: &Value,
) -> Result<(String, Vec<(usize, Role)>), Fail> {
    let name = get_ci(resource, "displayName")
        .and_then(Value::as_str)
        .map(crate::columns::clean_cell)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ScimError::InvalidValue("displayName is required".into()))?;
    if name.chars().count() > MAX_NAME {
        return Err(ScimError::InvalidValue(format!(
            "displayName is longer than {MAX_NAME} characters"
        ))
        .into());
    }
    let ids = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(member_id).collect())
            .unwrap_or_default()
    };
    let extension = get_ci(resource, ROSTER_GROUP_URN);
    let owners = ids(extension.and_then(|e| get_ci(e, "owners")));
    let admins = ids(extension.and_then(|e| get_ci(e, "admins")));
    let members = get_ci(resource, "members").and_then(Value::as_array);
    let groups = members.is_some_and(|list| {
        list.iter().any(|m| {
            get_ci(m, "type")
                .and_then(Value::as_str)
                .is_some_and(|t| !t.eq_ignore_ascii_case("User"))
        })
    });
    if groups {
        return Err(ScimError::InvalidValue("a team's members are Users only".into()).into());
    }
    let mut wanted: BTreeMap<String, Role> = ids(get_ci(resource, "members"))
        .into_iter()
        .map(|id| (id, Role::Member))
        .collect();
    for (list, role) in [(admins, Role::Admin), (owners, Role::Owner)] {
        for id in list {
            wanted.insert(id, role);
        }
    }
    let deleted: Vec<i64> = store
        .scim_users()?
        .into_iter()
        .filter(|u| u.deleted)
        .map(|u| u.member_id)
        .collect();
    let mut members = Vec::new();
    for (id, role) in wanted {
        let i = id
            .parse::<i64>()
            .ok()
            .filter(|n| !deleted.contains(n))
            .and_then(|n| snapshot.members.binary_search_by_key(&n, |m| m.id).ok())
            .ok_or_else(|| ScimError::InvalidValue(format!("members: no User with id '{id}'")))?;
        members.push((i, role));
    }
    Ok((name.to_string(), members))
}

/// The changes that take team `team`'s memberships from `now` to `wanted`; a `BANNED` or
/// protected member among them refuses the write.
pub fn membership_plan<'a>(
    snapshot: &Snapshot,
    team: &str,
    now: &[(usize, Role)],
    wanted: &[(usize, Role)],
) -> Result<Plan<'a>, Fail> {
    let mut changes: BTreeMap<usize, TeamChanges> = BTreeMap::new();
    for &(i, role) in wanted {
        match now.iter().find(|(j, _)| *j == i) {
            None => changes
                .entry(i)
                .or_default()
                .added
                .push((team.to_string(), role)),
            Some(&(_, old)) if old != role => {
                changes
                    .entry(i)
                    .or_default()
                    .changed
                    .push((team.to_string(), old, role))
            }
            Some(_) => {}
        }
    }
    for &(i, role) in now {
        if !wanted.iter().any(|(j, _)| *j == i) {
            changes
                .entry(i)
                .or_default()
                .removed
                .push((team.to_string(), role));
        }
    }
    let mut plan = Plan::default();
    for (i, teams) in changes {
        write::changeable(snapshot, i)?;
        let m = &snapshot.members[i];
        plan.summary.memberships_added += teams.added.len() as u64;
        plan.summary.memberships_removed += teams.removed.len() as u64;
        plan.summary.memberships_changed += teams.changed.len() as u64;
        let edit = Edit {
            ids: ids_of(&m.values),
            fields: Vec::new(),
            teams,
        };
        plan.changes
            .push(Change::existing(Action::Update, None, i, None, edit));
    }
    Ok(plan)
}

/// Writes a Group: team `ti` (`None`: a new team) becomes what `resource` asks for.
pub fn save(
    store: &mut Store,
    snapshot: &Snapshot,
    ti: Option<usize>,
    resource: &Value,
    operator: &str,
) -> Result<String, Fail> {
    let (name, wanted) = desired(snapshot, store, resource)?;
    let current = ti.map(|t| snapshot.teams[t].name.clone());
    if current.as_deref() != Some(name.as_str())
        && let Some(other) = snapshot.team(&name)
        && Some(other) != ti
    {
        return Err(ScimError::Uniqueness {
            attribute: "displayName",
            value: name,
            resource: "Group",
        }
        .into());
    }
    // Memberships are planned under the team's stored name; a rename follows them.
    let planned_name = current.clone().unwrap_or_else(|| name.clone());
    let now = ti.map(|t| memberships(snapshot, t)).unwrap_or_default();
    let mut plan = membership_plan(snapshot, &planned_name, &now, &wanted)?;
    if ti.is_none() {
        plan.teams_created = vec![name.clone()];
    }
    write::check(store, &plan, snapshot)?;
    let text = resource.to_string();
    let written = store.apply_scim(&ScimWrite {
        plan: &plan,
        snapshot,
        operator,
        note: json!({"displayName": name}),
        user: None,
        group: Some(GroupWrite::Keep {
            name: &name,
            renamed_from: current.as_deref().filter(|c| *c != name),
            resource: &text,
        }),
    })?;
    Ok(written.team_id.map(|id| id.to_string()).unwrap_or_default())
}
