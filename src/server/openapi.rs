//! `GET /v1/openapi.json`: the OpenAPI 3.1 document of every endpoint, generated (utoipa) from
//! the declarations on the handlers themselves, so it cannot drift from the code.

use super::read::bytes_response;
use super::schemas::SCHEMAS;
use axum::response::Response;
use serde_json::{Map, Value, json};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "roster sync API",
        description = "Push a roster to roster's store and read its history: the same pipeline, options, messages and result document as `roster import`. Every endpoint but /healthz needs `Authorization: Bearer <key>` (`roster keys create`). Answers without a result document are application/problem+json (RFC 9457); SCIM 2.0 under /scim/v2 (keys of scope scim) answers application/scim+json."
    ),
    paths(
        super::sync::sync,
        super::revert::revert,
        super::read::imports,
        super::read::import,
        super::read::import_errors,
        super::read::import_original,
        super::read::members,
        super::read::member,
        super::directory::counts,
        super::directory::search,
        super::read::log,
        super::invitation_preview::invitation_preview,
        super::read::healthz,
        super::schemas::schema,
        openapi,
    ),
    modifiers(&BearerKeys),
)]
struct ApiDoc;

struct BearerKeys;

impl utoipa::Modify for BearerKeys {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("rst_ key from `roster keys create`")
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document, pretty-printed, with a final newline: the handlers' declarations, with every
/// response body typed by the schemas of `schemas/` (embedded as components).
pub fn document() -> String {
    let mut api = ApiDoc::openapi();
    api.merge(super::scim::openapi());
    let mut doc = serde_json::to_value(api).unwrap_or_default();
    type_responses(&mut doc);
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema of each endpoint's answers: (path, method, status, media type, schema name).
const BODIES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "/v1/sync",
        "post",
        "200",
        "application/json",
        "import_result",
    ),
    (
        "/v1/sync",
        "post",
        "400",
        "application/json",
        "import_result",
    ),
    (
        "/v1/sync",
        "post",
        "422",
        "application/json",
        "import_result",
    ),
    (
        "/v1/sync",
        "post",
        "400",
        "application/problem+json",
        "problem",
    ),
    (
        "/v1/sync",
        "post",
        "422",
        "application/problem+json",
        "problem",
    ),
    ("/v1/imports", "get", "200", "application/json", "imports"),
    (
        "/v1/imports/{id}/revert",
        "post",
        "200",
        "application/json",
        "import_result",
    ),
    (
        "/v1/imports/{id}/revert",
        "post",
        "409",
        "application/json",
        "import_result",
    ),
    (
        "/v1/imports/{id}/revert",
        "post",
        "422",
        "application/json",
        "import_result",
    ),
    (
        "/v1/imports/{id}",
        "get",
        "200",
        "application/json",
        "import_document",
    ),
    ("/v1/members", "get", "200", "application/json", "members"),
    (
        "/v1/members/counts",
        "get",
        "200",
        "application/json",
        "member_counts",
    ),
    (
        "/v1/members/search",
        "get",
        "200",
        "application/json",
        "members",
    ),
    (
        "/v1/members",
        "get",
        "200",
        "application/x-ndjson",
        "member",
    ),
    (
        "/v1/members/{id}",
        "get",
        "200",
        "application/json",
        "member_document",
    ),
    ("/v1/log", "get", "200", "application/json", "log"),
    ("/healthz", "get", "200", "application/json", "health"),
    (
        "/v1/openapi.json",
        "get",
        "200",
        "application/json",
        "openapi",
    ),
];

/// Parameter schemas more exact than the handlers' declarations say: (path, parameter,
/// schema[, style and explode]), as the handlers read them. A header is a string, never
/// `null` (which a client would send as the text `null`).
fn parameter_schemas() -> [(&'static str, &'static str, Value); 9] {
    let status = json!({"type": "array", "minItems": 1, "items": {"enum": ["PROVISIONED", "INVITED", "ACTIVE", "INACTIVE", "BANNED"]}});
    [
        // More than 1000 is read as 1000.
        (
            "/v1/imports",
            "limit",
            json!({"type": "integer", "minimum": 0, "maximum": u64::MAX}),
        ),
        // Any count: more than the log holds is the whole log.
        (
            "/v1/log",
            "limit",
            json!({"type": "integer", "minimum": 0, "maximum": u64::MAX}),
        ),
        ("/v1/members", "status", status),
        (
            "/v1/sync",
            "default_role",
            json!({"enum": ["owner", "admin", "member"]}),
        ),
        (
            "/v1/sync",
            "max_deactivations",
            json!({"type": "string", "pattern": "^([0-9]{1,9}|100%|[0-9]{1,2}%)$"}),
        ),
        // Only a sync's body may come compressed; anything else is a 415.
        (
            "/v1/sync",
            "Content-Encoding",
            json!({"type": "string", "enum": ["gzip", "zstd", "identity"]}),
        ),
        (
            "/v1/sync",
            "report",
            json!({"type": "string", "enum": ["full", "summary"]}),
        ),
        ("/v1/sync", "Idempotency-Key", json!({"type": "string"})),
        ("/v1/sync", "X-Request-Id", json!({"type": "string"})),
    ]
}

