//! The missing marks (`deactivate-after-missing`, SPEC §16): read with the snapshot, written
//! in the import's transaction.

use super::pg;
use crate::error::StoreError;
use crate::plan::Plan;
use crate::snapshot::{Mark, Marks, Snapshot};
use postgres::GenericClient;

pub(super) fn load(client: &mut impl GenericClient) -> Result<Marks, StoreError> {
    Ok(client
        .query(
            "SELECT member_id, count::bigint, first_import FROM missing_marks",
            &[],
        )
        .map_err(pg)?
        .iter()
        .map(|r| {
            let count: i64 = r.get(1);
            (
                r.get::<_, i64>(0),
                Mark {
                    count: count as u64,
                    first_import: r.get(2),
                },
            )
        })
        .collect())
}

/// The plan's marks: those it clears go, those it sets are counted up (or set, first missed
/// by `import_id`).
pub(super) fn write(
    client: &mut impl GenericClient,
    plan: &Plan,
    snapshot: &Snapshot,
    import_id: i64,
) -> Result<(), StoreError> {
    if !plan.marks_cleared.is_empty() {
        client
            .execute(
                "DELETE FROM missing_marks WHERE member_id = ANY($1)",
                &[&plan.marks_cleared],
            )
            .map_err(pg)?;
    }
    for p in &plan.pending {
        let id = snapshot.members[p.member].id;
        let count = p.count as i32;
        client
            .execute(
                "INSERT INTO missing_marks (member_id, count, first_import) VALUES ($1, $2, $3) \
                 ON CONFLICT (member_id) DO UPDATE SET count = excluded.count, \
                 first_import = excluded.first_import",
                &[&id, &count, &p.first_import.unwrap_or(import_id)],
            )
            .map_err(pg)?;
    }
    Ok(())
}
