//! The versioned schema, migrated forward on open (keyed on `PRAGMA user_version`).

use crate::error::StoreError;
use crate::store::migrations;
use rusqlite::Connection;

pub fn migrate(conn: &mut Connection, path: &str) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut pending = migrations::pending(&migrations::SQLITE, found, path)?.peekable();
    if pending.peek().is_none() {
        return Ok(());
    }
    // Every pending migration in one transaction: one commit (one fsync) for a new store,
    // not one per version, and a store is never left between two versions.
    let tx = conn.transaction()?;
    for (version, sql) in pending {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
    }
    tx.commit()?;
    Ok(())
}
