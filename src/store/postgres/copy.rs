//! `roster store copy --to DEST` and `roster backup` on PostgreSQL (SPEC §14): the whole store,
//! table by table and row by row, between stores of either kind. Both kinds have the same
//! tables and columns (the same migrations), so a copy is generic: every table of the source
//! (parents before children), every column by name, values converted by the destination's
//! column types. The source is read in one consistent read transaction; the destination is
//! written in one transaction and must be empty.

use super::copy_sqlite::{SqliteSink, SqliteSource};
use super::read::no_params;
use super::{PostgresStore, is_postgres_url, pg};
use crate::error::StoreError;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};

/// One stored value, kind-neutral.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
}

/// Tables in the order that satisfies their references; tables not named here (added by later
/// migrations) follow in name order.
const ORDER: &[&str] = &[
    "meta",
    "members",
    "teams",
    "memberships",
    "labels",
    "form_fields",
    "settings",
    "imports",
    "import_originals",
    "audit_batches",
];

/// Bookkeeping of one kind only, never copied.
pub const NOT_COPIED: &[&str] = &["schema_version"];

/// The tables to copy, in order.
pub fn ordered(mut tables: Vec<String>) -> Vec<String> {
    tables.retain(|t| !NOT_COPIED.contains(&t.as_str()));
    let rank = |t: &String| ORDER.iter().position(|o| o == t).unwrap_or(ORDER.len());
    tables.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    tables
}

