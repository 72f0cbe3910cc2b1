//! `POST /v1/imports/{id}/revert` (SPEC §16): `roster imports revert ID` over HTTP, the key's
//! name as operator. The answer is the revert's result document, as `--output json` prints it.

use super::App;
use super::auth::Caller;
use super::params::Params;
use super::pipeline::{self, Finished};
use super::problem::Problem;
use crate::error::{Error, ServeError, StoreError};
use crate::import::{self, ImportOptions, Quiet};
use crate::keys::Scope;
use crate::policy::Limit;
use crate::report::prerender::Prerender;
use axum::extract::{Extension, Path, State};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The query parameters, named as the flags.
const OPTIONS: &[&str] = &[
    "dry_run",
    "skip_conflicts",
    "expect_plan",
    "max_deactivations",
];

#[utoipa::path(post, path = "/v1/imports/{id}/revert", tag = "sync",
    params(
        ("id" = i64, Path, description = "The import to revert"),
        ("dry_run" = Option<bool>, Query, description = "Plan and check only (allowed to read keys)"),
        ("skip_conflicts" = Option<bool>, Query, description = "Leave members changed after the import as they are, and revert the rest"),
        ("expect_plan" = Option<String>, Query, description = "Apply only if the plan is exactly this reviewed one (its plan_id: 64 hexadecimal digits)", pattern = "^[0-9a-f]{64}$"),
        ("max_deactivations" = Option<String>, Query, description = "N or N%: most members this revert may deactivate", pattern = "^([0-9]{1,9}|100%|[0-9]{1,2}%)$"),
    ),
    responses(
        (status = 200, description = "Reverted, or a dry run: the `roster imports revert --output json` document (mode `revert`)", content_type = "application/json"),
        (status = 401, description = "Missing, unknown, revoked or expired key", content_type = "application/problem+json"),
        (status = 403, description = "A read key on a revert that is not a dry run", content_type = "application/problem+json"),
        (status = 404, description = "No such import", content_type = "application/problem+json"),
        (status = 409, description = "Members changed after the import (the document lists each; skip_conflicts reverts the rest), the import was already reverted or did not complete: the document; or another import is being applied (problem, Retry-After)", content_type = "application/json"),
        (status = 422, description = "A safety rule or expect_plan refusal: the document names each rule", content_type = "application/json"),
    ),
    security(("bearer" = [])))]
pub async fn revert(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    params: Params,
) -> Response {
    match handle(app, caller, id, params).await {
        Ok(finished) => finished.into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn handle(
    app: Arc<App>,
    caller: Caller,
    id: i64,
    params: Params,
) -> Result<Finished, Problem> {
    params.only(OPTIONS)?;
    let mut options = ImportOptions::new(caller.name.clone());
    options.dry_run = params.flag("dry_run")?;
    options.expect_plan = params.get("expect_plan").map(str::to_string);
    options.max_deactivations = params.parse::<Limit>("max_deactivations")?;
    let skip_conflicts = params.flag("skip_conflicts")?;
    if caller.scope == Scope::Read && !options.dry_run {
        return Err(Problem::of(ServeError::ReadOnlyKey(caller.name)));
    }
    // Detached: once started, the revert runs to its end even if the client goes away.
    let worker = Arc::clone(&app);
    let run = tokio::task::spawn_blocking(move || {
        worker.db.with(|store| {
            let outcome = import::revert(store, id, skip_conflicts, &options, &mut Quiet);
            Ok::<_, StoreError>(match outcome {
                Ok(outcome) => pipeline::finished(
                    &outcome,
                    false,
                    pipeline::Changes::Listed,
                    &Prerender::of(false),
                ),
                Err(Error::Store(StoreError::Busy)) => Err(Problem::busy()),
                Err(Error::ImportNotFound(_)) => Err(Problem::not_found(ServeError::NoImport(id))),
                Err(e) => Err(Problem::internal(e)),
            })
        })
    });
    match run.await {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => Err(Problem::internal(e)),
        Err(e) => Err(Problem::internal(e)),
    }
}
