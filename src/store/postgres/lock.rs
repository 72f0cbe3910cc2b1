//! One import at a time per store (SPEC §2, §14), and one invitation sender: session-level
//! advisory locks, keyed per store (database + schema) and job, each held on a connection of
//! its own. The server releases one when that connection ends: on drop, and when the process
//! dies (its socket closes; keepalives cover a vanished machine).

use super::connect::{Session, connect, pg};
use super::url::Target;
use crate::error::StoreError;

/// Held for the whole of an import (or a sender's run); released on drop or process death.
pub struct PgLock {
    client: postgres::Client,
    key: i64,
}

impl Drop for PgLock {
    /// Releases the lock before the connection closes: the server ends a closed session's
    /// backend (and frees its locks) only some time after the client has gone, so an import
    /// started right after this one ends would otherwise find the lock still held.
    fn drop(&mut self) {
        let _ = self
            .client
            .execute("SELECT pg_advisory_unlock($1)", &[&self.key]);
    }
}

impl PgLock {
    /// Takes the lock `key` (one of the session's) at once, or `StoreError::Busy`.
    pub fn try_acquire(target: &Target, key: i64) -> Result<PgLock, StoreError> {
        let (mut client, _) = connect(target)?;
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
            .map_err(pg)?
            .get(0);
        match got {
            true => Ok(PgLock { client, key }),
            false => Err(StoreError::Busy),
        }
    }
}

/// Whether some session holds the store's import lock, without taking it (readers must never
/// make an import that starts at that instant fail).
pub fn is_held(client: &mut postgres::Client, session: &Session) -> Result<bool, StoreError> {
    let key = session.import_key as u64;
    let (hi, lo) = ((key >> 32) as i64, (key & 0xffff_ffff) as i64);
    Ok(client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 1)",
            &[&hi, &lo],
        )
        .map_err(pg)?
        .get(0))
}
