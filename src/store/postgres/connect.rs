//! A connection to a PostgreSQL store, set up as every connection of the store is: the server
//! checked (version, encoding), the session pointed at the store's schema, its advisory lock
//! keys derived, and errors told without the password.
//!
//! Every connection sets `client_connection_check_interval`, so that the statement of a killed
//! client stops within a second instead of holding its locks until it would next write.

use super::schema;
use super::url::Target;
use crate::error::StoreError;
use std::time::Duration;

/// Oldest server roster runs on: `client_connection_check_interval` is 14's.
const MIN_SERVER_VERSION: i32 = 140_000;
/// How soon a server notices a vanished client in the middle of a statement.
const CHECK_INTERVAL_MS: u32 = 1000;

/// What every connection of one store shares: its schema and its advisory lock keys.
#[derive(Debug, Clone)]
pub struct Session {
    pub schema: String,
    /// The one-import-at-a-time lock of this store (database + schema).
    pub import_key: i64,
    /// Held while migrating, so that two first uses do not both create the store.
    pub migrate_key: i64,
    /// One invitation sender at a time (SPEC §13).
    pub send_key: i64,
}

/// A PostgreSQL error as a store error: the server's message (which never quotes the
/// connection's password), or the client's.
pub fn pg(e: postgres::Error) -> StoreError {
    StoreError::Database(Box::new(PgError(describe(&e))))
}

#[derive(Debug)]
struct PgError(String);

impl std::fmt::Display for PgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostgreSQL: {}", self.0)
    }
}

impl std::error::Error for PgError {}

/// A plain message as a store error.
pub fn other(text: impl Into<String>) -> StoreError {
    StoreError::Database(Box::new(PgError(text.into())))
}

/// Whether `url` holds a store (read-only commands never create one). A server that cannot be
/// reached counts as holding one, so that opening it reports why.
pub fn store_exists(url: &str) -> bool {
    let Ok(target) = Target::parse(url) else {
        return true;
    };
    let Ok((mut client, session)) = connect(&target) else {
        return true;
    };
    schema::version(&mut client, &session).map_or(true, |v| v > 0)
}

/// Any error while opening, as `StoreError::Open` naming the masked URL.
pub fn open_error(target: &Target, e: StoreError) -> StoreError {
    let reason = match e {
        StoreError::Database(e) => e.to_string(),
        StoreError::Io(e) => e.to_string(),
        other => return other,
    };
    StoreError::Open {
        path: target.display.clone(),
        reason: target.scrub(&reason),
    }
}

/// A new connection, set up as every connection of the store is.
pub fn connect(target: &Target) -> Result<(postgres::Client, Session), StoreError> {
    let mut client = postgres::Config::from(configured(target))
        .connect(target.tls.clone())
        .map_err(|e| open_error(target, pg(e)))?;
    let session = start_session(&mut client, target).map_err(|e| open_error(target, e))?;
    Ok((client, session))
}

/// The URL's settings, with roster's connect timeout, application name and keepalives.
pub fn configured(target: &Target) -> tokio_postgres::Config {
    let mut config = target.config.clone();
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    if config.get_application_name().is_none() {
        config.application_name("roster");
    }
    // A server that vanishes is noticed within about 20 s, not TCP's two hours.
    config
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(10))
        .keepalives_interval(Duration::from_secs(2))
        .keepalives_retries(5);
    config
}

fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
    }
}

/// Checks the server, points the session at the store's schema and derives the lock keys.
fn start_session(client: &mut postgres::Client, target: &Target) -> Result<Session, StoreError> {
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int, \
             current_setting('server_encoding'), current_database(), \
             coalesce($1::text, current_schema())",
            &[&target.schema],
        )
        .map_err(pg)?;
    let (version, encoding, database, schema): (i32, String, String, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    if version < MIN_SERVER_VERSION {
        return Err(other(format!(
            "roster needs PostgreSQL 14 or newer; this server is {}.{}",
            version / 10000,
            version % 10000
        )));
    }
    if encoding != "UTF8" {
        return Err(other(format!(
            "the database's encoding is {encoding}; roster needs a UTF8 database"
        )));
    }
    let schema =
        schema.ok_or_else(|| other("no schema to hold the store: add schema=NAME to the URL"))?;
    client
        .batch_execute(&session_settings(&schema))
        .map_err(pg)?;
    Ok(Session {
        import_key: lock_key("import", &database, &schema),
        migrate_key: lock_key("migrate", &database, &schema),
        send_key: lock_key("send", &database, &schema),
        schema,
    })
}

/// What every connection of the store sets: its schema, and how soon a vanished client's
/// statement stops.
pub fn session_settings(schema: &str) -> String {
    format!(
        "SET search_path TO {}; SET client_connection_check_interval = {CHECK_INTERVAL_MS}",
        schema::quote_ident(schema)
    )
}

/// A 64-bit advisory lock key for one purpose on one store (database + schema).
fn lock_key(purpose: &str, database: &str, schema: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("roster {purpose}\0{database}\0{schema}"));
    i64::from_be_bytes(digest[..8].try_into().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_differ_by_purpose_database_and_schema() {
        let k = lock_key("import", "db", "a");
        assert_eq!(k, lock_key("import", "db", "a"));
        assert_ne!(k, lock_key("migrate", "db", "a"));
        assert_ne!(k, lock_key("import", "db", "b"));
        assert_ne!(k, lock_key("import", "db2", "a"));
        assert_ne!(lock_key("import", "ab", "c"), lock_key("import", "a", "bc"));
    }
}
