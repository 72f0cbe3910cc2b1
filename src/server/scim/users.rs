//! `/scim/v2/Users`: members as Users (SPEC §17). Reads answer every member that SCIM did not
//! delete; each write is one member's change through [`write`]: `POST` creates (or, for the
//! userName of a deleted User, reactivates), `PUT` replaces, `PATCH` modifies, `DELETE`
//! deactivates and hides.

use super::super::App;
use super::super::auth::Caller;
use super::answer::{Doc, base_url, object};
use super::discovery::USER_URN;
use super::user_map;
use super::user_write::{
    assigned, current, index, resource_of, save, uniqueness, user_name_of, visible,
};
use super::write::{self, Fail};
use super::{listing, patch};
use crate::error::ScimError;
use crate::model::Status;
use crate::snapshot::Snapshot;
use crate::store::Store;
use crate::store::scim::ScimUser;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// The members and the Users SCIM wrote, read together.
struct Users {
    snapshot: Snapshot,
    rows: HashMap<i64, ScimUser>,
}

impl Users {
    fn read(store: &mut Store) -> Result<Users, crate::error::StoreError> {
        let snapshot = store.snapshot()?;
        let rows = store
            .scim_users()?
            .into_iter()
            .map(|r| (r.member_id, r))
            .collect();
        Ok(Users { snapshot, rows })
    }

    /// The member of a User id, unless SCIM deleted it.
    fn find(&self, id: &str) -> Option<usize> {
        let id: i64 = id.parse().ok()?;
        let i = self
            .snapshot
            .members
            .binary_search_by_key(&id, |m| m.id)
            .ok()?;
        (!self.rows.get(&id).is_some_and(|r| r.deleted)).then_some(i)
    }

    /// Whether member `i` is a User SCIM did not delete that the filter may find.
    fn might_match(&self, i: usize, params: &listing::Params) -> bool {
        let member = &self.snapshot.members[i];
        let id = member.id.to_string();
        match self.rows.get(&member.id) {
            Some(row) => !row.deleted && params.might_match(&id, &[&row.resource]),
            None => {
                let own =
                    crate::model::IDENTIFIERS_FOR_DISPLAY.map(|f| member.get(f).unwrap_or(""));
                params.might_match(&id, &[own[0], own[1], own[2], &format!("#{id}")])
            }
        }
    }

    fn render(&self, i: usize, base: &str) -> Value {
        render(
            &self.snapshot,
            i,
            self.rows.get(&self.snapshot.members[i].id),
            base,
        )
    }
}

/// A member as a User: the resource as last written (or made from the member), with its id,
/// `active` from its status, and `meta`.
fn render(snapshot: &Snapshot, i: usize, row: Option<&ScimUser>, base: &str) -> Value {
    let member = &snapshot.members[i];
    let stored = row
        .and_then(|r| serde_json::from_str::<Value>(&r.resource).ok())
        .filter(Value::is_object);
    // `active` is answered when the User holds it, or when the member is INACTIVE.
    let holds_active = stored
        .as_ref()
        .is_none_or(|s| super::filter::get_ci(s, "active").is_some());
    let mut user = stored.unwrap_or_else(|| user_map::from_member(member));
    let (created, modified, version) = match row {
        Some(r) => (r.created_at.clone(), r.updated_at.clone(), r.version),
        None => {
            let now = crate::store::Timestamp::now().to_string();
            (now.clone(), now, 0)
        }
    };
    user["id"] = member.id.to_string().into();
    if user.get("schemas").is_none_or(|s| !s.is_array()) {
        user["schemas"] = json!([USER_URN]);
    }
    if let Some(map) = user.as_object_mut() {
        map.retain(|k, _| !k.eq_ignore_ascii_case("active"));
    }
    if holds_active || member.status == Status::Inactive {
        user["active"] = (member.status != Status::Inactive).into();
    }
    user["meta"] = json!({
        "resourceType": "User",
        "created": created,
        "lastModified": modified,
        "location": format!("{base}/Users/{}", member.id),
        "version": format!("W/\"{version}\""),
    });
    user
}

