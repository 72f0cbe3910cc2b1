//! The PostgreSQL backend (SPEC §14): the same tables, versions and outputs as the SQLite
//! store, on a server that several operators, schedulers and `roster serve` replicas share.
//!
//! One job per file: `url` (the address, masked), `tls` (`sslmode`, `sslrootcert`, with
//! rustls), `connect` (a connection set up for the store), `schema` (migrations), `lock` (the
//! import and sender locks, each on a connection of its own), and the hot paths: `read` (the
//! snapshot and the export, streamed; `stream`: a large store's members on a connection of
//! their own) and `write` (an import's member writes: row by row in
//! `rows`, by binary COPY in `bulk`, the first large import's indexes rebuilt in `rebuild`).

mod bulk;
mod connect;
mod lock;
mod read;
mod rebuild;
mod rows;
mod schema;
mod stream;
mod tls;
mod url;
mod write;

pub use connect::store_exists;
pub use url::{is_postgres_url, mask};

use super::sql::{
    Backend, Begin, Done, EachMember, EachRow, Lock, NewRows, Row, TeamRanks, Value, Writes,
};
use super::ticker::Ticker;
use super::{Guard, Location};
use crate::error::StoreError;
use crate::model::{Role, Status};
use connect::{Session, connect, other, pg};
use lock::PgLock;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::{Client, Statement};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use url::Target;

/// Statements kept prepared per connection; beyond this the cache starts again.
const KEPT_STATEMENTS: usize = 256;
/// Rows loaded in one transaction from which the large tables' statistics are gathered before
/// it commits.
const ANALYZE_ROWS: usize = 10_000;
const GENERATION_LOCK: &str = "SELECT value FROM meta WHERE key = 'generation' FOR UPDATE";

pub struct Postgres {
    conn: Mutex<Conn>,
    target: Target,
    session: Session,
}

/// The connection and what it keeps between statements.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
    /// Each table's columns and types, for binary COPY.
    types: HashMap<String, Vec<(String, Type)>>,
    /// Rows of `members`, `memberships` and `teams` loaded in the open transaction.
    loaded: usize,
}

/// Parameters as a prepared statement's types want them.
type Params<'a> = Vec<Box<dyn ToSql + Sync + 'a>>;

impl Conn {
    /// The (cached) statement of `sql`, with `args` bound to its parameters' types.
    fn bind<'a>(
        &mut self,
        sql: &str,
        args: &'a [Value],
    ) -> Result<(Statement, Params<'a>), StoreError> {
        let stmt = self.statement(sql)?;
        let params = args
            .iter()
            .zip(stmt.params())
            .map(|(v, t)| to_pg(v, t))
            .collect();
        Ok((stmt, params))
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        if self.statements.len() >= KEPT_STATEMENTS {
            self.statements.clear();
        }
        let s = self.client.prepare(sql).map_err(pg)?;
        self.statements.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

/// The client of a locked connection.
struct ClientGuard<'a>(MutexGuard<'a, Conn>);

impl std::ops::Deref for ClientGuard<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.0.client
    }
}

impl std::ops::DerefMut for ClientGuard<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.0.client
    }
}

impl Postgres {
    /// Opens the store at `url` (a `postgres://` or `postgresql://` URL), creating it in an
    /// empty database or schema and migrating it forward.
    pub fn open(url: &str) -> Result<Postgres, StoreError> {
        let target = Target::parse(url)?;
        let (mut client, session) = connect(&target)?;
        schema::migrate(&mut client, &session, &target.display)
            .map_err(|e| connect::open_error(&target, e))?;
        Ok(Postgres::on(client, target, session))
    }

    fn on(client: Client, target: Target, session: Session) -> Postgres {
        let conn = Conn {
            client,
            statements: HashMap::new(),
            types: HashMap::new(),
            loaded: 0,
        };
        Postgres {
            conn: Mutex::new(conn),
            target,
            session,
        }
    }

