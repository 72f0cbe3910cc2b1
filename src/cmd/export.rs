//! `roster export`: the roster in the import format. CSV holds importable columns only, one
//! row per team membership; JSON adds status, protected and teams (SPEC §10).

use crate::cli::{ExportArgs, ExportFormat, GlobalArgs};
use crate::csv_out::CsvOut;
use crate::error::Result;
use crate::model::{Field, Member, Status};
use crate::store::{Snapshot, Store};
use serde_json::{Map, Value, json};

pub fn run(args: &ExportArgs, global: &GlobalArgs) -> Result<u8> {
    let store = super::open_store(global)?;
    let snapshot = store.snapshot()?;
    let members = selected(&snapshot, &args.status);
    let bytes = match args.format {
        ExportFormat::Csv => csv(&snapshot, &members)?,
        ExportFormat::Json => {
            let items: Vec<Value> = members.iter().map(|&i| member_json(&snapshot, i)).collect();
            let mut b = serde_json::to_vec_pretty(&items).map_err(std::io::Error::other)?;
            b.push(b'\n');
            b
        }
        ExportFormat::Ndjson => {
            let mut b = Vec::new();
            for &i in &members {
                serde_json::to_writer(&mut b, &member_json(&snapshot, i))
                    .map_err(std::io::Error::other)?;
                b.push(b'\n');
            }
            b
        }
    };
    super::write_output(args.output.as_deref(), &bytes)?;
    Ok(0)
}

/// Members with the given statuses (default: not INACTIVE or BANNED), by email then external_id.
pub fn selected(snapshot: &Snapshot, statuses: &[Status]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..snapshot.members.len())
        .filter(|&i| {
            let s = snapshot.members[i].status;
            if statuses.is_empty() {
                s.is_live()
            } else {
                statuses.contains(&s)
            }
        })
        .collect();
    let key = |i: &usize| {
        let m = &snapshot.members[*i];
        (
            m.get(Field::Email).map(str::to_lowercase),
            m.get(Field::ExternalId).map(str::to_string),
            m.id,
        )
    };
    idx.sort_by_cached_key(key);
    idx
}

/// The export's CSV columns: every field, the defined form fields, then team and team_role.
fn csv_header(snapshot: &Snapshot) -> Vec<String> {
    let mut header: Vec<String> = Field::ALL
        .iter()
        .filter(|f| **f != Field::OrganizationRole)
        .map(|f| f.name().to_string())
        .collect();
    header.extend(
        snapshot
            .catalog
            .form_fields
            .iter()
            .map(|k| format!("form.{k}")),
    );
    header.extend(["organization_role", "team", "team_role"].map(String::from));
    header
}

fn csv(snapshot: &Snapshot, members: &[usize]) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut w = CsvOut::new(&mut buf);
    w.row(csv_header(snapshot).iter().map(String::as_str))?;
    for &i in members {
        let m = &snapshot.members[i];
        let mut cells: Vec<&str> = Field::ALL
            .iter()
            .filter(|f| **f != Field::OrganizationRole)
            .map(|f| m.get(*f).unwrap_or(""))
            .collect();
        cells.extend(
            snapshot
                .catalog
                .form_fields
                .iter()
                .map(|k| m.forms.get(k).map_or("", String::as_str)),
        );
        cells.push(m.get(Field::OrganizationRole).unwrap_or(""));
        let teams = snapshot.memberships(i);
        if teams.is_empty() {
            w.row(cells.iter().copied().chain(["", ""]))?;
        }
        for (ti, role) in teams {
            w.row(
                cells
                    .iter()
                    .copied()
                    .chain([snapshot.teams[*ti].name.as_str(), role.as_str()]),
            )?;
        }
    }
    w.finish()?;
    Ok(buf)
}

pub fn member_json(snapshot: &Snapshot, i: usize) -> Value {
    let m: &Member = &snapshot.members[i];
    let mut obj = Map::new();
    // The contract's key order: the fields, `form`, then organization_role, status, protected, teams.
    for f in Field::ALL
        .into_iter()
        .filter(|f| *f != Field::OrganizationRole)
    {
        let key = crate::plan::Key::Field(f);
        obj.insert(f.name().into(), crate::report::json::typed(&key, m.get(f)));
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
    let teams: Vec<Value> = snapshot
        .memberships(i)
        .iter()
        .map(|(ti, role)| json!({"team": snapshot.teams[*ti].name, "team_role": role.as_str()}))
        .collect();
    obj.insert("teams".into(), Value::Array(teams));
    Value::Object(obj)
}
