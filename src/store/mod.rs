//! Everything on disk, behind three narrow interfaces split by job: [`ImportStore`] (what an
//! import needs), [`HistoryStore`] (the import history and the audit log) and [`AdminStore`]
//! (single members, definitions, settings, the export stream). [`Store`] is all three; `open`
//! picks the backend from the location. `sqlite` is the embedded backend, `postgres` the shared
//! server's (SPEC §14); the logic every
//! backend shares (member ids, audit batches, stored originals, times) lives in `shared`,
//! `audit` and `time`, above any SQL.

pub mod audit;
pub mod invitations;
pub mod keys;
pub mod postgres;
pub mod shared;
pub mod sqlite;
mod time;

use crate::columns::Catalog;
use crate::error::StoreError;
use crate::model::{Member, Role, Status};
use crate::plan::Plan;
use serde::Serialize;

pub use crate::snapshot::{Settings, Snapshot, Team};
pub use sqlite::SqliteStore;
pub use time::Timestamp;

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
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub summary: Option<serde_json::Value>,
    pub message: Option<String>,
}

/// One audit event: one member's change in one import.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    pub id: i64,
    pub import_id: Option<i64>,
    pub at: Timestamp,
    pub operator: String,
    /// The member's email, else external_id, else phone; `None` for a change to the
    /// definitions or settings (`add_label`, `set_config`, ...).
    pub member: Option<String>,
    pub action: String,
    pub changes: serde_json::Value,
    /// The member's id in the store (not shown: readers name members by identifier).
    #[serde(skip)]
    pub member_id: Option<i64>,
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

/// A member found by one identifier, with its memberships (team name, role) by team name.
#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub member: Member,
    pub teams: Vec<(String, Role)>,
}

/// The one-import-at-a-time lock, held until dropped. The backend chooses what it is (a file
/// lock beside an SQLite store); the holder only keeps it alive.
pub struct ImportGuard(#[allow(dead_code)] Box<dyn Send>);

impl ImportGuard {
    pub fn new(lock: impl Send + 'static) -> ImportGuard {
        ImportGuard(Box::new(lock))
    }
}

impl std::fmt::Debug for ImportGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ImportGuard")
    }
}

/// What an import needs of a store.
pub trait ImportStore: Send {
    /// The store's state, read in one transaction.
    fn snapshot(&self) -> Result<Snapshot, StoreError>;
    /// The label and form-field definitions and the settings: what a file is read against.
    fn definitions(&self) -> Result<(Catalog, Settings), StoreError>;
    /// A second handle on the same store, for work on another thread.
    fn reopen(&self) -> Result<Box<dyn ImportStore>, StoreError>;
    /// Takes the backend's one-import-at-a-time lock, or `StoreError::Busy`.
    fn try_lock(&self) -> Result<ImportGuard, StoreError>;
    /// Imports left `RUNNING` become `FAILED` (interrupted). Only called with the lock held,
    /// so none of them is really running.
    fn mark_interrupted(&self) -> Result<(), StoreError>;
    /// Records an import as started, with its original bytes as [`shared::Original`] encodes
    /// them; returns its id.
    fn begin_import(
        &mut self,
        meta: &ImportMeta,
        original: &shared::Original,
    ) -> Result<i64, StoreError>;
    /// Applies the plan in one transaction (refusing it with `StoreError::Changed` if the store
    /// changed since `snapshot`), writes the audit log and marks the import `COMPLETED`, calling
    /// `progress(done)` with the changes written so far as it goes (about every 5%: progress
    /// within the apply stage).
    fn apply(
        &mut self,
        import_id: i64,
        plan: &Plan,
        snapshot: &Snapshot,
        summary: &serde_json::Value,
        operator: &str,
        progress: &mut dyn FnMut(u64),
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

    /// Takes the lock and marks the imports it finds interrupted.
    fn lock_imports(&self) -> Result<ImportGuard, StoreError> {
        let guard = self.try_lock()?;
        self.mark_interrupted()?;
        Ok(guard)
    }

    /// Records an import as started, compressing its original bytes.
    fn record_import(&mut self, meta: &ImportMeta, original: &[u8]) -> Result<i64, StoreError> {
        self.begin_import(meta, &shared::Original::compress(original)?)
    }
}

/// The import history and the audit log.
pub trait HistoryStore {
    /// Every import, newest first.
    fn imports(&self) -> Result<Vec<ImportRecord>, StoreError>;
    fn import(&self, id: i64) -> Result<Option<ImportRecord>, StoreError>;
    fn import_original(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    fn import_errors_csv(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError>;
    fn audit(
        &self,
        member: Option<i64>,
        import: Option<i64>,
    ) -> Result<Vec<AuditEvent>, StoreError>;
}

/// Single members, definitions and settings, and the export stream.
pub trait AdminStore {
    /// The member whose email (ignoring case), external_id or phone is `id`, in that order.
    fn find_member(&self, id: &str) -> Result<Option<MemberRecord>, StoreError>;
    /// The missing marks of `deactivate-after-missing` (SPEC §16), by member id.
    fn missing_marks(&self) -> Result<crate::snapshot::Marks, StoreError>;
    /// How many members have one of `statuses`.
    fn count_members(&self, statuses: &[Status]) -> Result<u64, StoreError>;
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
    fn settings(&self) -> Result<Settings, StoreError>;
    /// Sets (`None`: removes) a setting; a change is an audit event by `operator`.
    fn set_setting(
        &mut self,
        key: &str,
        value: Option<&str>,
        operator: &str,
    ) -> Result<(), StoreError>;
    /// The definitions: `false` when there was nothing to add or remove; a change is an
    /// audit event by `operator` ([`shared::Definition`]).
    fn add_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError>;
    fn remove_label(&mut self, slug: &str, operator: &str) -> Result<bool, StoreError>;
    fn add_form_field(&mut self, key: &str, operator: &str) -> Result<bool, StoreError>;
    fn remove_form_field(&mut self, key: &str, operator: &str) -> Result<bool, StoreError>;
}

/// A whole store: every job.
pub trait Store: ImportStore + HistoryStore + AdminStore + invitations::InvitationStore {
    /// The backend, for what only one kind of store can do (`roster backup` on SQLite).
    fn kind(&self) -> Kind<'_>;
}

/// The concrete store behind a [`Store`].
pub enum Kind<'a> {
    Sqlite(&'a SqliteStore),
    Postgres(&'a postgres::PostgresStore),
}

/// Where a store lives, as `--db` or `ROSTER_DB` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    Sqlite(std::path::PathBuf),
    /// A `postgres://` or `postgresql://` URL (SPEC §14).
    Postgres(String),
}

impl Location {
    pub fn parse(value: &str) -> Location {
        if postgres::is_postgres_url(value) {
            return Location::Postgres(value.to_string());
        }
        Location::Sqlite(std::path::PathBuf::from(value))
    }

    /// The location as messages show it.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => postgres::mask(url),
        }
    }

    /// Whether a store exists there (read-only commands never create one).
    pub fn exists(&self) -> bool {
        match self {
            Location::Sqlite(path) => path.exists(),
            Location::Postgres(url) => postgres::store_exists(url),
        }
    }
}

/// Opens the store at `location`, creating and migrating it on first use.
pub fn open(location: &Location) -> Result<Box<dyn Store>, StoreError> {
    match location {
        Location::Sqlite(path) => Ok(Box::new(SqliteStore::open(path)?)),
        Location::Postgres(url) => Ok(Box::new(postgres::PostgresStore::open(url)?)),
    }
}
