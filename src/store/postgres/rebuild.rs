//! The first large import into an empty store: its members and memberships are copied in with
//! the members' secondary indexes and the memberships' keys and indexes set aside, and those are
//! rebuilt once at the end of the same transaction: one sort per index and one join per foreign
//! key instead of a btree insert and a trigger per row. At 1M members this takes the COPYs and
//! rebuilds from ~34 s to ~11 s; a duplicate or a dangling reference still fails the import.
//!
//! Setting them aside locks `teams`, `members` and `memberships` (ACCESS EXCLUSIVE) until the
//! commit, so readers of an empty store wait for its first import instead of seeing it empty.
//! The locks are tried, never waited on: if a reader holds one at that instant, the import takes
//! the ordinary path (no deadlock with a reader that reads the tables one after another).
//! What is rebuilt is read from the catalog, so every index and key is restored as it was.

use super::connect::pg;
use crate::error::StoreError;
use postgres::Client;
use std::time::Duration;

/// From this many created members into an empty store, the indexes are rebuilt once.
pub const MIN_CREATES: usize = 10_000;

/// How often, and how long apart, the locks are tried before taking the ordinary path.
const TRIES: u32 = 5;
const PAUSE: Duration = Duration::from_millis(20);

/// Memory for each index build (the server's; `SET LOCAL`, for this transaction only).
const INDEX_BUILD_MEMORY: &str = "128MB";

/// The planner's statistics of the large tables, gathered when a store has just been filled
/// (inside the transaction: they commit with the rows). Without them the first exports and
/// snapshots of 1M members were planned for 6M rows (a merge join and JIT compilation: export
/// 4.0 s against 3.2 s); this takes ~0.3 s.
pub const ANALYZE: &str = "ANALYZE members, memberships, teams";

/// The set-aside definitions, to create again.
pub struct SetAside {
    /// `CREATE INDEX ...` statements, as the catalog prints them.
    indexes: Vec<String>,
    /// (constraint name, definition) of `memberships`, primary key first.
    constraints: Vec<(String, String)>,
}

/// Locks the tables and drops the secondary indexes of `members` and every index and constraint
/// of `memberships`; `None` (nothing dropped) when a reader holds one of the tables.
pub fn set_aside(tx: &mut Client) -> Result<Option<SetAside>, StoreError> {
    if !lock_tables(tx)? {
        return Ok(None);
    }
    let indexes = tx
        .query(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i \
             WHERE i.indrelid IN ('members'::regclass, 'memberships'::regclass) \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
             ORDER BY 1",
            &[],
        )
        .map_err(pg)?;
    let constraints = tx
        .query(
            "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conrelid = 'memberships'::regclass ORDER BY contype <> 'p', conname",
            &[],
        )
        .map_err(pg)?;
    let aside = SetAside {
        indexes: indexes.iter().map(|r| r.get(1)).collect(),
        constraints: constraints.iter().map(|r| (r.get(0), r.get(1))).collect(),
    };
    // Foreign keys first: the primary key's index cannot go while a key still needs it.
    for (name, _) in aside.constraints.iter().rev() {
        tx.batch_execute(&format!(
            "ALTER TABLE memberships DROP CONSTRAINT {}",
            super::schema::quote_ident(name)
        ))
        .map_err(pg)?;
    }
    for r in &indexes {
        tx.batch_execute(&format!("DROP INDEX {}", r.get::<_, &str>(0)))
            .map_err(pg)?;
    }
    Ok(Some(aside))
}

/// Creates the set-aside indexes and constraints again (checking every row against them), and
/// gathers the tables' statistics.
pub fn rebuild(tx: &mut Client, aside: SetAside) -> Result<(), StoreError> {
    tx.batch_execute(&format!(
        "SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'"
    ))
    .map_err(pg)?;
    for sql in &aside.indexes {
        tx.batch_execute(sql).map_err(pg)?;
    }
    for (name, definition) in &aside.constraints {
        tx.batch_execute(&format!(
            "ALTER TABLE memberships ADD CONSTRAINT {} {definition}",
            super::schema::quote_ident(name)
        ))
        .map_err(pg)?;
    }
    tx.batch_execute(ANALYZE).map_err(pg)
}

/// Takes the three tables' locks without waiting, a few times over; whether it got them.
fn lock_tables(tx: &mut Client) -> Result<bool, StoreError> {
    for attempt in 0..TRIES {
        tx.batch_execute("SAVEPOINT roster_lock").map_err(pg)?;
        let got = tx.batch_execute(
            "LOCK TABLE teams, members, memberships IN ACCESS EXCLUSIVE MODE NOWAIT",
        );
        match got {
            Ok(()) => {
                tx.batch_execute("RELEASE SAVEPOINT roster_lock")
                    .map_err(pg)?;
                return Ok(true);
            }
            Err(e) if e.code() == Some(&postgres::error::SqlState::LOCK_NOT_AVAILABLE) => {
                tx.batch_execute("ROLLBACK TO SAVEPOINT roster_lock")
                    .map_err(pg)?;
                if attempt + 1 < TRIES {
                    std::thread::sleep(PAUSE);
                }
            }
            Err(e) => return Err(pg(e)),
        }
    }
    Ok(false)
}
