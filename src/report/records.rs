//! The objects of the listing commands and reading endpoints, in one vocabulary (SPEC §10,
//! docs/output.md): an import, an audit event, an invitation, a key, the settings and the
//! definitions. A member elsewhere is referred to by `{email, external_id, phone}`; times are
//! RFC 3339 UTC in keys ending `_at`. Lists are bare arrays of these objects; a document of one
//! object has `format_version` first ([`super::json::versioned`]).

use crate::store::Timestamp;
use crate::store::invitations::Invitation;
use crate::store::keys::ApiKey;
use crate::store::{AuditEvent, ImportRecord};
use serde_json::{Map, Value, json};

/// A member's identifiers, as changes and every other document refer to it.
pub fn member_ref(email: Option<&str>, external_id: Option<&str>, phone: Option<&str>) -> Value {
    json!({"email": email, "external_id": external_id, "phone": phone})
}

/// The identifiers of a member the store names by one of them (its label): what the store
/// holds now, when `lookup` finds the member, else the label in the column it looks like.
pub fn member_by_label(
    label: &str,
    lookup: &mut dyn FnMut(&str) -> Option<[Option<String>; 3]>,
) -> Value {
    match lookup(label) {
        Some([email, external_id, phone]) => {
            member_ref(email.as_deref(), external_id.as_deref(), phone.as_deref())
        }
        None if label.contains('@') => member_ref(Some(label), None, None),
        None if label.starts_with('+') => member_ref(None, None, Some(label)),
        None => member_ref(None, Some(label), None),
    }
}

/// An import of the history: the same keys as the import document's header where they are
/// the same thing (`import_id`, `status`, `mode`, `file`, `summary`), nothing twice.
pub fn import(r: &ImportRecord) -> Value {
    let mut value = json!({
        "import_id": r.id,
        "status": r.status,
        "operator": r.operator,
        "file": {
            "name": r.file_name,
            "sha256": r.sha256,
            "bytes": r.bytes,
            "encoding": r.encoding,
        },
        "mode": r.mode,
        "options": r.options,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "summary": r.summary,
        "message": r.message,
    });
    // A revert (mode `revert`) names the import it undid (SPEC §16).
    if let (Some(reverts), Value::Object(map)) = (r.options.get("reverts"), &mut value) {
        map.insert("reverts".into(), reverts.clone());
    }
    value
}

/// An audit event: who changed which member when, and how. `changes` holds the change's
/// `row`, `fields` and `teams` (its `action` and `member` are the event's own keys).
pub fn log_event(
    e: &AuditEvent,
    lookup: &mut dyn FnMut(&str) -> Option<[Option<String>; 3]>,
) -> Value {
    let mut changes = match &e.changes {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    changes.remove("action");
    let member = match (changes.remove("member"), &e.member) {
        (Some(ids @ Value::Object(_)), _) => ids,
        (_, Some(label)) => member_by_label(label, lookup),
        (_, None) => Value::Null,
    };
    json!({
        "id": e.id,
        "import_id": e.import_id,
        "created_at": e.at,
        "operator": e.operator,
        "member": member,
        "action": e.action,
        "changes": changes,
    })
}

/// A time the store keeps as text, in the one form (RFC 3339 UTC, to the second).
fn time(text: Option<&str>) -> Value {
    match text {
        None => Value::Null,
        Some(t) => match Timestamp::parse(t) {
            Some(ts) => json!(ts),
            None => json!(t),
        },
    }
}

/// An invitation of the outbox (SPEC §13's keys; `email` is the address it goes to).
pub fn invitation(i: &Invitation, member: Value) -> Value {
    json!({
        "id": i.id,
        "member": member,
        "email": i.email,
        "state": i.state.to_string(),
        "attempts": i.attempts,
        "last_error": i.last_error,
        "created_at": time(Some(&i.created_at)),
        "sent_at": time(i.sent_at.as_deref()),
    })
}

/// An API key, never the key itself.
pub fn key(k: &ApiKey) -> Value {
    let mut v = json!({
        "name": k.name,
        "scope": k.scope,
        "prefix": k.prefix,
        "created_at": time(Some(&k.created_at)),
        "last_used_at": time(k.last_used_at.as_deref()),
        "revoked_at": time(k.revoked_at.as_deref()),
    });
    // Only keys made with --replaces or --expires carry these (issue 23).
    if let Value::Object(map) = &mut v {
        if let Some(operator) = &k.operator {
            map.insert("operator".into(), operator.clone().into());
        }
        if let Some(at) = &k.expires_at {
            map.insert("expires_at".into(), time(Some(at)));
        }
    }
    v
}

/// A label definition.
pub fn label(slug: &str) -> Value {
    json!({"label": slug})
}

/// A form field definition: `type.field`, and the column a file names it by.
pub fn form_field(key: &str) -> Value {
    json!({"form_field": key, "column": format!("form.{key}")})
}
