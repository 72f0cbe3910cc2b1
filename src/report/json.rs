//! The JSON document of `--output json` and the change objects of NDJSON and the audit log,
//! with exactly the contract's keys (SPEC §10).

use super::prerender::Rendered;
use super::{FileInfo, Outcome};
use crate::plan::wire::ChangeJson;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::{Map, Value, json};
use std::io::Write;

pub const FORMAT_VERSION: &str = "2";

/// The whole document (pretty, as `--output json` prints it), written as it is serialized:
/// a million changes never become a million `Value`s. `changes`: the array already rendered by
/// [`write_changes`] (beside the apply, [`super::prerender`]), else it is rendered here.
pub fn write_document(
    outcome: &Outcome,
    changes: Option<&Rendered>,
    mut out: impl Write,
) -> std::io::Result<()> {
    out.write_all(&before_changes(outcome)?)?;
    match changes {
        Some(rendered) => rendered.write_to(&mut out)?,
        None => write_changes(outcome.changes(), &mut out)?,
    }
    after_changes(outcome, out)
}

/// The document without its `changes` array (`POST /v1/sync?report=summary`).
pub fn write_without_changes(outcome: &Outcome, mut out: impl Write) -> std::io::Result<()> {
    let mut head = serde_json::to_vec_pretty(&Head(outcome))?;
    head.truncate(head.len() - 2);
    out.write_all(&head)?;
    after_changes(outcome, out)
}

/// The document up to the `changes` array: its head and the array's key.
pub fn before_changes(outcome: &Outcome) -> std::io::Result<Vec<u8>> {
    let mut head = serde_json::to_vec_pretty(&Head(outcome))?;
    // The head's closing "\n}": the three lists follow as the rest of the same object.
    head.truncate(head.len() - 2);
    head.extend_from_slice(b",\n  \"changes\": ");
    Ok(head)
}

/// The document after the `changes` array: `errors`, `warnings` and the closing brace.
pub fn after_changes(outcome: &Outcome, mut out: impl Write) -> std::io::Result<()> {
    out.write_all(b",\n  \"errors\": ")?;
    nested(&mut out, &outcome.errors)?;
    out.write_all(b",\n  \"warnings\": ")?;
    nested(&mut out, &outcome.warnings)?;
    out.write_all(b"\n}")
}

/// The `changes` array as the document holds it (one level in).
pub fn write_changes<'a, 'p: 'a>(
    changes: impl Iterator<Item = ChangeJson<'a, 'p>>,
    out: impl Write,
) -> std::io::Result<()> {
    nested(out, &Seq(std::cell::Cell::new(Some(changes))))
}

/// `value` pretty-printed as a value of the document's top level: indented one level in.
fn nested(out: impl Write, value: &impl Serialize) -> std::io::Result<()> {
    let mut formatter = PrettyFormatter::new();
    formatter.begin_object(&mut std::io::sink())?;
    let mut ser = serde_json::Serializer::with_formatter(out, formatter);
    value.serialize(&mut ser).map_err(std::io::Error::from)
}

/// An iterator serialized as a JSON array, once.
struct Seq<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Seq<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.take().into_iter().flatten())
    }
}

/// Every top-level key except `changes`, `errors` and `warnings` (the NDJSON `summary`).
pub fn head(outcome: &Outcome) -> Map<String, Value> {
    match serde_json::to_value(Head(outcome)) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

struct Head<'a>(&'a Outcome);

impl Serialize for Head<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        head_entries(self.0, &mut m)?;
        m.end()
    }
}

/// The contract's top-level keys, in its order, up to `summary`.
fn head_entries<M: SerializeMap>(o: &Outcome, m: &mut M) -> Result<(), M::Error> {
    m.serialize_entry("format_version", FORMAT_VERSION)?;
    m.serialize_entry("import_id", &o.import_id)?;
    m.serialize_entry("plan_id", &o.plan_id)?;
    m.serialize_entry("dry_run", &o.dry_run)?;
    m.serialize_entry("status", o.status.as_str())?;
    m.serialize_entry("mode", o.mode())?;
    m.serialize_entry("file", &FileJson(&o.file))?;
    m.serialize_entry("summary", &o.summary)?;
    // `deactivate-after-missing` (SPEC §16): the members marked, not deactivated, when any.
    match o.plan().map(|p| &p.pending) {
        Some(pending) if !pending.is_empty() => {
            let list: Vec<Value> = pending.iter().map(pending_json).collect();
            m.serialize_entry("missing", &list)
        }
        _ => Ok(()),
    }
}

/// `{"member": {"email", "external_id", "phone"}, "count", "of", "first_import_id"}`
/// (`first_import_id` null: this import is the first to miss the member).
fn pending_json(p: &crate::plan::Pending) -> Value {
    let [email, external_id, phone] = &p.ids;
    json!({
        "member": {"email": email, "external_id": external_id, "phone": phone},
        "count": p.count,
        "of": p.of,
        "first_import_id": p.first_import,
    })
}

struct FileJson<'a>(&'a FileInfo);

impl Serialize for FileJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("name", &f.name)?;
        m.serialize_entry("sha256", &f.sha256)?;
        m.serialize_entry("bytes", &f.bytes)?;
        m.serialize_entry("encoding", &f.encoding)?;
        m.end()
    }
}

/// A document of one object: `value` (an object) with `format_version` first. Lists are bare
/// arrays of the same objects, without it (docs/output.md says why).
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

/// An import of the history, as `imports list` lists it (`imports show` and
/// `GET /v1/imports/{id}` print it [`versioned`]).
pub fn import_record(r: &crate::store::ImportRecord) -> Value {
    super::records::import(r)
}

/// Audit events as `roster log --output json` and `GET /v1/log` list them. A member that an
/// event names only by its label (a change outside an import) is looked up once.
pub fn log_events(events: &[crate::store::AuditEvent], store: &crate::store::Store) -> Vec<Value> {
    let mut lookup = MemberLookup::new(store);
    events
        .iter()
        .map(|e| super::records::log_event(e, &mut |label| lookup.ids(label)))
        .collect()
}

/// The identifiers the store holds now for each member label of the log, each looked up once.
pub struct MemberLookup<'a> {
    store: &'a crate::store::Store,
    found: std::collections::HashMap<String, Option<[Option<String>; 3]>>,
}

impl<'a> MemberLookup<'a> {
    pub fn new(store: &'a crate::store::Store) -> Self {
        MemberLookup {
            store,
            found: std::collections::HashMap::new(),
        }
    }

    pub fn ids(&mut self, label: &str) -> Option<[Option<String>; 3]> {
        let store = self.store;
        self.found
            .entry(label.to_string())
            .or_insert_with(|| member_ids(store, label))
            .clone()
    }
}

/// The identifiers the store holds now for the member `label` names.
pub fn member_ids(store: &crate::store::Store, label: &str) -> Option<[Option<String>; 3]> {
    use crate::model::Field;
    let found = store.find_member(label).ok().flatten()?;
    let get = |f| found.member.get(f).map(str::to_string);
    Some([get(Field::Email), get(Field::ExternalId), get(Field::Phone)])
}
