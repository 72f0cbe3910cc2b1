//! Everything on disk. The [`Store`] trait is the narrow interface the pipeline talks to;
//! `sqlite` is its one implementation today (a PostgreSQL one can sit beside it).
//! A [`Snapshot`] is the in-memory view an import plans against.

mod audit;
pub mod keys;
mod lock;
mod schema;
pub mod sqlite;

use crate::columns::Catalog;
use crate::error::StoreError;
use crate::model::{Member, Role, Status, identifier_key};
use crate::plan::Plan;
use ahash::AHashMap as HashMap;
use serde::Serialize;

pub use lock::ImportLock;
pub use sqlite::SqliteStore;

/// Store-wide settings (`roster config`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub seat_limit: Option<u64>,
    pub max_rows: Option<u64>,
    pub max_bytes: Option<u64>,
    /// `N` or `N%`.
    pub max_deactivations: Option<String>,
}

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
    /// Memberships of member `i`: `membership_list[membership_start[i]..membership_start[i + 1]]`.
    membership_start: Vec<u32>,
    membership_list: Vec<(usize, Role)>,
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
            .flat_map(|(i, list)| list.iter().map(move |&(t, r)| (i, t, r)))
            .collect();
        Snapshot::from_pairs(members, teams, pairs, catalog, settings, generation)
    }

    /// Like [`Snapshot::new`], with memberships as (member index, team index, role) in any order.
    pub fn from_pairs(
        members: Vec<Member>,
        teams: Vec<Team>,
        memberships: Vec<(usize, usize, Role)>,
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

    fn set_memberships(&mut self, mut pairs: Vec<(usize, usize, Role)>) {
        pairs.retain(|(i, _, _)| *i < self.members.len());
        pairs.sort_unstable_by_key(|(i, t, _)| (*i, *t));
        let mut start = Vec::with_capacity(self.members.len() + 1);
        let mut k = 0;
        for i in 0..=self.members.len() {
            while k < pairs.len() && pairs[k].0 < i {
                k += 1;
            }
            start.push(k as u32);
        }
        self.membership_start = start;
        self.membership_list = pairs.into_iter().map(|(_, t, r)| (t, r)).collect();
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
    pub fn memberships(&self, i: usize) -> &[(usize, Role)] {
        let (a, b) = (self.membership_start[i], self.membership_start[i + 1]);
        &self.membership_list[a as usize..b as usize]
    }

    /// Member `i`'s memberships as (team name, role), by team name.
    pub fn team_names_of(&self, i: usize) -> Vec<(&str, Role)> {
        self.memberships(i)
            .iter()
            .map(|(t, role)| (self.teams[*t].name.as_str(), *role))
            .collect()
    }

    /// Every membership: (member index, team index, role).
    pub fn all_memberships(&self) -> impl Iterator<Item = (usize, usize, Role)> + '_ {
        (0..self.members.len())
            .flat_map(move |i| self.memberships(i).iter().map(move |&(t, r)| (i, t, r)))
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

/// Members by one identifier. The table holds only member indices (4 bytes each, not a copy of
/// every identifier): a lookup hashes the key and compares it with the member's own value.
#[derive(Clone, Default)]
struct IdIndex {
    field: Option<crate::model::Field>,
    table: hashbrown::HashTable<u32>,
}

impl std::fmt::Debug for IdIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdIndex({:?}, {} entries)", self.field, self.table.len())
    }
}

/// Fixed seeds: the hash only has to be good, not secret, and must agree between build and find.
fn id_hash(key: &str) -> u64 {
    ahash::RandomState::with_seeds(0x5eed, 0xc0ffee, 0xfeed, 0xbeef).hash_one(key)
}

/// The three identifier indexes of a snapshot.
#[derive(Debug, Clone, Default)]
struct IdIndexes {
    external_id: IdIndex,
    email: IdIndex,
    phone: IdIndex,
}

/// From this many members the three indexes are built on three threads.
const PARALLEL_INDEX_MEMBERS: usize = 50_000;

impl IdIndexes {
    fn of(members: &[Member]) -> IdIndexes {
        use crate::model::Field::{Email, ExternalId, Phone};
        if members.len() < PARALLEL_INDEX_MEMBERS {
            return IdIndexes {
                external_id: IdIndex::build(members, ExternalId),
                email: IdIndex::build(members, Email),
                phone: IdIndex::build(members, Phone),
            };
        }
        std::thread::scope(|scope| {
            let email = scope.spawn(|| IdIndex::build(members, Email));
            let phone = scope.spawn(|| IdIndex::build(members, Phone));
            let external_id = IdIndex::build(members, ExternalId);
            let join = |h: std::thread::ScopedJoinHandle<'_, IdIndex>| {
                h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
            };
            IdIndexes {
                external_id,
                email: join(email),
                phone: join(phone),
            }
        })
    }
}

