//! Applying a plan: one transaction per import (SPEC §2). It first locks the generation row and
//! refuses the plan if the store changed since its snapshot; the import's history row must
//! still be `RUNNING` when it commits (an import marked interrupted never applies after all).
//! Small plans are written row by row (`rows`); large ones by binary COPY (`bulk`), the first
//! large import into an empty store with its indexes rebuilt once at the end (`rebuild`).

use super::admin::{bump_generation, lock_generation};
use super::now;
use super::ticker::Ticker;
use super::{PostgresStore, bulk, pg, rebuild, rows};
use crate::error::StoreError;
use crate::model::{FIELD_COUNT, Field, Member, Status, email_key};
use crate::plan::{Change, Key, Plan};
use crate::store::Snapshot;
use crate::store::audit::{self, Batch};
use crate::store::shared::{encode_audit, member_ids};
use postgres::Transaction;
use std::collections::{BTreeMap, HashMap};

/// From this many changes a plan is written by COPY and set-based statements.
const BULK_CHANGES: usize = 200;

/// `ROSTER_PG_PER_ROW=1` writes every plan row by row, never through COPY: for the benchmark
/// that compares the two paths (benches/README.md), not for use.
fn per_row_forced() -> bool {
    std::env::var_os("ROSTER_PG_PER_ROW").is_some_and(|v| v == "1")
}

/// The columns a created member is written with, in this order.
pub const INSERT_COLUMNS: &str = "id, email, external_id, phone, first_name, last_name, name, \
     job_title, date_of_birth, description, labels, notify_email, notify_sms, notify_voice, \
     organization_role, forms, status, email_key, protected, created_at, updated_at";