    fn conn(&self) -> Result<MutexGuard<'_, Conn>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| other("the store's connection is poisoned"))
    }

    /// The connection, for the hot paths' own statements (inside the open transaction).
    fn client(&self) -> Result<ClientGuard<'_>, StoreError> {
        Ok(ClientGuard(self.conn()?))
    }

    /// The hot reads, over `client` (this store's connection, locked).
    fn reader<'a>(&'a self, client: &'a mut ClientGuard<'_>) -> read::Reader<'a> {
        read::Reader {
            client,
            target: &self.target,
            schema: &self.session.schema,
        }
    }

    fn types(&self, table: &str) -> Result<Vec<(String, Type)>, StoreError> {
        let mut c = self.conn()?;
        if let Some(t) = c.types.get(table) {
            return Ok(t.clone());
        }
        let rows = c
            .client
            .query(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                &[&self.session.schema, &table],
            )
            .map_err(pg)?;
        let types: Vec<(String, Type)> =
            rows.iter().map(|r| (r.get(0), pg_type(r.get(1)))).collect();
        c.types.insert(table.to_string(), types.clone());
        Ok(types)
    }
}

fn pg_type(name: &str) -> Type {
    match name {
        "bigint" => Type::INT8,
        "integer" => Type::INT4,
        "boolean" => Type::BOOL,
        "bytea" => Type::BYTEA,
        _ => Type::TEXT,
    }
}

/// A value as the parameter's or column's type wants it.
fn to_pg<'a>(v: &'a Value, ty: &Type) -> Box<dyn ToSql + Sync + 'a> {
    match v {
        Value::Null if *ty == Type::INT8 => Box::new(None::<i64>),
        Value::Null if *ty == Type::INT4 => Box::new(None::<i32>),
        Value::Null if *ty == Type::BOOL => Box::new(None::<bool>),
        Value::Null if *ty == Type::BYTEA => Box::new(None::<&[u8]>),
        Value::Null => Box::new(None::<&str>),
        Value::Int(i) if *ty == Type::BOOL => Box::new(*i != 0),
        Value::Int(i) if *ty == Type::INT4 => Box::new(*i as i32),
        Value::Int(i) if *ty == Type::TEXT => Box::new(i.to_string()),
        Value::Int(i) => Box::new(*i),
        Value::Bool(b) if *ty == Type::BOOL => Box::new(*b),
        Value::Bool(b) => Box::new(i64::from(*b)),
        Value::Text(s) if *ty == Type::BYTEA => Box::new(s.as_bytes()),
        Value::Text(s) => Box::new(s.as_str()),
        Value::Blob(b) if *ty == Type::TEXT => Box::new(String::from_utf8_lossy(b).into_owned()),
        Value::Blob(b) => Box::new(b.as_slice()),
    }
}

fn pg_value(r: &postgres::Row, i: usize) -> Result<Value, postgres::Error> {
    let ty = r.columns()[i].type_();
    Ok(match *ty {
        Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Type::INT4 => r
            .try_get::<_, Option<i32>>(i)?
            .map(|v| Value::Int(v.into())),
        Type::BOOL => r.try_get::<_, Option<bool>>(i)?.map(Value::Bool),
        Type::BYTEA => r.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
        _ => r.try_get::<_, Option<String>>(i)?.map(Value::Text),
    }
    .unwrap_or(Value::Null))
}

fn quote(name: &str) -> String {
    schema::quote_ident(name)
}

