//! One import at a time per store (SPEC §2, §14): a session-level advisory lock, keyed per
//! store (database + schema), held on a connection of its own for the whole import. The server
//! releases it when that connection ends: on drop, and when the process dies (its socket
//! closes; keepalives cover a vanished machine).

use super::url::Target;
use super::{Session, connect, pg};
use crate::error::StoreError;
use std::time::{Duration, Instant};

/// Held for the whole of an import; released on drop or process death.
pub struct PgImportLock {
    _client: postgres::Client,
}

impl std::fmt::Debug for PgImportLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgImportLock")
    }
}

/// How often a waiting import asks for the lock again.
const POLL: Duration = Duration::from_millis(100);

impl PgImportLock {
    /// Takes the lock at once, or `StoreError::Busy`.
    pub fn try_acquire(target: &Target) -> Result<PgImportLock, StoreError> {
        Self::acquire(target, None)
    }

    /// Takes the invitation sender's lock (another key) at once, or `StoreError::Busy`.
    pub fn try_acquire_sender(target: &Target) -> Result<PgImportLock, StoreError> {
        let (mut client, session) = connect(target)?;
        let got: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&session.send_key])
            .map_err(pg)?
            .get(0);
        if got {
            Ok(PgImportLock { _client: client })
        } else {
            Err(StoreError::Busy)
        }
    }

    /// Takes the lock, waiting for it up to `wait` (then `StoreError::Busy`).
    pub fn acquire(target: &Target, wait: Option<Duration>) -> Result<PgImportLock, StoreError> {
        let (mut client, session) = connect(target)?;
        let deadline = wait.map(|w| Instant::now() + w);
        loop {
            let got: bool = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&session.import_key])
                .map_err(pg)?
                .get(0);
            if got {
                return Ok(PgImportLock { _client: client });
            }
            match deadline {
                Some(d) if Instant::now() + POLL < d => std::thread::sleep(POLL),
                _ => return Err(StoreError::Busy),
            }
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
