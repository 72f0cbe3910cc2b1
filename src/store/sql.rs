//! The backend interface: what really differs between the SQLite and PostgreSQL stores. The
//! store's operations (`history`, `admin`, `keys`, `invitations`, `apply`, `copy`) are written
//! once over it, in SQL both dialects read: numbered parameters `$1`, `$2`, ... (the SQLite
//! backend reads them as `?1`, `?2`), `CAST(... AS BIGINT)` where a parameter's type must be
//! told, and new ids as `coalesce(max(id), 0) + 1` under the write order. The hot paths (the
//! snapshot read, the export stream, the member writes) stay in each backend.

use super::ticker::Ticker;
use super::{Guard, Snapshot};
use crate::error::StoreError;
use crate::model::{Member, Role, Status};
use crate::plan::Plan;
use std::collections::HashMap;

/// One value passed to or read from SQL.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Int(i64),
    Text(String),
    Blob(Vec<u8>),
    Bool(bool),
}

/// Called with each row a statement returns.
pub type EachRow<'a> = dyn FnMut(Row) -> Result<(), StoreError> + 'a;

/// What a backend step returns that gives nothing back.
pub type Done = Result<(), StoreError>;

/// The rows `insert_rows` appends.
pub type NewRows<'a> = dyn Iterator<Item = Vec<Value>> + 'a;

/// Called with each member a backend streams.
pub type EachMember<'a> = dyn FnMut(Member) -> Result<(), StoreError> + 'a;

/// Each team's rank by name (byte order), by team id.
pub type TeamRanks = ahash::AHashMap<i64, u32>;

/// How a transaction starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    /// A consistent read of one committed state (PostgreSQL: REPEATABLE READ, READ ONLY).
    Read,
    /// A plain transaction (kept responses, recording an import).
    Plain,
    /// A plain transaction that first locks `table` against other writers of it (its ids
    /// are `max + 1`).
    Exclusive(&'static str),
    /// A write to the roster: ordered with every other such write and with imports (SQLite's
    /// write lock; PostgreSQL's lock on the generation row).
    Ordered,
    /// An `Ordered` write that fills a store holding no members with a bulk of them. SQLite
    /// writes it through a rollback journal when no other connection has the store open: each
    /// new page is written once, not to the WAL and again at the checkpoint.
    Fill,
}

/// Creates above which an import's member writes are a bulk (when they also outnumber the
/// stored members): SQLite builds its identifier indexes once, after the rows.
const BULK_CREATES: usize = 1000;

/// Whether `creates` new members are a bulk for a store of `stored`.
pub fn is_bulk(creates: usize, stored: usize) -> bool {
    creates > BULK_CREATES && creates > stored
}

/// The two one-at-a-time locks of a store, each held until its [`Guard`] drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    Import,
    /// The invitation sender (SPEC §13).
    Sender,
}

/// What the member writes of an import need, beside the plan.
pub struct Writes<'a> {
    pub plan: &'a Plan<'a>,
    pub snapshot: &'a Snapshot,
    /// Each change's member id.
    pub ids: &'a [i64],
    pub team_ids: &'a HashMap<String, i64>,
    pub at: &'a str,
}

/// One backend: a connection that runs SQL in transactions, its locks, and its hot paths.
/// Statements run on the backend's one connection, inside whatever transaction is open.
pub trait Backend: Send {
    /// Runs `sql`, calling `each` with every row it returns.
    fn rows(&self, sql: &str, args: &[Value], each: &mut EachRow) -> Result<(), StoreError>;
    /// Runs `sql`; how many rows it changed.
    fn execute(&self, sql: &str, args: &[Value]) -> Result<u64, StoreError>;
    /// Appends rows to `table` (PostgreSQL: binary COPY, by the columns' types).
    fn insert_rows(&self, table: &str, cols: &[String], rows: &mut NewRows) -> Done;
    fn begin(&self, how: Begin) -> Result<(), StoreError>;
    /// Commits (`true`) or rolls back the open transaction.
    fn end(&self, commit: bool) -> Result<(), StoreError>;
    /// Takes a lock at once, or `StoreError::Busy`.
    fn lock(&self, lock: Lock) -> Result<Guard, StoreError>;
    /// Whether nobody holds the import lock; never makes an import that starts now fail.
    fn import_lock_free(&self) -> Result<bool, StoreError>;
    /// A second handle on the same store, with a connection of its own.
    fn reopen(&self) -> Result<Box<dyn Backend>, StoreError>;
    /// The store's tables, and a table's columns in order (for whole-store copies).
    fn tables(&self) -> Result<Vec<String>, StoreError>;
    fn columns(&self, table: &str) -> Result<Vec<String>, StoreError>;
    /// The members (with one of `statuses`, when given) by id, each passed to `each`: the
    /// snapshot's and the export's hot read, inside the caller's read transaction.
    fn members(&self, statuses: Option<&[Status]>, each: &mut EachMember)
    -> Result<(), StoreError>;
    /// Every membership of a team in `ranks` as (member id, the team's rank, role), in any
    /// order: one plain scan (ranking and sorting in SQL cost three times as much).
    fn memberships(&self, ranks: &TeamRanks) -> Result<Vec<(i64, u32, Role)>, StoreError>;
    /// An import's member and membership rows, inside the apply's transaction.
    fn write_members(&self, writes: &Writes, ticker: &mut Ticker) -> Result<(), StoreError>;
    /// `roster backup`: the whole store as of one moment, into a new SQLite file.
    fn backup(&self, dest: &std::path::Path) -> Result<(), StoreError>;
}

