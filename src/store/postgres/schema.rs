//! The versioned schema of a PostgreSQL store, migrated forward on open (`migrations`; the SQLite
//! store's `PRAGMA user_version` is the `schema_version` table here).
//! Migrations run under a transaction-level advisory lock, so that two processes opening one
//! empty schema at once do not both create it.

use super::connect::{Session, pg};
use crate::error::StoreError;

use crate::store::migrations::{self, VERSION};

/// The schema's version, or 0 when it holds no store (or does not exist).
pub fn version(client: &mut postgres::Client, session: &Session) -> Result<i64, StoreError> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass(format('%I.schema_version', $1::text)) IS NOT NULL",
            &[&session.schema],
        )
        .map_err(pg)?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_opt("SELECT max(version)::bigint FROM schema_version", &[])
        .map_err(pg)?;
    Ok(row.and_then(|r| r.get::<_, Option<i64>>(0)).unwrap_or(0))
}

/// Creates the schema and store if missing and applies every migration it lacks.
pub fn migrate(
    client: &mut postgres::Client,
    session: &Session,
    display: &str,
) -> Result<(), StoreError> {
    if version(client, session)? == VERSION {
        return Ok(());
    }
    let mut tx = client.transaction().map_err(pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&session.migrate_key])
        .map_err(pg)?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {}; \
         CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);",
        quote_ident(&session.schema)
    ))
    .map_err(pg)?;
    let found: i64 = tx
        .query_one(
            "SELECT coalesce(max(version), 0)::bigint FROM schema_version",
            &[],
        )
        .map_err(pg)?
        .get(0);
    for (version, sql) in migrations::pending(&migrations::POSTGRES, found, display)? {
        tx.batch_execute(sql).map_err(pg)?;
        tx.execute("DELETE FROM schema_version", &[]).map_err(pg)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&(version as i32)],
        )
        .map_err(pg)?;
    }
    tx.commit().map_err(pg)?;
    Ok(())
}

/// An SQL identifier, double-quoted.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("t_1"), "\"t_1\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