/// An existing member's row after its change: every field (the snapshot's values with the
/// changes applied; the snapshot is current, the generation says so), and forms and status
/// only when they change.
pub struct Updated<'a> {
    pub id: i64,
    pub values: [Option<&'a str>; FIELD_COUNT],
    pub email_key: Option<String>,
    /// `Some`: the forms change to this (`None` inside: no forms left).
    pub forms: Option<Option<String>>,
    /// `Some((status, prior status))`: the status changes.
    pub status: Option<(&'static str, Option<&'static str>)>,
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

/// The member's row after `change`, or `None` when only its memberships change.
pub fn updated<'a>(change: &'a Change, member: &'a Member) -> Option<Updated<'a>> {
    if change.fields.is_empty() && change.status.is_none() {
        return None;
    }
    let mut values = Field::ALL.map(|f| member.get(f));
    let mut forms = member.forms.clone();
    let mut forms_changed = false;
    for f in &change.fields {
        match &f.key {
            Key::Field(field) => values[field.index()] = f.new.as_deref(),
            Key::Form(k) => {
                forms_changed = true;
                match &f.new {
                    Some(v) => forms.insert(k.clone(), v.clone()),
                    None => forms.remove(k),
                };
            }
        }
    }
    let status = change.status.map(|s| {
        let prior = (s.new == Status::Inactive).then(|| member.status.as_str());
        (s.new.as_str(), prior)
    });
    Some(Updated {
        id: member.id,
        values,
        email_key: values[Field::Email.index()].map(email_key),
        forms: forms_changed.then(|| forms_json(&forms)),
        status,
    })
}

/// Stores audit batches, numbering their events after the last stored event.
pub fn insert_audit_batches(
    tx: &mut Transaction,
    import_id: Option<i64>,
    at: &str,
    operator: &str,
    batches: &[Batch],
) -> Result<(), StoreError> {
    let mut next: i64 = tx
        .query_one(
            "SELECT coalesce((SELECT id + events FROM audit_batches ORDER BY id DESC LIMIT 1), 1)",
            &[],
        )
        .map_err(pg)?
        .get(0);
    let insert = tx
        .prepare(
            "INSERT INTO audit_batches (id, import_id, at, operator, events, members, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .map_err(pg)?;
    for b in batches {
        let members = audit::encode_members(&b.members);
        tx.execute(
            &insert,
            &[
                &next,
                &import_id,
                &at,
                &operator,
                &(b.events as i64),
                &members,
                &b.data,
            ],
        )
        .map_err(pg)?;
        next += b.events as i64;
    }
    Ok(())
}

impl PostgresStore {
    pub(super) fn apply_plan(
        &mut self,
        import_id: i64,
        plan: &Plan,
        snapshot: &Snapshot,
        summary: &serde_json::Value,
        operator: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), StoreError> {
        let mut client = self.conn()?;
        let mut tx = client.transaction().map_err(pg)?;
        if lock_generation(&mut tx)? != snapshot.generation {
            return Err(StoreError::Changed);
        }
        let at = now();
        let mut team_ids: HashMap<String, i64> = snapshot
            .teams
            .iter()
            .map(|t| (t.name.clone(), t.id))
            .collect();
        for name in &plan.teams_created {
            let id: i64 = tx
                .query_one(
                    "INSERT INTO teams (id, name) SELECT coalesce(max(id), 0) + 1, $1 FROM teams \
                     RETURNING id",
                    &[name],
                )
                .map_err(pg)?
                .get(0);
            team_ids.insert(name.clone(), id);
        }
        let first_new_id: i64 = tx
            .query_one("SELECT coalesce(max(id), 0) + 1 FROM members", &[])
            .map_err(pg)?
            .get(0);
        let ids = member_ids(plan, snapshot, first_new_id);
        // The audit batches are encoded and compressed on a second core meanwhile.
        let batches = std::thread::scope(|scope| {
            let encoder = scope.spawn(|| encode_audit(plan, &ids));
            let mut ticker = Ticker::new(plan.changes.len(), progress);
            let ids = (ids.as_slice(), &team_ids);
            let written = write_members(&mut tx, plan, snapshot, ids, &at, &mut ticker);
            let encoded = encoder.join().unwrap_or_else(|_| {
                Err(std::io::Error::other("the audit encoder panicked").into())
            });
            written.and(encoded)
        })?;
        insert_audit_batches(&mut tx, Some(import_id), &at, operator, &batches)?;
        super::invitations::apply_plan(&mut tx, plan, &ids, &at)?;
        super::marks::write(&mut tx, plan, snapshot, import_id)?;
        for name in &plan.teams_deleted {
            if let Some(id) = team_ids.get(name) {
                tx.execute("DELETE FROM memberships WHERE team_id = $1", &[id])
                    .map_err(pg)?;
                tx.execute("DELETE FROM teams WHERE id = $1", &[id])
                    .map_err(pg)?;
            }
        }
        bump_generation(&mut tx)?;
        let finished = tx
            .execute(
                "UPDATE imports SET status = 'COMPLETED', finished_at = $2, summary = $3 \
                 WHERE id = $1 AND status = 'RUNNING'",
                &[&import_id, &now(), &summary.to_string()],
            )
            .map_err(pg)?;
        if finished != 1 {
            return Err(super::other(format!(
                "import {import_id} is no longer running (marked interrupted); nothing was changed"
            )));
        }
        tx.commit().map_err(pg)?;
        Ok(())
    }
}

/// Writes the members and memberships of `plan` by the path that suits its size.
fn write_members(
    tx: &mut Transaction,
    plan: &Plan,
    snapshot: &Snapshot,
    (ids, team_ids): (&[i64], &HashMap<String, i64>),
    at: &str,
    ticker: &mut Ticker,
) -> Result<(), StoreError> {
    if plan.changes.len() < BULK_CHANGES || per_row_forced() {
        return rows::write(tx, plan, snapshot, ids, team_ids, at, ticker);
    }
    let creates = plan.changes.iter().filter(|c| c.member.is_none()).count();
    let aside = match snapshot.members.is_empty() && creates >= rebuild::MIN_CREATES {
        true => rebuild::set_aside(tx)?,
        false => None,
    };
    bulk::write(tx, plan, snapshot, (ids, team_ids), at, ticker)?;
    match aside {
        Some(aside) => rebuild::rebuild(tx, aside),
        None => Ok(()),
    }
}
