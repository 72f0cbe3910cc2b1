//! `roster log`: the audit log, newest first; by member (a former email finds the member too),
//! by import, since a time, the newest N.

use super::Output;
use crate::cli::{GlobalArgs, ListFormat, LogArgs};
use crate::error::{Error, Result};
use crate::report::table::{listing, wrap};
use crate::store::{AuditEvent, AuditQuery, Store};
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
    let query = AuditQuery {
        member,
        import: args.import,
        since: args.since,
        newest: args.limit,
    };
    if args.output == ListFormat::Json {
        return print_json_streamed(&store, query).map(|_| 0);
    }
    let mut events = store.audit(query)?;
    events.reverse();
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

/// The events as `serde_json::to_string_pretty` writes their array, one event at a time as
/// the store reads it: a log of a million events is never held whole.
fn print_json_streamed(store: &Store, query: AuditQuery) -> Result<()> {
    use std::io::Write;
    let mut out = Output::create(None)?;
    let mut lookup = crate::report::json::MemberLookup::new(store);
    let mut first = true;
    let mut write = |out: &mut Output, e: &AuditEvent| -> std::io::Result<()> {
        let event = crate::report::records::log_event(e, &mut |label| lookup.ids(label));
        let text = serde_json::to_string_pretty(&event)?;
        out.write_all(if first { b"[\n  " } else { b",\n  " })?;
        out.write_all(text.replace('\n', "\n  ").as_bytes())?;
        first = false;
        Ok(())
    };
    let mut failed = None;
    store
        .audit_newest_first(query, &mut |e| {
            write(&mut out, &e).map_err(|err| {
                failed = Some(err);
                crate::error::StoreError::Io(std::io::Error::other("stdout"))
            })
        })
        .map_err(|e| match failed.take() {
            Some(err) => out.error(err),
            None => e.into(),
        })?;
    let end: &[u8] = if first { b"[]\n" } else { b"\n]\n" };
    out.write_all(end).map_err(|e| out.error(e))?;
    out.finish()
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
