//! What every backend does the same way, above its SQL: the ids and rows of created members, the
//! audit log's compressed batches, and the stored form of an import's original bytes.

use super::audit::{Batch, BatchWriter};
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Field, Status, email_key, member_label};
use crate::plan::Change;
use crate::plan::Plan;
use crate::plan::wire::{ChangeJson, action_name};
use crate::snapshot::Snapshot;
use crate::store::{AuditEvent, StateChange, Store};
use std::collections::BTreeMap;

/// Each change's member id: the stored member's, or the next free id for a create, in order.
pub fn member_ids(plan: &Plan, snapshot: &Snapshot, first_new_id: i64) -> Vec<i64> {
    let mut next = first_new_id;
    plan.changes
        .iter()
        .map(|c| match c.member {
            Some(i) => snapshot.members[i].id,
            None => {
                next += 1;
                next - 1
            }
        })
        .collect()
}

/// The plan's audit events (one per change, its wire form), as compressed batches.
pub fn encode_audit(plan: &Plan, member_ids: &[i64]) -> Result<Vec<Batch>, StoreError> {
    let mut audit = BatchWriter::default();
    for (change, &member_id) in plan.changes.iter().zip(member_ids) {
        let label = member_label(change.ids(), member_id);
        audit.push(
            member_id,
            &label,
            action_name(change.action),
            ChangeJson(change),
        )?;
    }
    audit.finish()
}

/// The audit event's changes of a status or protection change made outside an import:
/// `{"fields": {"status": {"old", "new"}, "protected": {"old", "new"}}}`, each only when it
/// changed. Every backend writes this one form.
pub fn state_change_audit(
    old_status: &str,
    old_protected: bool,
    change: &StateChange,
) -> serde_json::Value {
    let mut fields = serde_json::Map::new();
    if old_status != change.status.as_str() {
        fields.insert(
            "status".into(),
            serde_json::json!({"old": old_status, "new": change.status.as_str()}),
        );
    }
    if old_protected != change.protected {
        fields.insert(
            "protected".into(),
            serde_json::json!({"old": old_protected, "new": change.protected}),
        );
    }
    serde_json::json!({ "fields": fields })
}

/// A change to the store's definitions or settings, as the audit log records it: an event about
/// no member, `action` with `{"fields": {"<field>": {"old", "new"}}}`.
#[derive(Debug, Clone, Copy)]
pub struct Definition<'a> {
    /// `add_label`, `remove_label`, `add_form_field`, `remove_form_field` or `set_config`.
    pub action: &'static str,
    /// `label`, `form_field`, or the setting's key (`seat-limit`).
    pub field: &'a str,
    pub old: Option<&'a str>,
    pub new: Option<&'a str>,
}

