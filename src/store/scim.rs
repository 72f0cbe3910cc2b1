//! SCIM 2.0's share of the store (SPEC §17): the resources identity providers wrote (members
//! as Users, teams as Groups) and the times of SCIM deactivations, and one SCIM write: a plan
//! of one member's (or one team's) change applied in one transaction in the write order, with
//! its audit events (operator `scim:<key name>`, no import row) and the resource beside it.

use super::admin::bump_generation;
use super::apply::{check_generation, create_teams, delete_teams, new_member_ids};
use super::audit::BatchWriter;
use super::history::{insert_audit_batches, now};
use super::sql::{self, Backend, Begin, Row, Writes, args};
use super::ticker::Ticker;
use super::{Snapshot, Store};
use crate::error::StoreError;
use crate::model::{Status, email_key, member_label};
use crate::plan::Plan;
use crate::plan::wire::{ChangeJson, action_name};

const USER_COLUMNS: &str =
    "member_id, user_name, resource, deleted, created_at, updated_at, version";
const GROUP_COLUMNS: &str = "team_id, resource, created_at, updated_at, version";

/// A member as SCIM last wrote it.
#[derive(Debug, Clone)]
pub struct ScimUser {
    pub member_id: i64,
    pub user_name: String,
    /// The resource as sent (JSON text).
    pub resource: String,
    /// Deleted over SCIM: deactivated, and no longer found over SCIM.
    pub deleted: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A team as SCIM last wrote it.
#[derive(Debug, Clone)]
pub struct ScimGroup {
    pub team_id: i64,
    pub resource: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// The User a write stores: of an existing member, or (`member: None`) of the member the
/// plan's first change creates.
#[derive(Debug, Clone, Copy)]
pub struct UserWrite<'a> {
    pub member: Option<i64>,
    pub user_name: &'a str,
    pub resource: &'a str,
    pub deleted: bool,
}

/// The Group a write stores or deletes.
#[derive(Debug, Clone, Copy)]
pub enum GroupWrite<'a> {
    /// The team named `name` after the write (renamed from `renamed_from`, a stored team).
    Keep {
        name: &'a str,
        renamed_from: Option<&'a str>,
        resource: &'a str,
    },
    /// The team the plan deletes.
    Delete { name: &'a str },
}

/// One SCIM write: its plan and what it stores beside it.
pub struct ScimWrite<'a> {
    pub plan: &'a Plan<'a>,
    pub snapshot: &'a Snapshot,
    pub operator: &'a str,
    /// Carried by each audit event of the write, under `scim`: what was sent and not mapped.
    pub note: serde_json::Value,
    pub user: Option<UserWrite<'a>>,
    pub group: Option<GroupWrite<'a>>,
}

/// What a SCIM write stored: the member's and the team's ids.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScimWritten {
    pub member_id: Option<i64>,
    pub team_id: Option<i64>,
}

fn user_row(mut r: Row) -> Result<ScimUser, StoreError> {
    Ok(ScimUser {
        member_id: r.get(0)?,
        user_name: r.get(1)?,
        resource: r.get(2)?,
        deleted: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
        version: r.get(6)?,
    })
}

fn group_row(mut r: Row) -> Result<ScimGroup, StoreError> {
    Ok(ScimGroup {
        team_id: r.get(0)?,
        resource: r.get(1)?,
        created_at: r.get(2)?,
        updated_at: r.get(3)?,
        version: r.get(4)?,
    })
}

