//! The sync's import: the options of the request, and the library pipeline that runs them on
//! a blocking thread, rendered as the CLI renders `--output json` and `--output ndjson`.

// Until the library pipeline (`roster::import::run`) lands, `run` is a stub.
#![allow(dead_code)]

use super::params::Params;
use super::problem::{Headers, PROBLEM_JSON, Problem};
use crate::error::ServeError;
use crate::model::Role;
use crate::parse::InputFormat;
use crate::policy::Limit;
use crate::store::{SqliteStore, Store};
use axum::body::Bytes;
use axum::http::StatusCode;

pub use crate::cmd::import::DEFAULT_MAX_BYTES;

/// The query parameters of `POST /v1/sync`, named as the flags (SPEC §12).
pub const OPTIONS: &[&str] = &[
    "full_sync",
    "invite",
    "dry_run",
    "skip_invalid",
    "clear_blanks",
    "default_role",
    "max_deactivations",
    "expect_plan",
    "file_name",
];

#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    pub full_sync: bool,
    pub invite: bool,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub clear_blanks: bool,
    pub default_role: Option<Role>,
    pub max_deactivations: Option<Limit>,
    pub expect_plan: Option<String>,
    pub file_name: Option<String>,
}

impl SyncOptions {
    pub fn from_params(params: &Params) -> Result<SyncOptions, Problem> {
        params.only(OPTIONS)?;
        Ok(SyncOptions {
            full_sync: params.flag("full_sync")?,
            invite: params.flag("invite")?,
            dry_run: params.flag("dry_run")?,
            skip_invalid: params.flag("skip_invalid")?,
            clear_blanks: params.flag("clear_blanks")?,
            default_role: params.parse("default_role")?,
            max_deactivations: params.parse("max_deactivations")?,
            expect_plan: params.get("expect_plan").map(str::to_string),
            file_name: params.get("file_name").map(str::to_string),
        })
    }
}

/// One sync to run.
#[derive(Debug)]
pub struct Job {
    pub options: SyncOptions,
    pub format: InputFormat,
    pub bytes: Vec<u8>,
    /// The key's name: the operator in history and the audit log.
    pub operator: String,
    /// Answer with NDJSON events instead of the JSON document.
    pub ndjson: bool,
}

/// What the import thread sends: NDJSON progress lines while it runs, then the answer.
#[derive(Debug)]
pub enum Line {
    Progress(Bytes),
    Finished(Finished),
}

/// The answer of a sync: a status and a body.
#[derive(Debug)]
pub struct Finished {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Headers,
}

impl Finished {
    pub fn problem(p: Problem) -> Finished {
        Finished {
            status: p.status,
            content_type: PROBLEM_JSON,
            body: p.body(),
            headers: p.headers,
        }
    }

    /// Whether an `Idempotency-Key` keeps this answer: an import that ran to a result
    /// (applied, dry run, or refused), not a busy store or a failure of the server.
    pub fn is_kept(&self) -> bool {
        matches!(self.status.as_u16(), 200 | 400 | 422)
    }
}

/// Runs the import; `line` receives each NDJSON progress line as it happens.
pub fn run(
    store: &mut SqliteStore,
    job: &Job,
    line: &mut dyn FnMut(Line),
) -> Result<Finished, Problem> {
    let _lock = if job.options.dry_run {
        None
    } else {
        Some(store.lock_imports()?)
    };
    let _ = line;
    Err(Problem::new(
        StatusCode::NOT_IMPLEMENTED,
        ServeError::SyncUnavailable.to_string(),
    ))
}
