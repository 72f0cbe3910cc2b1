//! The missing marks (`deactivate-after-missing`, SPEC §16): read with the snapshot and by
//! `missing_marks`, written in the import's transaction.

use super::Store;
use super::sql::{self, Backend, Begin, args};
use crate::error::StoreError;
use crate::plan::Plan;
use crate::snapshot::{Mark, Marks, Snapshot};

/// Every mark, inside the caller's transaction.
pub fn load(db: &dyn Backend) -> Result<Marks, StoreError> {
    sql::all(
        db,
        "SELECT member_id, count, first_import FROM missing_marks",
        &[],
    )?
    .into_iter()
    .map(|mut r| {
        let id: i64 = r.get(0)?;
        let count: i64 = r.get(1)?;
        let mark = Mark {
            count: count as u64,
            first_import: r.get(2)?,
        };
        Ok((id, mark))
    })
    .collect()
}

/// The plan's marks: those it clears go, those it sets are counted up (or set, first missed
/// by `import_id`).
pub fn write(
    db: &dyn Backend,
    plan: &Plan,
    snapshot: &Snapshot,
    import_id: i64,
) -> Result<(), StoreError> {
    for &id in &plan.marks_cleared {
        db.execute("DELETE FROM missing_marks WHERE member_id = $1", args![id])?;
    }
    for p in &plan.pending {
        let id = snapshot.members[p.member].id;
        db.execute(
            "INSERT INTO missing_marks (member_id, count, first_import) VALUES ($1, $2, $3) \
             ON CONFLICT (member_id) DO UPDATE SET count = excluded.count, \
             first_import = excluded.first_import",
            args![id, p.count as i64, p.first_import.unwrap_or(import_id)],
        )?;
    }
    Ok(())
}

impl Store {
    /// The missing marks of `deactivate-after-missing` (SPEC §16), by member id.
    pub fn missing_marks(&self) -> Result<Marks, StoreError> {
        sql::transaction(&*self.db, Begin::Read, load)
    }
}
