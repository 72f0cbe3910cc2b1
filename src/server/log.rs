//! What wraps every request (SPEC §12, issue 23): its id (`X-Request-Id`, the client's when sane,
//! else a new one), its client address (`client`), the headers every API answer carries, and one
//! line on stderr: time, method, path, status, duration, key name, request id. Never the query's
//! values nor a header, and an invitation link's token only by its first characters.
//!
//! The request is handled on a task of its own: a client that goes away after its body arrived
//! does not cancel it (its import runs to the end anyway), and its line is still written.

use super::App;
use super::auth::KeyName;
use super::client::ClientAddr;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// A request's id, on the request and on its answer.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub const REQUEST_ID: &str = "x-request-id";

/// Characters of an invitation token the log shows.
const TOKEN_SHOWN: usize = 6;

pub async fn log_request(
    State(app): State<Arc<App>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = loggable(request.uri().path());
    let id = request_id(&request);
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let client = app.proxies.client(peer.ip(), request.headers());
        request.extensions_mut().insert(ClientAddr(client));
    }
    request.extensions_mut().insert(RequestId(id.clone()));
    let handled = tokio::spawn(async move {
        let mut response = next.run(request).await;
        finish(&mut response, &id);
        let key = response
            .extensions()
            .get::<KeyName>()
            .map_or("-", |k| k.0.as_str());
        let line = format!(
            "{} {method} {path} {} {}ms key={key} id={id}\n",
            crate::store::Timestamp::now(),
            response.status().as_u16(),
            started.elapsed().as_millis(),
        );
        // One write per line, so that lines of concurrent requests never interleave.
        std::io::stderr().lock().write_all(line.as_bytes()).ok();
        response
    });
    match handled.await {
        Ok(response) => response,
        Err(e) => super::problem::Problem::internal(e).into_response(),
    }
}

/// The headers every answer carries: its request id; never cached, never sniffed.
fn finish(response: &mut Response, id: &str) {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(id) {
        headers.insert(REQUEST_ID, v);
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

/// The client's `X-Request-Id` when it is one short token of safe characters (it goes into the
/// log line), else a new random one.
fn request_id(request: &Request) -> String {
    let given = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v));
    match given {
        Some(v) => v.to_string(),
        None => fresh_id(),
    }
}

fn is_sane(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

fn fresh_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        return format!("{nanos:032x}");
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The path as logged: an invitation link's token cut to its first characters.
fn loggable(path: &str) -> String {
    match path.strip_prefix("/invitations/") {
        Some(token) if token.chars().count() > TOKEN_SHOWN => {
            let shown: String = token.chars().take(TOKEN_SHOWN).collect();
            format!("/invitations/{shown}…")
        }
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_token_is_logged_by_its_prefix_only() {
        assert_eq!(
            loggable("/invitations/abcdef0123456789"),
            "/invitations/abcdef…"
        );
        assert_eq!(loggable("/v1/imports/3"), "/v1/imports/3");
    }

    #[test]
    fn only_a_sane_request_id_is_kept() {
        assert!(is_sane("req-42_a.b:c"));
        assert!(!is_sane(""));
        assert!(!is_sane("a b"));
        assert!(!is_sane(&"x".repeat(129)));
        assert_eq!(fresh_id().len(), 32);
    }
}
