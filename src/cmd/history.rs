//! `roster imports ...` and `roster log`: the import history and the audit log.

use crate::cli::{GlobalArgs, ImportsCommand, ListFormat, LogArgs};
use crate::error::{Error, Result};
use crate::report::table::{keep_whole, listing, sized};
use crate::store::ImportRecord;
use crate::term::Term;
use comfy_table::Table;

pub fn imports(command: ImportsCommand, global: &GlobalArgs) -> Result<u8> {
    let store = super::open_existing(global)?;
    let missing = |id: i64| Error::NotFound(format!("no import with id {id}"));
    match command {
        ImportsCommand::List { output } => {
            let list = store.imports()?;
            if output == ListFormat::Json {
                print_json(&list)?;
            } else {
                print_text(&list_table(&list, Term::width()).to_string())?;
            }
        }
        ImportsCommand::Show { id, output } => {
            let r = store.import(id)?.ok_or_else(|| missing(id))?;
            if output == ListFormat::Json {
                print_json(&r)?;
            } else {
                print_text(&show_table(&r, Term::width()).to_string())?;
            }
        }
        ImportsCommand::Errors { id } => {
            store.import(id)?.ok_or_else(|| missing(id))?;
            let csv = store.import_errors_csv(id)?.unwrap_or_default();
            super::write_output(None, &csv)?;
        }
        ImportsCommand::Original { id } => {
            store.import(id)?.ok_or_else(|| missing(id))?;
            let bytes = store.import_original(id)?.unwrap_or_default();
            super::write_output(None, &bytes)?;
        }
    }
    Ok(0)
}

/// `imports list`: one import a row; a run that changed nothing shows why instead of counts.
fn list_table(list: &[ImportRecord], width: usize) -> Table {
    let header = [
        "id", "status", "started", "operator", "file", "mode", "summary",
    ];
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                status_text(r),
                r.started_at.to_string(),
                r.operator.clone(),
                r.file_name.clone(),
                r.mode.clone(),
                short_summary(r),
            ]
        })
        .collect();
    // The file and the summary wrap first.
    let whole = ["id", "status", "started", "mode", "operator"];
    listing(&header, &rows, &whole, width)
}

/// `imports show`: one field a row, each option of the run in a row of its own.
fn show_table(r: &ImportRecord, width: usize) -> Table {
    let mut table = sized(width);
    table.set_header(["import", &r.id.to_string()]);
    let rows = [
        ("status", status_text(r)),
        ("operator", r.operator.clone()),
        ("file", r.file_name.clone()),
        ("sha256", r.sha256.clone()),
        ("bytes", r.bytes.to_string()),
        ("encoding", r.encoding.clone()),
        ("mode", r.mode.clone()),
        ("started", r.started_at.to_string()),
        (
            "finished",
            r.finished_at.map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("message", r.message.clone().unwrap_or_default()),
    ];
    for (k, v) in rows {
        table.add_row([k.to_string(), v]);
    }
    if let serde_json::Value::Object(options) = &r.options {
        for (k, v) in options {
            table.add_row([format!("option {k}"), option_text(v)]);
        }
    }
    if let Some(serde_json::Value::Object(s)) = &r.summary {
        for (k, v) in s {
            table.add_row([k.clone(), v.to_string()]);
        }
    }
    keep_whole(&mut table, &[0], width);
    table
}

/// An option's value as the user would type it: `true`, `member`, `a=b, c=d`, `(none)`.
fn option_text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "(none)".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "(none)".to_string(),
        Value::Array(items) => items.iter().map(option_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn status_text(r: &ImportRecord) -> String {
    match (r.status.as_str(), r.message.as_deref()) {
        ("FAILED", Some("interrupted")) => "FAILED (interrupted)".to_string(),
        (s, _) => s.to_string(),
    }
}

/// The counts of a completed run; the reason of a failed or refused one, which changed nothing
/// (its counts are what it would have done, and read as done).
fn short_summary(r: &ImportRecord) -> String {
    // The first sentence; `imports show` has the whole message.
    let reason = || {
        let message = r.message.as_deref().unwrap_or_default();
        let line = message.lines().next().unwrap_or("");
        match line.split_once(". ") {
            Some((first, _)) => format!("{first}."),
            None => line.to_string(),
        }
    };
    if r.status == "FAILED" {
        return reason();
    }
    let Some(serde_json::Value::Object(s)) = &r.summary else {
        return reason();
    };
    ["created", "updated", "reactivated", "deactivated", "errors"]
        .iter()
        .filter_map(|k| {
            s.get(*k)
                .and_then(|v| v.as_u64())
                .filter(|n| *n > 0)
                .map(|n| format!("{k} {n}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    super::say_json(value)
}

fn print_text(text: &str) -> Result<()> {
    super::say(text)
}

pub fn log(args: &LogArgs, global: &GlobalArgs) -> Result<u8> {
    let store = super::open_existing(global)?;
    let member = match &args.member {
        Some(id) => Some(super::find_member(store.as_ref(), id)?.member.id),
        None => None,
    };
    let events = store.audit(member, args.import)?;
    if args.output == ListFormat::Json {
        return print_json(&events).map(|_| 0);
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.at.to_string(),
                e.import_id.map(|i| i.to_string()).unwrap_or_default(),
                e.operator.clone(),
                e.member.clone(),
                e.action.clone(),
                describe_changes(&e.changes),
            ]
        })
        .collect();
    let header = ["time", "import", "operator", "member", "action", "changes"];
    // The member and the changes wrap first.
    let whole = ["import", "action", "time", "operator"];
    let table = listing(&header, &rows, &whole, Term::width());
    print_text(&table.to_string())?;
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
