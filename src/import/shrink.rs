//! The shrink guard's memory (SPEC §16, `max-shrink`): which source a full sync came from, and
//! how many members the last completed full sync from that source held. Both come from
//! history: an import records its source in its options, and its summary counts the members
//! its file named.

use crate::error::StoreError;
use crate::store::{ImportRecord, Store};
use serde_json::Value;

pub use crate::policy::Previous;

/// The source of a file imported by the CLI: its name as history shows it.
pub fn file_source(file_name: &str) -> String {
    format!("file:{file_name}")
}

/// The source of a sync pushed to `roster serve`: the API key's name.
pub fn key_source(key_name: &str) -> String {
    format!("key:{key_name}")
}

/// The newest completed full sync from `source` (imports recorded before sources were, by
/// their file name).
pub fn previous_full_sync(history: &Store, source: &str) -> Result<Option<Previous>, StoreError> {
    Ok(history
        .imports()?
        .iter()
        .filter(|r| r.status == "COMPLETED" && r.mode == "full_sync")
        .find(|r| source_of(r) == source)
        .and_then(|r| {
            Some(Previous {
                import_id: r.id,
                members: members_named(r.summary.as_ref()?),
            })
        }))
}

fn source_of(record: &ImportRecord) -> String {
    match record.options.get("source").and_then(Value::as_str) {
        Some(s) => s.to_string(),
        None => file_source(&record.file_name),
    }
}

/// The members a completed import's file named: SPEC §7's buckets, each member in one.
fn members_named(summary: &Value) -> u64 {
    [
        "created",
        "updated",
        "reactivated",
        "unchanged",
        "banned_skipped",
        "protected_skipped",
    ]
    .iter()
    .map(|k| summary.get(k).and_then(Value::as_u64).unwrap_or(0))
    .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_named_sums_every_member_bucket_but_not_deactivations() {
        let s = json!({"rows": 12, "created": 1, "updated": 2, "reactivated": 3, "unchanged": 4,
            "banned_skipped": 5, "protected_skipped": 6, "deactivated": 100, "errors": 7});
        assert_eq!(members_named(&s), 21);
    }
}