impl Backend for Postgres {
    fn rows(&self, sql: &str, args: &[Value], each: &mut EachRow) -> Result<(), StoreError> {
        let mut c = self.conn()?;
        let (stmt, params) = c.bind(sql, args)?;
        let mut rows = c
            .client
            .query_raw(&stmt, params.iter().map(|p| p.as_ref() as &dyn ToSql))
            .map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            let values = (0..r.len()).map(|i| pg_value(&r, i));
            each(Row(values.collect::<Result<_, _>>().map_err(pg)?))?;
        }
        Ok(())
    }

    fn execute(&self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        let mut c = self.conn()?;
        let (stmt, params) = c.bind(sql, args)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        c.client.execute(&stmt, &refs).map_err(pg)
    }

    fn insert_rows(&self, table: &str, cols: &[String], rows: &mut NewRows) -> Done {
        let known = self.types(table)?;
        let types: Vec<Type> = cols
            .iter()
            .map(|c| {
                known
                    .iter()
                    .find(|(n, _)| n == c)
                    .map_or(Type::TEXT, |(_, t)| t.clone())
            })
            .collect();
        let list: Vec<String> = cols.iter().map(|c| quote(c)).collect();
        let sql = format!(
            "COPY {} ({}) FROM STDIN (FORMAT binary)",
            quote(table),
            list.join(", ")
        );
        let mut c = self.conn()?;
        let mut n = 0;
        let mut w = BinaryCopyInWriter::new(c.client.copy_in(&sql).map_err(pg)?, &types);
        for row in rows {
            let values: Vec<_> = row.iter().zip(&types).map(|(v, t)| to_pg(v, t)).collect();
            w.write_raw(values.iter().map(|v| v.as_ref() as &dyn ToSql))
                .map_err(pg)?;
            n += 1;
        }
        w.finish().map_err(pg)?;
        if ["members", "memberships", "teams"].contains(&table) {
            c.loaded += n;
        }
        Ok(())
    }

    fn begin(&self, how: Begin) -> Result<(), StoreError> {
        let mut c = self.conn()?;
        c.loaded = 0;
        let (begin, then) = match how {
            Begin::Read => ("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", None),
            Begin::Plain => ("BEGIN", None),
            Begin::Exclusive(table) => (
                "BEGIN",
                Some(format!("LOCK TABLE {table} IN EXCLUSIVE MODE")),
            ),
            // The generation row's lock is the store's one write order, shared with imports
            // (a statement of its own: what a waiting transaction waits in shows by its text).
            Begin::Ordered | Begin::Fill => ("BEGIN", Some(GENERATION_LOCK.to_string())),
        };
        c.client.batch_execute(begin).map_err(pg)?;
        then.map_or(Ok(()), |sql| c.client.batch_execute(&sql).map_err(pg))
    }

    /// Commits with the planner's statistics of the large tables gathered first when the
    /// transaction filled them: the first reads of a store just filled would otherwise be
    /// planned blind (at 1M members an export took ~25% longer until autovacuum came by).
    fn end(&self, commit: bool) -> Result<(), StoreError> {
        let mut c = self.conn()?;
        let sql = match commit {
            true if c.loaded >= ANALYZE_ROWS => format!("{}; COMMIT", rebuild::ANALYZE),
            true => "COMMIT".to_string(),
            false => "ROLLBACK".to_string(),
        };
        c.loaded = 0;
        c.client.batch_execute(&sql).map_err(pg)
    }

    fn lock(&self, lock: Lock) -> Result<Guard, StoreError> {
        let key = match lock {
            Lock::Import => self.session.import_key,
            Lock::Sender => self.session.send_key,
        };
        Ok(Guard::new(PgLock::try_acquire(&self.target, key)?))
    }

    fn import_lock_free(&self) -> Result<bool, StoreError> {
        Ok(!lock::is_held(&mut *self.client()?, &self.session)?)
    }

    fn reopen(&self) -> Result<Box<dyn Backend>, StoreError> {
        let (client, session) = connect(&self.target)?;
        Ok(Box::new(Postgres::on(client, self.target.clone(), session)))
    }

    fn tables(&self) -> Result<Vec<String>, StoreError> {
        let rows = self
            .client()?
            .query(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
                &[&self.session.schema],
            )
            .map_err(pg)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn columns(&self, table: &str) -> Result<Vec<String>, StoreError> {
        Ok(self.types(table)?.into_iter().map(|(c, _)| c).collect())
    }

    fn members(
        &self,
        statuses: Option<&[Status]>,
        each: &mut EachMember,
    ) -> Result<(), StoreError> {
        self.reader(&mut self.client()?).members(statuses, each)
    }

    fn memberships(&self, ranks: &TeamRanks) -> Result<Vec<(i64, u32, Role)>, StoreError> {
        self.reader(&mut self.client()?).memberships(ranks)
    }

    fn write_members(&self, writes: &Writes, ticker: &mut Ticker) -> Result<(), StoreError> {
        write::write_members(&mut *self.client()?, writes, ticker)
    }

    /// The whole store, as of one moment, into a new SQLite file (`roster store copy`'s).
    fn backup(&self, dest: &std::path::Path) -> Result<(), StoreError> {
        super::copy::copy_into(self, &Location::Sqlite(dest.to_path_buf()))
    }
}
