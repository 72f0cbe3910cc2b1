//! `roster log`: the audit log, newest first; by member (a former email finds the member too),
//! by import, since a time, the newest N.

use super::history::print_json;
use crate::cli::{GlobalArgs, ListFormat, LogArgs};
use crate::error::{Error, Result};
use crate::report::table::{listing, wrap};
use crate::store::{AuditEvent, AuditQuery};
use crate::term::{Term, UNLIMITED, visible};

pub fn log(args: &LogArgs, global: &GlobalArgs) -> Result<u8> {
    let store = super::open_existing(global)?;
    if let Some(id) = args.import {
        store.import(id)?.ok_or(Error::ImportNotFound(id))?;
    }
    let member = match &args.member {
        Some(id) => Some(
            crate::store::shared::member_id_ever(&store, id)?
                .ok_or_else(|| Error::MemberNotFound(id.to_string()))?,
        ),
        None => None,
    };
    let mut events = store.audit(AuditQuery {
        member,
        import: args.import,
        since: args.since,
        newest: args.limit,
    })?;
    events.reverse();
    if args.output == ListFormat::Json {
        let events = crate::report::json::log_events(&events, &store);
        return print_json(&events).map(|_| 0);
    }
    let width = Term::width();
    if width != UNLIMITED {
        // At a terminal: one event a block, like the plan, so the changes get the whole width.
        let text: Vec<String> = events.iter().map(|e| block(e, width)).collect();
        super::say(text.join("\n").trim_end())?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.at.to_string(),
                e.import_id.map(|i| i.to_string()).unwrap_or_default(),
                e.operator.clone(),
                e.member.clone().unwrap_or_default(),
                e.action.clone(),
                describe_changes(&e.changes).join("; "),
            ]
        })
        .collect();
    let header = ["time", "import", "operator", "member", "action", "changes"];
    // Not a terminal: one event a line, never wrapped.
    let table = listing(&header, &rows, &[], width);
    super::say(&table.to_string())?;
    Ok(0)
}

/// `<time>  <action> <member>  (import 2, by alice)`, then each change on its own indented
/// line, wrapped at spaces to `width`.
fn block(e: &AuditEvent, width: usize) -> String {
    let mut head = format!("{}  {}", e.at, e.action);
    if let Some(member) = &e.member {
        head.push_str(&format!(" {}", visible(member)));
    }
    let by = format!("by {}", visible(&e.operator));
    head.push_str(&match e.import_id {
        Some(id) => format!("  (import {id}, {by})"),
        None => format!("  ({by})"),
    });
    let mut out = wrap(&head, "", width);
    for change in describe_changes(&e.changes) {
        out.push_str(&wrap(&visible(&change), "    ", width));
    }
    out
}

/// `first_name: Ann -> Anna`, `team +Sales (owner)`, `team Ops: member -> admin`: one a
/// change.
fn describe_changes(changes: &serde_json::Value) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(serde_json::Value::Object(fields)) = changes.get("fields") {
        for (k, v) in fields {
            let show = |x: Option<&serde_json::Value>| match x {
                None | Some(serde_json::Value::Null) => "(blank)".to_string(),
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            parts.push(format!(
                "{k}: {} -> {}",
                show(v.get("old")),
                show(v.get("new"))
            ));
        }
    }
    if let Some(teams) = changes.get("teams") {
        let text = |t: &serde_json::Value, key: &str| {
            t.get(key)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        for kind in ["added", "removed", "changed"] {
            for t in teams
                .get(kind)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let name = text(t, "team");
                parts.push(match kind {
                    "added" => format!("team +{name} ({})", text(t, "team_role")),
                    "removed" => format!("team -{name}"),
                    _ => format!("team {name}: {} -> {}", text(t, "old"), text(t, "new")),
                });
            }
        }
    }
    parts
}
