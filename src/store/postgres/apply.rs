//! Applying a plan: one transaction per import (SPEC §2). It first locks the generation row and
//! refuses the plan if the store changed since its snapshot; the import's history row must
//! still be `RUNNING` when it commits (an import marked interrupted never applies after all).
//! Small plans are written row by row; large ones by binary COPY (see `bulk`).

use super::admin::{bump_generation, lock_generation};
use super::now;
use super::{PostgresStore, bulk, pg};
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
            let written = if plan.changes.len() >= BULK_CHANGES {
                bulk::write(&mut tx, plan, snapshot, &ids, &team_ids, &at)
            } else {
                write_rows(&mut tx, plan, snapshot, &ids, &team_ids, &at)
            };
            let encoded = encoder.join().unwrap_or_else(|_| {
                Err(std::io::Error::other("the audit encoder panicked").into())
            });
            written.and(encoded)
        })?;
        insert_audit_batches(&mut tx, Some(import_id), &at, operator, &batches)?;
        super::invitations::apply_plan(&mut tx, plan, &ids, &at)?;
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

/// The per-row path: prepared statements, in plan order (as the SQLite store writes).
fn write_rows(
    tx: &mut Transaction,
    plan: &Plan,
    snapshot: &Snapshot,
    ids: &[i64],
    team_ids: &HashMap<String, i64>,
    at: &str,
) -> Result<(), StoreError> {
    let insert = tx
        .prepare(&format!(
            "INSERT INTO members ({INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, false, $19, $19)"
        ))
        .map_err(pg)?;
    let update = tx.prepare(&bulk::row_update_sql()).map_err(pg)?;
    let remove = tx
        .prepare("DELETE FROM memberships WHERE team_id = $1 AND member_id = $2")
        .map_err(pg)?;
    let add = tx
        .prepare("INSERT INTO memberships (team_id, member_id, team_role) VALUES ($1, $2, $3)")
        .map_err(pg)?;
    let change_role = tx
        .prepare("UPDATE memberships SET team_role = $3 WHERE team_id = $1 AND member_id = $2")
        .map_err(pg)?;
    let team = |name: &String| team_ids.get(name).copied().unwrap_or_default();
    for (change, &id) in plan.changes.iter().zip(ids) {
        match change.member {
            None => {
                let c = created(change, id);
                let v = &c.values;
                tx.execute(
                    &insert,
                    &[
                        &c.id,
                        &v[0],
                        &v[1],
                        &v[2],
                        &v[3],
                        &v[4],
                        &v[5],
                        &v[6],
                        &v[7],
                        &v[8],
                        &v[9],
                        &v[10],
                        &v[11],
                        &v[12],
                        &v[13],
                        &c.forms,
                        &c.status,
                        &c.email_key,
                        &at,
                    ],
                )
                .map_err(pg)?;
            }
            Some(i) => {
                if let Some(u) = updated(change, &snapshot.members[i]) {
                    let v = &u.values;
                    let (forms_changed, forms) = (u.forms.is_some(), u.forms.clone().flatten());
                    let (status, prior) = u.status.map_or((None, None), |(s, p)| (Some(s), p));
                    tx.execute(
                        &update,
                        &[
                            &u.id,
                            &v[0],
                            &v[1],
                            &v[2],
                            &v[3],
                            &v[4],
                            &v[5],
                            &v[6],
                            &v[7],
                            &v[8],
                            &v[9],
                            &v[10],
                            &v[11],
                            &v[12],
                            &v[13],
                            &u.email_key,
                            &forms_changed,
                            &forms,
                            &status,
                            &prior,
                            &at,
                        ],
                    )
                    .map_err(pg)?;
                }
            }
        }
        for (t, _) in &change.teams.removed {
            tx.execute(&remove, &[&team(t), &id]).map_err(pg)?;
        }
        for (t, role) in &change.teams.added {
            tx.execute(&add, &[&team(t), &id, &role.as_str()])
                .map_err(pg)?;
        }
        for (t, _, role) in &change.teams.changed {
            tx.execute(&change_role, &[&team(t), &id, &role.as_str()])
                .map_err(pg)?;
        }
    }
    Ok(())
}
