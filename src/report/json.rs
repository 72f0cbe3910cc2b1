//! The JSON document of `--output json` and the change objects of NDJSON and the audit log,
//! with exactly the contract's keys (SPEC §10).

use super::Outcome;
use serde_json::{Map, Value, json};

pub const FORMAT_VERSION: &str = "1";

pub fn document(outcome: &Outcome) -> Value {
    let mut doc = head(outcome);
    let changes: Vec<Value> = outcome
        .changes()
        .map(|c| serde_json::to_value(c).unwrap_or_default())
        .collect();
    doc.insert("changes".into(), Value::Array(changes));
    doc.insert("errors".into(), json!(outcome.errors));
    doc.insert("warnings".into(), json!(outcome.warnings));
    Value::Object(doc)
}

/// Every top-level key except `changes`, `errors` and `warnings`.
pub fn head(outcome: &Outcome) -> Map<String, Value> {
    let mut doc = Map::new();
    doc.insert("format_version".into(), json!(FORMAT_VERSION));
    doc.insert("import_id".into(), json!(outcome.import_id));
    doc.insert("plan_id".into(), json!(outcome.plan_id));
    doc.insert("dry_run".into(), json!(outcome.dry_run));
    doc.insert("status".into(), json!(outcome.status.as_str()));
    doc.insert("mode".into(), json!(outcome.mode()));
    doc.insert(
        "file".into(),
        json!({
            "name": outcome.file.name,
            "sha256": outcome.file.sha256,
            "bytes": outcome.file.bytes,
            "encoding": outcome.file.encoding,
        }),
    );
    doc.insert("summary".into(), json!(outcome.summary));
    doc
}

/// `value` (an object) with `format_version` first: every JSON document roster prints carries
/// it (issue 17), except the export, which is the import format.
pub fn versioned(value: impl serde::Serialize) -> Value {
    let mut doc = Map::new();
    doc.insert("format_version".into(), json!(FORMAT_VERSION));
    match serde_json::to_value(value).unwrap_or_default() {
        Value::Object(map) => doc.extend(map),
        other => {
            doc.insert("value".into(), other);
        }
    }
    Value::Object(doc)
}

/// An import of the history (`imports list|show --output json`) in one vocabulary with the
/// import's own document: its keys (`id`, `file_name`, `sha256`, `bytes`, `encoding`, ...) and
/// the document's names for the same things (`import_id`, `file: {name, sha256, bytes,
/// encoding}`), with `format_version`.
pub fn import_record(r: &crate::store::ImportRecord) -> Value {
    let mut doc = versioned(r);
    if let Value::Object(map) = &mut doc {
        map.insert("import_id".into(), json!(r.id));
        map.insert(
            "file".into(),
            json!({
                "name": r.file_name,
                "sha256": r.sha256,
                "bytes": r.bytes,
                "encoding": r.encoding,
            }),
        );
    }
    doc
}

/// Audit events as `roster log --output json` and `GET /v1/log` print them.
pub fn log_events(events: &[crate::store::AuditEvent]) -> Vec<Value> {
    events.iter().map(versioned).collect()
}
