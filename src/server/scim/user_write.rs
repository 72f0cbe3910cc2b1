//! The write side of `/scim/v2/Users`: a User's resource and userName from a request, the
//! member a User id names, and one User's write as a plan of one change (a create, or an
//! update, deactivation or reactivation of the member) under the rules, with its resource.

use super::answer::object;
use super::user_map::{self, MAPPED, Mapped};
use super::write::{self, Fail};
use crate::error::ScimError;
use crate::model::{Field, Status, Values};
use crate::plan::{Action, Change, Edit, FieldChange, Key, NewMember, StatusChange, ids_of};
use crate::snapshot::Snapshot;
use crate::store::Store;
use crate::store::scim::{ScimWrite, UserWrite};
use crate::validate::Record;
use serde_json::Value;

/// The resource a request body gives: an object with a non-empty `userName`, without the
/// attributes the server assigns.
pub fn resource_of(body: &[u8]) -> Result<(Value, String), ScimError> {
    let mut map = object(body)?;
    map.retain(|k, _| !assigned(k));
    let resource = Value::Object(map);
    let user_name = user_name_of(&resource)?;
    Ok((resource, user_name))
}

/// Attributes never stored: those the server assigns, and `password` (write-only, RFC 7643
/// §4.1.1; roster has no passwords, and a secret is never kept in clear).
pub fn assigned(key: &str) -> bool {
    ["id", "meta", "password"]
        .iter()
        .any(|a| key.eq_ignore_ascii_case(a))
}

pub fn user_name_of(resource: &Value) -> Result<String, ScimError> {
    super::filter::get_ci(resource, "userName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ScimError::InvalidValue("userName is required".into()))
}

pub fn uniqueness(attribute: &'static str, value: &str) -> Fail {
    ScimError::Uniqueness {
        attribute,
        value: value.to_string(),
        resource: "User",
    }
    .into()
}

pub fn index(snapshot: &Snapshot, member_id: i64) -> Option<usize> {
    snapshot
        .members
        .binary_search_by_key(&member_id, |m| m.id)
        .ok()
}

/// The member of User `id`, unless SCIM deleted it: else `404`.
pub fn visible(store: &Store, snapshot: &Snapshot, id: &str) -> Result<usize, Fail> {
    let not_found = || ScimError::NotFound("User", id.to_string());
    let i = id
        .parse::<i64>()
        .ok()
        .and_then(|n| index(snapshot, n))
        .ok_or_else(not_found)?;
    let row = store.scim_user(snapshot.members[i].id)?;
    if row.is_some_and(|r| r.deleted) {
        return Err(not_found().into());
    }
    Ok(i)
}

/// Member `i`'s resource as last written, else made from the member.
pub fn current(store: &Store, snapshot: &Snapshot, i: usize) -> Result<Value, Fail> {
    let row = store.scim_user(snapshot.members[i].id)?;
    Ok(row
        .and_then(|r| serde_json::from_str(&r.resource).ok())
        .unwrap_or_else(|| user_map::from_member(&snapshot.members[i])))
}

/// Writes a User: member `target` (`None`: a new member) becomes what `resource` maps to.
pub fn save(
    store: &mut Store,
    snapshot: &Snapshot,
    target: Option<usize>,
    resource: &Value,
    user_name: &str,
    deleted: bool,
    operator: &str,
) -> Result<i64, Fail> {
    let mut mapped = user_map::map(resource);
    if deleted {
        mapped.active = false;
    }
    let holder = store.scim_user_named(user_name)?;
    if let Some(holder) = &holder
        && target.is_none_or(|i| snapshot.members[i].id != holder.member_id)
    {
        return Err(uniqueness("userName", user_name));
    }
    let values: Vec<(Field, Option<&str>)> = MAPPED.iter().map(|&f| (f, mapped.get(f))).collect();
    write::unique(snapshot, target, &values)?;
    let record = Record {
        values: Values::from_fn(|f| mapped.get(f)),
        ..Record::default()
    };
    let change = match target {
        Some(i) => {
            write::changeable(snapshot, i)?;
            update_change(snapshot, i, &mapped)
        }
        None => Some(create_change(&record, &mapped, invites(store)?)),
    };
    let text = resource.to_string();
    if let (None, Some(held), Some(i)) = (&change, &holder, target)
        && held.resource == text
        && held.deleted == deleted
    {
        // Nothing to change, nothing to record: an identity provider's repeated write.
        return Ok(snapshot.members[i].id);
    }
    let plan = write::one_change(change);
    write::check(store, &plan, snapshot)?;
    let mut note = mapped.note.clone();
    note["userName"] = user_name.into();
    let written = store.apply_scim(&ScimWrite {
        plan: &plan,
        snapshot,
        operator,
        note,
        user: Some(UserWrite {
            member: target.map(|i| snapshot.members[i].id),
            user_name,
            resource: &text,
            deleted,
        }),
        group: None,
    })?;
    written.member_id.ok_or_else(|| {
        Fail::Store(crate::error::StoreError::Database(
            "no member written".into(),
        ))
    })
}

/// Whether new members are `INVITED` (`scim-invite`).
fn invites(store: &Store) -> Result<bool, Fail> {
    Ok(store
        .setting("scim-invite")?
        .and_then(|v| crate::columns::parse_bool(&v))
        .unwrap_or(false))
}

fn create_change<'a>(record: &'a Record, mapped: &Mapped, invite: bool) -> Change<'a> {
    let status = match (mapped.active, invite && mapped.get(Field::Email).is_some()) {
        (false, _) => Status::Inactive,
        (true, true) => Status::Invited,
        (true, false) => Status::Provisioned,
    };
    let created = NewMember {
        record,
        role: crate::model::Role::Member,
    };
    Change::create(None, created, status)
}

/// Member `i`'s change to what the User maps to: mapped values set; names and title cleared
/// when the User no longer holds them (identifiers are never cleared); `active` as status.
fn update_change<'a>(snapshot: &Snapshot, i: usize, mapped: &Mapped) -> Option<Change<'a>> {
    let member = &snapshot.members[i];
    let mut after = member.values.clone();
    let mut fields = Vec::new();
    for field in MAPPED {
        let old = member.get(field);
        let new = match mapped.get(field) {
            Some(v) => Some(v),
            None if !mapped.has(field) && !field.is_identifier() => None,
            None => continue,
        };
        let differs = match (old, new) {
            (Some(o), Some(n)) => !field.same(o, n),
            (None, None) => false,
            _ => true,
        };
        if differs {
            after.set(field, new);
            fields.push(FieldChange {
                key: Key::Field(field),
                old: old.map(str::to_string),
                new: new.map(str::to_string),
            });
        }
    }
    let status = user_map::status_after(member, mapped.active).map(|(old, new)| StatusChange {
        old: Some(old),
        new,
    });
    if fields.is_empty() && status.is_none() {
        return None;
    }
    let action = match status {
        Some(s) if s.new == Status::Inactive => Action::Deactivate,
        Some(_) => Action::Reactivate,
        None => Action::Update,
    };
    let edit = Edit {
        ids: ids_of(&after),
        fields,
        teams: Default::default(),
    };
    Some(Change::existing(action, None, i, status, edit))
}
