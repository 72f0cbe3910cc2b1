//! The two reads of every member: the snapshot an import plans against and the stream
//! `roster export` writes, each in one read transaction (never blocking an import), over the
//! backend's hot member stream and membership list.

use super::admin::definitions;
use super::sql::{self, Backend, Begin, TeamRanks};
use super::{MemberVisitor, Snapshot, Store, Team};
use crate::error::StoreError;
use crate::model::{Member, Role, Status};

impl Store {
    /// The store's state, read in one transaction.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        sql::transaction(&*self.db, Begin::Read, |db| {
            let generation: i64 =
                sql::one(db, "SELECT value FROM meta WHERE key = 'generation'", &[])?;
            // Sized up front: growing a vector of a million members would briefly hold it twice.
            // Ids are numbered from 1 and members never deleted, so the largest id is the count;
            // it is one index lookup, where PostgreSQL counts by scanning the whole table
            // (0.2-0.6 s of a 1M snapshot).
            let count: i64 = sql::one(db, "SELECT coalesce(max(id), 0) FROM members", &[])?;
            let mut members: Vec<Member> =
                Vec::with_capacity(count.clamp(0, MAX_RESERVED) as usize);
            db.members(None, &mut |m| {
                members.push(m);
                Ok(())
            })?;
            let teams = teams(db)?;
            let memberships = memberships_by_index(&members, memberships(db, &teams)?);
            let (catalog, settings) = definitions(db)?;
            let mut snapshot =
                Snapshot::from_indexed(members, teams, memberships, catalog, settings, generation);
            snapshot.missing = super::marks::load(db)?;
            Ok(snapshot)
        })
    }

    /// Streams the members with one of `statuses`, by id, each with its memberships (team
    /// name, role) by team name: `roster export`, without building a snapshot. `visit`'s
    /// errors come back as `StoreError::Io`.
    pub fn each_member(
        &self,
        statuses: &[Status],
        visit: &mut MemberVisitor,
    ) -> Result<(), StoreError> {
        sql::transaction(&*self.db, Begin::Read, |db| {
            let teams = teams(db)?;
            let by_id = memberships(db, &teams)?;
            let names: Vec<String> = teams.into_iter().map(|t| t.name).collect();
            let mut walk = TeamsWalk::new(by_id, &names);
            db.members(Some(statuses), &mut |m| Ok(visit(&m, walk.teams_of(m.id))?))
        })
    }
}

/// The most member slots a snapshot reserves before reading (an id far above the count, from a
/// store edited by hand, must not reserve gigabytes); past it the vector grows.
const MAX_RESERVED: i64 = 50_000_000;

/// The teams by name, in byte order (as both kinds of store sort them).
fn teams(db: &dyn Backend) -> Result<Vec<Team>, StoreError> {
    let rows = sql::all(db, "SELECT id, name FROM teams", &[])?;
    let mut teams = rows
        .into_iter()
        .map(|mut r| {
            Ok(Team {
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })
        .collect::<Result<Vec<Team>, StoreError>>()?;
    teams.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(teams)
}

/// Every membership as (member id, team index in `teams`, role), by member id then team: the
/// teams are ranked here and the backend reads the memberships in one plain scan (ranking them
/// in SQL, a window joined to each row, cost about three times as much per membership).
fn memberships(db: &dyn Backend, teams: &[Team]) -> Result<Vec<(i64, u32, Role)>, StoreError> {
    let ranks: TeamRanks = teams
        .iter()
        .enumerate()
        .map(|(k, t)| (t.id, k as u32))
        .collect();
    let mut list = db.memberships(&ranks)?;
    list.sort_by_key(|&(m, t, _)| (m, t));
    Ok(list)
}

/// A stored team role: the canonical text at once, else as a file's cell is read.
pub(super) fn stored_role(text: &str) -> Role {
    match text {
        "member" => Role::Member,
        "owner" => Role::Owner,
        "admin" => Role::Admin,
        other => Role::parse(other).unwrap_or(Role::Member),
    }
}

/// Each membership as (member index, team index, role): the memberships by member id (sorted)
/// and the members by id ascend together, so one walk pairs them.
fn memberships_by_index(members: &[Member], by_id: Vec<(i64, u32, Role)>) -> Vec<(u32, u32, Role)> {
    let mut out = Vec::with_capacity(by_id.len());
    let mut i = 0;
    for (member_id, team, role) in by_id {
        while members.get(i).is_some_and(|m| m.id < member_id) {
            i += 1;
        }
        if members.get(i).is_some_and(|m| m.id == member_id) {
            out.push((i as u32, team, role));
        }
    }
    out
}

/// The export's walk: each member's memberships (team name, role), read off the memberships
/// by member id (sorted) as members come in id order.
struct TeamsWalk<'a> {
    by_id: Vec<(i64, u32, Role)>,
    teams: &'a [String],
    k: usize,
    named: Vec<(&'a str, Role)>,
}

impl<'a> TeamsWalk<'a> {
    fn new(by_id: Vec<(i64, u32, Role)>, teams: &'a [String]) -> TeamsWalk<'a> {
        TeamsWalk {
            by_id,
            teams,
            k: 0,
            named: Vec::new(),
        }
    }

    /// The memberships of `member`, whose id is above every member's asked before.
    fn teams_of(&mut self, member: i64) -> &[(&'a str, Role)] {
        while self.by_id.get(self.k).is_some_and(|m| m.0 < member) {
            self.k += 1;
        }
        self.named.clear();
        while let Some(&(_, t, role)) = self.by_id.get(self.k).filter(|m| m.0 == member) {
            self.named.push((self.teams[t as usize].as_str(), role));
            self.k += 1;
        }
        &self.named
    }
}