impl<'a> Definition<'a> {
    pub fn label(added: bool, slug: &'a str) -> Definition<'a> {
        Definition::defined(added, slug, "label", ["add_label", "remove_label"])
    }

    pub fn form_field(added: bool, key: &'a str) -> Definition<'a> {
        Definition::defined(
            added,
            key,
            "form_field",
            ["add_form_field", "remove_form_field"],
        )
    }

    pub fn setting(key: &'a str, old: Option<&'a str>, new: Option<&'a str>) -> Definition<'a> {
        Definition {
            action: "set_config",
            field: key,
            old,
            new,
        }
    }

    fn defined(
        added: bool,
        name: &'a str,
        field: &'a str,
        [add, remove]: [&'static str; 2],
    ) -> Definition<'a> {
        let (action, old, new) = match added {
            true => (add, None, Some(name)),
            false => (remove, Some(name), None),
        };
        Definition {
            action,
            field,
            old,
            new,
        }
    }

    /// The one audit event, as a batch to store.
    pub fn audit(&self) -> Result<Vec<Batch>, StoreError> {
        let mut audit = BatchWriter::default();
        let changes = serde_json::json!({
            "fields": { self.field: {"old": self.old, "new": self.new} }
        });
        audit.push_unattached(self.action, changes)?;
        audit.finish()
    }
}

/// The member `id` (email, external_id or phone) names now, else the member whose email it
/// was: the audit log's email changes are followed from `id` to the member's current email.
pub fn member_id_ever(store: &Store, id: &str) -> Result<Option<i64>, StoreError> {
    let mut wanted = id.to_string();
    let mut events: Option<Vec<AuditEvent>> = None;
    // Each step follows one change of email; each event is used once, so a loop ends.
    loop {
        if let Some(found) = store.find_member(&wanted)? {
            return Ok(Some(found.member.id));
        }
        let all = match &mut events {
            Some(all) => all,
            None => events.insert(store.audit(super::AuditQuery::default())?),
        };
        let changed = all.iter().rposition(|e| {
            e.changes
                .pointer("/fields/email/old")
                .and_then(|v| v.as_str())
                .is_some_and(|old| old.eq_ignore_ascii_case(&wanted))
        });
        let Some(at) = changed else { return Ok(None) };
        let event = all.swap_remove(at);
        match event
            .changes
            .pointer("/fields/email/new")
            .and_then(|v| v.as_str())
        {
            Some(new) => wanted = new.to_string(),
            None => return Ok(None),
        }
    }
}

/// A created member's row.
pub struct Created<'a> {
    pub id: i64,
    pub values: [Option<&'a str>; FIELD_COUNT],
    pub email_key: Option<String>,
    pub forms: Option<String>,
    pub status: &'static str,
}

pub fn forms_json(forms: &BTreeMap<String, String>) -> Option<String> {
    (!forms.is_empty()).then(|| serde_json::to_string(forms).unwrap_or_default())
}

/// The row `change` creates, with id `id`.
pub fn created<'a>(change: &Change<'a>, id: i64) -> Created<'a> {
    let new = change.created;
    let values = Field::ALL.map(|f| new.and_then(|n| n.get(f)));
    let forms: BTreeMap<String, String> = new
        .into_iter()
        .flat_map(|n| n.forms())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Created {
        id,
        values,
        email_key: values[Field::Email.index()].map(email_key),
        forms: forms_json(&forms),
        status: change
            .status
            .map_or(Status::Provisioned, |s| s.new)
            .as_str(),
    }
}

/// zstd level of stored originals: the fastest, as the import waits for it.
const ORIGINAL_LEVEL: i32 = 1;

/// An import's original bytes as stored: zstd-compressed (a roster CSV shrinks about fourfold),
/// or empty with no codec.
pub struct Original {
    pub codec: Option<&'static str>,
    pub bytes: Vec<u8>,
}

impl Original {
    pub fn compress(original: &[u8]) -> Result<Original, StoreError> {
        if original.is_empty() {
            return Ok(Original::none());
        }
        Ok(Original {
            codec: Some("zstd"),
            bytes: zstd::bulk::compress(original, ORIGINAL_LEVEL)?,
        })
    }

    /// No original (a file that could not be read, a revert).
    pub fn none() -> Original {
        Original {
            codec: None,
            bytes: Vec::new(),
        }
    }

    /// An original kept as a reference to an earlier import's identical bytes.
    pub fn same() -> Original {
        Original {
            codec: Some("same"),
            bytes: Vec::new(),
        }
    }

    /// The original bytes back from their stored form.
    pub fn decompress(codec: Option<&str>, bytes: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        match codec {
            Some("zstd") => Ok(zstd::stream::decode_all(bytes.as_slice())?),
            _ => Ok(bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn originals_round_trip() {
        let text = b"email\na@x.org\n".repeat(100);
        let stored = Original::compress(&text).unwrap();
        assert_eq!(stored.codec, Some("zstd"));
        assert!(stored.bytes.len() < text.len());
        assert_eq!(
            Original::decompress(stored.codec, stored.bytes).unwrap(),
            text
        );
        let empty = Original::compress(b"").unwrap();
        assert_eq!((empty.codec, empty.bytes.len()), (None, 0));
    }
}
