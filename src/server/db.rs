//! The store as the server uses it: a few open connections, each used by one blocking task at
//! a time, off the async threads (SQLite calls block).

use crate::error::StoreError;
use crate::store::{self, Location, Store};
use std::sync::{Arc, Mutex};

/// Connections kept open between requests.
const KEPT: usize = 8;

pub struct Db {
    location: Location,
    idle: Mutex<Vec<Store>>,
}

impl Db {
    /// Opens (creating and migrating) the store once, so that a bad `--db` fails at startup.
    pub fn open(location: Location) -> Result<Arc<Db>, StoreError> {
        let first = store::open(&location)?;
        Ok(Arc::new(Db {
            location,
            idle: Mutex::new(vec![first]),
        }))
    }

    /// Runs `f` with a store on the blocking pool.
    pub async fn run<T, E>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Store) -> Result<T, E> + Send + 'static,
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
        f: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        let kept = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut store = match kept {
            Some(s) => s,
            None => store::open(&self.location)?,
        };
        let result = f(&mut store);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEPT {
            idle.push(store);
        }
        result
    }
}

impl Drop for Db {
    /// The kept stores are closed on a thread of their own: the last handle on the server's
    /// store may go on an async thread, where the PostgreSQL client may not shut down its own
    /// runtime (tokio panics there).
    fn drop(&mut self) {
        let stores = std::mem::take(self.idle.get_mut().unwrap_or_else(|e| e.into_inner()));
        let closing = std::thread::spawn(move || drop(stores));
        let _ = closing.join();
    }
}
