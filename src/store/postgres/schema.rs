//! The versioned schema of a PostgreSQL store, migrated forward on open with the SQLite
//! store's version numbers (its `PRAGMA user_version` is the `schema_version` table here).
//! Migrations run under a transaction-level advisory lock, so that two processes opening one
//! empty schema at once do not both create it.

use super::{Session, pg};
use crate::error::StoreError;

/// Each entry migrates from version `i` to `i + 1`: the same numbers as the SQLite store's.
const MIGRATIONS: &[&str] = &[
    include_str!("sql/0001_initial.sql"),
    include_str!("sql/0002_audit_batches.sql"),
    include_str!("sql/0003_api_keys.sql"),
    include_str!("sql/0004_invitations.sql"),
    include_str!("sql/0005_key_rotation.sql"),
];

pub const VERSION: i64 = MIGRATIONS.len() as i64;

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
    if found > VERSION {
        return Err(StoreError::TooNew {
            path: display.to_string(),
            found,
            known: VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).map_err(pg)?;
        tx.execute("DELETE FROM schema_version", &[]).map_err(pg)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&(i as i32 + 1)],
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
    fn the_versions_are_the_sqlite_store_s() {
        assert_eq!(VERSION, 5);
        assert!(MIGRATIONS[0].contains("CREATE TABLE members"));
        assert!(MIGRATIONS[1].contains("CREATE TABLE audit_batches"));
        assert!(MIGRATIONS[3].contains("CREATE TABLE invitations"));
        assert!(MIGRATIONS[4].contains("ADD COLUMN expires_at"));
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_ident("t_1"), "\"t_1\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
