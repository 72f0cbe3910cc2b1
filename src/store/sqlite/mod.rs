//! The SQLite backend, the embedded default: the connection (`$1` read as `?1`), its file
//! locks (`lock`), the migrations (`schema`), and the hot paths: the snapshot read and the
//! export stream (`read`) and an import's member writes (`write`).
//!
//! Durability: WAL journal (readers keep reading while an import applies) with
//! `synchronous = FULL` (a committed import survives a power cut, not only a crash). A fill
//! (`Begin::Fill`) swaps to a rollback journal for its one transaction when no other
//! connection has the store open: a first import's pages are then written once instead of to
//! the WAL and again at the checkpoint. A reader opening meanwhile reads through the rollback
//! journal: the store as before the fill, or a wait while the fill writes out and commits.

mod lock;
mod read;
mod scan;
mod schema;
mod write;

use super::Guard;
use super::sql::{
    Backend, Begin, Done, EachMember, EachRow, Lock, NewRows, Row, TeamRanks, Value, Writes,
    numbered_as_question_marks,
};
use super::ticker::Ticker;
use crate::error::StoreError;
use crate::model::{Role, Status};
use lock::FileLock;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use std::cell::Cell;
use std::path::{Path, PathBuf};

pub struct Sqlite {
    conn: Connection,
    path: PathBuf,
    /// The page cache was changed for a bulk import or a fill: set back once its transaction
    /// ends.
    cache_changed: Cell<bool>,
    /// A fill is running through a rollback journal: back to WAL once its transaction ends.
    filling: Cell<bool>,
}

/// Runs `work` with a page cache of `kib`, then gives the connection its own back (also
/// after a failure).
fn with_cache<T>(
    conn: &Connection,
    kib: i64,
    work: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let kept: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
    conn.pragma_update(None, "cache_size", kib)?;
    let done = work();
    conn.pragma_update(None, "cache_size", kept)?;
    done
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Database(Box::new(e))
    }
}

/// SQLite's page cache per connection (negative: KiB), and during a bulk import.
const CACHE_KIB: i64 = -65536;
const BULK_CACHE_KIB: i64 = -131072;
/// The page cache of a fill (`Begin::Fill`): its pages go straight into the file as the cache
/// spills them, once, so a small cache costs no time (1M members 4.9 -> 4.7 s, 200k even) and
/// keeps 36-70 MB less resident at the peak of a large first import.
const FILL_CACHE_KIB: i64 = -2048;

/// The page cache of a plain transaction (an import's history row and its original, an API
/// key): an original of 25 MB compressed would otherwise stay in the 64 MiB cache, page by
/// page, until the import's apply.
const PLAIN_CACHE_KIB: i64 = -2048;

impl Sqlite {
    /// Opens (creating and migrating) the store at `path`.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
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
        // WAL, unless a fill holds the store in rollback mode at this instant: this connection
        // then works through the rollback journal (a read waits while the fill commits), and
        // the fill, or the next open, turns the store back to WAL.
        set_journal(&conn, "WAL").map_err(|e| open_err(&e))?;
        // 64 MiB of page cache (SQLite's default is 2 MiB): a large import otherwise spills
        // pages to the WAL in the middle of its transaction.
        for (pragma, value) in [
            ("synchronous", Value::from("FULL")),
            ("foreign_keys", "ON".into()),
            ("cache_size", CACHE_KIB.into()),
        ] {
            conn.pragma_update(None, pragma, value)
                .map_err(|e| open_err(&e))?;
        }
        schema::migrate(&mut conn, &path.display().to_string()).map_err(|e| match e {
            StoreError::Database(e) => open_err(&e),
            other => other,
        })?;
        Ok(Sqlite {
            conn,
            path: path.to_path_buf(),
            cache_changed: Cell::new(false),
            filling: Cell::new(false),
        })
    }

    /// Another page cache until the transaction ends (a bulk import, a fill).
    fn cache_until_end(&self, kib: i64) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "cache_size", kib)?;
        self.cache_changed.set(true);
        Ok(())
    }
}

