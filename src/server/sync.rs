//! `POST /v1/sync` (SPEC §12): the body is the roster, the query holds the import's options;
//! the answer is the `--output json` document, or the `--output ndjson` events as they
//! happen. The import runs on a blocking thread that owns it to the end: a client that goes
//! away after its body arrived does not stop it.

use super::App;
use super::auth::Caller;
use super::params::Params;
use super::pipeline::{self, Finished, Job, Line, NDJSON};
use super::problem::Problem;
use crate::error::{ServeError, StoreError};
use crate::import::{Beside, Events, Stage};
use crate::keys::Scope;
use crate::parse::InputFormat;
use crate::report::prerender::Prerender;
use crate::store::keys::StoredResponse;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, extract::RawQuery};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio::sync::mpsc;

#[utoipa::path(post, path = "/v1/sync", tag = "sync",
    params(
        ("full_sync" = Option<bool>, Query, description = "Deactivate members missing from the body; with a team column, replace memberships"),
        ("invite" = Option<bool>, Query, description = "New members with an email become INVITED"),
        ("dry_run" = Option<bool>, Query, description = "Plan and check only (allowed to read keys)"),
        ("skip_invalid" = Option<bool>, Query, description = "Apply the valid rows and report the others"),
        ("clear_blanks" = Option<bool>, Query, description = "Blank cells clear optional fields"),
        ("default_role" = Option<String>, Query, description = "owner, admin or member: organization_role of new members whose row has none"),
        ("max_deactivations" = Option<String>, Query, description = "N or N%: most members this sync may deactivate"),
        ("expect_plan" = Option<String>, Query, description = "Apply only if the plan is exactly this reviewed one"),
        ("file_name" = Option<String>, Query, description = "The name history shows"),
        ("max_shrink" = Option<String>, Query, description = "P%: refuse a full sync that names more than P% fewer members than this key's last completed full sync (422); default: the store's max-shrink, else off"),
        ("deactivate_after_missing" = Option<u64>, Query, description = "N: deactivate a member only when N full syncs in a row miss it; default: the store's deactivate-after-missing, else 1"),
        ("Idempotency-Key" = Option<String>, Header, description = "A repeat with the same key and request returns the first response and applies nothing again"),
    ),
    request_body(description = "The roster, as a file would hold it", content(
        (String = "text/csv"), (String = "application/json"), (String = "application/x-ndjson"))),
    responses(
        (status = 200, description = "Applied, or a dry run: the `roster import --output json` document (NDJSON events with `Accept: application/x-ndjson`)", content_type = "application/json"),
        (status = 400, description = "A file-level or row error: the document, `status` FAILED, with the `errors`", content_type = "application/json"),
        (status = 401, description = "Missing, unknown or revoked key", content_type = "application/problem+json"),
        (status = 403, description = "A read key on a sync that is not a dry run", content_type = "application/problem+json"),
        (status = 409, description = "Another import is being applied (Retry-After)", content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the byte limit", content_type = "application/problem+json"),
        (status = 415, description = "A body type other than CSV, JSON or NDJSON", content_type = "application/problem+json"),
        (status = 422, description = "A safety rule or expect_plan refusal: the document names each rule", content_type = "application/json"),
        (status = 429, description = "Too many requests for this key (Retry-After, RateLimit-*)", content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn sync(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
    params: Params,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match handle(
        app,
        caller,
        query.unwrap_or_default(),
        params,
        headers,
        body,
    )
    .await
    {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn handle(
    app: Arc<App>,
    caller: Caller,
    query: String,
    params: Params,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let options = pipeline::SyncOptions::from_params(&params)?;
    if caller.scope == Scope::Read && !options.dry_run {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            ServeError::ReadOnlyKey(caller.name).to_string(),
        ));
    }
    let format = body_format(&headers)?;
    let settings = app.db.run(|s| s.settings()).await?;
    let max_bytes = settings.max_bytes.unwrap_or(pipeline::DEFAULT_MAX_BYTES);
    let bytes = read_body(&headers, body, max_bytes, app.body_timeout).await?;
    let ndjson = accepts_ndjson(&headers);
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    // Only a sync with an Idempotency-Key needs its request's hash (of the whole body: off
    // the async threads).
    let keep = match idempotency_key {
        None => None,
        Some(key) => {
            let body = bytes.clone();
            let request_sha256 =
                tokio::task::spawn_blocking(move || fingerprint(&query, ndjson, &body))
                    .await
                    .map_err(Problem::internal)?;
            let (name, looked_up) = (caller.name.clone(), key.clone());
            let kept = app
                .db
                .run(move |s| s.stored_response(&name, &looked_up))
                .await?;
            if let Some(kept) = kept {
                if kept.request_sha256 != request_sha256 {
                    return Err(Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        ServeError::IdempotencyMismatch.to_string(),
                    ));
                }
                return Ok(replay(kept));
            }
            Some((caller.name.clone(), key, request_sha256))
        }
    };
    let job = Job {
        options,
        format,
        bytes: Vec::from(bytes),
        operator: caller.name.clone(),
        ndjson,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Arc::clone(&app);
    // Detached: the import runs to its end even if this request's future is dropped.
    tokio::task::spawn_blocking(move || run_job(&worker, job, keep, &tx));
    match rx.recv().await {
        Some(Line::Finished(finished)) => Ok(finished.into_response()),
        Some(Line::Progress(first)) => Ok(stream(first, rx)),
        None => Err(Problem::internal("the import stopped without an answer")),
    }
}

/// Runs the import on this (blocking) thread and sends its lines; keeps the answer for the
/// `Idempotency-Key` before sending it, so a repeat finds it even if this client is gone.
fn run_job(
    app: &App,
    job: Job,
    keep: Option<(String, String, String)>,
    tx: &mpsc::UnboundedSender<Line>,
) {
    let recording = !job.options.dry_run;
    let ndjson = job.ndjson;
    let finished = app.db.with(|store| {
        let mut relay = Relay {
            app,
            tx,
            ndjson,
            recording,
            long: false,
            prerender: Prerender::of(ndjson),
        };
        let prerender = relay.prerender.clone();
        let result = pipeline::run(store, job, &mut relay, &prerender);
        if recording {
            app.clear_progress();
        }
        let finished = match result {
            Ok(finished) => finished,
            Err(problem) => return Ok::<_, StoreError>(Finished::problem(problem)),
        };
        if let (Some((name, key, request_sha256)), true) = (&keep, finished.is_kept()) {
            let kept = StoredResponse {
                request_sha256: request_sha256.clone(),
                status: finished.status.as_u16(),
                content_type: finished.content_type.to_string(),
                body: finished.body_bytes(),
            };
            store.store_response(name, key, &kept).ok();
        }
        Ok(finished)
    });
    let finished = finished.unwrap_or_else(|e| Finished::problem(e.into()));
    tx.send(Line::Finished(finished)).ok();
}

/// The import's observer: progress for `GET /v1/imports/{id}`, and NDJSON `progress` lines
/// for the stream, written as `--output ndjson` writes them (long runs only).
struct Relay<'a> {
    app: &'a App,
    tx: &'a mpsc::UnboundedSender<Line>,
    ndjson: bool,
    /// A run that is recorded in history (not a dry run).
    recording: bool,
    long: bool,
    /// The answer's changes, rendered beside the apply.
    prerender: Prerender,
}

impl Events for Relay<'_> {
    fn phase(&mut self, phase: &'static str, elapsed: std::time::Duration) {
        if self.app.timings {
            crate::report::progress::print_phase(phase, elapsed);
        }
    }

    fn beside_apply(&mut self) -> Option<Beside> {
        Some(self.prerender.work())
    }

    fn progress(&mut self, stage: Stage, done: u64, total: u64) {
        if stage == Stage::Parse {
            self.long = total >= crate::report::progress::MIN_ROWS;
        }
        let event = serde_json::json!({"stage": stage.as_str(), "done": done, "total": total});
        if self.recording {
            self.app.note_progress(event.clone());
        }
        if self.ndjson && self.long {
            let mut line = Vec::new();
            crate::report::ndjson::write_event(&mut line, "progress", event).ok();
            self.tx.send(Line::Progress(Bytes::from(line))).ok();
        }
    }
}

/// The NDJSON stream: the first progress line, then the others as they come, then the end.
fn stream(first: Bytes, rx: mpsc::UnboundedReceiver<Line>) -> Response {
    let head = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(first) });
    let rest = futures_util::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await? {
            Line::Progress(line) => Some((Ok(vec![line]), rx)),
            Line::Finished(f) => Some((Ok(f.body), rx)),
        }
    });
    let rest = rest.flat_map(|pieces: Result<Vec<Bytes>, std::convert::Infallible>| {
        futures_util::stream::iter(pieces.into_iter().flatten().map(Ok))
    });
    (
        [(header::CONTENT_TYPE, NDJSON)],
        Body::from_stream(head.chain(rest)),
    )
        .into_response()
}

