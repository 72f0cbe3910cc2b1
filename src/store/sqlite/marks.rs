//! The missing marks (`deactivate-after-missing`, SPEC §16): read with the snapshot, written
//! in the import's transaction.

use crate::error::StoreError;
use crate::plan::Plan;
use crate::snapshot::{Mark, Marks, Snapshot};
use rusqlite::{Connection, params};

pub(super) fn load(conn: &Connection) -> Result<Marks, StoreError> {
    let mut stmt = conn.prepare("SELECT member_id, count, first_import FROM missing_marks")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            Mark {
                count: r.get::<_, i64>(1)? as u64,
                first_import: r.get(2)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The plan's marks: those it clears go, those it sets are counted up (or set, first missed
/// by `import_id`).
pub(super) fn write(
    conn: &Connection,
    plan: &Plan,
    snapshot: &Snapshot,
    import_id: i64,
) -> Result<(), StoreError> {
    let mut clear = conn.prepare_cached("DELETE FROM missing_marks WHERE member_id = ?1")?;
    for id in &plan.marks_cleared {
        clear.execute([id])?;
    }
    let mut set = conn.prepare_cached(
        "INSERT OR REPLACE INTO missing_marks (member_id, count, first_import) VALUES (?1, ?2, ?3)",
    )?;
    for p in &plan.pending {
        let id = snapshot.members[p.member].id;
        set.execute(params![
            id,
            p.count as i64,
            p.first_import.unwrap_or(import_id)
        ])?;
    }
    Ok(())
}