impl Store {
    /// Every User SCIM wrote, by member id.
    pub fn scim_users(&self) -> Result<Vec<ScimUser>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM scim_users ORDER BY member_id");
        sql::all(&*self.db, &sql, &[])?
            .into_iter()
            .map(user_row)
            .collect()
    }

    /// The User SCIM wrote of member `member_id`.
    pub fn scim_user(&self, member_id: i64) -> Result<Option<ScimUser>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM scim_users WHERE member_id = $1");
        sql::first(&*self.db, &sql, args![member_id])?
            .map(user_row)
            .transpose()
    }

    /// The User whose userName is `user_name` (ignoring case).
    pub fn scim_user_named(&self, user_name: &str) -> Result<Option<ScimUser>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM scim_users WHERE user_name_key = $1");
        sql::first(&*self.db, &sql, args![email_key(user_name)])?
            .map(user_row)
            .transpose()
    }

    /// Every Group SCIM wrote, by team id.
    pub fn scim_groups(&self) -> Result<Vec<ScimGroup>, StoreError> {
        let sql = format!("SELECT {GROUP_COLUMNS} FROM scim_groups ORDER BY team_id");
        sql::all(&*self.db, &sql, &[])?
            .into_iter()
            .map(group_row)
            .collect()
    }

    /// The times of the SCIM deactivations at or after `since` (RFC 3339), oldest first.
    pub fn scim_deactivations_since(&self, since: &str) -> Result<Vec<String>, StoreError> {
        sql::all(
            &*self.db,
            "SELECT at FROM scim_deactivations WHERE at >= $1 ORDER BY at",
            args![since],
        )?
        .into_iter()
        .map(|mut r| r.get(0))
        .collect()
    }

    /// Applies one SCIM write in one transaction in the write order: refused with
    /// `StoreError::Changed` if the store changed since the snapshot.
    pub fn apply_scim(&mut self, write: &ScimWrite) -> Result<ScimWritten, StoreError> {
        sql::transaction(&*self.db, Begin::Ordered, |db| {
            let (plan, snapshot) = (write.plan, write.snapshot);
            check_generation(db, snapshot)?;
            let at = now();
            let mut team_ids = create_teams(db, plan, snapshot)?;
            let ids = new_member_ids(db, plan, snapshot)?;
            let writes = Writes {
                plan,
                snapshot,
                ids: &ids,
                team_ids: &team_ids,
                at: &at,
            };
            let mut quiet = |_| {};
            db.write_members(&writes, &mut Ticker::new(plan.changes.len(), &mut quiet))?;
            let member_id = write
                .user
                .map(|u| u.member.or_else(|| ids.first().copied()));
            let batches = audit(write, &ids, member_id.flatten())?;
            insert_audit_batches(db, None, &at, write.operator, batches)?;
            super::invitations::apply_plan(db, plan, &ids, &at)?;
            delete_teams(db, plan, &team_ids)?;
            for (change, id) in plan.changes.iter().zip(&ids) {
                if change.status.is_some_and(|s| s.new == Status::Inactive) {
                    db.execute(
                        "INSERT INTO scim_deactivations (at, member_id) VALUES ($1, $2)",
                        args![at.as_str(), *id],
                    )?;
                }
            }
            let mut written = ScimWritten::default();
            if let (Some(user), Some(Some(id))) = (write.user, member_id) {
                store_user(db, id, &user, &at)?;
                written.member_id = Some(id);
            }
            if let Some(GroupWrite::Keep {
                name,
                renamed_from,
                resource,
            }) = write.group
            {
                let from = renamed_from.unwrap_or(name);
                let id = *team_ids
                    .get(from)
                    .ok_or_else(|| sql::message(format!("no team {from}")))?;
                if from != name {
                    db.execute("UPDATE teams SET name = $2 WHERE id = $1", args![id, name])?;
                    team_ids.insert(name.to_string(), id);
                }
                store_group(db, id, resource, &at)?;
                written.team_id = Some(id);
            }
            bump_generation(db)?;
            Ok(written)
        })
    }
}

/// The write's audit events: each change of its plan (the import's wire form) with the note;
/// a User write that changed no roster field is one `update` event of its own; a Group write
/// is one more event about the team (`scim_group`).
fn audit(
    write: &ScimWrite,
    ids: &[i64],
    user_member: Option<i64>,
) -> Result<Vec<super::audit::Batch>, StoreError> {
    let mut audit = BatchWriter::default();
    for (change, &id) in write.plan.changes.iter().zip(ids) {
        let mut event =
            serde_json::to_value(ChangeJson(change)).map_err(|e| sql::message(e.to_string()))?;
        if let Some(map) = event.as_object_mut() {
            map.insert("scim".into(), write.note.clone());
        }
        let label = member_label(change.ids(), id);
        audit.push(id, &label, action_name(change.action), event)?;
    }
    if let (true, Some(id)) = (write.plan.changes.is_empty(), user_member) {
        let i = write.snapshot.members.iter().position(|m| m.id == id);
        let label = i.map_or(format!("#{id}"), |i| write.snapshot.members[i].label());
        let event = serde_json::json!({"action": "update", "fields": {}, "scim": write.note});
        audit.push(id, &label, "update", event)?;
    }
    if let Some(group) = write.group {
        let (name, old, action) = match group {
            GroupWrite::Keep {
                name, renamed_from, ..
            } => (Some(name), renamed_from, "scim_group"),
            GroupWrite::Delete { name } => (None, Some(name), "scim_group_delete"),
        };
        let event = serde_json::json!({
            "fields": {"team": {"old": old, "new": name}},
            "scim": write.note,
        });
        audit.push_unattached(action, event)?;
    }
    audit.finish()
}

fn store_user(db: &dyn Backend, id: i64, user: &UserWrite, at: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO scim_users (member_id, user_name, user_name_key, resource, deleted, \
         created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $6, 1) \
         ON CONFLICT (member_id) DO UPDATE SET user_name = excluded.user_name, \
         user_name_key = excluded.user_name_key, resource = excluded.resource, \
         deleted = excluded.deleted, updated_at = excluded.updated_at, \
         version = scim_users.version + 1",
        args![
            id,
            user.user_name,
            email_key(user.user_name),
            user.resource,
            user.deleted,
            at
        ],
    )?;
    Ok(())
}

fn store_group(db: &dyn Backend, id: i64, resource: &str, at: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO scim_groups (team_id, resource, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $3, 1) ON CONFLICT (team_id) DO UPDATE SET \
         resource = excluded.resource, updated_at = excluded.updated_at, \
         version = scim_groups.version + 1",
        args![id, resource, at],
    )?;
    Ok(())
}
