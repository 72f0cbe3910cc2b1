//! The sync's import: the options of the request, and the library pipeline that runs them on
//! a blocking thread, rendered as the CLI renders `--output json` and `--output ndjson`.

use super::params::Params;
use super::problem::{Headers, PROBLEM_JSON, Problem};
use crate::error::{Error, ServeError, StoreError};
use crate::import::{self, Events, ImportInput, ImportOptions, Outcome, Refusal};
use crate::model::Role;
use crate::parse::InputFormat;
use crate::parse::header::Mapping;
use crate::plan::Mode;
use crate::policy::Limit;
use crate::report;
use crate::report::prerender::{Prerender, Rendered};
use crate::store::Store;
use axum::body::Bytes;
use axum::http::StatusCode;

pub use crate::import::DEFAULT_MAX_BYTES;

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
    "max_shrink",
    "deactivate_after_missing",
    "encoding",
    "delimiter",
    "map",
    "report",
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
    /// `P%`: refuse a full sync that shrank more than this from the key's last one.
    pub max_shrink: Option<u64>,
    pub deactivate_after_missing: Option<u64>,
    /// The body's encoding (`encoding`, else the `charset` of its `Content-Type`).
    pub encoding: Option<String>,
    pub delimiter: Option<u8>,
    pub map: Vec<Mapping>,
    /// `report=summary`: the answer leaves out the list of changes (issue 25).
    pub summary_only: bool,
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
            max_shrink: checked(
                params,
                "max_shrink",
                import::parse_percent,
                "a percentage P% from 0% to 100%",
            )?,
            deactivate_after_missing: checked(
                params,
                "deactivate_after_missing",
                |v| v.parse().ok().filter(|&n: &u64| n >= 1),
                "a whole number, 1 or more",
            )?,
            encoding: params.get("encoding").map(str::to_string),
            delimiter: params.get("delimiter").map(delimiter).transpose()?,
            map: params
                .all("map")
                .map(|m| {
                    m.parse::<Mapping>().map_err(|reason| {
                        Problem::bad_request(ServeError::BadParameter {
                            name: "map".into(),
                            reason,
                        })
                    })
                })
                .collect::<Result<_, _>>()?,
            summary_only: params
                .get("report")
                .map(report)
                .transpose()?
                .unwrap_or(false),
        })
    }
}

/// `report`: `full` (the default: the whole document) or `summary` (without `changes`).
fn report(value: &str) -> Result<bool, Problem> {
    match value {
        "full" => Ok(false),
        "summary" => Ok(true),
        _ => Err(Problem::bad_request(ServeError::BadParameter {
            name: "report".into(),
            reason: format!("expected full or summary, got '{value}'"),
        })),
    }
}

/// `name` read by `parse`, when given; a value it refuses is a `400` naming `expected`.
fn checked<T>(
    params: &Params,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Option<T>, Problem> {
    params
        .get(name)
        .map(|v| {
            parse(v).ok_or_else(|| {
                Problem::bad_request(crate::error::ServeError::BadParameter {
                    name: name.to_string(),
                    reason: format!("expected {expected}, got '{v}'"),
                })
            })
        })
        .transpose()
}

/// `delimiter` as the flag takes it: `,` `;` `tab` `|` (or their names).
fn delimiter(value: &str) -> Result<u8, Problem> {
    match value {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\t" | "tab" | "\\t" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        _ => Err(Problem::bad_request(ServeError::BadParameter {
            name: "delimiter".into(),
            reason: format!("expected one of , ; tab |, got '{value}'"),
        })),
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
    /// The body in pieces, sent one after the other.
    pub body: Vec<Bytes>,
    pub headers: Headers,
}

impl Finished {
    pub fn problem(p: Problem) -> Finished {
        Finished {
            status: p.status,
            content_type: PROBLEM_JSON,
            body: vec![Bytes::from(p.body())],
            headers: p.headers,
        }
    }

    /// The whole body in one buffer.
    pub fn body_bytes(&self) -> Vec<u8> {
        self.body.concat()
    }

    /// Whether an `Idempotency-Key` keeps this answer: an import that ran to a result
    /// (applied, dry run, or refused), not a busy store or a failure of the server.
    pub fn is_kept(&self) -> bool {
        matches!(self.status.as_u16(), 200 | 400 | 422)
    }
}

impl Job {
    /// The request as the library's options: what `roster import` would run with the same
    /// flags, the key's name as operator.
    pub(super) fn options(&self) -> ImportOptions {
        let o = &self.options;
        let mut options = ImportOptions::new(self.operator.clone());
        options.dry_run = o.dry_run;
        options.mode = Mode {
            full_sync: o.full_sync,
            invite: o.invite,
            clear_blanks: o.clear_blanks,
            default_role: o.default_role.unwrap_or(options.mode.default_role),
        };
        options.skip_invalid = o.skip_invalid;
        options.max_deactivations = o.max_deactivations;
        options.input_format = self.format;
        options.expect_plan = o.expect_plan.clone();
        options.file_name = Some(self.file_name());
        options.max_shrink = o.max_shrink;
        options.deactivate_after_missing = o.deactivate_after_missing;
        options.source = Some(import::shrink::key_source(&self.operator));
        options.encoding = o.encoding.clone();
        options.delimiter = o.delimiter;
        options.map = o.map.clone();
        options
    }

