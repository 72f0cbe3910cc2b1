//! SCIM's answers: resources and lists as `application/scim+json`, and every refusal (those of
//! the server's own layers too: a missing key, a rate limit) as a SCIM error document
//! (RFC 7644 §3.12) whose `detail` is the contract's sentence.

use crate::error::ScimError;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub const SCIM_JSON: &str = "application/scim+json";
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The largest request body SCIM reads.
pub const MAX_BODY: usize = 1 << 20;

/// A SCIM document with its status and headers.
pub struct Doc {
    pub status: StatusCode,
    pub body: Value,
    pub headers: Vec<(header::HeaderName, String)>,
}

impl Doc {
    pub fn ok(body: Value) -> Doc {
        Doc {
            status: StatusCode::OK,
            body,
            headers: Vec::new(),
        }
    }

    /// A resource: `ETag` from its `meta.version`; `Location` too when it was just created.
    pub fn resource(status: StatusCode, body: Value) -> Doc {
        let mut headers = Vec::new();
        if let Some(v) = body.pointer("/meta/version").and_then(Value::as_str) {
            headers.push((header::ETAG, v.to_string()));
        }
        if status == StatusCode::CREATED
            && let Some(l) = body.pointer("/meta/location").and_then(Value::as_str)
        {
            headers.push((header::LOCATION, l.to_string()));
        }
        Doc {
            status,
            body,
            headers,
        }
    }

    /// A list response of one page.
    pub fn list(total: usize, start: usize, page: Vec<Value>) -> Doc {
        Doc::ok(json!({
            "schemas": [LIST_URN],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": page.len(),
            "Resources": page,
        }))
    }
}

impl IntoResponse for Doc {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body).unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        response
    }
}

/// A SCIM error document.
pub fn error_response(status: StatusCode, scim_type: Option<&str>, detail: &str) -> Response {
    let mut body = json!({
        "schemas": [ERROR_URN],
        "status": status.as_u16().to_string(),
        "detail": detail,
    });
    if let Some(t) = scim_type {
        body["scimType"] = t.into();
    }
    Doc {
        status,
        body,
        headers: Vec::new(),
    }
    .into_response()
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = error_response(status, self.scim_type(), &self.to_string());
        let retry = match self {
            ScimError::Busy(_, after) => Some(after),
            ScimError::Deactivations { retry_after, .. } => Some(retry_after),
            _ => None,
        };
        if let Some(after) = retry {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(after.max(1)));
        }
        response
    }
}

/// A failure of the store or of the server: `500`.
pub fn internal(e: impl std::fmt::Display) -> Response {
    error_response(StatusCode::INTERNAL_SERVER_ERROR, None, &e.to_string())
}

/// The refusals of the server's shared layers (problem+json: a missing key, `429`, a framework
/// rejection in plain text) as SCIM error documents, with their headers kept.
pub async fn errors_as_scim(response: Response) -> Response {
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let is_error = status.is_client_error() || status.is_server_error();
    if !is_error || content_type.starts_with(SCIM_JSON) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let detail = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|d| d.get("detail").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            match text.is_empty() {
                true => status.canonical_reason().unwrap_or("Error").to_string(),
                false => text,
            }
        });
    let mut answer = error_response(status, None, &detail);
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer.extensions_mut().extend(parts.extensions);
    answer
}

/// The base URL of the SCIM endpoints as the client reached them (for `meta.location`).
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let scheme = if https { "https" } else { "http" };
    format!("{scheme}://{host}/scim/v2")
}

/// A request body as a JSON object.
pub fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ScimError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ScimError::InvalidSyntax("expected a JSON object".into())),
        Err(e) => Err(ScimError::InvalidSyntax(format!("not JSON ({e})"))),
    }
}
