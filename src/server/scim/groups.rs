//! `/scim/v2/Groups`: teams as Groups (SPEC §17). `displayName` is the team's name, `members`
//! its memberships (by User id), each with the role `member` unless roster's extension
//! (`urn:roster:params:scim:schemas:extension:2.0:Group`: `owners`, `admins`) says `owner` or
//! `admin`. A write is one team's change: one plan of the memberships it adds, removes or
//! changes, under section 8's rules; `DELETE` deletes the team as a full sync would.

use super::super::App;
use super::super::auth::Caller;
use super::answer::{Doc, base_url, object};
use super::discovery::{GROUP_URN, ROSTER_GROUP_URN};
use super::filter::get_ci;
use super::group_write::{drop_roles_of_removed, listed, membership_plan, save};
use super::write::{self, Fail};
use super::{listing, patch};
use crate::error::ScimError;
use crate::model::Role;
use crate::snapshot::Snapshot;
use crate::store::Store;
use crate::store::scim::{GroupWrite, ScimGroup, ScimWrite};
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

fn read(
    store: &mut Store,
) -> Result<(Snapshot, HashMap<i64, ScimGroup>), crate::error::StoreError> {
    let snapshot = store.snapshot()?;
    let rows = store
        .scim_groups()?
        .into_iter()
        .map(|g| (g.team_id, g))
        .collect();
    Ok((snapshot, rows))
}

/// Team `ti`'s memberships: member index and role.
pub fn memberships(snapshot: &Snapshot, ti: usize) -> Vec<(usize, Role)> {
    snapshot
        .all_memberships()
        .filter(|&(_, t, _)| t == ti)
        .map(|(i, _, r)| (i, r))
        .collect()
}

/// Team `ti` as a Group: the resource as last written (its members as sent, where they still
/// are members), the team's name and memberships as they are now, and `meta`.
fn render(snapshot: &Snapshot, ti: usize, row: Option<&ScimGroup>, base: &str) -> Value {
    let team = &snapshot.teams[ti];
    let mut group = row
        .and_then(|r| serde_json::from_str::<Value>(&r.resource).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({"schemas": [GROUP_URN]}));
    let list = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    let sent = list(get_ci(&group, "members"));
    let extension = get_ci(&group, ROSTER_GROUP_URN);
    let sent_owners = list(extension.and_then(|e| get_ci(e, "owners")));
    let sent_admins = list(extension.and_then(|e| get_ci(e, "admins")));
    let as_sent = |sent: &[Value], id: &str| {
        sent.iter()
            .find(|m| member_id(m).as_deref() == Some(id))
            .cloned()
            .unwrap_or_else(|| json!({"value": id}))
    };
    let mut members = Vec::new();
    let (mut owners, mut admins) = (Vec::new(), Vec::new());
    for (i, role) in memberships(snapshot, ti) {
        let id = snapshot.members[i].id.to_string();
        let element = sent
            .iter()
            .find(|m| member_id(m).as_deref() == Some(&id))
            .cloned()
            .unwrap_or_else(|| {
                json!({"value": id, "$ref": format!("{base}/Users/{id}"), "display": snapshot.members[i].label()})
            });
        members.push(element);
        match role {
            Role::Owner => owners.push(as_sent(&sent_owners, &id)),
            Role::Admin => admins.push(as_sent(&sent_admins, &id)),
            Role::Member => {}
        }
    }
    let had_members = get_ci(&group, "members").is_some();
    let map = group.as_object_mut().expect("an object");
    map.retain(|k, _| {
        !k.eq_ignore_ascii_case("members") && !k.eq_ignore_ascii_case(ROSTER_GROUP_URN)
    });
    map.insert("id".into(), team.id.to_string().into());
    if map.get("schemas").is_none_or(|s| !s.is_array()) {
        map.insert("schemas".into(), json!([GROUP_URN]));
    }
    map.insert("displayName".into(), team.name.clone().into());
    if !members.is_empty() || had_members {
        map.insert("members".into(), members.into());
    }
    if !owners.is_empty() || !admins.is_empty() {
        let mut roles = serde_json::Map::new();
        for (name, list) in [("owners", owners), ("admins", admins)] {
            if !list.is_empty() {
                roles.insert(name.into(), list.into());
            }
        }
        map.insert(ROSTER_GROUP_URN.into(), Value::Object(roles));
        let schemas = map.entry("schemas").or_insert_with(|| json!([GROUP_URN]));
        if let Some(list) = schemas.as_array_mut()
            && !list.iter().any(|s| s == ROSTER_GROUP_URN)
        {
            list.push(ROSTER_GROUP_URN.into());
        }
    }
    let (created, modified, version) = match row {
        Some(r) => (r.created_at.clone(), r.updated_at.clone(), r.version),
        None => {
            let now = crate::store::Timestamp::now().to_string();
            (now.clone(), now, 0)
        }
    };
    map.insert(
        "meta".into(),
        json!({
            "resourceType": "Group",
            "created": created,
            "lastModified": modified,
            "location": format!("{base}/Groups/{}", team.id),
            "version": format!("W/\"{version}\""),
        }),
    );
    group
}

