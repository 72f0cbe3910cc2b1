//! Answers without a result document: `application/problem+json` (RFC 9457), `detail` being
//! the contract's message (SPEC §12), `code` its stable code (SPEC §10) and `type`
//! `/problems/<code>`. Every status the server gives is made here.

use crate::error::{Code, ServeError, StoreError};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An answer without a result document: a status, the message, and extra headers.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub code: Code,
    pub detail: String,
    pub headers: Headers,
}

/// Extra response headers (a list: a `HeaderMap` would make every `Result` large).
pub type Headers = Vec<(HeaderName, HeaderValue)>;

impl Problem {
    /// A refusal of `roster serve`: its status and code are its kind's (the code table's), so
    /// no wording of a message can change either.
    pub fn of(e: ServeError) -> Problem {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Problem::coded(status, e.code(), e.to_string())
    }

    /// A refusal the framework made by itself: the status's own code ([`Code::of_status`]).
    pub fn framework(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem::coded(status, Code::of_status(status.as_u16()), detail)
    }

    pub fn coded(status: StatusCode, code: Code, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            code,
            detail: detail.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: header::HeaderName, value: &str) -> Problem {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }

    /// `401` with `WWW-Authenticate: Bearer`.
    pub fn unauthorized(e: ServeError) -> Problem {
        Problem::coded(StatusCode::UNAUTHORIZED, e.code(), e.to_string())
            .with_header(header::WWW_AUTHENTICATE, "Bearer")
    }

    /// `429` or `503` with `Retry-After` in whole seconds (at least 1).
    pub fn retry_after(e: ServeError, seconds: u64) -> Problem {
        Problem::of(e).with_header(header::RETRY_AFTER, &seconds.max(1).to_string())
    }

    /// `409`: another import is being applied (the sentence of SPEC §2).
    pub fn busy() -> Problem {
        let busy = StoreError::Busy;
        Problem::coded(StatusCode::CONFLICT, busy.code(), busy.to_string())
            .with_header(header::RETRY_AFTER, &BUSY_RETRY_SECONDS.to_string())
    }

    pub fn not_found(e: ServeError) -> Problem {
        Problem::of(e)
    }

    pub fn bad_request(e: ServeError) -> Problem {
        Problem::of(e)
    }

    /// A store failure: `500`, with the store's message (which never holds a key).
    pub fn internal(e: impl std::fmt::Display) -> Problem {
        Problem::coded(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::InternalError,
            e.to_string(),
        )
    }

    pub fn body(&self) -> Vec<u8> {
        let doc = json!({
            "type": self.code.problem_type(),
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
            "code": self.code,
        });
        serde_json::to_vec_pretty(&doc).unwrap_or_default()
    }
}

/// What a client told `409` waits before retrying.
pub const BUSY_RETRY_SECONDS: u64 = 5;

pub const PROBLEM_JSON: &str = "application/problem+json";

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = self.body();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.extend(self.headers);
        response
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        match e {
            StoreError::Busy => Problem::busy(),
            other => Problem::coded(
                StatusCode::INTERNAL_SERVER_ERROR,
                other.code(),
                other.to_string(),
            ),
        }
    }
}

impl From<crate::error::Error> for Problem {
    fn from(e: crate::error::Error) -> Problem {
        match e {
            crate::error::Error::Store(s) => s.into(),
            other => Problem::coded(
                StatusCode::INTERNAL_SERVER_ERROR,
                other.code(),
                other.to_string(),
            ),
        }
    }
}

/// A refusal the framework made by itself (a path segment that is not a number, a body it
/// could not read): its plain-text answer as problem+json, with the status's code.
pub async fn framework_rejections(response: Response) -> Response {
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    let status = response.status();
    if !plain || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    Problem::framework(status, String::from_utf8_lossy(&body).trim().to_string()).into_response()
}

/// The answer of an unknown path.
pub async fn no_route(uri: axum::http::Uri) -> Problem {
    Problem::not_found(ServeError::NoRoute(uri.path().to_string()))
}

pub async fn method_not_allowed() -> Problem {
    Problem::of(ServeError::MethodNotAllowed)
}

/// Every error answer as a problem document with the request's id (issue 23): the framework's
/// own refusals (a rejected path, query or form, an unsupported `Content-Encoding`) come as
/// plain text (or nothing), which no client can rely on; a result document or an HTML page
/// (the admin page, invitation links) stays as it is.
pub async fn normalize(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let id = request
        .extensions()
        .get::<super::log::RequestId>()
        .map(|r| r.0.clone());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // A result document (400 and 422 of a sync) or an HTML page stays as it is.
    let framework = content_type.is_empty() || content_type.starts_with("text/plain");
    if !framework && content_type != PROBLEM_JSON {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let mut doc = match content_type.as_str() {
        PROBLEM_JSON => match axum::body::to_bytes(body, 1 << 20).await {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|_| generic(status)),
            Err(_) => generic(status),
        },
        _ => generic(status),
    };
    if let (Some(id), serde_json::Value::Object(map)) = (id, &mut doc) {
        map.insert("request_id".into(), id.into());
    }
    let body = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// The document of a refusal the framework made itself.
fn generic(status: StatusCode) -> serde_json::Value {
    let problem = match status {
        // Only a sync's body may come compressed: the decompression layer's refusal.
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Problem::of(ServeError::UnsupportedEncoding),
        StatusCode::PAYLOAD_TOO_LARGE => {
            Problem::framework(status, "The request body is too large.")
        }
        s => Problem::framework(
            s,
            ServeError::BadRequest(
                s.canonical_reason()
                    .unwrap_or("invalid request")
                    .to_ascii_lowercase(),
            )
            .to_string(),
        ),
    };
    serde_json::from_slice(&problem.body()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal's code and status come from its kind, never from its sentence: the same
    /// wording under another kind keeps that kind's code.
    #[test]
    fn a_refusal_carries_its_code_and_its_codes_status() {
        let refusals = [
            ServeError::ExpiredKey,
            ServeError::ImportsBusy(2, 5),
            ServeError::TooManyConnections,
            ServeError::PreviewGone,
            ServeError::UnsupportedEncoding,
            ServeError::DuplicateParameter("limit".into()),
            ServeError::NoImport(3),
        ];
        for e in refusals {
            let p = Problem::of(e.clone());
            assert_eq!(p.code, e.code(), "{e}");
            assert_eq!(Some(p.status.as_u16()), e.code().status(), "{e}");
        }
        let p = Problem::of(ServeError::ImportsBusy(2, 5));
        assert_eq!((p.status.as_u16(), p.code), (503, Code::ImportSlotsFull));
        let p = Problem::of(ServeError::ExpiredKey);
        assert_eq!((p.status.as_u16(), p.code), (401, Code::ExpiredKey));
        // A framework rejection has its status's code, whatever its text says.
        let p = Problem::framework(StatusCode::NOT_FOUND, "The API key has been revoked.");
        assert_eq!(p.code, Code::NoRoute);
    }
}