/// Sets the journal mode unless another connection's lock stops it: whether it was set.
/// Leaving WAL needs the store's only connection; a store left in rollback mode (a process
/// killed mid-fill, a connection opened meanwhile) is turned back to WAL by the next `open`.
fn set_journal(conn: &Connection, mode: &str) -> Result<bool, rusqlite::Error> {
    let set = conn.pragma_update_and_check(None, "journal_mode", mode, |r| r.get::<_, String>(0));
    match set {
        Ok(now) => Ok(now.eq_ignore_ascii_case(mode)),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => Ok(false),
        Err(e) => Err(e),
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Bool(b) => ValueRef::Integer((*b).into()),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

fn value(v: ValueRef) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Text(f.to_string()),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// Values bound to one multi-row INSERT (SQLite allows 32766).
const MULTI_ROW_VALUES: usize = 500;

/// `INSERT INTO table (cols) VALUES (...), ...` for `rows` rows.
fn insert_sql(table: &str, cols: &[String], rows: usize) -> String {
    let list: Vec<String> = cols.iter().map(|c| quote(c)).collect();
    let group = format!("({})", vec!["?"; cols.len()].join(", "));
    format!(
        "INSERT INTO {} ({}) VALUES {}",
        quote(table),
        list.join(", "),
        vec![group; rows].join(", ")
    )
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Backend for Sqlite {
    fn rows(&self, sql: &str, args: &[Value], each: &mut EachRow) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare_cached(&numbered_as_question_marks(sql))?;
        let n = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let values = (0..n).map(|i| r.get_ref(i).map(value));
            each(Row(values.collect::<Result<_, _>>()?))?;
        }
        Ok(())
    }

    fn execute(&self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        let mut stmt = self.conn.prepare_cached(&numbered_as_question_marks(sql))?;
        Ok(stmt.execute(rusqlite::params_from_iter(args))? as u64)
    }

    fn insert_rows(&self, table: &str, cols: &[String], rows: &mut NewRows) -> Done {
        // Many rows a statement: each statement's start and end (its cursors, a foreign key's
        // parent cursor) cost as much as a narrow row (100k invitations: ~30% of the INSERTs).
        let per = (MULTI_ROW_VALUES / cols.len().max(1)).max(1);
        let mut many = self.conn.prepare_cached(&insert_sql(table, cols, per))?;
        let mut batch: Vec<Value> = Vec::with_capacity(per * cols.len());
        let mut held = 0;
        for row in rows {
            batch.extend(row);
            held += 1;
            if held == per {
                many.execute(rusqlite::params_from_iter(&batch))?;
                batch.clear();
                held = 0;
            }
        }
        if held > 0 {
            let mut one = self.conn.prepare_cached(&insert_sql(table, cols, 1))?;
            for row in batch.chunks(cols.len().max(1)) {
                one.execute(rusqlite::params_from_iter(row))?;
            }
        }
        Ok(())
    }

    fn begin(&self, how: Begin) -> Result<(), StoreError> {
        if how == Begin::Fill {
            self.filling.set(set_journal(&self.conn, "DELETE")?);
        }
        let sql = match how {
            Begin::Read | Begin::Plain => "BEGIN",
            Begin::Exclusive(_) | Begin::Ordered | Begin::Fill => "BEGIN IMMEDIATE",
        };
        if how == Begin::Plain {
            self.cache_until_end(PLAIN_CACHE_KIB)?;
        }
        let begun = self.conn.execute_batch(sql);
        if begun.is_err() && self.cache_changed.replace(false) {
            self.conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        }
        if begun.is_err() && self.filling.replace(false) {
            set_journal(&self.conn, "WAL")?;
        }
        Ok(begun?)
    }

    fn end(&self, commit: bool) -> Result<(), StoreError> {
        self.conn
            .execute_batch(if commit { "COMMIT" } else { "ROLLBACK" })?;
        if self.cache_changed.replace(false) {
            self.conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        }
        if self.filling.replace(false) {
            set_journal(&self.conn, "WAL")?;
        }
        Ok(())
    }

    fn lock(&self, lock: Lock) -> Result<Guard, StoreError> {
        let suffix = match lock {
            Lock::Import => ".lock",
            Lock::Sender => ".send.lock",
        };
        Ok(Guard::new(FileLock::try_acquire(&self.path, suffix)?))
    }

    fn import_lock_free(&self) -> Result<bool, StoreError> {
        Ok(FileLock::try_acquire(&self.path, ".lock").is_ok())
    }

    fn reopen(&self) -> Result<Box<dyn Backend>, StoreError> {
        Ok(Box::new(Sqlite::open(&self.path)?))
    }

    fn tables(&self) -> Result<Vec<String>, StoreError> {
        let sql =
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
        let mut stmt = self.conn.prepare(sql)?;
        let names = stmt.query_map([], |r| r.get(0))?;
        Ok(names.collect::<Result<_, _>>()?)
    }

    fn columns(&self, table: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!("PRAGMA table_info({})", quote(table)))?;
        let names = stmt.query_map([], |r| r.get(1))?;
        Ok(names.collect::<Result<_, _>>()?)
    }

    fn members(
        &self,
        statuses: Option<&[Status]>,
        each: &mut EachMember,
    ) -> Result<(), StoreError> {
        read::members(&self.conn, statuses, each)
    }

    fn memberships(&self, ranks: &TeamRanks) -> Result<Vec<(i64, u32, Role)>, StoreError> {
        read::memberships(&self.conn, ranks)
    }

    fn write_members(&self, writes: &Writes, ticker: &mut Ticker) -> Result<(), StoreError> {
        write::write_members(self, writes, ticker)
    }

    /// SQLite's online backup, all pages in one step: one read transaction, so the copy is
    /// one committed state (WAL lets writers go on meanwhile). The copy is a single file in
    /// rollback-journal mode; roster turns it back to WAL when it opens it as a store.
    fn backup(&self, dest: &Path) -> Result<(), StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let mut copy = Connection::open_with_flags(dest, flags)?;
        rusqlite::backup::Backup::new(&self.conn, &mut copy)?.run_to_completion(
            i32::MAX,
            std::time::Duration::from_millis(50),
            None,
        )?;
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        copy.close().map_err(|(_, e)| e)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql::{self, Begin};

    fn cache_size(db: &Sqlite) -> i64 {
        db.conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_plain_transaction_writes_through_a_small_cache_and_gives_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = Sqlite::open(&dir.path().join("s.db")).unwrap();
        assert_eq!(cache_size(&db), CACHE_KIB);
        let during = sql::transaction(&db, Begin::Plain, |_| Ok(cache_size(&db))).unwrap();
        assert_eq!(during, PLAIN_CACHE_KIB);
        assert_eq!(cache_size(&db), CACHE_KIB);
        let failed = sql::transaction(&db, Begin::Plain, |_| Err::<(), _>(StoreError::Changed));
        assert!(matches!(failed, Err(StoreError::Changed)));
        assert_eq!(cache_size(&db), CACHE_KIB);
        let ordered = sql::transaction(&db, Begin::Ordered, |_| Ok(cache_size(&db))).unwrap();
        assert_eq!(ordered, CACHE_KIB);
    }
}