impl IdIndex {
    fn build(members: &[Member], field: crate::model::Field) -> IdIndex {
        let mut table = hashbrown::HashTable::with_capacity(members.len());
        let key_of = |j: u32| {
            members[j as usize]
                .get(field)
                .map(|v| identifier_key(field, v))
        };
        for i in 0..members.len() as u32 {
            let Some(key) = key_of(i) else { continue };
            let hash = id_hash(&key);
            // One probe; the first member with a key keeps it.
            if let hashbrown::hash_table::Entry::Vacant(slot) = table.entry(
                hash,
                |&j| key_of(j).as_ref() == Some(&key),
                |&j| id_hash(&key_of(j).unwrap_or_default()),
            ) {
                slot.insert(i);
            }
        }
        IdIndex {
            field: Some(field),
            table,
        }
    }

    fn find(&self, members: &[Member], key: &str) -> Option<usize> {
        let field = self.field?;
        self.table
            .find(id_hash(key), |&j| {
                members[j as usize]
                    .get(field)
                    .is_some_and(|v| identifier_key(field, v) == key)
            })
            .map(|&j| j as usize)
    }
}

/// Facts about one import that the store records beside its changes.
#[derive(Debug, Clone)]
pub struct ImportMeta {
    pub operator: String,
    pub file_name: String,
    pub sha256: String,
    pub bytes: u64,
    pub encoding: String,
    pub mode: String,
    pub options: String,
}

/// One row of the import history.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub id: i64,
    pub status: String,
    pub operator: String,
    pub file_name: String,
    pub sha256: String,
    pub bytes: u64,
    pub encoding: String,
    pub mode: String,
    pub options: serde_json::Value,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub summary: Option<serde_json::Value>,
    pub message: Option<String>,
}

/// One audit event: one member's change in one import.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    pub import_id: Option<i64>,
    pub at: String,
    pub operator: String,
    pub member: String,
    pub action: String,
    pub changes: serde_json::Value,
}

/// A status or protection change made by an administrative command.
#[derive(Debug, Clone)]
pub struct StateChange {
    pub member_id: i64,
    pub status: Status,
    pub prior: Option<Status>,
    pub protected: bool,
    /// The audit action: `ban`, `unban`, `protect`, `unprotect`, `activate`, `invite`.
    pub action: &'static str,
}

/// Called with each exported member and its memberships (team name, role).
pub type MemberVisitor<'a> = dyn FnMut(&Member, &[(&str, Role)]) -> std::io::Result<()> + 'a;

/// The store, as narrow as the pipeline needs it.
pub trait Store {
    fn snapshot(&self) -> Result<Snapshot, StoreError>;
    /// The label and form-field definitions and the settings: what a file is read against.
    fn definitions(&self) -> Result<(Catalog, Settings), StoreError>;
    /// Takes the one-import-at-a-time lock, or `StoreError::Busy`.
    fn lock_imports(&self) -> Result<ImportLock, StoreError>;
    /// Records an import as started, with its original bytes; returns its id.
    fn begin_import(&mut self, meta: &ImportMeta, original: &[u8]) -> Result<i64, StoreError>;
    /// Applies the plan in one transaction (refusing it if the store changed since `snapshot`),
    /// writes the audit log and marks the import `COMPLETED`.
    fn apply(
        &mut self,
        import_id: i64,
        plan: &Plan,
        snapshot: &Snapshot,
        summary: &serde_json::Value,
        operator: &str,
    ) -> Result<(), StoreError>;
    /// Marks an import `FAILED` with its message and error report.
    fn fail_import(
        &mut self,
        import_id: i64,
        message: &str,
        summary: Option<&serde_json::Value>,
        errors_csv: Option<&[u8]>,
    ) -> Result<(), StoreError>;
    /// Keeps the error report of an import applied with `--skip-invalid`.
    fn set_import_errors(&mut self, import_id: i64, errors_csv: &[u8]) -> Result<(), StoreError>;
    fn imports(&self) -> Result<Vec<ImportRecord>, StoreError>;
    fn import(&self, id: i64) -> Result<Option<ImportRecord>, StoreError>;
    fn import_original(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    fn import_errors_csv(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    fn audit(
        &self,
        member: Option<i64>,
        import: Option<i64>,
    ) -> Result<Vec<AuditEvent>, StoreError>;
    /// Sets members' status/protection outside an import (`roster members ...`, `roster invite`),
    /// in one transaction, with an audit event each.
    fn set_member_states(
        &mut self,
        changes: &[StateChange],
        operator: &str,
    ) -> Result<(), StoreError>;
    /// Streams the members with one of `statuses`, by id, each with its memberships (team
    /// name, role) by team name: `roster export`, without building a snapshot. `visit`'s
    /// errors come back as `StoreError::Io`.
    fn each_member(&self, statuses: &[Status], visit: &mut MemberVisitor)
    -> Result<(), StoreError>;
    fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError>;
    fn add_label(&mut self, slug: &str) -> Result<bool, StoreError>;
    fn remove_label(&mut self, slug: &str) -> Result<bool, StoreError>;
    fn add_form_field(&mut self, key: &str) -> Result<bool, StoreError>;
    fn remove_form_field(&mut self, key: &str) -> Result<bool, StoreError>;
    /// Writes a consistent copy of the whole store to a new file at `dest` (`roster backup`),
    /// without blocking readers or an import.
    fn backup(&self, dest: &std::path::Path) -> Result<(), StoreError>;
}
