//! The store's state as an import sees it: members, teams, memberships, definitions and
//! settings, read once. A pure value: planning reads it, only the store builds it.

mod index;

use crate::columns::Catalog;
use crate::model::{Member, Role, identifier_key};
use ahash::AHashMap as HashMap;
use index::IdIndexes;
use serde::Serialize;

/// Store-wide settings (`roster config`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub seat_limit: Option<u64>,
    pub max_rows: Option<u64>,
    pub max_bytes: Option<u64>,
    /// `N` or `N%`.
    pub max_deactivations: Option<String>,
    /// `P%`: the most a full sync's file may shrink from the last one of the same source.
    pub max_shrink: Option<String>,
    /// Full syncs in a row that must miss a member before it is deactivated (default 1).
    pub deactivate_after_missing: Option<u64>,
}

/// A member that full syncs have missed and not yet deactivated (`deactivate-after-missing`,
/// SPEC §16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mark {
    /// Full syncs in a row that missed the member.
    pub count: u64,
    /// The first of them.
    pub first_import: i64,
}

/// The missing marks, by member id.
pub type Marks = HashMap<i64, Mark>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: i64,
    pub name: String,
}

/// The store's state as an import sees it: members, teams, memberships and definitions.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub members: Vec<Member>,
    pub teams: Vec<Team>,
    pub catalog: Catalog,
    pub settings: Settings,
    /// Bumped by every write; part of the plan id.
    pub generation: i64,
    /// The missing marks, by member id.
    pub missing: Marks,
    /// Memberships of member `i`: `membership_list[membership_start[i]..membership_start[i + 1]]`.
    membership_start: Vec<u32>,
    membership_list: Vec<(u32, Role)>,
    /// Built on the first lookup: a sync whose records all land on their expected members
    /// (see `resolve`) never needs them.
    ids: std::sync::OnceLock<IdIndexes>,
    team_by_name: HashMap<String, usize>,
}

impl Snapshot {
    /// `memberships[i]`: the (team index, role) pairs of member `i`.
    pub fn new(
        members: Vec<Member>,
        teams: Vec<Team>,
        memberships: Vec<Vec<(usize, Role)>>,
        catalog: Catalog,
        settings: Settings,
        generation: i64,
    ) -> Snapshot {
        let pairs = memberships
            .iter()
            .enumerate()
            .flat_map(|(i, list)| list.iter().map(move |&(t, r)| (i as u32, t as u32, r)))
            .collect();
        Snapshot::from_indexed(members, teams, pairs, catalog, settings, generation)
    }

    /// Like [`Snapshot::new`], with memberships as (member index, team index, role) in any
    /// order, the indexes as `u32` (12 bytes a membership, not 24: the store's read of a million).
    pub fn from_indexed(
        members: Vec<Member>,
        teams: Vec<Team>,
        memberships: Vec<(u32, u32, Role)>,
        catalog: Catalog,
        settings: Settings,
        generation: i64,
    ) -> Snapshot {
        let mut s = Snapshot {
            members,
            teams,
            catalog,
            settings,
            generation,
            ..Snapshot::default()
        };
        s.set_memberships(memberships);
        s.index_teams();
        s
    }

    fn set_memberships(&mut self, mut pairs: Vec<(u32, u32, Role)>) {
        pairs.retain(|(i, _, _)| (*i as usize) < self.members.len());
        pairs.sort_unstable_by_key(|(i, t, _)| (*i, *t));
        let mut start = Vec::with_capacity(self.members.len() + 1);
        let mut k = 0;
        for i in 0..=self.members.len() {
            while k < pairs.len() && (pairs[k].0 as usize) < i {
                k += 1;
            }
            start.push(k as u32);
        }
        self.membership_start = start;
        let mut list: Vec<(u32, Role)> = pairs.into_iter().map(|(_, t, r)| (t, r)).collect();
        // Collected in the pairs' own buffer, a third larger than the list (8 MB at 1M).
        list.shrink_to_fit();
        self.membership_list = list;
    }

    fn index_teams(&mut self) {
        self.team_by_name = self
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
    }

    /// Member `i`'s memberships: (index into `teams`, role).
    pub fn memberships(
        &self,
        i: usize,
    ) -> impl ExactSizeIterator<Item = (usize, Role)> + Clone + '_ {
        let (a, b) = (self.membership_start[i], self.membership_start[i + 1]);
        self.membership_list[a as usize..b as usize]
            .iter()
            .map(|&(t, role)| (t as usize, role))
    }

    /// Member `i`'s memberships as (team name, role), by team name.
    pub fn team_names_of(&self, i: usize) -> Vec<(&str, Role)> {
        self.memberships(i)
            .map(|(t, role)| (self.teams[t].name.as_str(), role))
            .collect()
    }

    /// How many memberships the store holds.
    pub fn membership_count(&self) -> usize {
        self.membership_list.len()
    }

    /// Every membership: (member index, team index, role).
    pub fn all_memberships(&self) -> impl Iterator<Item = (usize, usize, Role)> + '_ {
        (0..self.members.len()).flat_map(move |i| self.memberships(i).map(move |(t, r)| (i, t, r)))
    }

    /// The member whose identifier `field` is `v` (emails ignoring case).
    pub fn holder(&self, field: crate::model::Field, v: &str) -> Option<usize> {
        use crate::model::Field;
        let ids = self.ids();
        let index = match field {
            Field::ExternalId => &ids.external_id,
            Field::Email => &ids.email,
            _ => &ids.phone,
        };
        index.find(&self.members, &identifier_key(field, v))
    }

    /// Whether the identifier indexes are built (on the first lookup by identifier).
    pub fn is_indexed(&self) -> bool {
        self.ids.get().is_some()
    }

    fn ids(&self) -> &IdIndexes {
        self.ids.get_or_init(|| IdIndexes::of(&self.members))
    }
    pub fn team(&self, name: &str) -> Option<usize> {
        self.team_by_name.get(name).copied()
    }

    /// A member by email, external_id or phone (the `ID` of `roster members ...`).
    pub fn find(&self, id: &str) -> Option<usize> {
        let id = id.trim();
        crate::model::IDENTIFIERS_FOR_DISPLAY
            .iter()
            .find_map(|&field| self.holder(field, id))
    }
}
