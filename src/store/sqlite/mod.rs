//! The SQLite store, the embedded default: the only SQLite SQL in the crate, one file per job
//! (`read`: snapshot, definitions, export stream, single members; `apply`: an import's writes;
//! `history`: the import history and audit log; `admin`: administrative writes and `backup`).
//!
//! Durability: WAL journal (readers keep reading while an import applies) with
//! `synchronous = FULL` (a committed import survives a power cut, not only a crash).

mod admin;
mod apply;
mod history;
mod invitations;
mod keys;
mod lock;
mod marks;
mod read;
mod schema;

use super::shared::Original;
use super::{ImportGuard, ImportMeta, ImportStore, Kind, Settings, Snapshot, Store, Timestamp};
use crate::columns::Catalog;
use crate::error::StoreError;
use crate::plan::Plan;
use lock::FileLock;
use rusqlite::{Connection, OpenFlags, params};
use std::path::{Path, PathBuf};

pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Database(Box::new(e))
    }
}

/// The time as stored: RFC 3339 text.
fn now() -> String {
    Timestamp::now().to_string()
}

/// SQLite's page cache per connection (negative: KiB), and during a bulk import.
const CACHE_KIB: i64 = -65536;
const BULK_CACHE_KIB: i64 = -131072;

impl SqliteStore {
    /// Opens (creating and migrating) the store at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let open_err = |e: &dyn std::fmt::Display| StoreError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        // NO_MUTEX: a connection is used by one thread at a time (rusqlite's default, which
        // explicit flags must repeat); full-mutex mode cost ~9% of a no-op sync in locking.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(&e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| open_err(&e))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| open_err(&e))?;
        // 64 MiB of page cache (SQLite's default is 2 MiB): a large import otherwise spills
        // pages to the WAL in the middle of its transaction.
        conn.pragma_update(None, "cache_size", CACHE_KIB)
            .map_err(|e| open_err(&e))?;
        schema::migrate(&mut conn, &path.display().to_string()).map_err(|e| match e {
            StoreError::Database(e) => open_err(&e),
            other => other,
        })?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Marks interrupted imports for readers of the history. Only touches the import lock when
    /// there is something to mark: a reader holding it even briefly makes an import that starts
    /// at that instant fail with exit 5.
    fn mark_interrupted_if_free(&self) -> Result<(), StoreError> {
        let running: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM imports WHERE status = 'RUNNING')",
            [],
            |r| r.get(0),
        )?;
        if running && let Ok(_lock) = FileLock::try_acquire(&self.path) {
            self.mark_interrupted()?;
        }
        Ok(())
    }

    fn generation(conn: &Connection) -> Result<i64, StoreError> {
        Ok(
            conn.query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| {
                r.get(0)
            })?,
        )
    }

    fn bump_generation(conn: &Connection) -> Result<(), StoreError> {
        conn.execute(
            "UPDATE meta SET value = value + 1 WHERE key = 'generation'",
            [],
        )?;
        Ok(())
    }
}

impl ImportStore for SqliteStore {
    fn snapshot(&self) -> Result<Snapshot, StoreError> {
        self.read_snapshot()
    }

    fn definitions(&self) -> Result<(Catalog, Settings), StoreError> {
        self.read_definitions()
    }

    fn reopen(&self) -> Result<Box<dyn ImportStore>, StoreError> {
        Ok(Box::new(SqliteStore::open(&self.path)?))
    }

    fn try_lock(&self) -> Result<ImportGuard, StoreError> {
        Ok(ImportGuard::new(FileLock::try_acquire(&self.path)?))
    }

    fn mark_interrupted(&self) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE imports SET status = 'FAILED', message = 'interrupted', finished_at = ?1 \
             WHERE status = 'RUNNING'",
            [now()],
        )?;
        Ok(())
    }

    fn begin_import(&mut self, meta: &ImportMeta, original: &Original) -> Result<i64, StoreError> {
        self.insert_import(meta, original)
    }

    fn apply(
        &mut self,
        import_id: i64,
        plan: &Plan,
        snapshot: &Snapshot,
        summary: &serde_json::Value,
        operator: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), StoreError> {
        self.apply_plan(import_id, plan, snapshot, summary, operator, progress)
    }

    fn fail_import(
        &mut self,
        import_id: i64,
        message: &str,
        summary: Option<&serde_json::Value>,
        errors_csv: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE imports SET status = 'FAILED', finished_at = ?2, message = ?3, summary = ?4, \
             errors_csv = ?5 WHERE id = ?1",
            params![
                import_id,
                now(),
                message,
                summary.map(|s| s.to_string()),
                errors_csv
            ],
        )?;
        Ok(())
    }

    fn set_import_errors(&mut self, import_id: i64, errors_csv: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE imports SET errors_csv = ?2 WHERE id = ?1",
            params![import_id, errors_csv],
        )?;
        Ok(())
    }
}

impl Store for SqliteStore {
    fn kind(&self) -> Kind<'_> {
        Kind::Sqlite(self)
    }
}
