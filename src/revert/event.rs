//! What a revert reads of the audit log, and the conflicts it reports.

use serde::Serialize;
use serde_json::Value;

/// One audit event, as the revert needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    /// The import that recorded it; `None` for an administrative command.
    pub import_id: Option<i64>,
    pub member_id: Option<i64>,
    /// The member's email, else external_id, else phone.
    pub member: Option<String>,
    /// `create`, `update`, `reactivate`, `deactivate`, `ban`, `protect`, ...
    pub action: String,
    /// The change object of SPEC §10 (`{"fields", "teams", ...}`).
    pub changes: Value,
    /// RFC 3339 UTC.
    pub at: String,
    pub operator: String,
}

/// A member the reverted import changed, and changed again after it: the revert leaves it as
/// it is now (only with `--skip-conflicts`; else the revert is refused).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// The member, as the audit log names it.
    pub member: Option<String>,
    /// The first later change: its audit event, import (or `null`: an administrative command),
    /// action, time and operator.
    pub event_id: i64,
    pub import_id: Option<i64>,
    pub action: String,
    pub at: String,
    pub operator: String,
}

impl Conflict {
    pub(super) fn of(reverted: &Event, later: &Event) -> Conflict {
        Conflict {
            member: reverted.member.clone().or_else(|| later.member.clone()),
            event_id: later.id,
            import_id: later.import_id,
            action: later.action.clone(),
            at: later.at.clone(),
            operator: later.operator.clone(),
        }
    }

    /// `ann@example.com: update by import 14 (hr-sync) at 2026-12-06T10:00:00Z`.
    pub fn describe(&self) -> String {
        let by = match self.import_id {
            Some(id) => format!("import {id}"),
            None => "an administrative command".to_string(),
        };
        format!(
            "{}: {} by {by} ({}) at {}",
            self.member.as_deref().unwrap_or("(unknown member)"),
            self.action,
            self.operator,
            self.at
        )
    }
}