/// Reads a whole store, one table at a time.
pub trait Source {
    fn tables(&mut self) -> Result<Vec<String>, StoreError>;
    fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError>;
    fn rows(
        &mut self,
        table: &str,
        columns: &[String],
        each: &mut dyn FnMut(Vec<Value>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
}

/// Writes a whole store into an empty one.
pub trait Sink {
    /// Whether it holds nothing but a new store's own rows.
    fn is_empty(&mut self) -> Result<bool, StoreError>;
    fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError>;
    fn start(&mut self, table: &str, columns: &[String]) -> Result<(), StoreError>;
    fn row(&mut self, values: Vec<Value>) -> Result<(), StoreError>;
    fn finish(&mut self) -> Result<(), StoreError>;
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Copies the store named by `source` (a path or URL) into the empty store `dest`.
pub fn copy_store(source: &str, dest: &str) -> Result<(), StoreError> {
    let from: Box<dyn Source> = if is_postgres_url(source) {
        Box::new(PgSource::open(source)?)
    } else {
        Box::new(SqliteSource::open(std::path::Path::new(source))?)
    };
    copy_into(from, dest)
}

impl PostgresStore {
    /// `roster backup`: the whole store, as of one moment, into a new SQLite file at `dest`.
    pub fn backup(&self, dest: &std::path::Path) -> Result<(), StoreError> {
        let source = PgSource::begin(self.second()?)?;
        copy_into(Box::new(source), &dest.to_string_lossy())
    }
}

fn copy_into(mut from: Box<dyn Source>, dest: &str) -> Result<(), StoreError> {
    let mut to: Box<dyn Sink> = if is_postgres_url(dest) {
        Box::new(PgSink::open(dest)?)
    } else {
        Box::new(SqliteSink::open(std::path::Path::new(dest))?)
    };
    if !to.is_empty()? {
        return Err(StoreError::NotEmpty(super::mask(dest)));
    }
    for table in ordered(from.tables()?) {
        let columns = from.columns(&table)?;
        let theirs = to.columns(&table)?;
        if let Some(c) = columns.iter().find(|c| !theirs.contains(c)) {
            return Err(super::other(format!(
                "the destination has no column {table}.{c}: are both stores of one roster version?"
            )));
        }
        to.start(&table, &columns)?;
        from.rows(&table, &columns, &mut |values| to.row(values))?;
        to.finish()?;
    }
    to.commit()
}

/// A PostgreSQL store read in one REPEATABLE READ transaction.
struct PgSource {
    client: postgres::Client,
    schema: String,
}

impl PgSource {
    fn open(url: &str) -> Result<PgSource, StoreError> {
        Self::begin(PostgresStore::open(url)?)
    }

    fn begin(store: PostgresStore) -> Result<PgSource, StoreError> {
        let schema = store.session.schema.clone();
        let mut client = store.client.into_inner().map_err(|_| poisoned())?;
        client
            .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .map_err(pg)?;
        Ok(PgSource { client, schema })
    }
}

fn poisoned() -> StoreError {
    super::other("the store's connection is poisoned")
}

fn pg_tables(client: &mut postgres::Client, schema: &str) -> Result<Vec<String>, StoreError> {
    let rows = client
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
            &[&schema],
        )
        .map_err(pg)?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Each column of `table` with its type name, in order.
fn pg_columns(
    client: &mut postgres::Client,
    schema: &str,
    table: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let rows = client
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
            &[&schema, &table],
        )
        .map_err(pg)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

fn quoted(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| super::schema::quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Source for PgSource {
    fn tables(&mut self) -> Result<Vec<String>, StoreError> {
        pg_tables(&mut self.client, &self.schema)
    }
    fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        Ok(pg_columns(&mut self.client, &self.schema, table)?
            .into_iter()
            .map(|(c, _)| c)
            .collect())
    }
    fn rows(
        &mut self,
        table: &str,
        columns: &[String],
        each: &mut dyn FnMut(Vec<Value>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT {} FROM {}",
            quoted(columns),
            super::schema::quote_ident(table)
        );
        let mut rows = self.client.query_raw(&sql, no_params()).map_err(pg)?;
        while let Some(r) = rows.next().map_err(pg)? {
            let values = (0..columns.len())
                .map(|i| pg_value(&r, i))
                .collect::<Result<Vec<_>, _>>()
                .map_err(pg)?;
            each(values)?;
        }
        Ok(())
    }
}

fn pg_value(r: &postgres::Row, i: usize) -> Result<Value, postgres::Error> {
    let ty = r.columns()[i].type_().clone();
    Ok(match ty {
        Type::INT8 => r.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Type::INT4 => r
            .try_get::<_, Option<i32>>(i)?
            .map(|v| Value::Int(v.into())),
        Type::BOOL => r
            .try_get::<_, Option<bool>>(i)?
            .map(|v| Value::Int(v.into())),
        Type::BYTEA => r.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes),
        _ => r.try_get::<_, Option<String>>(i)?.map(Value::Text),
    }
    .unwrap_or(Value::Null))
}

/// A PostgreSQL store written in one transaction, each table by binary COPY.
struct PgSink {
    client: postgres::Client,
    schema: String,
    /// The table being written: its COPY statement, column types and buffered rows.
    table: Option<(String, Vec<Type>)>,
    rows: Vec<Vec<Value>>,
}

/// Rows per COPY: a table is sent in chunks, never held whole.
const CHUNK: usize = 20_000;

impl PgSink {
    fn open(url: &str) -> Result<PgSink, StoreError> {
        let store = PostgresStore::open(url)?;
        let schema = store.session.schema.clone();
        let mut client = store.client.into_inner().map_err(|_| poisoned())?;
        client.batch_execute("BEGIN").map_err(pg)?;
        Ok(PgSink {
            client,
            schema,
            table: None,
            rows: Vec::new(),
        })
    }

    fn flush(&mut self) -> Result<(), StoreError> {
        let Some((sql, types)) = &self.table else {
            return Ok(());
        };
        if self.rows.is_empty() {
            return Ok(());
        }
        let sink = self.client.copy_in(sql.as_str()).map_err(pg)?;
        let mut w = BinaryCopyInWriter::new(sink, types);
        for row in self.rows.drain(..) {
            let values: Vec<Box<dyn ToSql + Sync>> = row
                .into_iter()
                .zip(types)
                .map(|(v, t)| to_pg(v, t))
                .collect();
            w.write_raw(values.iter().map(|v| v.as_ref())).map_err(pg)?;
        }
        w.finish().map_err(pg)?;
        Ok(())
    }
}

/// A value as the destination column's type wants it.
fn to_pg(v: Value, ty: &Type) -> Box<dyn ToSql + Sync> {
    match (v, ty) {
        (Value::Null, t) if *t == Type::INT8 => Box::new(None::<i64>),
        (Value::Null, t) if *t == Type::INT4 => Box::new(None::<i32>),
        (Value::Null, t) if *t == Type::BOOL => Box::new(None::<bool>),
        (Value::Null, t) if *t == Type::BYTEA => Box::new(None::<Vec<u8>>),
        (Value::Null, _) => Box::new(None::<String>),
        (Value::Int(i), t) if *t == Type::BOOL => Box::new(i != 0),
        (Value::Int(i), t) if *t == Type::INT4 => Box::new(i as i32),
        (Value::Int(i), t) if *t == Type::TEXT => Box::new(i.to_string()),
        (Value::Int(i), _) => Box::new(i),
        (Value::Text(s), t) if *t == Type::BYTEA => Box::new(s.into_bytes()),
        (Value::Text(s), _) => Box::new(s),
        (Value::Bytes(b), t) if *t == Type::TEXT => {
            Box::new(String::from_utf8_lossy(&b).into_owned())
        }
        (Value::Bytes(b), _) => Box::new(b),
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

impl Sink for PgSink {
    fn is_empty(&mut self) -> Result<bool, StoreError> {
        for table in ordered(pg_tables(&mut self.client, &self.schema)?) {
            if table == "meta" {
                continue;
            }
            let sql = format!(
                "SELECT EXISTS (SELECT 1 FROM {})",
                super::schema::quote_ident(&table)
            );
            if self
                .client
                .query_one(&sql, &[])
                .map_err(pg)?
                .get::<_, bool>(0)
            {
                return Ok(false);
            }
        }
        Ok(true)
    }
    fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        Ok(pg_columns(&mut self.client, &self.schema, table)?
            .into_iter()
            .map(|(c, _)| c)
            .collect())
    }
    fn start(&mut self, table: &str, columns: &[String]) -> Result<(), StoreError> {
        let types_by_name = pg_columns(&mut self.client, &self.schema, table)?;
        let types = columns
            .iter()
            .map(|c| {
                let name = types_by_name.iter().find(|(n, _)| n == c).map(|(_, t)| t);
                pg_type(name.map_or("text", String::as_str))
            })
            .collect();
        let table_q = super::schema::quote_ident(table);
        // A new store's own rows (the generation) give way to the source's.
        self.client
            .execute(&format!("DELETE FROM {table_q}"), &[])
            .map_err(pg)?;
        let sql = format!(
            "COPY {table_q} ({}) FROM STDIN (FORMAT binary)",
            quoted(columns)
        );
        self.table = Some((sql, types));
        Ok(())
    }
    fn row(&mut self, values: Vec<Value>) -> Result<(), StoreError> {
        self.rows.push(values);
        if self.rows.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<(), StoreError> {
        self.flush()?;
        self.table = None;
        Ok(())
    }
    /// Commits, with the planner's statistics of the large tables gathered first: the first
    /// reads of a store just filled would otherwise be planned blind (at 1M members an export
    /// took ~25% longer until autovacuum came by).
    fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        self.client
            .batch_execute(&format!("{}; COMMIT", super::rebuild::ANALYZE))
            .map_err(pg)
    }
}