/// Embeds the schemas as components and points every response body at one: the result
/// documents by [`BODIES`], every problem+json answer (and any other 4XX) at `problem`.
fn type_responses(doc: &mut Value) {
    let components: Map<String, Value> = SCHEMAS
        .iter()
        .filter_map(|(name, text)| {
            let schema: Value = serde_json::from_str(text).ok()?;
            Some((name.to_string(), as_component(schema)))
        })
        .collect();
    doc["components"]["schemas"] = Value::Object(components);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            type_parameters(path, operation);
            let responses = &mut operation["responses"];
            for (p, m, status, media, name) in BODIES {
                if p == path && m == method {
                    responses[*status]["content"][*media] = json!({"schema": component(name)});
                }
            }
            let Some(responses) = responses.as_object_mut() else {
                continue;
            };
            if path.starts_with("/scim/") {
                scim_responses(responses);
                continue;
            }
            for response in responses.values_mut() {
                if let Some(problem) = response.pointer_mut("/content/application~1problem+json") {
                    *problem = json!({"schema": component("problem")});
                }
            }
            responses.entry("4XX").or_insert_with(|| {
                json!({
                    "description": "Refused (a bad parameter, a missing or invalid key, too many requests, ...): application/problem+json",
                    "content": {"application/problem+json": {"schema": component("problem")}}
                })
            });
        }
    }
}

/// A SCIM operation's answers (SPEC §17): resources and lists are objects, errors SCIM error
/// documents (RFC 7644 §3.12), for any 4XX or 5XX the operation does not list too.
fn scim_responses(responses: &mut Map<String, Value>) {
    let error = json!({"schema": component("scim_error")});
    for (status, response) in responses.iter_mut() {
        if let Some(content) = response.pointer_mut("/content/application~1scim+json") {
            let is_error = status.starts_with('4') || status.starts_with('5');
            *content = match is_error {
                true => error.clone(),
                false => json!({"schema": component("scim_resource")}),
            };
        }
    }
    for status in ["4XX", "5XX"] {
        responses.entry(status).or_insert_with(|| {
            json!({
                "description": "Refused (a missing or invalid key, a key of another scope, too many requests, ...): a SCIM error document",
                "content": {"application/scim+json": error.clone()}
            })
        });
    }
}

/// [`parameter_schemas`] into an operation's parameters (a list is comma-separated).
fn type_parameters(path: &str, operation: &mut Value) {
    let Some(parameters) = operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for parameter in parameters {
        for (p, name, schema) in parameter_schemas() {
            if p == path && parameter["name"] == name {
                if schema["type"] == "array" {
                    parameter["style"] = json!("form");
                    parameter["explode"] = json!(false);
                }
                parameter["schema"] = schema;
            }
        }
    }
}

fn component(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A schema file as an OpenAPI component: no `$schema`, and each reference to a schema file
/// (`member_ref.json`) made a reference to its component.
fn as_component(mut schema: Value) -> Value {
    if let Value::Object(map) = &mut schema {
        map.remove("$schema");
    }
    rewrite_refs(&mut schema);
    schema
}

fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), &*v) {
                    ("$ref", Value::String(file)) => {
                        if let Some(name) = file.strip_suffix(".json") {
                            *v = json!(format!("#/components/schemas/{name}"));
                        }
                    }
                    _ => rewrite_refs(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

#[utoipa::path(get, path = "/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", content_type = "application/json")),
    security(("bearer" = [])))]
pub async fn openapi() -> Response {
    bytes_response("application/json", document().into_bytes())
}
