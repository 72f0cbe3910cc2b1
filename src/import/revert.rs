//! `roster imports revert ID` as a library call (SPEC §16): the inverse of a completed import,
//! planned by [`crate::revert`] from its audit events, then checked, confirmed, applied and
//! recorded exactly as an import is (the safety rules, `--expect-plan`, `--dry-run`, history
//! with mode `revert`, the audit log).

use super::events::{Events, Laps};
use super::options::ImportOptions;
use super::outcome::{Outcome, Planned, Refusal};
use super::steps::PlannedRun;
use crate::error::{Code, Result, RevertRefusal, RowError};
use crate::revert::{self, Event};
use crate::store::{AuditEvent, AuditQuery, ImportMeta, ImportRecord, Store};
use std::collections::HashSet;

/// Reverts import `target`; with `skip_conflicts`, members changed after it are left as they
/// are instead of refusing the revert.
pub fn revert(
    store: &mut Store,
    target: i64,
    skip_conflicts: bool,
    options: &ImportOptions,
    events: &mut dyn Events,
) -> Result<Outcome> {
    let _guard = match options.dry_run {
        true => None,
        false => Some(super::lock(store, options.wait, events)?),
    };
    let mut laps = Laps::start();
    let name = format!("revert of import {target}");
    let mut outcome = Outcome::begin(options, &name);
    outcome.reverts = Some(target);
    let Some(record) = store.import(target)? else {
        return Err(crate::error::Error::ImportNotFound(target));
    };
    if let Some(refusal) = revertible(&record, &store.imports()?) {
        outcome.errors = vec![RowError::unplaced(refusal.code(), refusal.to_string())];
        outcome.refusal = Some(Refusal::Revert(refusal));
        return Ok(outcome);
    }
    let reverted: Vec<Event> = store
        .audit(AuditQuery {
            import: Some(target),
            ..Default::default()
        })?
        .into_iter()
        .map(event)
        .collect();
    let last = reverted.iter().map(|e| e.id).max().unwrap_or(0);
    let members: HashSet<i64> = reverted.iter().filter_map(|e| e.member_id).collect();
    let later: Vec<Event> = store
        .audit(AuditQuery::default())?
        .into_iter()
        .filter(|e| e.id > last && e.member_id.is_some_and(|m| members.contains(&m)))
        .map(event)
        .collect();
    let snapshot = store.snapshot()?;
    let revert::Reverted { plan, conflicts } = revert::plan(&reverted, &later, &snapshot);
    outcome.summary = plan.summary.clone();
    let described: Vec<String> = conflicts.iter().map(|c| c.describe()).collect();
    if !options.dry_run {
        let meta = meta(options, &name, target, skip_conflicts);
        outcome.import_id =
            Some(store.record_import(&meta, crate::store::shared::Original::none())?);
    }
    let planned = Planned::new(Default::default(), |_| plan);
    if !conflicts.is_empty() && !skip_conflicts {
        let refusal = RevertRefusal::Conflicts {
            import: target,
            count: conflicts.len(),
        };
        outcome.errors = std::iter::once(RowError::unplaced(refusal.code(), refusal.to_string()))
            .chain(
                described
                    .into_iter()
                    .map(|c| RowError::unplaced(Code::ChangedAfterImport, c)),
            )
            .collect();
        if let Some(id) = outcome.import_id {
            let summary = serde_json::to_value(&outcome.summary).unwrap_or_default();
            let message = outcome.errors[0].message.clone();
            store.fail_import(id, &message, Some(&summary), None)?;
        }
        outcome.plan_id = Some(planned.borrow_dependent().id(snapshot.generation));
        outcome.refusal = Some(Refusal::Revert(refusal));
        outcome.planned = Some(planned);
        return Ok(outcome);
    }
    // Left as they are under --skip-conflicts: said, as a warning each.
    let warnings = described
        .into_iter()
        .map(|c| format!("left as it is (changed after import {target}): {c}"))
        .collect();
    let run = PlannedRun {
        planned,
        snapshot,
        errors: Vec::new(),
        warnings,
        error_report: None,
        reread_sha256: None,
    };
    super::finish(store, outcome, run, options, events, &mut laps)
}

/// Only a completed import that no completed revert undid yet can be reverted.
fn revertible(record: &ImportRecord, imports: &[ImportRecord]) -> Option<RevertRefusal> {
    if record.status != "COMPLETED" {
        return Some(RevertRefusal::NotCompleted {
            import: record.id,
            status: record.status.clone(),
        });
    }
    imports
        .iter()
        .filter(|r| r.mode == "revert" && r.status == "COMPLETED")
        .find(|r| r.options.get("reverts").and_then(|v| v.as_i64()) == Some(record.id))
        .map(|r| RevertRefusal::AlreadyReverted {
            import: record.id,
            by: r.id,
        })
}

fn event(e: AuditEvent) -> Event {
    Event {
        id: e.id,
        import_id: e.import_id,
        member_id: e.member_id,
        member: e.member,
        action: e.action,
        changes: e.changes,
        at: e.at.to_string(),
        operator: e.operator,
    }
}

/// History's row of a revert: mode `revert`, no file, `reverts` among its options.
fn meta(options: &ImportOptions, name: &str, target: i64, skip_conflicts: bool) -> ImportMeta {
    ImportMeta {
        operator: options.operator.clone(),
        file_name: name.to_string(),
        sha256: String::new(),
        bytes: 0,
        encoding: String::new(),
        mode: "revert".to_string(),
        options: serde_json::json!({
            "reverts": target,
            "skip_conflicts": skip_conflicts,
            "max_deactivations": options.max_deactivations.map(|l| l.to_string()),
            "expect_plan": options.expect_plan,
        })
        .to_string(),
    }
}
