//! The versioned schema, migrated forward on open (keyed on `PRAGMA user_version`).

use crate::error::StoreError;
use crate::store::migrations;
use rusqlite::Connection;

pub fn migrate(conn: &mut Connection, path: &str) -> Result<(), StoreError> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (version, sql) in migrations::pending(&migrations::SQLITE, found, path)? {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}
