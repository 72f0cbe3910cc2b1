//! One line on stderr per request (SPEC §12): time, method, path, status, duration, key name.
//! Never the query's values nor a header: nothing secret can reach the log.

use super::auth::KeyName;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;
use std::time::Instant;

pub async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    let key = response
        .extensions()
        .get::<KeyName>()
        .map_or("-", |k| k.0.as_str());
    let line = format!(
        "{} {method} {path} {} {}ms key={key}\n",
        crate::store::Timestamp::now(),
        response.status().as_u16(),
        started.elapsed().as_millis(),
    );
    // One write per line, so that lines of concurrent requests never interleave.
    std::io::stderr().lock().write_all(line.as_bytes()).ok();
    response
}
