//! `POST /v1/sync` (SPEC §12): the body is the roster, the query holds the import's options;
//! the answer is the `--output json` document, or the `--output ndjson` events as they
//! happen. The import runs on a blocking thread that owns it to the end: a client that goes
//! away after its body arrived does not stop it.

use super::App;
use super::auth::Caller;
pub(super) use super::body::{body_format, read_body};
use super::negotiate;
use super::params::Params;
use super::pipeline::{self, Finished, Job, Line, NDJSON};
use super::problem::Problem;
use crate::error::{ServeError, StoreError};
use crate::import::{Beside, Events, Stage};
use crate::keys::Scope;
use crate::report::prerender::Prerender;
use crate::store::keys::StoredResponse;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
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
        ("expect_plan" = Option<String>, Query, description = "Apply only if the plan is exactly this reviewed one (its plan_id: 64 hexadecimal digits)", pattern = "^[0-9a-f]{64}$"),
        ("file_name" = Option<String>, Query, description = "The name history shows"),
        ("max_shrink" = Option<String>, Query, description = "P%: refuse a full sync that names more than P% fewer members than this key's last completed full sync (422); default: the store's max-shrink, else off", pattern = "^0*([0-9]{1,2}|100)%?$"),
        ("deactivate_after_missing" = Option<u64>, Query, description = "N: deactivate a member only when N full syncs in a row miss it; default: the store's deactivate-after-missing, else 1", minimum = 1),
        ("encoding" = Option<String>, Query, description = "The body's encoding when it has no BOM and is not UTF-8 (for example windows-1252); else the charset of Content-Type", min_length = 1),
        ("delimiter" = Option<String>, Query, description = "The CSV delimiter: , ; tab or | (default: detected)", pattern = "^(,|;|\\||\t|tab|comma|semicolon|pipe)$"),
        ("map" = Option<Vec<String>>, Query, description = "Map a header of the file to a column: 'Header In File=column' (repeatable; every other parameter may be given once)"),
        ("report" = Option<String>, Query, description = "full (default): the whole document; summary: the document without `changes` (NDJSON: no `change` events), which spares a large sync rendering and sending its list of changes"),
        ("Idempotency-Key" = Option<String>, Header, description = "A repeat with the same key, method, path, query, Content-Type and body returns the first response and applies nothing again"),
        ("Content-Encoding" = Option<String>, Header, description = "gzip or zstd: a compressed body (the byte limit applies after decompression); identity: none"),
        ("X-Request-Id" = Option<String>, Header, description = "The request's id (up to 128 of A-Z a-z 0-9 - _ . :), echoed on the answer, in the log line and in problem documents; else a new one"),
    ),
    request_body(description = "The roster, as a file would hold it", content(
        (String = "text/csv"), (String = "application/json"), (String = "application/x-ndjson"))),
    responses(
        (status = 200, description = "Applied, or a dry run: the `roster import --output json` document (NDJSON events with `Accept: application/x-ndjson`)", content_type = "application/json"),
        (status = 400, description = "A file-level or row error: the document, `status` FAILED, with the `errors`", content_type = "application/json"),
        (status = 401, description = "Missing, unknown, revoked or expired key", content_type = "application/problem+json"),
        (status = 403, description = "A read key on a sync that is not a dry run", content_type = "application/problem+json"),
        (status = 409, description = "Another import is being applied (Retry-After)", content_type = "application/problem+json"),
        (status = 408, description = "The body arrived too slowly (--body-timeout)", content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than the byte limit (after decompression)", content_type = "application/problem+json"),
        (status = 415, description = "A body type other than CSV, JSON or NDJSON, or a Content-Encoding other than gzip or zstd", content_type = "application/problem+json"),
        (status = 422, description = "A safety rule or expect_plan refusal: the document names each rule", content_type = "application/json"),
        (status = 429, description = "Too many requests for this key (Retry-After, RateLimit-*), or failed authentications from this address", content_type = "application/problem+json"),
        (status = 503, description = "Every import slot is busy (--max-concurrent-imports; Retry-After), or too many open connections", content_type = "application/problem+json"),
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
    let mut options = pipeline::SyncOptions::from_params(&params)?;
    if caller.scope == Scope::Read && !options.dry_run {
        return Err(Problem::of(ServeError::ReadOnlyKey(caller.name)));
    }
    let (format, charset) = body_format(&headers)?;
    options.encoding = options.encoding.or(charset);
    let settings = app.db.run(|s| s.settings()).await?;
    let max_bytes = settings.max_bytes.unwrap_or(pipeline::DEFAULT_MAX_BYTES);
    let bytes = read_body(&headers, body, max_bytes, app.body_timeout).await?;
    let ndjson = negotiate::choose(&headers, &[pipeline::JSON, NDJSON]) == Some(NDJSON);
    let idempotency_key = idempotency_key(&headers)?;
    // Only a sync with an Idempotency-Key needs its request's hash (of the whole body: off
    // the async threads).
    let keep = match idempotency_key {
        None => None,
        Some(key) => {
            let body = bytes.clone();
            let content_type = header_text(&headers, header::CONTENT_TYPE);
            let request_sha256 =
                tokio::task::spawn_blocking(move || fingerprint(&query, &content_type, &body))
                    .await
                    .map_err(Problem::internal)?;
            let (name, looked_up) = (caller.name.clone(), key.clone());
            let kept = app
                .db
                .run(move |s| s.stored_response(&name, &looked_up))
                .await?;
            if let Some(kept) = kept {
                if kept.request_sha256 != request_sha256 {
                    return Err(Problem::of(ServeError::IdempotencyMismatch));
                }
                return Ok(replay(kept));
            }
            Some((caller.name.clone(), key, request_sha256))
        }
    };
    let slot = app.slots.take().await?;
    let job = Job {
        options,
        format,
        bytes: Vec::from(bytes),
        operator: caller.name.clone(),
        ndjson,
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Arc::clone(&app);
    // Detached: the import runs to its end even if this request's future is dropped; it
    // holds its slot until then.
    tokio::task::spawn_blocking(move || {
        run_job(&worker, job, keep, &tx);
        drop(slot);
    });
    let mut response = match rx.recv().await {
        Some(Line::Finished(finished)) => finished.into_response(),
        Some(Line::Progress(first)) => stream(first, rx),
        None => return Err(Problem::internal("the import stopped without an answer")),
    };
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// The `Idempotency-Key`, if one (and only one) was sent.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    if headers.get_all("idempotency-key").iter().nth(1).is_some() {
        return Err(Problem::bad_request(ServeError::DuplicateHeader(
            "Idempotency-Key",
        )));
    }
    Ok(headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty()))
}

pub(super) fn header_text(headers: &HeaderMap, name: header::HeaderName) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
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
    let listed = !job.options.summary_only;
    let finished = app.db.with_alone(|store| {
        let mut relay = Relay {
            app,
            tx,
            ndjson,
            recording,
            long: false,
            listed,
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
    /// The answer lists the changes (not `report=summary`).
    listed: bool,
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
        self.listed.then(|| self.prerender.work())
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
        Body::from_stream(head.chain(rest).fuse()),
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

/// What makes two syncs "the same request" for `Idempotency-Key`: the method and path (always
/// `POST /v1/sync` here), the options, the body's type and the body (after decompression).
fn fingerprint(query: &str, content_type: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in ["POST", "/v1/sync", query, content_type] {
        h.update(part.as_bytes());
        h.update([0]);
    }
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
