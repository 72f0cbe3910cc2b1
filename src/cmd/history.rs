//! `roster imports ...`: the import history.

use crate::cli::{GlobalArgs, ImportsCommand, ListFormat};
use crate::error::{Error, Result};
use crate::report::json;
use crate::report::table::{Listing, fields, listing};
use crate::store::ImportRecord;
use crate::term::Term;

pub fn imports(command: ImportsCommand, global: &GlobalArgs, term: &Term) -> Result<u8> {
    if let ImportsCommand::Revert(args) = &command {
        return super::import::revert::run(args, global, term);
    }
    let store = super::open_existing(global)?;
    let missing = Error::ImportNotFound;
    match command {
        ImportsCommand::List { output, limit } => {
            let mut list = store.imports()?;
            // Newest first: `--limit` keeps the newest.
            list.truncate(limit.unwrap_or(usize::MAX));
            if output == ListFormat::Json {
                let list: Vec<_> = list.iter().map(json::import_record).collect();
                print_json(&list)?;
            } else {
                print_text(&list_table(&list, Term::width()).to_string())?;
            }
        }
        ImportsCommand::Show { id, output } => {
            let r = store.import(id)?.ok_or_else(|| missing(id))?;
            if output == ListFormat::Json {
                print_json(&json::versioned(json::import_record(&r)))?;
            } else {
                print_text(&show_table(&r, Term::width()).to_string())?;
            }
        }
        ImportsCommand::Errors { id } => {
            store.import(id)?.ok_or_else(|| missing(id))?;
            let csv = store.import_errors_csv(id)?.unwrap_or_default();
            super::write_output(None, &csv)?;
        }
        // Applied like an import, above.
        ImportsCommand::Revert(_) => {}
        ImportsCommand::Original { id } => {
            store.import(id)?.ok_or_else(|| missing(id))?;
            let bytes = store.import_original(id)?.unwrap_or_default();
            super::write_output(None, &bytes)?;
        }
    }
    Ok(0)
}

/// `imports list`: one import a row; a run that changed nothing shows why instead of counts.
fn list_table(list: &[ImportRecord], width: usize) -> Listing {
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
fn show_table(r: &ImportRecord, width: usize) -> Listing {
    let mut rows = vec![
        ("status".to_string(), status_text(r)),
        ("operator".to_string(), r.operator.clone()),
        ("file".to_string(), r.file_name.clone()),
        ("sha256".to_string(), r.sha256.clone()),
        ("bytes".to_string(), r.bytes.to_string()),
        ("encoding".to_string(), r.encoding.clone()),
        ("mode".to_string(), r.mode.clone()),
        ("started".to_string(), r.started_at.to_string()),
        (
            "finished".to_string(),
            r.finished_at.map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("message".to_string(), r.message.clone().unwrap_or_default()),
    ];
    if let serde_json::Value::Object(options) = &r.options {
        for (k, v) in options {
            rows.push((format!("option {k}"), option_text(v)));
        }
    }
    if let Some(serde_json::Value::Object(s)) = &r.summary {
        // As the import's own summary table: pending deactivations only when there are.
        for (k, v) in s
            .iter()
            .filter(|(k, v)| *k != "pending_deactivation" || **v != 0)
        {
            rows.push((k.clone(), v.to_string()));
        }
    }
    fields(["import", &r.id.to_string()], true, &rows, width)
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

pub(super) fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    super::say_json(value)
}

fn print_text(text: &str) -> Result<()> {
    super::say(text)
}
