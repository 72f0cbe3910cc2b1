//! Stage 6, the plan: a pure value computed from the resolved file and a snapshot of the store.
//! It says exactly what would change, member by member, and counts it (SPEC §7).

use crate::model::{Field, IDENTIFIERS_FOR_DISPLAY, Member, Role, Status, Values, email_key};
use crate::parallel::Tally;
use crate::resolve::Resolved;
use crate::snapshot::Snapshot;
use crate::validate::Record;

mod change;
mod id;
mod missing;
pub mod wire;

pub use change::{
    Action, Change, Edit, FieldChange, Key, NewMember, Pending, Plan, StatusChange, Summary,
    TeamChanges,
};
use std::collections::{BTreeSet, HashSet};

/// How the file is applied (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mode {
    pub full_sync: bool,
    pub invite: bool,
    pub clear_blanks: bool,
    pub default_role: Role,
}

impl Mode {
    /// The mode as history and the report name it: `full_sync` or `additive`.
    pub fn name(&self) -> &'static str {
        Mode::name_of(self.full_sync)
    }

    pub fn name_of(full_sync: bool) -> &'static str {
        if full_sync { "full_sync" } else { "additive" }
    }
}

impl Default for Mode {
    fn default() -> Self {
        Mode {
            full_sync: false,
            invite: false,
            clear_blanks: false,
            default_role: Role::Member,
        }
    }
}

pub fn plan<'a>(resolved: &'a Resolved, snapshot: &Snapshot, mode: &Mode) -> Plan<'a> {
    plan_counting(resolved, snapshot, mode, &Tally::default())
}

/// [`plan`], counting into `tally` each record planned.
pub fn plan_counting<'a>(
    resolved: &'a Resolved,
    snapshot: &Snapshot,
    mode: &Mode,
    tally: &Tally,
) -> Plan<'a> {
    let mut plan = Plan::default();
    // At most one change per record (and, below, per member missed), reserved once: doubling
    // a million changes holds the old and the new vector at once (a large first import's peak
    // was 56 MB higher). Room left untouched costs no memory.
    plan.changes.reserve_exact(resolved.records.len());
    let mut matched = vec![false; snapshot.members.len()];
    // Hashed while a million records name their teams, sorted once after.
    let mut named_teams: ahash::AHashSet<&str> = ahash::AHashSet::new();
    let mut counter = tally.counter();
    for (record, member) in resolved.matches() {
        counter.one();
        named_teams.extend(record.teams.iter().map(|t| &*t.team));
        match member {
            Some(i) => {
                matched[i] = true;
                plan_existing(&mut plan, record, i, snapshot, resolved, mode);
            }
            None => plan_create(&mut plan, record, mode),
        }
    }
    if mode.full_sync {
        plan.changes
            .reserve(matched.iter().filter(|m| !**m).count());
        let after = snapshot
            .settings
            .deactivate_after_missing
            .unwrap_or(1)
            .max(1);
        for (i, m) in snapshot.members.iter().enumerate() {
            if !matched[i] && may_deactivate(m, &resolved.errored_ids) {
                if !missing::mark(&mut plan, i, m, snapshot, after) {
                    plan_deactivate(&mut plan, i, m, snapshot, resolved.has_team);
                }
            } else if !matched[i]
                && resolved.has_team
                && m.status == Status::Inactive
                && !m.protected
                && !named_by_errored_row(m, &resolved.errored_ids)
            {
                plan_drop_memberships(&mut plan, i, m, snapshot);
            }
        }
    }
    let named_teams: BTreeSet<&str> = named_teams.into_iter().collect();
    plan.marks_cleared = missing::cleared(&plan, snapshot, &matched, mode.full_sync);
    plan.teams_created = named_teams
        .iter()
        .filter(|t| snapshot.team(t).is_none())
        .map(|t| t.to_string())
        .collect();
    if mode.full_sync && resolved.has_team {
        plan.teams_deleted = teams_left_empty(&plan, snapshot, &named_teams);
    }
    plan.summary.rows = resolved.rows;
    plan.summary.errors = resolved.errors.len() as u64;
    plan.summary.teams_created = plan.teams_created.len() as u64;
    plan.summary.teams_deleted = plan.teams_deleted.len() as u64;
    for c in &plan.changes {
        plan.summary.memberships_added += c.teams_added().count() as u64;
        plan.summary.memberships_removed += c.teams_removed().count() as u64;
        plan.summary.memberships_changed += c.teams_changed().count() as u64;
    }
    plan
}

