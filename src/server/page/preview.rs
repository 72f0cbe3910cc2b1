//! `POST /page/preview`: the page's import preview. The body and the query are those of
//! `POST /v1/sync` (the same limits, types and options), always run as a dry run, and the
//! answer is the plan as an HTML fragment (`report::html`, worded for the page), the same view
//! as `roster diff --output html`. The page applies it with `POST /v1/sync?expect_plan=<id>`.
//!
//! A dry run records no import, so its error report CSV has no home in the store: the server
//! keeps it in memory for [`KEEP_FOR`] (at most [`KEEP`] of them), under a random token only
//! the key that asked may use, and names it in the `X-Roster-Errors` header;
//! `GET /page/preview/{token}/errors` downloads it.

use super::super::App;
use super::super::auth::Caller;
use super::super::params::Params;
use super::super::pipeline::{DEFAULT_MAX_BYTES, Job, SyncOptions};
use super::super::problem::Problem;
use super::super::sync::{body_format, read_body};
use crate::error::{Error, StoreError};
use crate::import::{self, ImportInput, Quiet};
use crate::report::html::{self, Audience};
use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long, and how many, dry runs' error reports are kept.
const KEEP_FOR: Duration = Duration::from_secs(30 * 60);
const KEEP: usize = 32;

struct Kept {
    token: String,
    owner: String,
    at: Instant,
    csv: Vec<u8>,
}

/// The kept reports, oldest first. One per process, as the server itself: a static spares the
/// shared `App` a field only the preview uses.
static KEPT: Mutex<VecDeque<Kept>> = Mutex::new(VecDeque::new());

pub async fn preview(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match fragment(app, caller, params, headers, body).await {
        Ok((fragment, token)) => {
            let mut response = super::html(StatusCode::OK, fragment);
            if let Some(v) = token.and_then(|t| HeaderValue::from_str(&errors_path(&t)).ok()) {
                response.headers_mut().insert("x-roster-errors", v);
            }
            response
        }
        Err(problem) => problem.into_response(),
    }
}

fn errors_path(token: &str) -> String {
    format!("/page/preview/{token}/errors")
}

async fn fragment(
    app: Arc<App>,
    caller: Caller,
    params: Params,
    headers: HeaderMap,
    body: Body,
) -> Result<(String, Option<String>), Problem> {
    let mut options = SyncOptions::from_params(&params)?;
    options.dry_run = true;
    options.expect_plan = None;
    let (format, charset) = body_format(&headers)?;
    options.encoding = options.encoding.or(charset);
    let settings = app.db.run(|s| s.settings()).await?;
    let max_bytes = settings.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    let bytes = read_body(&headers, body, max_bytes, app.body_timeout).await?;
    let owner = caller.name.clone();
    let slot = app.slots.take().await?;
    let job = Job {
        options,
        format,
        bytes: bytes.to_vec(),
        operator: caller.name,
        ndjson: false,
    };
    let rendered = app
        .db
        .run(move |store| {
            let options = job.options();
            let input = ImportInput::bytes(job.file_name(), job.bytes.clone());
            let rendered = import::run(store, input, &options, &mut Quiet);
            drop(slot);
            rendered.map(|o| {
                let has_row_errors = o.errors.iter().any(|e| e.row.is_some());
                let csv = o.error_report.clone().filter(|_| has_row_errors);
                (html::fragment_string(&o, Audience::Page), csv)
            })
        })
        .await;
    let (fragment, csv) = rendered.map_err(|e| match e {
        Error::Store(StoreError::Busy) => Problem::busy(),
        e => Problem::internal(e),
    })?;
    Ok((fragment, csv.and_then(|csv| keep(owner, csv))))
}

/// Keeps a dry run's error report; its token, or `None` without random bytes.
fn keep(owner: String, csv: Vec<u8>) -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    kept.retain(|k| k.at.elapsed() < KEEP_FOR);
    while kept.len() >= KEEP {
        kept.pop_front();
    }
    kept.push_back(Kept {
        token: token.clone(),
        owner,
        at: Instant::now(),
        csv,
    });
    Some(token)
}

/// `GET /page/preview/{token}/errors`: a kept dry run's error report CSV, for the key that
/// asked for the preview; `404` once it is gone.
pub async fn errors(Extension(caller): Extension<Caller>, Path(token): Path<String>) -> Response {
    let kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    let found = kept
        .iter()
        .find(|k| k.token == token && k.owner == caller.name && k.at.elapsed() < KEEP_FOR);
    match found {
        Some(k) => {
            let disposition = "attachment; filename=\"preview-errors.csv\"";
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                k.csv.clone(),
            )
                .into_response()
        }
        None => Problem::of(crate::error::ServeError::PreviewGone).into_response(),
    }
}
