//! Stage 7, safety: rules over the whole plan (SPEC §8). A plan that breaks any is refused
//! as a whole, naming every rule it breaks. Add a rule here only.

use crate::error::Rule;
use crate::model::{Role, Status};
use crate::plan::{Action, Plan};
use crate::snapshot::Snapshot;

/// The limits one run is checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    pub seat_limit: Option<u64>,
    pub max_deactivations: Option<Limit>,
    /// `max-shrink` (a percentage) and the last full sync from the same source; a full sync
    /// only.
    pub shrink: Option<(u64, Previous)>,
}

/// The last completed full sync from one source (the shrink guard's comparison, SPEC §16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Previous {
    pub import_id: i64,
    /// The members its file named (every member bucket of its summary).
    pub members: u64,
}

/// `--max-deactivations N` or `N%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Count(u64),
    Percent(u64),
}

impl std::str::FromStr for Limit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || format!("expected a number N or a percentage N%, got '{s}'");
        match s.strip_suffix('%') {
            Some(p) => p.trim().parse().map(Limit::Percent).map_err(|_| bad()),
            None => s.parse().map(Limit::Count).map_err(|_| bad()),
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Count(n) => write!(f, "{n}"),
            Limit::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// The members (and their roles) after the plan, as far as the rules need them.
struct After<'a> {
    status: Vec<Status>,
    /// The roles the plan sets; the others are the stored ones, read only when asked (parsing
    /// a million stored roles up front cost ~0.02 s of a 1M no-op).
    role_set: Vec<Option<Role>>,
    new_members: Vec<(Status, Role)>,
    plan: &'a Plan<'a>,
}

pub fn check(plan: &Plan, snapshot: &Snapshot, policy: &Policy) -> Result<(), Vec<Rule>> {
    let after = After::new(plan, snapshot);
    let mut broken = Vec::new();
    broken.extend(seats(snapshot, &after, policy.seat_limit));
    broken.extend(org_owner(snapshot, &after));
    broken.extend(team_owners(snapshot, &after));
    broken.extend(deactivations(plan, snapshot, policy.max_deactivations));
    broken.extend(
        policy
            .shrink
            .and_then(|(limit, previous)| shrink(plan, limit, previous)),
    );
    if broken.is_empty() {
        Ok(())
    } else {
        Err(broken)
    }
}

impl<'a> After<'a> {
    fn new(plan: &'a Plan<'a>, snapshot: &Snapshot) -> After<'a> {
        let mut status: Vec<Status> = snapshot.members.iter().map(|m| m.status).collect();
        let mut role_set: Vec<Option<Role>> = vec![None; snapshot.members.len()];
        let mut new_members = Vec::new();
        for c in &plan.changes {
            let new_role = c.new_role();
            match c.member {
                Some(i) => {
                    if let Some(s) = c.status {
                        status[i] = s.new;
                    }
                    if let Some(r) = new_role {
                        role_set[i] = Some(r);
                    }
                }
                None => new_members.push((
                    c.status.map_or(Status::Provisioned, |s| s.new),
                    new_role.unwrap_or(Role::Member),
                )),
            }
        }
        After {
            status,
            role_set,
            new_members,
            plan,
        }
    }

    /// Member `i`'s role after the plan.
    fn role(&self, snapshot: &Snapshot, i: usize) -> Role {
        self.role_set[i].unwrap_or_else(|| snapshot.members[i].role())
    }

    fn seats_used(&self) -> u64 {
        let existing = self.status.iter().filter(|s| s.uses_seat()).count();
        let new = self
            .new_members
            .iter()
            .filter(|(s, _)| s.uses_seat())
            .count();
        (existing + new) as u64
    }
}

/// Seats may not go over the limit when the import adds to them.
fn seats(snapshot: &Snapshot, after: &After, limit: Option<u64>) -> Option<Rule> {
    let limit = limit?;
    let before = snapshot
        .members
        .iter()
        .filter(|m| m.status.uses_seat())
        .count() as u64;
    let used = after.seats_used();
    (used > limit && used > before).then_some(Rule::Seats { limit, used })
}

fn org_owner(snapshot: &Snapshot, after: &After) -> Option<Rule> {
    let had = snapshot
        .members
        .iter()
        .any(|m| m.status.is_live() && m.role() == Role::Owner);
    let has = (0..after.status.len())
        .any(|i| after.status[i].is_live() && after.role(snapshot, i) == Role::Owner)
        || after
            .new_members
            .iter()
            .any(|(s, r)| *r == Role::Owner && s.is_live());
    (had && !has).then_some(Rule::LastOrgOwner)
}

