//! The store as the server uses it: a few open connections, each used by one blocking task at
//! a time, off the async threads (SQLite calls block).

use crate::error::StoreError;
use crate::store::SqliteStore;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Connections kept open between requests.
const KEPT: usize = 8;

pub struct Db {
    path: PathBuf,
    idle: Mutex<Vec<SqliteStore>>,
}

impl Db {
    /// Opens (creating and migrating) the store once, so that a bad `--db` fails at startup.
    pub fn open(path: PathBuf) -> Result<Arc<Db>, StoreError> {
        let first = SqliteStore::open(&path)?;
        Ok(Arc::new(Db {
            path,
            idle: Mutex::new(vec![first]),
        }))
    }

    /// Runs `f` with a store on the blocking pool.
    pub async fn run<T, E>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut SqliteStore) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let db = Arc::clone(self);
        let joined = tokio::task::spawn_blocking(move || db.with(f)).await;
        joined.unwrap_or_else(|e| Err(StoreError::Io(std::io::Error::other(e.to_string())).into()))
    }

    /// Runs `f` with a store on this thread (a blocking one).
    pub fn with<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut SqliteStore) -> Result<T, E>,
    ) -> Result<T, E> {
        let kept = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut store = match kept {
            Some(s) => s,
            None => SqliteStore::open(&self.path)?,
        };
        let result = f(&mut store);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEPT {
            idle.push(store);
        }
        result
    }
}
