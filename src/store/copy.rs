//! `roster store copy --to DEST` (SPEC §14): the whole store, table by table, between stores of
//! either kind. Both kinds have the same tables and columns (the same migrations), so a copy is
//! generic: every table of the source (parents before children), every column by name. The
//! source is read in one consistent read transaction; the destination is written in one
//! transaction and must be empty. `roster backup` on PostgreSQL is a copy into a new SQLite file.

use super::sql::{self, Backend, Begin, Value};
use super::{Location, open};
use crate::error::StoreError;

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
const NOT_COPIED: &[&str] = &["schema_version"];

/// Rows per insert: a table is sent in chunks, never held whole.
const CHUNK: usize = 20_000;

/// The tables to copy, in order.
fn ordered(mut tables: Vec<String>) -> Vec<String> {
    tables.retain(|t| !NOT_COPIED.contains(&t.as_str()));
    let rank = |t: &String| ORDER.iter().position(|o| o == t).unwrap_or(ORDER.len());
    tables.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    tables
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Copies the store at `source` into the empty store at `dest`.
pub fn copy_store(source: &Location, dest: &Location) -> Result<(), StoreError> {
    if let Location::Sqlite(path) = source
        && !path.exists()
    {
        return Err(StoreError::Open {
            path: path.display().to_string(),
            reason: "no such file".into(),
        });
    }
    let from = open(source)?;
    copy_into(&*from.db, dest)
}

/// Copies everything `from` holds, as of one moment, into the empty store at `dest`.
pub fn copy_into(from: &dyn Backend, dest: &Location) -> Result<(), StoreError> {
    let to = open(dest)?;
    let to = &*to.db;
    sql::transaction(from, Begin::Read, |from| {
        sql::transaction(to, Begin::Ordered, |to| {
            if !is_empty(to)? {
                return Err(StoreError::NotEmpty(dest.display()));
            }
            for table in ordered(from.tables()?) {
                copy_table(from, to, &table)?;
            }
            Ok(())
        })
    })
}

/// Whether a store holds nothing but a new store's own rows (the generation).
fn is_empty(db: &dyn Backend) -> Result<bool, StoreError> {
    for table in ordered(db.tables()?) {
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM {} LIMIT 1) t",
            quote(&table)
        );
        if table != "meta" && sql::one::<i64>(db, &sql, &[])? > 0 {
            return Ok(false);
        }
    }
    Ok(true)
}

fn copy_table(from: &dyn Backend, to: &dyn Backend, table: &str) -> Result<(), StoreError> {
    let columns = from.columns(table)?;
    let theirs = to.columns(table)?;
    if let Some(c) = columns.iter().find(|c| !theirs.contains(c)) {
        return Err(sql::message(format!(
            "the destination has no column {table}.{c}: are both stores of one roster version?"
        )));
    }
    // A new store's own rows (the generation) give way to the source's.
    to.execute(&format!("DELETE FROM {}", quote(table)), &[])?;
    let list: Vec<String> = columns.iter().map(|c| quote(c)).collect();
    let select = format!("SELECT {} FROM {}", list.join(", "), quote(table));
    let mut chunk: Vec<Vec<Value>> = Vec::new();
    let flush = |chunk: &mut Vec<Vec<Value>>| to.insert_rows(table, &columns, &mut chunk.drain(..));
    from.rows(&select, &[], &mut |row| {
        chunk.push(row.0);
        if chunk.len() >= CHUNK {
            flush(&mut chunk)?;
        }
        Ok(())
    })?;
    flush(&mut chunk)
}