/// Each team that has a live owner keeps one. Counts owners per team before, then adjusts for
/// the members the plan changes only (a plan touches few of a large roster).
fn team_owners(snapshot: &Snapshot, after: &After) -> Vec<Rule> {
    let mut before = vec![0u64; snapshot.teams.len()];
    for (i, ti, role) in snapshot.all_memberships() {
        if role == Role::Owner && snapshot.members[i].status.is_live() {
            before[ti] += 1;
        }
    }
    let mut now = before.clone();
    for c in &after.plan.changes {
        let live_after = match c.member {
            Some(i) => after.status[i].is_live(),
            None => c.status.is_none_or(|s| s.new.is_live()),
        };
        let mut teams: Vec<(&str, Role)> = Vec::new();
        if let Some(i) = c.member {
            for (ti, role) in snapshot.memberships(i) {
                if role == Role::Owner && snapshot.members[i].status.is_live() {
                    now[ti] -= 1;
                }
                teams.push((snapshot.teams[ti].name.as_str(), role));
            }
        }
        teams.retain(|(t, _)| !c.teams_removed().any(|(r, _)| r == *t));
        teams.extend(c.teams_added());
        for (team, _, role) in c.teams_changed() {
            teams
                .iter_mut()
                .filter(|(t, _)| *t == team)
                .for_each(|e| e.1 = role);
        }
        for (team, role) in teams {
            if let Some(ti) = snapshot
                .team(team)
                .filter(|_| role == Role::Owner && live_after)
            {
                now[ti] += 1;
            }
        }
    }
    let deleted = &after.plan.teams_deleted;
    let mut broken: Vec<Rule> = snapshot
        .teams
        .iter()
        .enumerate()
        .filter(|(ti, t)| before[*ti] > 0 && now[*ti] == 0 && !deleted.contains(&t.name))
        .map(|(_, t)| Rule::LastTeamOwner(t.name.clone()))
        .collect();
    broken.sort_by_key(|r| r.to_string());
    broken
}

/// The members a file names: SPEC §7's buckets, each member in one (errored rows aside).
pub fn members_named(plan: &Plan) -> u64 {
    let s = &plan.summary;
    s.created + s.updated + s.reactivated + s.unchanged + s.banned_skipped + s.protected_skipped
}

/// A file that names more than `limit`% fewer members than the previous full sync's.
fn shrink(plan: &Plan, limit: u64, previous: Previous) -> Option<Rule> {
    let (now, before) = (members_named(plan), previous.members);
    let lost = before.checked_sub(now).filter(|&l| l > 0)?;
    // Whole percentages: `lost / before > limit / 100`, and the shrink rounded up.
    let p = (lost * 100).div_ceil(before);
    (lost * 100 > limit * before).then_some(Rule::Shrink {
        now,
        before,
        import: previous.import_id,
        p,
        limit,
    })
}

/// Default: 25% of the live members, never less than 10.
fn deactivations(plan: &Plan, snapshot: &Snapshot, limit: Option<Limit>) -> Option<Rule> {
    let k = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Deactivate)
        .count() as u64;
    if k == 0 {
        return None;
    }
    let n = live_members(snapshot);
    let (limit, text) = limit_of(limit, n);
    let p = (k * 100 + n / 2).checked_div(n).unwrap_or(100);
    (k > limit).then_some(Rule::Deactivations {
        k,
        n,
        p,
        limit: text,
    })
}

/// The members that are not `INACTIVE` or `BANNED`: what a deactivation limit is a share of.
fn live_members(snapshot: &Snapshot) -> u64 {
    snapshot
        .members
        .iter()
        .filter(|m| m.status.is_live())
        .count() as u64
}

/// A deactivation limit for `n` live members, and its text: the default is 25% of them, never
/// less than 10.
fn limit_of(limit: Option<Limit>, n: u64) -> (u64, String) {
    match limit {
        Some(Limit::Count(c)) => (c, c.to_string()),
        // Saturating: a percentage far above 100% allows every deactivation, never overflows.
        Some(Limit::Percent(p)) => {
            let allowed = n.saturating_mul(p) / 100;
            (allowed, percent_text(p, allowed))
        }
        None if n / 4 >= 10 => (n / 4, percent_text(25, n / 4)),
        None => (10, "10".to_string()),
    }
}

/// SCIM's deactivations per rolling hour (SPEC §17, `scim-max-deactivations`): `recent` made
/// in the last hour and this plan's; when they would exceed the limit (the same default share
/// as `max-deactivations`), the limit's text.
pub fn scim_deactivations(
    plan: &Plan,
    snapshot: &Snapshot,
    recent: u64,
    limit: Option<Limit>,
) -> Option<String> {
    let k = plan
        .changes
        .iter()
        .filter(|c| c.status.is_some_and(|s| s.new == Status::Inactive))
        .count() as u64;
    let n = live_members(snapshot);
    let (limit, text) = limit_of(limit, n);
    (k > 0 && recent + k > limit).then_some(text)
}

/// A percentage limit as it was set, with the members it comes to: `15% (449 members)`.
fn percent_text(percent: u64, members: u64) -> String {
    let noun = if members == 1 { "member" } else { "members" };
    format!("{percent}% ({members} {noun})")
}

#[cfg(test)]
mod tests;