fn replay(kept: StoredResponse) -> Response {
    let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
    let mut response = (status, kept.body).into_response();
    if let Ok(v) = kept.content_type.parse() {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
        .headers_mut()
        .insert("idempotent-replayed", "true".parse().expect("static"));
    response
}

/// The input format the body's `Content-Type` names, or `415`.
pub(super) fn body_format(headers: &HeaderMap) -> Result<InputFormat, Problem> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("text/csv") => Ok(InputFormat::Csv),
        Some("application/json") => Ok(InputFormat::Json),
        Some("application/x-ndjson") => Ok(InputFormat::Ndjson),
        _ => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServeError::UnsupportedType.to_string(),
        )),
    }
}

fn accepts_ndjson(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(NDJSON))
}

/// `413` for a body over the byte limit: from `Content-Length` before reading anything, else
/// as soon as the bytes read pass it. `408` when a piece takes longer than `idle` to arrive.
pub(super) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    max_bytes: u64,
    idle: std::time::Duration,
) -> Result<Bytes, Problem> {
    let too_large = || {
        let e = crate::error::FileError::TooLarge {
            limit_mb: crate::input::megabytes(max_bytes),
        };
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string())
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_bytes) {
        return Err(too_large());
    }
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    loop {
        let piece = tokio::time::timeout(idle, stream.next())
            .await
            .map_err(|_| {
                Problem::new(
                    StatusCode::REQUEST_TIMEOUT,
                    ServeError::SlowBody.to_string(),
                )
            })?;
        match piece {
            None => return Ok(Bytes::from(bytes)),
            Some(Ok(piece)) => {
                if (bytes.len() + piece.len()) as u64 > max_bytes {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&piece);
            }
            // The client went away mid-upload: nothing was read into the store.
            Some(Err(e)) => {
                return Err(Problem::bad_request(ServeError::BadParameter {
                    name: "body".into(),
                    reason: e.to_string(),
                }));
            }
        }
    }
}

/// What makes two syncs "the same request" for `Idempotency-Key`: options, answer format, body.
fn fingerprint(query: &str, ndjson: bool, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(query.as_bytes());
    h.update([0, ndjson as u8]);
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl IntoResponse for Finished {
    fn into_response(self) -> Response {
        let pieces = futures_util::stream::iter(
            self.body.into_iter().map(Ok::<_, std::convert::Infallible>),
        );
        let mut response = (
            [(header::CONTENT_TYPE, self.content_type)],
            Body::from_stream(pieces),
        )
            .into_response();
        *response.status_mut() = self.status;
        response.headers_mut().extend(self.headers);
        response
    }
}
