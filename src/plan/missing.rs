//! `deactivate-after-missing` (SPEC §16): a full sync that misses a member marks it missing
//! and deactivates it only on the N-th miss in a row; a file that names it clears the mark.

use super::{Pending, Plan};
use crate::model::Member;
use crate::snapshot::Snapshot;
use std::collections::HashSet;

/// Marks member `i`, missed by this full sync, when fewer than `after` full syncs in a row
/// have missed it (this one included); `false`: this miss deactivates it.
pub(super) fn mark(plan: &mut Plan, i: usize, m: &Member, snapshot: &Snapshot, after: u64) -> bool {
    let mark = snapshot.missing.get(&m.id);
    let count = mark.map_or(0, |k| k.count) + 1;
    if count >= after {
        return false;
    }
    plan.summary.pending_deactivation += 1;
    plan.pending.push(Pending {
        member: i,
        ids: super::ids_of(&m.values),
        count,
        of: after,
        first_import: mark.map(|k| k.first_import),
    });
    true
}

/// The marks that go: a full sync keeps only those it sets again; any import clears those of
/// the members its file names.
pub(super) fn cleared(
    plan: &Plan,
    snapshot: &Snapshot,
    matched: &[bool],
    full_sync: bool,
) -> Vec<i64> {
    if snapshot.missing.is_empty() {
        return Vec::new();
    }
    let pending: HashSet<usize> = plan.pending.iter().map(|p| p.member).collect();
    let mut cleared: Vec<i64> = snapshot
        .members
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            snapshot.missing.contains_key(&m.id)
                && match full_sync {
                    true => !pending.contains(i),
                    false => matched[*i],
                }
        })
        .map(|(_, m)| m.id)
        .collect();
    cleared.sort_unstable();
    cleared
}
