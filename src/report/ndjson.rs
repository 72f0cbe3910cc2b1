//! `--output ndjson`: one event a line (`progress`, `change`, `error`, `warning`, `summary`).

use super::Outcome;
use super::json::head;
use super::prerender::Rendered;
use crate::plan::wire::ChangeJson;
use serde_json::{Value, json};
use std::io::Write;

/// `{"event": ..., <the body's keys>}`, serialized without an intermediate `Value`.
#[derive(serde::Serialize)]
struct Event<'a, T: serde::Serialize> {
    event: &'a str,
    #[serde(flatten)]
    body: T,
}

pub fn write_event(out: &mut dyn Write, event: &str, body: Value) -> std::io::Result<()> {
    let mut obj = serde_json::Map::new();
    obj.insert("event".into(), json!(event));
    if let Value::Object(map) = body {
        obj.extend(map);
    }
    serde_json::to_writer(&mut *out, &Value::Object(obj))?;
    out.write_all(b"\n")
}

/// Changes, errors and warnings as events, then the summary event (the JSON document's top
/// level without the three arrays streamed before it). `changes`: the change events already
/// rendered by [`write_changes`] (beside the apply), else they are rendered here.
pub fn write(
    outcome: &Outcome,
    changes: Option<&Rendered>,
    mut out: &mut dyn Write,
) -> std::io::Result<()> {
    match changes {
        Some(rendered) => rendered.write_to(&mut out)?,
        None => write_changes(outcome.changes(), &mut *out)?,
    }
    write_after_changes(outcome, out)
}

/// The events after the changes: errors, warnings and the summary.
pub fn write_after_changes(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    for e in &outcome.errors {
        write_event(out, "error", json!(e))?;
    }
    for w in &outcome.warnings {
        write_event(out, "warning", json!({"message": w}))?;
    }
    write_event(out, "summary", Value::Object(head(outcome)))
}

/// One `change` event a line.
pub fn write_changes<'a, 'p: 'a>(
    changes: impl Iterator<Item = ChangeJson<'a, 'p>>,
    mut out: impl Write,
) -> std::io::Result<()> {
    for change in changes {
        let event = Event {
            event: "change",
            body: change,
        };
        serde_json::to_writer(&mut out, &event)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
