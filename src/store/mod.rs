//! Everything on disk. [`Store`] is the one interface: every operation (an import's history
//! row, its apply, the history and audit log, members, definitions and settings, API keys and
//! kept responses, the invitation outbox, whole-store copies) is written once, in `history`,
//! `apply`, `admin`, `keys`, `invitations` and `copy`, as SQL over the small [`sql::Backend`]
//! interface. A backend is what really differs: a connection running that SQL in transactions,
//! the write order, the import and sender locks, and the hot paths (the snapshot read, the
//! export stream, the member writes). `sqlite` is the embedded backend, `postgres` the shared
//! server's (SPEC §14); [`open`] picks one from the [`Location`]. Pure helpers sit beside them:
//! `shared` (member ids, audit events, stored originals), `audit` (the log's batches), `token`
//! (invitation tokens), `ticker` (apply progress) and `time`.

mod admin;
mod apply;
pub mod audit;
mod copy;
mod history;
pub mod invitations;
pub mod keys;
mod marks;
mod migrations;
mod outbox;
mod postgres;
mod read;
pub mod scim;
pub mod shared;
mod sql;
mod sqlite;
mod ticker;
mod time;
pub mod token;

use crate::error::StoreError;
use crate::model::{Member, Role, Status};
use serde::Serialize;

pub use crate::snapshot::{Settings, Snapshot, Team};
pub use time::Timestamp;

/// Facts about one import that the store records beside its changes.
#[derive(Debug, Clone, Default)]
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

/// Which audit events `Store::audit` reads: about one member, of one import, since a time, the
/// newest N (each when given).
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditQuery {
    pub member: Option<i64>,
    pub import: Option<i64>,
    pub since: Option<Timestamp>,
    pub newest: Option<usize>,
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

/// A one-at-a-time lock (an import's, the invitation sender's), held until dropped. The
/// backend chooses what it is (a file lock beside an SQLite store, an advisory lock on a
/// connection of its own); the holder only keeps it alive.
pub struct Guard(#[allow(dead_code)] Box<dyn Send>);

impl Guard {
    pub fn new(lock: impl Send + 'static) -> Guard {
        Guard(Box::new(lock))
    }
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Guard")
    }
}

/// A store: its operations are methods (`history`, `apply`, `admin`, `keys`, `invitations`),
/// each written once over the backend.
pub struct Store {
    db: Box<dyn sql::Backend>,
    location: Location,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.location.display())
    }
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

    /// The location as messages show it (a URL's password masked).
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
pub fn open(location: &Location) -> Result<Store, StoreError> {
    let db: Box<dyn sql::Backend> = match location {
        Location::Sqlite(path) => Box::new(sqlite::Sqlite::open(path)?),
        Location::Postgres(url) => Box::new(postgres::Postgres::open(url)?),
    };
    Ok(Store {
        db,
        location: location.clone(),
    })
}

/// `roster store copy`: the whole store at `source` into the empty store at `dest`.
pub fn copy(source: &Location, dest: &Location) -> Result<(), StoreError> {
    copy::copy_store(source, dest)
}

impl Store {
    /// A second handle on the same store, for work on another thread.
    pub fn reopen(&self) -> Result<Store, StoreError> {
        Ok(Store {
            db: self.db.reopen()?,
            location: self.location.clone(),
        })
    }

    /// Takes the one-import-at-a-time lock, or `StoreError::Busy`.
    pub fn try_lock(&self) -> Result<Guard, StoreError> {
        self.db.lock(sql::Lock::Import)
    }

    /// One invitation sender at a time per store: held until dropped, else `StoreError::Busy`.
    pub fn try_lock_sender(&self) -> Result<Guard, StoreError> {
        self.db.lock(sql::Lock::Sender)
    }

    /// Takes the import lock and marks the imports it finds interrupted.
    pub fn lock_imports(&self) -> Result<Guard, StoreError> {
        let guard = self.try_lock()?;
        self.mark_interrupted()?;
        Ok(guard)
    }

    /// `roster backup`: the whole store, as of one moment, into a new SQLite file at `dest`.
    pub fn backup(&self, dest: &std::path::Path) -> Result<(), StoreError> {
        self.db.backup(dest)
    }
}