pub fn member_id(element: &Value) -> Option<String> {
    match get_ci(element, "value")? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn team_of(snapshot: &Snapshot, id: &str) -> Option<usize> {
    let id: i64 = id.parse().ok()?;
    snapshot.teams.iter().position(|t| t.id == id)
}

pub async fn list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let base = base_url(&headers);
    let params = match listing::Params::read(&query, listing::GROUP_FILTERS) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    match app.db.run(read).await {
        Ok((snapshot, rows)) => {
            let mut all: Vec<(i64, Value)> = (0..snapshot.teams.len())
                .map(|ti| {
                    let id = snapshot.teams[ti].id;
                    (id, render(&snapshot, ti, rows.get(&id), &base))
                })
                .collect();
            all.sort_by_key(|(id, _)| *id);
            params
                .answer(all.into_iter().map(|(_, g)| g).collect(), GROUP_URN)
                .into_response()
        }
        Err(e) => super::answer::internal(e),
    }
}

pub async fn get(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let base = base_url(&headers);
    answer(&app, Ok(id), StatusCode::OK, base, query).await
}

async fn answer(
    app: &Arc<App>,
    written: Result<String, Fail>,
    status: StatusCode,
    base: String,
    query: HashMap<String, String>,
) -> Response {
    let id = match written {
        Ok(id) => id,
        Err(fail) => return fail.into_response(),
    };
    match app.db.run(read).await {
        Ok((snapshot, rows)) => match team_of(&snapshot, &id) {
            Some(ti) => {
                let group = render(&snapshot, ti, rows.get(&snapshot.teams[ti].id), &base);
                Doc::resource(status, listing::select(group, &query, GROUP_URN)).into_response()
            }
            None => ScimError::NotFound("Group", id).into_response(),
        },
        Err(e) => super::answer::internal(e),
    }
}

fn resource_of(body: &[u8]) -> Result<Value, ScimError> {
    let mut map = object(body)?;
    map.retain(|k, _| !k.eq_ignore_ascii_case("id") && !k.eq_ignore_ascii_case("meta"));
    Ok(Value::Object(map))
}

pub async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let resource = match resource_of(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let operator = format!("scim:{}", caller.name);
    let written = write::run(&app, move |store, snapshot| {
        save(store, snapshot, None, &resource, &operator)
    })
    .await;
    answer(
        &app,
        written,
        StatusCode::CREATED,
        base_url(&headers),
        HashMap::new(),
    )
    .await
}

pub async fn replace(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let resource = match resource_of(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let operator = format!("scim:{}", caller.name);
    let written = write::run(&app, move |store, snapshot| {
        let ti = team_of(snapshot, &id).ok_or_else(|| ScimError::NotFound("Group", id.clone()))?;
        save(store, snapshot, Some(ti), &resource, &operator)
    })
    .await;
    answer(
        &app,
        written,
        StatusCode::OK,
        base_url(&headers),
        HashMap::new(),
    )
    .await
}

pub async fn patch(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let ops = match object(&body) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let operator = format!("scim:{}", caller.name);
    let base = base_url(&headers);
    let base_for_write = base.clone();
    let written = write::run(&app, move |store, snapshot| {
        let ti = team_of(snapshot, &id).ok_or_else(|| ScimError::NotFound("Group", id.clone()))?;
        let rows = store.scim_groups()?;
        let row = rows.iter().find(|r| r.team_id == snapshot.teams[ti].id);
        let mut resource = render(snapshot, ti, row, &base_for_write);
        let before = listed(&resource, "members");
        patch::apply(&mut resource, &ops, GROUP_URN)?;
        drop_roles_of_removed(&mut resource, &before);
        if let Some(map) = resource.as_object_mut() {
            map.retain(|k, _| !k.eq_ignore_ascii_case("id") && !k.eq_ignore_ascii_case("meta"));
        }
        save(store, snapshot, Some(ti), &resource, &operator)
    })
    .await;
    answer(&app, written, StatusCode::OK, base, HashMap::new()).await
}

pub async fn delete(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let operator = format!("scim:{}", caller.name);
    let written = write::run(&app, move |store, snapshot| {
        let ti = team_of(snapshot, &id).ok_or_else(|| ScimError::NotFound("Group", id.clone()))?;
        let name = snapshot.teams[ti].name.clone();
        let mut plan = membership_plan(snapshot, &name, &memberships(snapshot, ti), &[])?;
        plan.teams_deleted = vec![name.clone()];
        write::check(store, &plan, snapshot)?;
        store.apply_scim(&ScimWrite {
            plan: &plan,
            snapshot,
            operator: &operator,
            note: json!({"displayName": name}),
            user: None,
            group: Some(GroupWrite::Delete { name: &name }),
        })?;
        Ok(())
    })
    .await;
    match written {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(fail) => fail.into_response(),
    }
}
