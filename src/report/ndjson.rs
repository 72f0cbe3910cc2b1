//! `--output ndjson`: one event a line (`progress`, `change`, `error`, `warning`, `summary`).

use super::Outcome;
use super::json::head;
use serde_json::{Value, json};
use std::io::Write;

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
/// level without the three arrays streamed before it).
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> std::io::Result<()> {
    for c in outcome.changes() {
        write_event(
            out,
            "change",
            serde_json::to_value(c).map_err(std::io::Error::from)?,
        )?;
    }
    for e in &outcome.errors {
        write_event(out, "error", json!(e))?;
    }
    for w in &outcome.warnings {
        write_event(out, "warning", json!({"message": w}))?;
    }
    write_event(out, "summary", Value::Object(head(outcome)))
}
