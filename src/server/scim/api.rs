//! The SCIM endpoints in the OpenAPI document (`GET /v1/openapi.json`): each route of
//! [`super::routes`] declared once here, beside the others' declarations on their handlers.
//! Every answer is `application/scim+json`: a resource, a list response, or an error document.

#![allow(dead_code)]

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(paths(
    config,
    resource_types,
    resource_type,
    schemas,
    schema,
    users,
    create_user,
    user,
    replace_user,
    patch_user,
    delete_user,
    groups,
    create_group,
    group,
    replace_group,
    patch_group,
    delete_group,
    bulk,
))]
pub struct ScimDoc;

#[utoipa::path(get, path = "/scim/v2/ServiceProviderConfig", tag = "scim",
    responses((status = 200, description = "What roster supports: PATCH and filters; not bulk, sort, ETags or password change", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn config() {}

#[utoipa::path(get, path = "/scim/v2/ResourceTypes", tag = "scim",
    responses((status = 200, description = "User and Group", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn resource_types() {}

#[utoipa::path(get, path = "/scim/v2/ResourceTypes/{name}", tag = "scim",
    params(("name" = String, Path, description = "User or Group")),
    responses((status = 200, description = "One resource type", content_type = "application/scim+json"),
              (status = 404, description = "No such resource type", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn resource_type() {}

#[utoipa::path(get, path = "/scim/v2/Schemas", tag = "scim",
    responses((status = 200, description = "The User and Group schemas roster serves, and its Group extension for team roles", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn schemas() {}

#[utoipa::path(get, path = "/scim/v2/Schemas/{id}", tag = "scim",
    params(("id" = String, Path, description = "A schema's URN")),
    responses((status = 200, description = "One schema", content_type = "application/scim+json"),
              (status = 404, description = "No such schema", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn schema() {}

#[utoipa::path(get, path = "/scim/v2/Users", tag = "scim",
    params(("filter" = Option<String>, Query, description = "`eq` on userName, externalId, emails.value, emails[type eq \"work\"].value or id, joined with `and`"),
           ("startIndex" = Option<i64>, Query, description = "The first result, from 1"),
           ("count" = Option<i64>, Query, description = "Results per page (at most 200)"),
           ("attributes" = Option<String>, Query, description = "Only these attributes"),
           ("excludedAttributes" = Option<String>, Query, description = "All but these attributes")),
    responses((status = 200, description = "A list response of the members SCIM did not delete", content_type = "application/scim+json"),
              (status = 400, description = "invalidFilter, or a bad startIndex or count", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn users() {}

#[utoipa::path(post, path = "/scim/v2/Users", tag = "scim",
    request_body(content = serde_json::Value, content_type = "application/scim+json", description = "A User"),
    responses((status = 201, description = "Created (or, for the userName of a deleted User, reactivated)", content_type = "application/scim+json"),
              (status = 400, description = "invalidSyntax or invalidValue", content_type = "application/scim+json"),
              (status = 409, description = "uniqueness: the userName or an identifier is taken", content_type = "application/scim+json"),
              (status = 422, description = "A safety rule (seat limit)", content_type = "application/scim+json"),
              (status = 503, description = "An import held the store longer than --scim-wait (Retry-After)", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn create_user() {}

#[utoipa::path(get, path = "/scim/v2/Users/{id}", tag = "scim",
    params(("id" = String, Path, description = "The User's id")),
    responses((status = 200, description = "The User as last written", content_type = "application/scim+json"),
              (status = 404, description = "No such User (or deleted over SCIM)", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn user() {}

#[utoipa::path(put, path = "/scim/v2/Users/{id}", tag = "scim",
    params(("id" = String, Path, description = "The User's id")),
    request_body(content = serde_json::Value, content_type = "application/scim+json", description = "The whole User"),
    responses((status = 200, description = "Replaced", content_type = "application/scim+json"),
              (status = 400, description = "invalidValue, or mutability: a BANNED or protected member", content_type = "application/scim+json"),
              (status = 404, description = "No such User", content_type = "application/scim+json"),
              (status = 409, description = "uniqueness", content_type = "application/scim+json"),
              (status = 422, description = "A safety rule (seats, last owner)", content_type = "application/scim+json"),
              (status = 429, description = "scim-max-deactivations in the last hour (Retry-After)", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn replace_user() {}

#[utoipa::path(patch, path = "/scim/v2/Users/{id}", tag = "scim",
    params(("id" = String, Path, description = "The User's id")),
    request_body(content = serde_json::Value, content_type = "application/scim+json", description = "A PatchOp"),
    responses((status = 200, description = "Modified", content_type = "application/scim+json"),
              (status = 400, description = "invalidSyntax, invalidPath, noTarget, invalidValue, or mutability", content_type = "application/scim+json"),
              (status = 404, description = "No such User", content_type = "application/scim+json"),
              (status = 409, description = "uniqueness", content_type = "application/scim+json"),
              (status = 422, description = "A safety rule", content_type = "application/scim+json"),
              (status = 429, description = "scim-max-deactivations in the last hour (Retry-After)", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn patch_user() {}

#[utoipa::path(delete, path = "/scim/v2/Users/{id}", tag = "scim",
    params(("id" = String, Path, description = "The User's id")),
    responses((status = 204, description = "Deactivated (never erased), and no longer found over SCIM"),
              (status = 400, description = "mutability: a BANNED or protected member", content_type = "application/scim+json"),
              (status = 404, description = "No such User", content_type = "application/scim+json"),
              (status = 422, description = "A safety rule (last owner)", content_type = "application/scim+json"),
              (status = 429, description = "scim-max-deactivations in the last hour (Retry-After)", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn delete_user() {}

#[utoipa::path(get, path = "/scim/v2/Groups", tag = "scim",
    params(("filter" = Option<String>, Query, description = "`eq` on displayName, externalId, id or members.value, joined with `and`"),
           ("startIndex" = Option<i64>, Query, description = "The first result, from 1"),
           ("count" = Option<i64>, Query, description = "Results per page (at most 200)"),
           ("attributes" = Option<String>, Query, description = "Only these attributes"),
           ("excludedAttributes" = Option<String>, Query, description = "All but these attributes")),
    responses((status = 200, description = "A list response of the teams", content_type = "application/scim+json"),
              (status = 400, description = "invalidFilter", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn groups() {}

#[utoipa::path(post, path = "/scim/v2/Groups", tag = "scim",
    request_body(content = serde_json::Value, content_type = "application/scim+json", description = "A Group"),
    responses((status = 201, description = "The team, created", content_type = "application/scim+json"),
              (status = 400, description = "invalidValue, or mutability", content_type = "application/scim+json"),
              (status = 409, description = "uniqueness: a team of that name exists", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn create_group() {}

#[utoipa::path(get, path = "/scim/v2/Groups/{id}", tag = "scim",
    params(("id" = String, Path, description = "The Group's id")),
    responses((status = 200, description = "The team as a Group", content_type = "application/scim+json"),
              (status = 404, description = "No such Group", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn group() {}

#[utoipa::path(put, path = "/scim/v2/Groups/{id}", tag = "scim",
    params(("id" = String, Path, description = "The Group's id")),
    request_body(content = serde_json::Value, content_type = "application/scim+json", description = "The whole Group"),
    responses((status = 200, description = "Replaced", content_type = "application/scim+json"),
              (status = 400, description = "invalidValue, or mutability", content_type = "application/scim+json"),
              (status = 404, description = "No such Group", content_type = "application/scim+json"),
              (status = 422, description = "A safety rule (the team's last owner)", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn replace_group() {}

#[utoipa::path(patch, path = "/scim/v2/Groups/{id}", tag = "scim",
    params(("id" = String, Path, description = "The Group's id")),
    request_body(content = serde_json::Value, content_type = "application/scim+json", description = "A PatchOp"),
    responses((status = 200, description = "Modified", content_type = "application/scim+json"),
              (status = 400, description = "invalidSyntax, invalidPath, noTarget, invalidValue, or mutability", content_type = "application/scim+json"),
              (status = 404, description = "No such Group", content_type = "application/scim+json"),
              (status = 422, description = "A safety rule (the team's last owner)", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn patch_group() {}

#[utoipa::path(delete, path = "/scim/v2/Groups/{id}", tag = "scim",
    params(("id" = String, Path, description = "The Group's id")),
    responses((status = 204, description = "The team deleted, as a full sync deletes it"),
              (status = 400, description = "mutability: a protected or BANNED member is in it", content_type = "application/scim+json"),
              (status = 404, description = "No such Group", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn delete_group() {}

#[utoipa::path(post, path = "/scim/v2/Bulk", tag = "scim",
    responses((status = 501, description = "Bulk is not supported (ServiceProviderConfig says so)", content_type = "application/scim+json")),
    security(("bearer" = [])))]
fn bulk() {}
