//! The SQLite ends of a whole-store copy (see `copy`): the file is opened (created and
//! migrated) as a store first, then read or written through a connection of its own.

use super::copy::{Sink, Source, Value, ordered};
use crate::error::StoreError;
use crate::store::SqliteStore;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::path::Path;

fn sql(e: rusqlite::Error) -> StoreError {
    StoreError::from(e)
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn tables(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .map_err(sql)?;
    let names = stmt
        .query_map([], |r| r.get(0))
        .map_err(sql)?
        .collect::<Result<Vec<String>, _>>()
        .map_err(sql)?;
    Ok(names)
}

fn columns(conn: &Connection, table: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare(&format!("PRAGMA table_info({})", quote(table)))
        .map_err(sql)?;
    let names = stmt
        .query_map([], |r| r.get(1))
        .map_err(sql)?
        .collect::<Result<Vec<String>, _>>()
        .map_err(sql)?;
    Ok(names)
}

/// Opens `path` as a store (creating and migrating it), then a connection of its own.
fn connect(path: &Path) -> Result<Connection, StoreError> {
    drop(SqliteStore::open(path)?);
    let conn = Connection::open(path).map_err(sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(sql)?;
    Ok(conn)
}

/// An SQLite store read in one read transaction.
pub struct SqliteSource {
    conn: Connection,
}

impl SqliteSource {
    pub fn open(path: &Path) -> Result<SqliteSource, StoreError> {
        if !path.exists() {
            return Err(StoreError::Open {
                path: path.display().to_string(),
                reason: "no such file".into(),
            });
        }
        let conn = connect(path)?;
        conn.execute_batch("BEGIN").map_err(sql)?;
        Ok(SqliteSource { conn })
    }
}

impl Source for SqliteSource {
    fn tables(&mut self) -> Result<Vec<String>, StoreError> {
        tables(&self.conn)
    }
    fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        columns(&self.conn, table)
    }
    fn rows(
        &mut self,
        table: &str,
        cols: &[String],
        each: &mut dyn FnMut(Vec<Value>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let list = cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {list} FROM {}", quote(table)))
            .map_err(sql)?;
        let mut rows = stmt.query([]).map_err(sql)?;
        while let Some(r) = rows.next().map_err(sql)? {
            let mut values = Vec::with_capacity(cols.len());
            for i in 0..cols.len() {
                values.push(match r.get_ref(i).map_err(sql)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Real(v) => Value::Text(v.to_string()),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
                });
            }
            each(values)?;
        }
        Ok(())
    }
}

/// An SQLite store written in one transaction.
pub struct SqliteSink {
    conn: Connection,
    insert: Option<String>,
}

impl SqliteSink {
    pub fn open(path: &Path) -> Result<SqliteSink, StoreError> {
        let conn = connect(path)?;
        conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
        Ok(SqliteSink { conn, insert: None })
    }
}

impl Sink for SqliteSink {
    fn is_empty(&mut self) -> Result<bool, StoreError> {
        for table in ordered(tables(&self.conn)?) {
            if table == "meta" {
                continue;
            }
            let sql_text = format!("SELECT EXISTS (SELECT 1 FROM {})", quote(&table));
            let any: bool = self
                .conn
                .query_row(&sql_text, [], |r| r.get(0))
                .map_err(sql)?;
            if any {
                return Ok(false);
            }
        }
        Ok(true)
    }
    fn columns(&mut self, table: &str) -> Result<Vec<String>, StoreError> {
        columns(&self.conn, table)
    }
    fn start(&mut self, table: &str, cols: &[String]) -> Result<(), StoreError> {
        // A new store's own rows (the generation) give way to the source's.
        self.conn
            .execute(&format!("DELETE FROM {}", quote(table)), [])
            .map_err(sql)?;
        let list = cols.iter().map(|c| quote(c)).collect::<Vec<_>>().join(", ");
        let marks = vec!["?"; cols.len()].join(", ");
        self.insert = Some(format!(
            "INSERT INTO {} ({list}) VALUES ({marks})",
            quote(table)
        ));
        Ok(())
    }
    fn row(&mut self, values: Vec<Value>) -> Result<(), StoreError> {
        let Some(insert) = &self.insert else {
            return Ok(());
        };
        let params = values.into_iter().map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::Int(i) => rusqlite::types::Value::Integer(i),
            Value::Text(t) => rusqlite::types::Value::Text(t),
            Value::Bytes(b) => rusqlite::types::Value::Blob(b),
        });
        self.conn
            .prepare_cached(insert)
            .map_err(sql)?
            .execute(rusqlite::params_from_iter(params))
            .map_err(sql)?;
        Ok(())
    }
    fn finish(&mut self) -> Result<(), StoreError> {
        self.insert = None;
        Ok(())
    }
    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.conn.execute_batch("COMMIT").map_err(sql)
    }
}
