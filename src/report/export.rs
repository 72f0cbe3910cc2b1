//! The export renderer: the members in the import format, sorted by email then external_id.
//! CSV holds importable columns only, one row per team membership; JSON and NDJSON add
//! status, protected and teams (SPEC §10). `roster export` and `GET /v1/members` both call
//! [`write`]; `GET /v1/members/{id}` and `roster members show` use [`member_json`].

use crate::columns::Catalog;
use crate::csv_out::CsvOut;
use crate::error::StoreError;
use crate::model::{Field, Member, Role, Status, email_key_cow};
use crate::store::Store;
use serde_json::{Map, Value, json};
use std::io::Write;

/// The export's formats (`roster export --format`, the `Accept` header of `GET /v1/members`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Csv,
    Json,
    Ndjson,
}

/// The export of the members with one of `statuses` (none: all but INACTIVE and BANNED) in
/// `format`: `roster export`, and `GET /v1/members` of `roster serve`.
pub fn write(
    store: &Store,
    format: ExportFormat,
    statuses: &[Status],
    out: &mut impl Write,
) -> std::result::Result<(), StoreError> {
    let statuses: Vec<Status> = if statuses.is_empty() {
        Status::ALL.into_iter().filter(|s| s.is_live()).collect()
    } else {
        statuses.to_vec()
    };
    match format {
        ExportFormat::Csv => csv(store, &store.definitions()?.0, &statuses, out),
        ExportFormat::Json => json(store, &statuses, out),
        ExportFormat::Ndjson => ndjson(store, &statuses, out),
    }
}

/// The export's CSV columns: every field, the defined form fields, then team and team_role.
fn csv_header(catalog: &Catalog) -> Vec<String> {
    let mut header: Vec<String> = Field::ALL
        .iter()
        .filter(|f| **f != Field::OrganizationRole)
        .map(|f| f.name().to_string())
        .collect();
    header.extend(catalog.form_fields.iter().map(|k| format!("form.{k}")));
    header.extend(["organization_role", "team", "team_role"].map(String::from));
    header
}

/// One row per membership (one row with blank team cells for a member without teams).
fn csv(
    store: &Store,
    catalog: &Catalog,
    statuses: &[Status],
    out: &mut impl Write,
) -> std::result::Result<(), StoreError> {
    let mut header = CsvOut::new(&mut *out);
    header.row(csv_header(catalog).iter().map(String::as_str))?;
    header.finish()?;
    let sorted = SortedOutput::render(store, statuses, |m, teams, rows| {
        let mut w = CsvOut::small(rows);
        let mut cells: Vec<&str> = Vec::with_capacity(Field::ALL.len() + catalog.form_fields.len());
        cells.extend(
            Field::ALL
                .iter()
                .filter(|f| **f != Field::OrganizationRole)
                .map(|f| m.get(*f).unwrap_or("")),
        );
        cells.extend(
            catalog
                .form_fields
                .iter()
                .map(|k| m.forms.get(k).map_or("", String::as_str)),
        );
        cells.push(m.get(Field::OrganizationRole).unwrap_or(""));
        if teams.is_empty() {
            w.row(cells.iter().copied().chain(["", ""]))?;
        }
        for (team, role) in teams {
            w.row(cells.iter().copied().chain([*team, role.as_str()]))?;
        }
        w.finish()
    })?;
    sorted.write_to(out)?;
    Ok(())
}

/// A JSON array, pretty-printed as `serde_json` prints one: each member rendered on its own
/// and indented one level, so that the members can be sorted like the other formats.
fn json(
    store: &Store,
    statuses: &[Status],
    out: &mut impl Write,
) -> std::result::Result<(), StoreError> {
    let mut item = Vec::new();
    let marks = store.missing_marks()?;
    let sorted = SortedOutput::render(store, statuses, |m, teams, indented| {
        let value = with_mark(member_json(m, teams), marks.get(&m.id));
        serde_json::to_writer_pretty(&mut item, &value)?;
        for line in item.split(|&b| b == b'\n') {
            indented.extend_from_slice(b"  ");
            indented.extend_from_slice(line);
            indented.push(b'\n');
        }
        item.clear();
        Ok(())
    })?;
    if sorted.entries.is_empty() {
        out.write_all(b"[]\n")?;
        return Ok(());
    }
    out.write_all(b"[\n")?;
    sorted.write_joined(out, b",\n")?;
    out.write_all(b"]\n")?;
    Ok(())
}

fn ndjson(
    store: &Store,
    statuses: &[Status],
    out: &mut impl Write,
) -> std::result::Result<(), StoreError> {
    let marks = store.missing_marks()?;
    let sorted = SortedOutput::render(store, statuses, |m, teams, line| {
        let value = with_mark(member_json(m, teams), marks.get(&m.id));
        serde_json::to_writer(&mut *line, &value)?;
        line.push(b'\n');
        Ok(())
    })?;
    sorted.write_to(out)?;
    Ok(())
}

/// Each member's output, rendered as the store yields members (by id), then written in the
/// export order. Sorting a million rendered members here is faster than having SQLite sort
/// them (measured: 1M-member CSV export, see README "Performance").
#[derive(Default)]
struct SortedOutput {
    /// The rendered output in blocks: a block is never reallocated (no copying, no doubling).
    blocks: Vec<Vec<u8>>,
    /// Lower-cased emails and external_ids, the sort keys.
    keys: String,
    entries: Vec<Entry>,
}

struct Entry {
    email: Option<(usize, usize)>,
    external_id: Option<(usize, usize)>,
    id: i64,
    /// Block, start, end.
    text: (u32, usize, usize),
}

