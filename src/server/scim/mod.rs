//! SCIM 2.0 under `/scim/v2` (SPEC §17, RFC 7643/7644): identity providers (Okta, Entra ID,
//! OneLogin) create, change and deactivate one member at a time, and manage teams as Groups.
//! A face of its own over the same store, rules and audit log: `discovery` (the three
//! read-only endpoints), `users` and `groups` (the resources), `user_map` (a User's attributes
//! to a member's fields), `patch` (PATCH operations on a resource), `filter` (`filter` and
//! PATCH paths), `listing` (pages and attributes), `user_write` and `group_write` (the write
//! side of each resource), `api` (the OpenAPI declarations), `write` (one write: the write order's bounded wait, the plan, the rules, the
//! apply) and `answer` (SCIM's documents, errors included, as `application/scim+json`).

mod answer;
mod api;
mod discovery;
mod filter;
mod group_write;
mod groups;
mod listing;
mod patch;
mod user_map;
mod user_write;
mod users;
mod write;

use super::App;
use super::auth::{self, Caller};
use crate::error::ScimError;
use crate::keys::Scope;
use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use std::sync::Arc;

/// The SCIM routes, nested under `/scim/v2`, each behind a `scim` key.
pub fn routes(app: Arc<App>) -> Router<Arc<App>> {
    let v2 = Router::new()
        .route("/ServiceProviderConfig", get(discovery::config))
        .route("/ResourceTypes", get(discovery::resource_types))
        .route("/ResourceTypes/{name}", get(discovery::resource_type))
        .route("/Schemas", get(discovery::schemas))
        .route("/Schemas/{id}", get(discovery::schema))
        .route("/Users", get(users::list).post(users::create))
        .route(
            "/Users/{id}",
            get(users::get)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route("/Groups", get(groups::list).post(groups::create))
        .route(
            "/Groups/{id}",
            get(groups::get)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route("/Bulk", any(unsupported_bulk))
        .route("/Me", any(unsupported_me))
        .route("/.search", post(unsupported_search))
        .route("/Users/.search", post(unsupported_search))
        .route("/Groups/.search", post(unsupported_search))
        .route_layer(axum::middleware::from_fn(scim_scope))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            auth::authenticate,
        ))
        .fallback(no_endpoint)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response(answer::errors_as_scim));
    Router::new().nest("/scim/v2", v2)
}

/// The SCIM endpoints' part of the OpenAPI document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <api::ScimDoc as utoipa::OpenApi>::openapi()
}

/// Only a `scim` key may call SCIM (and it may call nothing else: `auth`).
async fn scim_scope(request: Request, next: Next) -> Response {
    match request.extensions().get::<Caller>() {
        Some(caller) if caller.scope == Scope::Scim => next.run(request).await,
        Some(caller) => ScimError::WrongScope(
            caller.key.clone(),
            caller.scope.as_str(),
            "SCIM needs a key of scope scim (roster keys create NAME --scope scim)",
        )
        .into_response(),
        None => ScimError::NotFound("endpoint", String::new()).into_response(),
    }
}

async fn unsupported_bulk() -> ScimError {
    ScimError::NotImplemented("Bulk")
}

async fn unsupported_me() -> ScimError {
    ScimError::NotImplemented("/Me")
}

async fn unsupported_search() -> ScimError {
    ScimError::NotImplemented("Searching with POST .search")
}

async fn no_endpoint(uri: axum::http::Uri) -> ScimError {
    ScimError::NotFound("endpoint", uri.path().to_string())
}

async fn method_not_allowed() -> Response {
    let mut response = answer::error_response(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        None,
        "Method not allowed on this endpoint.",
    );
    *response.status_mut() = axum::http::StatusCode::METHOD_NOT_ALLOWED;
    response
}
