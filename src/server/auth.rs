//! `Authorization: Bearer <key>` on every endpoint but `/healthz` (SPEC §12): a malformed key
//! (bad checksum) is refused without a store lookup; a known one is compared by hash in
//! constant time; then the key's rate is counted. Failed authentications are counted per
//! client address, and an address over its limit is answered `429` instead of `401` — but only
//! after its key was looked at, so that a valid key is never locked out by others' failures
//! (behind a proxy every client may share one address).
//! The admin page's session cookie stands in for the header (`page::session_caller`: the
//! key is looked up again on each request, and a POST needs the session's CSRF token).

use super::App;
use super::client::ClientAddr;
use super::problem::Problem;
use crate::error::ServeError;
use crate::keys::{self, Scope};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use std::sync::Arc;

/// The authenticated key of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The operator: the key's name, or that of the key it replaces (`--replaces`).
    pub name: String,
    /// The key's own name: its rate, its last use, the log line.
    pub key: String,
    pub scope: Scope,
}

/// The key's name, on the response, for the request log.
#[derive(Debug, Clone)]
pub struct KeyName(pub String);

pub async fn authenticate(
    State(app): State<Arc<App>>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = client_addr(&request);
    let session = super::page::session_caller(&app, request.method(), request.headers()).await;
    let page = session.is_some();
    let found = match session {
        Some(found) => found,
        None => identify(&app, request.headers()).await,
    };
    // The key is looked at first: a valid key is never refused for others' failures.
    let caller = match found {
        Ok(caller) => caller,
        // A request without a key guesses none: only a key that is wrong counts.
        Err(refused)
            if refused.status == axum::http::StatusCode::UNAUTHORIZED
                && refused.code != crate::error::Code::MissingKey =>
        {
            return app
                .failures
                .failed(ip)
                .err()
                .unwrap_or(refused)
                .into_response();
        }
        Err(refused) => return refused.into_response(),
    };
    // A scim key calls SCIM only (SPEC §17); SCIM checks its own scope.
    // Under a nested router the URI is cut to the part after its prefix: the original one.
    let path = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or(request.uri().path(), |u| u.0.path());
    if caller.scope == Scope::Scim && !path.starts_with("/scim/") {
        let wrong = crate::error::ScimError::WrongScope(
            caller.key.clone(),
            "scim",
            "it may call only the SCIM endpoints under /scim/v2",
        );
        let refused = Problem::coded(
            axum::http::StatusCode::FORBIDDEN,
            wrong.code(),
            wrong.to_string(),
        );
        return refused.into_response();
    }
    let name = KeyName(caller.key.clone());
    // The admin page's requests have their own quota: they never spend the key's (a CI job's).
    let bucket = if page {
        format!("{} (admin page)", caller.key)
    } else {
        caller.key.clone()
    };
    let rate_headers = match app.rates.check(&bucket) {
        Ok(headers) => headers,
        Err(refused) => {
            let mut response = refused.into_response();
            response.extensions_mut().insert(name);
            return response;
        }
    };
    app.touch(&caller.key);
    request.extensions_mut().insert(caller);
    let mut response = next.run(request).await;
    response.headers_mut().extend(rate_headers);
    response.extensions_mut().insert(name);
    response
}

/// The client's address (the peer, or what a trusted proxy says), for per-address limits.
pub fn client_addr(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ClientAddr>()
        .map_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |c| c.0)
}

async fn identify(app: &Arc<App>, headers: &HeaderMap) -> Result<Caller, Problem> {
    if headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .nth(1)
        .is_some()
    {
        return Err(Problem::bad_request(ServeError::DuplicateHeader(
            "Authorization",
        )));
    }
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| Problem::unauthorized(ServeError::MissingKey))?;
    let token = value
        .to_str()
        .ok()
        .and_then(bearer_token)
        .ok_or_else(|| Problem::unauthorized(ServeError::InvalidKey))?;
    key_caller(app, token).await
}

/// The caller of a key (a bearer token, or the key typed on the sign-in form).
pub async fn key_caller(app: &Arc<App>, token: &str) -> Result<Caller, Problem> {
    if !keys::is_well_formed(token) {
        return Err(Problem::unauthorized(ServeError::InvalidKey));
    }
    caller_by_hash(app, keys::hash(token)).await
}

/// The caller of a key's hash: known, equal in constant time, not revoked.
pub async fn caller_by_hash(app: &Arc<App>, hash: String) -> Result<Caller, Problem> {
    let invalid = || Problem::unauthorized(ServeError::InvalidKey);
    let lookup = hash.clone();
    let found = app.db.run(move |s| s.key_by_hash(&lookup)).await?;
    let (key, stored) = found.ok_or_else(invalid)?;
    if !keys::same_hash(&stored, &hash) {
        return Err(invalid());
    }
    if key.revoked_at.is_some() {
        return Err(Problem::unauthorized(ServeError::RevokedKey));
    }
    let expired = key
        .expires_at
        .as_deref()
        .and_then(crate::store::Timestamp::parse)
        .is_some_and(|at| at <= crate::store::Timestamp::now());
    if expired {
        return Err(Problem::unauthorized(ServeError::ExpiredKey));
    }
    Ok(Caller {
        scope: Scope::parse(&key.scope).ok_or_else(invalid)?,
        name: key.operator().to_string(),
        key: key.name,
    })
}

/// The token of `Bearer <token>` (the scheme in any case, RFC 9110).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        assert_eq!(bearer_token("Bearer rst_x"), Some("rst_x"));
        assert_eq!(bearer_token("bearer  rst_x "), Some("rst_x"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("rst_x"), None);
    }
}
