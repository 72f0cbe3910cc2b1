//! `roster log`: the audit log, newest first; by member (a former email finds the member too),
//! by import, since a time, the newest N.

use super::history::print_json;
use crate::cli::{GlobalArgs, ListFormat, LogArgs};
use crate::error::{Error, Result, msg};
use crate::report::table::listing;
use crate::term::Term;

pub fn log(args: &LogArgs, global: &GlobalArgs) -> Result<u8> {
    let store = super::open_existing(global)?;
    if let Some(id) = args.import {
        store
            .import(id)?
            .ok_or_else(|| Error::NotFound(msg::no_import(id)))?;
    }
    let member = match &args.member {
        Some(id) => Some(
            crate::store::shared::member_id_ever(store.as_ref(), id)?
                .ok_or_else(|| Error::MemberNotFound(id.to_string()))?,
        ),
        None => None,
    };
    let mut events = store.audit(member, args.import)?;
    if let Some(since) = args.since {
        events.retain(|e| e.at >= since);
    }
    // Newest first; `--limit` keeps the newest.
    events.reverse();
    events.truncate(args.limit.unwrap_or(usize::MAX));
    if args.output == ListFormat::Json {
        let events = crate::report::json::log_events(&events, store.as_ref());
        return print_json(&events).map(|_| 0);
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
                describe_changes(&e.changes),
            ]
        })
        .collect();
    let header = ["time", "import", "operator", "member", "action", "changes"];
    // The member and the changes wrap first.
    let whole = ["import", "action", "time", "operator"];
    let table = listing(&header, &rows, &whole, Term::width());
    super::say(&table.to_string())?;
    Ok(0)
}

/// "first_name: Ann -> Anna; team +Sales (owner); team Ops: member -> admin".
fn describe_changes(changes: &serde_json::Value) -> String {
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
    parts.join("; ")
}