    /// `file_name`, else `sync.csv`, `sync.json` or `sync.ndjson` by the body's type.
    pub(super) fn file_name(&self) -> String {
        self.options.file_name.clone().unwrap_or_else(|| {
            let ext = match self.format {
                InputFormat::Json => "json",
                InputFormat::Ndjson => "ndjson",
                _ => "csv",
            };
            format!("sync.{ext}")
        })
    }
}

/// Runs the import through the library, as `roster import` does, and renders its outcome as
/// `--output json` (or the NDJSON events after progress) renders it. `events` sees progress;
/// `prerender` holds the changes if `events` rendered them beside the apply.
pub fn run(
    store: &mut Store,
    job: Job,
    events: &mut dyn Events,
    prerender: &Prerender,
) -> Result<Finished, Problem> {
    let mut options = job.options();
    if options.mode.full_sync {
        let source = options.source.as_deref().unwrap_or_default();
        options.previous =
            import::shrink::previous_full_sync(store, source).map_err(Problem::internal)?;
    }
    let input = ImportInput::bytes(job.file_name(), job.bytes);
    let outcome = match import::run(store, input, &options, events) {
        Ok(outcome) => outcome,
        Err(Error::Store(StoreError::Busy)) => return Err(Problem::busy()),
        Err(e) => return Err(Problem::internal(e)),
    };
    let changes = Changes::of(job.options.summary_only);
    let answer = finished(&outcome, job.ndjson, changes, prerender);
    outcome.free_beside();
    answer
}

/// Whether an answer lists the changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changes {
    Listed,
    /// `report=summary`: every key but `changes` (NDJSON: no `change` events).
    Left,
}

impl Changes {
    pub fn of(summary_only: bool) -> Changes {
        match summary_only {
            true => Changes::Left,
            false => Changes::Listed,
        }
    }
}

/// The response of an import's (or a revert's) outcome: its status, and its result document
/// (or NDJSON events), as `--output json` renders it.
pub fn finished(
    outcome: &Outcome,
    ndjson: bool,
    changes: Changes,
    prerender: &Prerender,
) -> Result<Finished, Problem> {
    let status = match &outcome.refusal {
        None => StatusCode::OK,
        // The server never asks for a confirmation (Events::confirm's default), so a
        // cancellation cannot come back; were one to, it is a refusal of the plan.
        Some(Refusal::Rules(_) | Refusal::Cancelled) => StatusCode::UNPROCESSABLE_ENTITY,
        Some(Refusal::File(_) | Refusal::Rows { .. }) => StatusCode::BAD_REQUEST,
        // Only a revert is refused so; it has its own endpoint.
        Some(Refusal::Revert(_)) => StatusCode::CONFLICT,
    };
    let content_type = if ndjson { NDJSON } else { JSON };
    let body = match changes {
        Changes::Listed => answer(outcome, ndjson, prerender.take()),
        Changes::Left => summary_answer(outcome, ndjson),
    }
    .map_err(Problem::internal)?;
    Ok(Finished {
        status,
        content_type,
        body,
        headers: Vec::new(),
    })
}

/// The answer in pieces: the document's head, the list of changes in the pieces it was rendered
/// in (maybe beside the apply; maybe a gigabyte), and its end, sent without being copied into
/// one buffer.
fn answer(
    outcome: &Outcome,
    ndjson: bool,
    changes: Option<Rendered>,
) -> std::io::Result<Vec<Bytes>> {
    let changes = match changes {
        Some(rendered) => rendered,
        None => {
            let mut rendered = Rendered::default();
            match ndjson {
                true => report::ndjson::write_changes(outcome.changes(), &mut rendered)?,
                false => report::json::write_changes(outcome.changes(), &mut rendered)?,
            }
            rendered
        }
    };
    let changes = changes.into_pieces().into_iter().map(Bytes::from);
    let mut after = Vec::new();
    if ndjson {
        report::ndjson::write_after_changes(outcome, &mut after)?;
        return Ok(changes.chain([Bytes::from(after)]).collect());
    }
    report::json::after_changes(outcome, &mut after)?;
    after.push(b'\n');
    let before = Bytes::from(report::json::before_changes(outcome)?);
    Ok(std::iter::once(before)
        .chain(changes)
        .chain([Bytes::from(after)])
        .collect())
}

/// The answer of `report=summary`: the document without `changes`, or the NDJSON events
/// after them (errors, warnings, the summary).
fn summary_answer(outcome: &Outcome, ndjson: bool) -> std::io::Result<Vec<Bytes>> {
    let mut out = Vec::new();
    match ndjson {
        true => report::ndjson::write_after_changes(outcome, &mut out)?,
        false => {
            report::json::write_without_changes(outcome, &mut out)?;
            out.push(b'\n');
        }
    }
    Ok(vec![Bytes::from(out)])
}

pub const NDJSON: &str = "application/x-ndjson";
pub const JSON: &str = "application/json";