/// One row read, its values taken out one by one.
#[derive(Debug, Default)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// The value of column `i` (left `Null` behind), as `T`.
    pub fn get<T: FromValue>(&mut self, i: usize) -> Result<T, StoreError> {
        let v = self.0.get_mut(i).map(std::mem::take).unwrap_or_default();
        T::from_value(v).ok_or_else(|| message(format!("unexpected value in column {i}")))
    }
}

/// A Rust value read from a [`Value`]; `None` when the stored value is of another kind.
pub trait FromValue: Sized {
    fn from_value(v: Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(v: Value) -> Option<i64> {
        match v {
            Value::Int(i) => Some(i),
            Value::Bool(b) => Some(b.into()),
            _ => None,
        }
    }
}

impl FromValue for bool {
    fn from_value(v: Value) -> Option<bool> {
        i64::from_value(v).map(|i| i != 0)
    }
}

impl FromValue for String {
    fn from_value(v: Value) -> Option<String> {
        match v {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: Value) -> Option<Vec<u8>> {
        match v {
            Value::Blob(b) => Some(b),
            Value::Text(s) => Some(s.into_bytes()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Option<Option<T>> {
        match v {
            Value::Null => Some(None),
            v => T::from_value(v).map(Some),
        }
    }
}

macro_rules! into_value {
    ($($t:ty => |$x:ident| $e:expr),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from($x: $t) -> Value { $e }
        }
    )*};
}

into_value! {
    i64 => |i| Value::Int(i),
    bool => |b| Value::Bool(b),
    &str => |s| Value::Text(s.to_string()),
    String => |s| Value::Text(s),
    &[u8] => |b| Value::Blob(b.to_vec()),
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// The arguments of one statement: `args![a, b, c]`.
macro_rules! args {
    ($($v:expr),* $(,)?) => { &[$($crate::store::sql::Value::from($v)),*] };
}
pub(crate) use args;

/// A store error of the store's own (not the backend's).
pub fn message(text: impl Into<String>) -> StoreError {
    StoreError::Database(text.into().into())
}

/// Every row of `sql`.
pub fn all(db: &dyn Backend, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
    let mut rows = Vec::new();
    db.rows(sql, args, &mut |r| {
        rows.push(r);
        Ok(())
    })?;
    Ok(rows)
}

/// The first row of `sql`, if any.
pub fn first(db: &dyn Backend, sql: &str, args: &[Value]) -> Result<Option<Row>, StoreError> {
    Ok(all(db, sql, args)?.into_iter().next())
}

/// The first column of the first row, which must exist.
pub fn one<T: FromValue>(db: &dyn Backend, sql: &str, args: &[Value]) -> Result<T, StoreError> {
    first(db, sql, args)?
        .ok_or_else(|| message("a query returned no row"))?
        .get(0)
}

/// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
pub fn transaction<T>(
    db: &dyn Backend,
    how: Begin,
    f: impl FnOnce(&dyn Backend) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    db.begin(how)?;
    match f(db) {
        Ok(v) => {
            db.end(true)?;
            Ok(v)
        }
        Err(e) => {
            let _ = db.end(false);
            Err(e)
        }
    }
}

/// `$1` as SQLite's `?1`: the shared SQL's parameters in SQLite's spelling.
pub fn numbered_as_question_marks(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let numbered = c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit());
        out.push(if numbered { '?' } else { c });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_spelled_for_sqlite() {
        assert_eq!(
            numbered_as_question_marks("SELECT $1, $12 FROM t WHERE a = '$'"),
            "SELECT ?1, ?12 FROM t WHERE a = '$'"
        );
    }

    #[test]
    fn rows_give_their_values_once() {
        let mut row = Row(vec![Value::Int(3), Value::Null, Value::Text("x".into())]);
        assert_eq!(row.get::<i64>(0).unwrap(), 3);
        assert_eq!(row.get::<Option<String>>(1).unwrap(), None);
        assert_eq!(row.get::<String>(2).unwrap(), "x");
        assert!(row.get::<String>(2).is_err());
        assert!(row.get::<bool>(0).is_err());
    }
}
