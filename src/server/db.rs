//! The store as the server uses it: a few open connections, each used by one blocking task at
//! a time, off the async threads (SQLite calls block).

use crate::error::StoreError;
use crate::store::{self, Location, Store};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Connections kept open between requests.
const KEPT: usize = 8;

pub struct Db {
    location: Location,
    idle: Mutex<Vec<Store>>,
    /// Imports running through [`Db::with_alone`]: while any does, no connection is kept idle.
    alone: AtomicUsize,
}

impl Db {
    /// Opens (creating and migrating) the store once, so that a bad `--db` fails at startup.
    pub fn open(location: Location) -> Result<Arc<Db>, StoreError> {
        let first = store::open(&location)?;
        Ok(Arc::new(Db {
            location,
            idle: Mutex::new(vec![first]),
            alone: AtomicUsize::new(0),
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
        let mut store = self.kept_or_opened(kept)?;
        let result = f(&mut store);
        self.keep(store);
        result
    }

    /// Runs an import with a store on this thread while the server keeps no other connection
    /// to an SQLite store idle: the idle ones are closed, and the ones in use are closed when
    /// they are done. An SQLite fill (a bulk first import, SPEC §2's store) can swap its
    /// journal only as the store's one connection; a request arriving meanwhile opens a
    /// connection of its own. PostgreSQL has no such swap: its pool is left as it is.
    pub fn with_alone<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        if !matches!(self.location, Location::Sqlite(_)) {
            return self.with(f);
        }
        self.alone.fetch_add(1, Ordering::SeqCst);
        let mut idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|e| e.into_inner()));
        let kept = idle.pop();
        drop(idle);
        let result = self
            .kept_or_opened(kept)
            .map(|mut store| (f(&mut store), store));
        self.alone.fetch_sub(1, Ordering::SeqCst);
        let (result, store) = result?;
        self.keep(store);
        result
    }

    fn kept_or_opened(&self, kept: Option<Store>) -> Result<Store, StoreError> {
        match kept {
            Some(s) => Ok(s),
            None => store::open(&self.location),
        }
    }

    /// Keeps `store` idle for the next request, unless enough are or an import runs alone.
    fn keep(&self, store: Store) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEPT && self.alone.load(Ordering::SeqCst) == 0 {
            idle.push(store);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn idle(db: &Db) -> usize {
        db.idle.lock().unwrap().len()
    }

    #[test]
    fn an_import_alone_closes_the_idle_connections_and_keeps_none_while_it_runs() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(Location::Sqlite(dir.path().join("s.db"))).unwrap();
        // Two requests at once leave two connections idle.
        db.with(|_| db.with(|_| Ok::<_, StoreError>(()))).unwrap();
        assert_eq!(idle(&db), 2);
        db.with_alone(|_| {
            assert_eq!(idle(&db), 0, "the other idle connection is closed first");
            // A request beside the import uses a connection of its own and closes it.
            db.with(|_| Ok::<_, StoreError>(())).unwrap();
            assert_eq!(idle(&db), 0);
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert_eq!(
            idle(&db),
            1,
            "the import's connection is kept once it is done"
        );
    }
}
