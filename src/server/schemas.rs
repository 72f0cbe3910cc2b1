//! The JSON Schemas (draft 2020-12) of every document roster prints or serves, kept in
//! `schemas/` and compiled in: `GET /v1/schemas/{name}.json` serves each (no key: they hold
//! nothing of the store), and the OpenAPI document embeds them as its components.

use super::problem::Problem;
use super::read::bytes_response;
use crate::error::ServeError;
use axum::extract::Path;
use axum::response::Response;

/// Each schema by name (its file in `schemas/` without `.json`). Schemas refer to one another
/// by relative file name (`"$ref": "member_ref.json"`), which resolves beside the one fetched.
pub const SCHEMAS: &[(&str, &str)] = &[
    ("change", include_str!("../../schemas/change.json")),
    ("config", include_str!("../../schemas/config.json")),
    ("error", include_str!("../../schemas/error.json")),
    (
        "event_change",
        include_str!("../../schemas/event_change.json"),
    ),
    (
        "event_error",
        include_str!("../../schemas/event_error.json"),
    ),
    (
        "event_progress",
        include_str!("../../schemas/event_progress.json"),
    ),
    (
        "event_summary",
        include_str!("../../schemas/event_summary.json"),
    ),
    (
        "event_warning",
        include_str!("../../schemas/event_warning.json"),
    ),
    ("file", include_str!("../../schemas/file.json")),
    ("forms", include_str!("../../schemas/forms.json")),
    ("health", include_str!("../../schemas/health.json")),
    ("import", include_str!("../../schemas/import.json")),
    (
        "import_document",
        include_str!("../../schemas/import_document.json"),
    ),
    (
        "import_result",
        include_str!("../../schemas/import_result.json"),
    ),
    ("imports", include_str!("../../schemas/imports.json")),
    ("invitation", include_str!("../../schemas/invitation.json")),
    (
        "invitations",
        include_str!("../../schemas/invitations.json"),
    ),
    (
        "invitations_send",
        include_str!("../../schemas/invitations_send.json"),
    ),
    ("key", include_str!("../../schemas/key.json")),
    ("keys", include_str!("../../schemas/keys.json")),
    ("labels", include_str!("../../schemas/labels.json")),
    ("log", include_str!("../../schemas/log.json")),
    ("log_event", include_str!("../../schemas/log_event.json")),
    ("member", include_str!("../../schemas/member.json")),
    (
        "member_document",
        include_str!("../../schemas/member_document.json"),
    ),
    (
        "member_counts",
        include_str!("../../schemas/member_counts.json"),
    ),
    ("member_ref", include_str!("../../schemas/member_ref.json")),
    ("members", include_str!("../../schemas/members.json")),
    (
        "ndjson_event",
        include_str!("../../schemas/ndjson_event.json"),
    ),
    ("openapi", include_str!("../../schemas/openapi.json")),
    ("problem", include_str!("../../schemas/problem.json")),
    ("refusal", include_str!("../../schemas/refusal.json")),
    ("scim_error", include_str!("../../schemas/scim_error.json")),
    (
        "scim_resource",
        include_str!("../../schemas/scim_resource.json"),
    ),
    ("summary", include_str!("../../schemas/summary.json")),
];

pub fn schema_text(name: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

#[utoipa::path(get, path = "/v1/schemas/{name}", tag = "meta",
    params(("name" = String, Path, description = "A schema's file name, such as `import_result.json` (docs/output.md lists them)")),
    responses((status = 200, description = "The JSON Schema (draft 2020-12); no key needed", content_type = "application/schema+json"),
              (status = 404, description = "No such schema", content_type = "application/problem+json")))]
pub async fn schema(Path(name): Path<String>) -> Result<Response, Problem> {
    let text = name
        .strip_suffix(".json")
        .and_then(schema_text)
        .ok_or_else(|| Problem::not_found(ServeError::NoRoute(format!("/v1/schemas/{name}"))))?;
    Ok(bytes_response(
        "application/schema+json",
        text.as_bytes().to_vec(),
    ))
}
