//! Everything on disk. The [`Store`] trait is the narrow interface the pipeline talks to;
//! `sqlite` is its one implementation today (a PostgreSQL one can sit beside it).
//! A [`Snapshot`] is the in-memory view an import plans against.

mod lock;
mod schema;
pub mod sqlite;

use crate::columns::Catalog;
use crate::error::StoreError;
use crate::model::{Member, Role, Status, email_key};
use crate::plan::Plan;
use serde::Serialize;
use std::collections::HashMap;

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
    /// Per member (same index as `members`): (index into `teams`, role).
    pub memberships: Vec<Vec<(usize, Role)>>,
    pub catalog: Catalog,
    pub settings: Settings,
    /// Bumped by every write; part of the plan id.
    pub generation: i64,
    by_external_id: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
    by_phone: HashMap<String, usize>,
    team_by_name: HashMap<String, usize>,
}

impl Snapshot {
    pub fn new(
        members: Vec<Member>,
        teams: Vec<Team>,
        memberships: Vec<Vec<(usize, Role)>>,
        catalog: Catalog,
        settings: Settings,
        generation: i64,
    ) -> Snapshot {
        let mut s = Snapshot {
            members,
            teams,
            memberships,
            catalog,
            settings,
            generation,
            ..Snapshot::default()
        };
        s.index();
        s
    }

    fn index(&mut self) {
        use crate::model::Field;
        let n = self.members.len();
        self.by_external_id = HashMap::with_capacity(n);
        self.by_email = HashMap::with_capacity(n);
        self.by_phone = HashMap::with_capacity(n);
        for (i, m) in self.members.iter().enumerate() {
            if let Some(v) = m.get(Field::ExternalId) {
                self.by_external_id.insert(v.to_string(), i);
            }
            if let Some(v) = m.get(Field::Email) {
                self.by_email.insert(email_key(v), i);
            }
            if let Some(v) = m.get(Field::Phone) {
                self.by_phone.insert(v.to_string(), i);
            }
        }
        self.memberships.resize(n, Vec::new());
        self.team_by_name = self
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
    }

    pub fn by_external_id(&self, v: &str) -> Option<usize> {
        self.by_external_id.get(v).copied()
    }
    pub fn by_email(&self, v: &str) -> Option<usize> {
        self.by_email.get(&email_key(v)).copied()
    }
    pub fn by_phone(&self, v: &str) -> Option<usize> {
        self.by_phone.get(v).copied()
    }
    pub fn team(&self, name: &str) -> Option<usize> {
        self.team_by_name.get(name).copied()
    }

    /// A member by email, external_id or phone (the `ID` of `roster members ...`).
    pub fn find(&self, id: &str) -> Option<usize> {
        let id = id.trim();
        self.by_email(id)
            .or_else(|| self.by_external_id(id))
            .or_else(|| self.by_phone(id))
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

/// The store, as narrow as the pipeline needs it.
pub trait Store {
    fn snapshot(&self) -> Result<Snapshot, StoreError>;
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
    fn set_setting(&mut self, key: &str, value: Option<&str>) -> Result<(), StoreError>;
    fn add_label(&mut self, slug: &str) -> Result<bool, StoreError>;
    fn remove_label(&mut self, slug: &str) -> Result<bool, StoreError>;
    fn add_form_field(&mut self, key: &str) -> Result<bool, StoreError>;
    fn remove_form_field(&mut self, key: &str) -> Result<bool, StoreError>;
    /// Writes a consistent copy of the whole store to a new file at `dest` (`roster backup`),
    /// without blocking readers or an import.
    fn backup(&self, dest: &std::path::Path) -> Result<(), StoreError>;
}