fn plan_create<'a>(plan: &mut Plan<'a>, record: &'a Record, mode: &Mode) {
    let role = record
        .get(Field::OrganizationRole)
        .and_then(Role::parse)
        .unwrap_or(mode.default_role);
    let status = if mode.invite && record.get(Field::Email).is_some() {
        Status::Invited
    } else {
        Status::Provisioned
    };
    plan.summary.created += 1;
    let created = NewMember { record, role };
    plan.changes
        .push(Change::create(Some(record.row), created, status));
}

fn plan_existing(
    plan: &mut Plan,
    record: &Record,
    i: usize,
    snapshot: &Snapshot,
    resolved: &Resolved,
    mode: &Mode,
) {
    let member = &snapshot.members[i];
    if member.status == Status::Banned {
        plan.summary.banned_skipped += 1;
        return;
    }
    let fields = field_changes(member, record, &resolved.present, mode.clear_blanks);
    let teams = if resolved.has_team {
        team_changes(record, snapshot.memberships(i), snapshot, mode.full_sync)
    } else {
        TeamChanges::default()
    };
    let status = (member.status == Status::Inactive).then(|| StatusChange {
        old: Some(Status::Inactive),
        new: member.prior_status.unwrap_or(Status::Provisioned),
    });
    if fields.is_empty() && teams.is_empty() && status.is_none() {
        plan.summary.unchanged += 1;
        return;
    }
    if member.protected {
        plan.summary.protected_skipped += 1;
        return;
    }
    let action = if status.is_some() {
        plan.summary.reactivated += 1;
        Action::Reactivate
    } else {
        plan.summary.updated += 1;
        Action::Update
    };
    let mut after = member.values.clone();
    for c in &fields {
        if let Key::Field(f) = c.key {
            after.set(f, c.new.as_deref());
        }
    }
    let edit = Edit {
        ids: ids_of(&after),
        fields,
        teams,
    };
    plan.changes
        .push(Change::existing(action, Some(record.row), i, status, edit));
}

/// Real differences only; blank cells clear a value only with `--clear-blanks`.
fn field_changes(
    member: &Member,
    record: &Record,
    present: &[bool],
    clear_blanks: bool,
) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    // Identical values hold no field change: the common case, decided by one comparison.
    let fields = if record.values == member.values {
        &[][..]
    } else {
        &Field::ALL[..]
    };
    for &field in fields {
        let old = member.get(field);
        let change = match (record.get(field), old) {
            (Some(new), Some(old)) if field.same(old, new) => None,
            (Some(new), _) => Some(Some(new.to_string())),
            // Every member has an organization_role (SPEC §3): a blank cell never clears it.
            (None, Some(_))
                if clear_blanks
                    && present[field.index()]
                    && !field.is_identifier()
                    && field != Field::OrganizationRole =>
            {
                Some(None)
            }
            (None, _) => None,
        };
        if let Some(new) = change {
            changes.push(FieldChange {
                key: Key::Field(field),
                old: old.map(str::to_string),
                new,
            });
        }
    }
    for (key, value) in &record.forms {
        let old = member.forms.get(key);
        let new = match (value, old) {
            (Some(new), Some(old)) if new == old => continue,
            (Some(new), _) => Some(new.clone()),
            (None, Some(_)) if clear_blanks => None,
            (None, _) => continue,
        };
        changes.push(FieldChange {
            key: Key::Form(key.clone()),
            old: old.cloned(),
            new,
        });
    }
    changes
}