const BLOCK: usize = 8 << 20;

impl SortedOutput {
    /// Each member with one of `statuses` as `render` writes it (with its memberships: team
    /// name, role) into the buffer it is given, which is then taken as that member's output.
    fn render(
        store: &Store,
        statuses: &[Status],
        mut render: impl FnMut(&Member, &[(&str, Role)], &mut Vec<u8>) -> std::io::Result<()>,
    ) -> std::result::Result<SortedOutput, StoreError> {
        let mut sorted = SortedOutput::default();
        let mut rendered = Vec::new();
        store.each_member(statuses, &mut |m, teams| {
            render(m, teams, &mut rendered)?;
            sorted.push(m, &mut rendered);
            Ok(())
        })?;
        Ok(sorted)
    }

    /// Takes `rendered` (left empty) as member `m`'s output.
    fn push(&mut self, m: &Member, rendered: &mut Vec<u8>) {
        let mut key = |v: Option<&str>| {
            v.map(|v| {
                let start = self.keys.len();
                self.keys.push_str(v);
                (start, self.keys.len())
            })
        };
        let email = key(m.get(Field::Email).map(email_key_cow).as_deref());
        let external_id = key(m.get(Field::ExternalId));
        let block = match self.blocks.last_mut() {
            Some(b) if b.len() + rendered.len() <= b.capacity() => b,
            _ => {
                self.blocks
                    .push(Vec::with_capacity(BLOCK.max(rendered.len())));
                self.blocks.last_mut().expect("just pushed")
            }
        };
        let start = block.len();
        block.append(rendered);
        let end = block.len();
        self.entries.push(Entry {
            email,
            external_id,
            id: m.id,
            text: (self.blocks.len() as u32 - 1, start, end),
        });
    }

    fn write_to(self, out: &mut impl Write) -> std::io::Result<()> {
        self.write_joined(out, b"")
    }

    /// Writes each member's output in the export order, the last newline of each but the last
    /// replaced by `separator` when there is one (JSON's `,\n`).
    fn write_joined(self, out: &mut impl Write, separator: &[u8]) -> std::io::Result<()> {
        let keys = &self.keys;
        let text = |span: Option<(usize, usize)>| span.map(|(a, b)| &keys[a..b]);
        let full_key = |e: &Entry| (text(e.email), text(e.external_id), e.id);
        // Sorted by the emails' first 16 bytes held inline, and only on a tie by the whole
        // key: comparing keys in place chased two pointers per comparison (~0.45 s at 1M).
        let mut order: Vec<(u128, u32)> = self
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (sort_prefix(text(e.email)), i as u32))
            .collect();
        let entries = &self.entries;
        order.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                full_key(&entries[a.1 as usize]).cmp(&full_key(&entries[b.1 as usize]))
            })
        });
        let last = order.len().saturating_sub(1);
        for (k, &(_, i)) in order.iter().enumerate() {
            let (block, start, end) = entries[i as usize].text;
            let text = &self.blocks[block as usize][start..end];
            if separator.is_empty() || k == last {
                out.write_all(text)?;
            } else {
                out.write_all(text.strip_suffix(b"\n").unwrap_or(text))?;
                out.write_all(separator)?;
            }
        }
        Ok(())
    }
}

/// The first 16 bytes of a sort key, big-endian and zero-padded, `None` as zero: a smaller
/// prefix means a smaller key, and equal prefixes leave the order to the whole keys.
fn sort_prefix(key: Option<&str>) -> u128 {
    let mut bytes = [0u8; 16];
    if let Some(key) = key {
        let n = key.len().min(16);
        bytes[..n].copy_from_slice(&key.as_bytes()[..n]);
    }
    u128::from_be_bytes(bytes)
}

/// A member's missing mark (`deactivate-after-missing`, SPEC §16), when it has one:
/// `"missing": {"count", "first_import_id"}` after its other keys.
pub fn with_mark(mut member: Value, mark: Option<&crate::snapshot::Mark>) -> Value {
    if let (Value::Object(obj), Some(mark)) = (&mut member, mark) {
        obj.insert(
            "missing".into(),
            json!({"count": mark.count, "first_import_id": mark.first_import}),
        );
    }
    member
}

pub fn member_json(m: &Member, teams: &[(&str, Role)]) -> Value {
    let mut obj = Map::new();
    // The contract's key order: the fields, `form`, then organization_role, status, protected, teams.
    for f in Field::ALL
        .into_iter()
        .filter(|f| *f != Field::OrganizationRole)
    {
        let key = crate::plan::Key::Field(f);
        obj.insert(f.name().into(), crate::plan::wire::typed(&key, m.get(f)));
    }
    if m.get(Field::Labels).is_none() {
        obj.insert("labels".into(), json!([]));
    }
    let mut form: Map<String, Value> = Map::new();
    for (k, v) in &m.forms {
        let (ty, field) = k.split_once('.').unwrap_or((k, ""));
        let entry = form.entry(ty.to_string()).or_insert_with(|| json!({}));
        if let Value::Object(o) = entry {
            o.insert(field.to_string(), json!(v));
        }
    }
    obj.insert("form".into(), Value::Object(form));
    let role = m.get(Field::OrganizationRole);
    obj.insert("organization_role".into(), json!(role));
    obj.insert("status".into(), json!(m.status.as_str()));
    obj.insert("protected".into(), json!(m.protected));
    let teams: Vec<Value> = teams
        .iter()
        .map(|(team, role)| json!({"team": team, "team_role": role.as_str()}))
        .collect();
    obj.insert("teams".into(), Value::Array(teams));
    Value::Object(obj)
}
