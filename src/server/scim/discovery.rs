//! The three discovery endpoints (RFC 7644 §4): what roster supports (`ServiceProviderConfig`:
//! PATCH and filters yes; bulk, sort, ETags, password change no), its two resource types, and
//! their schemas (`schemas.json`: the User attributes roster maps, the Group, and roster's
//! Group extension for team roles).

use super::answer::{Doc, base_url};
use crate::error::ScimError;
use axum::extract::Path;
use axum::http::HeaderMap;
use serde_json::{Value, json};

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// roster's Group extension: `owners` and `admins`, each a list of `{"value": member id}`.
pub const ROSTER_GROUP_URN: &str = "urn:roster:params:scim:schemas:extension:2.0:Group";
/// The most resources one page of a list holds.
pub const MAX_RESULTS: usize = 200;

const SCHEMAS: &str = include_str!("schemas.json");

pub async fn config(headers: HeaderMap) -> Doc {
    let base = base_url(&headers);
    Doc::ok(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://github.com/roster/roster/blob/main/docs/scim.md",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "API key",
            "description": "A roster API key of scope scim: Authorization: Bearer rst_...",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    }))
}

fn resource_type_docs(base: &str) -> Vec<Value> {
    let one = |name: &str, endpoint: &str, schema: &str, extensions: Value| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": name,
            "name": name,
            "endpoint": endpoint,
            "description": format!("{name}s of roster"),
            "schema": schema,
            "schemaExtensions": extensions,
            "meta": {"resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{name}")},
        })
    };
    vec![
        one("User", "/Users", USER_URN, json!([])),
        one(
            "Group",
            "/Groups",
            GROUP_URN,
            json!([{"schema": ROSTER_GROUP_URN, "required": false}]),
        ),
    ]
}

pub async fn resource_types(headers: HeaderMap) -> Doc {
    let all = resource_type_docs(&base_url(&headers));
    Doc::list(all.len(), 1, all)
}

pub async fn resource_type(headers: HeaderMap, Path(name): Path<String>) -> Result<Doc, ScimError> {
    resource_type_docs(&base_url(&headers))
        .into_iter()
        .find(|t| t["id"] == name.as_str())
        .map(Doc::ok)
        .ok_or(ScimError::NotFound("ResourceType", name))
}

fn schema_docs(base: &str) -> Vec<Value> {
    let mut all: Vec<Value> = serde_json::from_str(SCHEMAS).unwrap_or_default();
    for s in &mut all {
        let id = s["id"].as_str().unwrap_or_default().to_string();
        s["meta"] = json!({"resourceType": "Schema", "location": format!("{base}/Schemas/{id}")});
    }
    all
}

pub async fn schemas(headers: HeaderMap) -> Doc {
    let all = schema_docs(&base_url(&headers));
    Doc::list(all.len(), 1, all)
}

pub async fn schema(headers: HeaderMap, Path(id): Path<String>) -> Result<Doc, ScimError> {
    schema_docs(&base_url(&headers))
        .into_iter()
        .find(|s| s["id"] == id.as_str())
        .map(Doc::ok)
        .ok_or(ScimError::NotFound("Schema", id))
}
