//! A request's body (SPEC §4, §12; issue 23): its input format and `charset` from
//! `Content-Type`, and the bytes themselves, read within the byte limit (after any
//! `Content-Encoding` was undone by the decompression layer) and within a deadline, so that a
//! body that trickles in is cut off as surely as one that stops.

use super::problem::Problem;
use super::sync::header_text;
use crate::error::ServeError;
use crate::parse::InputFormat;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use futures_util::StreamExt;

/// The input format the body's `Content-Type` names, with its `charset`; or `415`.
pub(super) fn body_format(headers: &HeaderMap) -> Result<(InputFormat, Option<String>), Problem> {
    if headers
        .get_all(header::CONTENT_TYPE)
        .iter()
        .nth(1)
        .is_some()
    {
        return Err(Problem::bad_request(ServeError::DuplicateHeader(
            "Content-Type",
        )));
    }
    let value = header_text(headers, header::CONTENT_TYPE);
    let mut parts = value.split(';');
    let essence = parts.next().map(|v| v.trim().to_ascii_lowercase());
    let charset = parts
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty());
    let format = match essence.as_deref() {
        Some("text/csv") => InputFormat::Csv,
        Some("application/json") => InputFormat::Json,
        Some("application/x-ndjson") => InputFormat::Ndjson,
        _ => {
            return Err(Problem::of(ServeError::UnsupportedType));
        }
    };
    Ok((format, charset))
}

/// The slowest a body may arrive on average once `--body-timeout` has passed, in bytes per
/// second: a body must be whole within the timeout plus a second per this many bytes.
pub const MIN_BODY_RATE: u64 = 16 * 1024;

/// `413` for a body over the byte limit (after decompression): from `Content-Length` before
/// reading anything, else as soon as the bytes read pass it. `408` when the body is not whole
/// by its deadline (`timeout` plus a second per [`MIN_BODY_RATE`] bytes read), or pauses
/// longer than `timeout`: a trickle is cut off, not only a silence.
pub(super) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    max_bytes: u64,
    timeout: std::time::Duration,
) -> Result<Bytes, Problem> {
    let too_large = || {
        let e = crate::error::FileError::TooLarge {
            limit_mb: crate::input::megabytes(max_bytes),
        };
        Problem::coded(StatusCode::PAYLOAD_TOO_LARGE, e.code(), e.to_string())
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_bytes) {
        return Err(too_large());
    }
    let slow = || Problem::of(ServeError::SlowBody);
    let started = tokio::time::Instant::now();
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(max_bytes) as usize);
    loop {
        let allowed =
            timeout + std::time::Duration::from_secs_f64(bytes.len() as f64 / MIN_BODY_RATE as f64);
        let deadline = (started + allowed).min(tokio::time::Instant::now() + timeout);
        let piece = tokio::time::timeout_at(deadline, stream.next())
            .await
            .map_err(|_| slow())?;
        match piece {
            None => return Ok(Bytes::from(bytes)),
            Some(Ok(piece)) => {
                if (bytes.len() + piece.len()) as u64 > max_bytes {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&piece);
            }
            // The client went away mid-upload, or a compressed body is corrupt: nothing was
            // read into the store.
            Some(Err(e)) => {
                return Err(Problem::bad_request(ServeError::BadParameter {
                    name: "body".into(),
                    reason: e.to_string(),
                }));
            }
        }
    }
}