fn team_changes(
    record: &Record,
    current: impl Iterator<Item = (usize, Role)> + Clone,
    snapshot: &Snapshot,
    replace: bool,
) -> TeamChanges {
    let mut changes = TeamChanges::default();
    for t in &record.teams {
        let existing = snapshot
            .team(&t.team)
            .and_then(|ti| current.clone().find(|(cti, _)| *cti == ti));
        match existing {
            None => changes.added.push((t.team.to_string(), t.role)),
            Some((_, old)) if old != t.role => {
                changes.changed.push((t.team.to_string(), old, t.role))
            }
            Some(_) => {}
        }
    }
    if replace {
        for (ti, role) in current {
            let name = &snapshot.teams[ti].name;
            if !record.teams.iter().any(|t| *t.team == **name) {
                changes.removed.push((name.clone(), role));
            }
        }
    }
    changes
}

/// Full sync leaves `BANNED`, `protected`, already `INACTIVE` members, and members named by
/// an errored row, as they are.
fn may_deactivate(m: &Member, errored_ids: &HashSet<String>) -> bool {
    if !m.status.is_live() || m.protected {
        return false;
    }
    !named_by_errored_row(m, errored_ids)
}

fn named_by_errored_row(m: &Member, errored_ids: &HashSet<String>) -> bool {
    [Field::Email, Field::ExternalId, Field::Phone]
        .into_iter()
        .filter_map(|f| m.get(f))
        .any(|v| errored_ids.contains(&email_key(v)))
}

/// A replace-style full sync removes the memberships of a member deactivated earlier too
/// (SPEC §7); the member is not named by the file, so it counts in no member bucket.
fn plan_drop_memberships(plan: &mut Plan, i: usize, m: &Member, snapshot: &Snapshot) {
    let removed: Vec<(String, Role)> = snapshot
        .memberships(i)
        .map(|(ti, role)| (snapshot.teams[ti].name.clone(), role))
        .collect();
    if removed.is_empty() {
        return;
    }
    let edit = Edit {
        ids: ids_of(&m.values),
        fields: Vec::new(),
        teams: TeamChanges {
            removed,
            ..TeamChanges::default()
        },
    };
    plan.changes
        .push(Change::existing(Action::Update, None, i, None, edit));
}

fn plan_deactivate(plan: &mut Plan, i: usize, m: &Member, snapshot: &Snapshot, has_team: bool) {
    let removed = if has_team {
        snapshot
            .memberships(i)
            .map(|(ti, role)| (snapshot.teams[ti].name.clone(), role))
            .collect()
    } else {
        Vec::new()
    };
    plan.summary.deactivated += 1;
    let status = Some(StatusChange {
        old: Some(m.status),
        new: Status::Inactive,
    });
    let edit = Edit {
        ids: ids_of(&m.values),
        fields: Vec::new(),
        teams: TeamChanges {
            removed,
            ..TeamChanges::default()
        },
    };
    plan.changes
        .push(Change::existing(Action::Deactivate, None, i, status, edit));
}

/// Teams no valid row names and whose every membership the plan removes.
fn teams_left_empty(plan: &Plan, snapshot: &Snapshot, named: &BTreeSet<&str>) -> Vec<String> {
    let mut remaining = vec![0usize; snapshot.teams.len()];
    for (_, ti, _) in snapshot.all_memberships() {
        remaining[ti] += 1;
    }
    for c in &plan.changes {
        for (name, _) in c.teams_removed() {
            if let Some(ti) = snapshot.team(name) {
                remaining[ti] -= 1;
            }
        }
    }
    snapshot
        .teams
        .iter()
        .enumerate()
        .filter(|(ti, t)| remaining[*ti] == 0 && !named.contains(t.name.as_str()))
        .map(|(_, t)| t.name.clone())
        .collect()
}

/// email, external_id, phone of `values`, owned.
pub fn ids_of(values: &Values) -> [Option<String>; 3] {
    IDENTIFIERS_FOR_DISPLAY.map(|f| values.get(f).map(str::to_string))
}

#[cfg(test)]
mod tests;
