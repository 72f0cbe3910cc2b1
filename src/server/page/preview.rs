//! `POST /page/preview`: the page's import preview. The body and the query are those of
//! `POST /v1/sync` (the same limits, types and options), always run as a dry run, and the
//! answer is the plan as an HTML fragment (`report::html`), the same view as
//! `roster diff --output html`. The page applies it with `POST /v1/sync?expect_plan=<plan_id>`.

use super::super::App;
use super::super::auth::Caller;
use super::super::params::Params;
use super::super::pipeline::{DEFAULT_MAX_BYTES, Job, SyncOptions};
use super::super::problem::Problem;
use super::super::sync::{body_format, read_body};
use crate::error::{Error, StoreError};
use crate::import::{self, ImportInput, Quiet};
use crate::report::html;
use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub async fn preview(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    params: Params,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match fragment(app, caller, params, headers, body).await {
        Ok(fragment) => super::html(StatusCode::OK, fragment),
        Err(problem) => problem.into_response(),
    }
}

async fn fragment(
    app: Arc<App>,
    caller: Caller,
    params: Params,
    headers: HeaderMap,
    body: Body,
) -> Result<String, Problem> {
    let mut options = SyncOptions::from_params(&params)?;
    options.dry_run = true;
    options.expect_plan = None;
    let (format, charset) = body_format(&headers)?;
    options.encoding = options.encoding.or(charset);
    let settings = app.db.run(|s| s.settings()).await?;
    let max_bytes = settings.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
    let bytes = read_body(&headers, body, max_bytes, app.body_timeout).await?;
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
            rendered.map(|o| html::fragment_string(&o))
        })
        .await;
    rendered.map_err(|e| match e {
        Error::Store(StoreError::Busy) => Problem::busy(),
        e => Problem::internal(e),
    })
}