/// `GET /Users`: `filter` (`eq` on userName, externalId, emails.value,
/// `emails[type eq "work"].value`, id; joined with `and`), `startIndex`, `count`.
pub async fn list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let base = base_url(&headers);
    let params = match listing::Params::read(&query, listing::USER_FILTERS) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let read = app.db.run(Users::read).await;
    match read {
        Ok(users) => {
            let all: Vec<Value> = (0..users.snapshot.members.len())
                .filter(|&i| users.might_match(i, &params))
                .map(|i| users.render(i, &base))
                .collect();
            params.answer(all, USER_URN).into_response()
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
    match app.db.run(Users::read).await {
        Ok(users) => match users.find(&id) {
            Some(i) => {
                let user = listing::select(users.render(i, &base), &query, USER_URN);
                Doc::resource(StatusCode::OK, user).into_response()
            }
            None => ScimError::NotFound("User", id).into_response(),
        },
        Err(e) => super::answer::internal(e),
    }
}

/// What a write of a User answers: the member's id, rendered afterwards.
async fn answer(
    app: &Arc<App>,
    written: Result<i64, Fail>,
    status: StatusCode,
    base: String,
) -> Response {
    let id = match written {
        Ok(id) => id,
        Err(fail) => return fail.into_response(),
    };
    match app.db.run(Users::read).await {
        Ok(users) => match users.find(&id.to_string()) {
            Some(i) => Doc::resource(status, users.render(i, &base)).into_response(),
            None => ScimError::NotFound("User", id.to_string()).into_response(),
        },
        Err(e) => super::answer::internal(e),
    }
}

pub async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (resource, user_name) = match resource_of(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let operator = operator(&caller);
    let written = write::run(&app, move |store, snapshot| {
        // The userName of a User SCIM deleted: the member is reactivated.
        let target = match store.scim_user_named(&user_name)? {
            Some(row) if !row.deleted => return Err(uniqueness("userName", &user_name)),
            Some(row) => index(snapshot, row.member_id),
            None => None,
        };
        save(
            store, snapshot, target, &resource, &user_name, false, &operator,
        )
    })
    .await;
    answer(&app, written, StatusCode::CREATED, base_url(&headers)).await
}

pub async fn replace(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (resource, _) = match resource_of(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let written = rewrite(
        &app,
        &caller,
        id,
        false,
        move |_, _, _| Ok(resource.clone()),
    )
    .await;
    answer(&app, written, StatusCode::OK, base_url(&headers)).await
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
    if patch::sets_password(&ops) {
        return ScimError::NotImplemented("Password change").into_response();
    }
    let written = rewrite(&app, &caller, id, false, move |store, snapshot, i| {
        let mut resource = current(store, snapshot, i)?;
        patch::apply(&mut resource, &ops, USER_URN)?;
        if let Some(map) = resource.as_object_mut() {
            map.retain(|k, _| !assigned(k));
        }
        Ok(resource)
    })
    .await;
    answer(&app, written, StatusCode::OK, base_url(&headers)).await
}

/// An existing User written again: `edit` gives the resource to save from the store, the
/// snapshot and the member's index; `deleted` hides it (DELETE).
async fn rewrite(
    app: &Arc<App>,
    caller: &Caller,
    id: String,
    deleted: bool,
    edit: impl Fn(&mut Store, &Snapshot, usize) -> Result<Value, Fail> + Send + 'static,
) -> Result<i64, Fail> {
    let operator = operator(caller);
    write::run(app, move |store, snapshot| {
        let i = visible(store, snapshot, &id)?;
        let resource = edit(store, snapshot, i)?;
        let user_name = user_name_of(&resource)?;
        save(
            store,
            snapshot,
            Some(i),
            &resource,
            &user_name,
            deleted,
            &operator,
        )
    })
    .await
}

pub async fn delete(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let written = rewrite(&app, &caller, id, true, |store, snapshot, i| {
        let mut resource = current(store, snapshot, i)?;
        resource["active"] = false.into();
        Ok(resource)
    })
    .await;
    match written {
        Ok(_) => StatusCode::NO_CONTENT.into_response(),
        Err(fail) => fail.into_response(),
    }
}

fn operator(caller: &Caller) -> String {
    format!("scim:{}", caller.name)
}
