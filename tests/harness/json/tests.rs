//! The typed structs are themselves checks: they refuse unknown keys and missing keys, so a
//! test that decodes an output has checked its key set.

use super::{Event, Report, RowError};
use serde_json::{Value, json};

fn report() -> Value {
    let summary: serde_json::Map<String, Value> = crate::harness::SUMMARY_KEYS
        .iter()
        .map(|k| (k.to_string(), json!(0)))
        .collect();
    json!({
        "format_version": "1", "import_id": null, "plan_id": null, "dry_run": true,
        "status": "DRY_RUN", "mode": "additive",
        "file": {"name": "-", "sha256": "", "bytes": 0, "encoding": "UTF-8"},
        "summary": summary, "changes": [], "errors": [], "warnings": []
    })
}

#[test]
fn a_whole_document_decodes() {
    let doc: Report = serde_json::from_value(report()).expect("a report");
    assert_eq!(doc.status, "DRY_RUN");
}

#[test]
fn an_unknown_key_is_refused_at_every_level() {
    let mut top = report();
    top["progress"] = json!(1);
    let mut file = report();
    file["file"]["path"] = json!("x");
    let mut summary = report();
    summary["summary"]["skipped"] = json!(0);
    for doc in [top, file, summary] {
        assert!(serde_json::from_value::<Report>(doc).is_err());
    }
    let progress = json!({"event": "progress", "stage": "parse", "done": 1, "total": 2, "eta": 3});
    assert!(serde_json::from_value::<Event>(progress).is_err());
}

#[test]
fn a_missing_key_is_refused_even_where_null_is_allowed() {
    for key in ["import_id", "plan_id", "warnings", "summary"] {
        let mut doc = report();
        doc.as_object_mut().expect("an object").remove(key);
        assert!(serde_json::from_value::<Report>(doc).is_err(), "{key}");
    }
    let error = json!({"row": null, "column": null, "message": "m"});
    assert!(serde_json::from_value::<RowError>(error).is_err());
}

#[test]
fn events_decode_by_their_event_key() {
    let progress = json!({"event": "progress", "stage": "parse", "done": 1, "total": 2});
    let warning = json!({"event": "warning", "message": "w"});
    let names: Vec<&str> = [progress, warning]
        .into_iter()
        .map(|e| serde_json::from_value::<Event>(e).expect("an event"))
        .map(|e| e.name())
        .collect();
    assert_eq!(names, ["progress", "warning"]);
    assert!(serde_json::from_value::<Event>(json!({"event": "nope"})).is_err());
}
