//! Applying a plan: one transaction per import (SPEC §2), in the write order. It refuses the
//! plan if the store changed since its snapshot (the generation), writes the created teams,
//! the members (the backend's hot path, while the audit batches are encoded on a second core),
//! the audit log, the invitations and the deleted teams, bumps the generation, and marks the
//! import `COMPLETED` only if it is still `RUNNING` (an import marked interrupted meanwhile
//! never applies after all).

use super::admin::bump_generation;
use super::history::{insert_audit_batches, now};
use super::shared::{encode_audit, member_ids};
use super::sql::{self, Backend, Begin, Writes, args};
use super::ticker::Ticker;
use super::{Snapshot, Store};
use crate::error::StoreError;
use crate::plan::Plan;
use std::collections::HashMap;

impl Store {
    /// Applies the plan in one transaction (refusing it with `StoreError::Changed` if the store
    /// changed since `snapshot`), writes the audit log and marks the import `COMPLETED`, calling
    /// `progress(done)` with the changes written so far as it goes (about every 5%: progress
    /// within the apply stage). `beside` runs on the second core once the audit is encoded,
    /// while the members are still being written: the caller's own work (the import's plan id)
    /// then takes no core from the writes.
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &mut self,
        import_id: i64,
        plan: &Plan,
        snapshot: &Snapshot,
        summary: &serde_json::Value,
        operator: &str,
        progress: &mut dyn FnMut(u64),
        beside: &(dyn Fn() + Sync),
    ) -> Result<(), StoreError> {
        sql::transaction(&*self.db, begin_for(plan, snapshot), |db| {
            check_generation(db, snapshot)?;
            let at = now();
            let team_ids = create_teams(db, plan, snapshot)?;
            let ids = new_member_ids(db, plan, snapshot)?;
            let writes = Writes {
                plan,
                snapshot,
                ids: &ids,
                team_ids: &team_ids,
                at: &at,
            };
            let (batches, written) = crate::parallel::join(
                || {
                    let batches = encode_audit(plan, &ids);
                    beside();
                    batches
                },
                || db.write_members(&writes, &mut Ticker::new(plan.changes.len(), progress)),
            );
            written?;
            insert_audit_batches(db, Some(import_id), &at, operator, batches?)?;
            super::invitations::apply_plan(db, plan, &ids, &at)?;
            super::marks::write(db, plan, snapshot, import_id)?;
            delete_teams(db, plan, &team_ids)?;
            bump_generation(db)?;
            let finished = db.execute(
                "UPDATE imports SET status = 'COMPLETED', finished_at = $2, summary = $3 \
                 WHERE id = $1 AND status = 'RUNNING'",
                args![import_id, now(), summary.to_string()],
            )?;
            if finished != 1 {
                return Err(sql::message(format!(
                    "import {import_id} is no longer running (marked interrupted); nothing was \
                     changed"
                )));
            }
            Ok(())
        })
    }
}

/// `Begin::Fill` for a bulk of members into a store holding none, else `Begin::Ordered`.
fn begin_for(plan: &Plan, snapshot: &Snapshot) -> Begin {
    match snapshot.members.is_empty() && sql::is_bulk(plan.creates(), 0) {
        true => Begin::Fill,
        false => Begin::Ordered,
    }
}

/// Refuses a plan made on a snapshot older than the store (`StoreError::Changed`).
pub(super) fn check_generation(db: &dyn Backend, snapshot: &Snapshot) -> Result<(), StoreError> {
    let generation: i64 = sql::one(db, "SELECT value FROM meta WHERE key = 'generation'", &[])?;
    if generation != snapshot.generation {
        return Err(StoreError::Changed);
    }
    Ok(())
}

/// Creates the plan's new teams; every team's id by name.
pub(super) fn create_teams(
    db: &dyn Backend,
    plan: &Plan,
    snapshot: &Snapshot,
) -> Result<HashMap<String, i64>, StoreError> {
    let mut team_ids: HashMap<String, i64> = snapshot
        .teams
        .iter()
        .map(|t| (t.name.clone(), t.id))
        .collect();
    for name in &plan.teams_created {
        let id: i64 = sql::one(
            db,
            "INSERT INTO teams (id, name) SELECT coalesce(max(id), 0) + 1, $1 FROM teams \
             RETURNING id",
            args![name.as_str()],
        )?;
        team_ids.insert(name.clone(), id);
    }
    Ok(team_ids)
}

/// Each change's member id, created members numbered after the last stored one.
pub(super) fn new_member_ids(
    db: &dyn Backend,
    plan: &Plan,
    snapshot: &Snapshot,
) -> Result<Vec<i64>, StoreError> {
    let first_new_id: i64 = sql::one(db, "SELECT coalesce(max(id), 0) + 1 FROM members", &[])?;
    Ok(member_ids(plan, snapshot, first_new_id))
}

/// Deletes the plan's emptied teams (and what SCIM kept of them).
pub(super) fn delete_teams(
    db: &dyn Backend,
    plan: &Plan,
    team_ids: &HashMap<String, i64>,
) -> Result<(), StoreError> {
    for name in &plan.teams_deleted {
        if let Some(&id) = team_ids.get(name) {
            db.execute("DELETE FROM memberships WHERE team_id = $1", args![id])?;
            db.execute("DELETE FROM scim_groups WHERE team_id = $1", args![id])?;
            db.execute("DELETE FROM teams WHERE id = $1", args![id])?;
        }
    }
    Ok(())
}
