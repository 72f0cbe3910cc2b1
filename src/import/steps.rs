//! The steps of [`super::run`] between the bytes and the apply: decode, parse, validate (while
//! the snapshot loads), resolve, plan, and the checks that may refuse the plan.

use super::events::{Events, Laps, Stage};
use super::options::ImportOptions;
use super::outcome::{Planned, Refusal};
use crate::columns::Catalog;
use crate::error::{FileError, Result, RowError, Rule, StoreError};
use crate::input::{self, Input};
use crate::parse::{self, Table};
use crate::plan::{self, Plan};
use crate::policy::{self, Limit, Policy};
use crate::snapshot::Snapshot;
use crate::store::Store;
use crate::validate::Kept;
use crate::{decode, error_report, parallel, resolve, validate};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// What the steps read besides the file.
pub(super) struct Context<'a> {
    pub options: &'a ImportOptions,
    pub catalog: &'a Catalog,
    pub max_rows: u64,
    pub file_name: &'a str,
    /// The file the input was read from, when it can be read again: its rows are then freed
    /// as they are validated, and read again only if a later step needs them.
    pub path: Option<&'a Path>,
    /// Opened when the snapshot may load (see `holds_snapshot_for_original`).
    pub snapshot_gate: &'a parallel::Gate,
}

pub(super) enum Prepared {
    FileError(FileError),
    Planned(Box<PlannedRun>),
}

/// A planned run, with what the report needs of the file (which is gone by now).
pub(super) struct PlannedRun {
    pub planned: Planned,
    pub snapshot: Snapshot,
    pub errors: Vec<RowError>,
    pub warnings: Vec<String>,
    pub error_report: Option<Vec<u8>>,
    /// The SHA-256 of the file read a second time, to be checked against the first reading's.
    pub reread_sha256: Option<String>,
}

/// Decodes, parses and validates the file while `second` loads the snapshot; then resolves
/// and plans against it.
pub(super) fn prepare(
    input: Arc<Input>,
    second: Store,
    cx: &Context,
    events: &mut dyn Events,
    laps: &mut Laps,
) -> Result<Prepared> {
    let (snapshot, read) = parallel::join(
        move || {
            cx.snapshot_gate.wait();
            second.snapshot()
        },
        || {
            let parsed = parallel::watch(
                0,
                |tally| decode_and_parse(&input, cx, tally),
                &mut within(events, Stage::Parse, None),
            );
            // The history thread keeps its own handle on the bytes until its row is written.
            drop(input);
            let table = parsed?;
            laps.lap(events, "parse");
            let rows = table.rows.len() as u64;
            events.progress(Stage::Parse, rows, rows);
            events.progress(Stage::Validate, 0, rows);
            let validated = parallel::watch(
                rows,
                |tally| match cx.path {
                    Some(_) => validate::validate_owned(table, cx.catalog, tally),
                    None => {
                        let validated = validate::validate_counting(&table, cx.catalog, tally);
                        (validated, Kept { table, whole: true })
                    }
                },
                &mut within(events, Stage::Validate, Some(Share::all(rows))),
            );
            laps.lap(events, "validate");
            Ok(validated)
        },
    );
    let (mut validated, mut kept) = match read {
        Ok(read) => read,
        Err(e) => return Ok(Prepared::FileError(e)),
    };
    let mut snapshot = snapshot?;
    // The flag wins over the store's setting for this run; the plan reads the snapshot's.
    if let Some(n) = cx.options.deactivate_after_missing {
        snapshot.settings.deactivate_after_missing = Some(n);
    }
    laps.lap(events, "snapshot");
    let mut reread_sha256 = None;
    if snapshot.catalog != *cx.catalog {
        // A definition changed while the file was read: validate against the snapshot's.
        match whole_table(kept, None, cx, &mut reread_sha256) {
            Ok(table) => {
                validated = validate::validate(&table, &snapshot.catalog);
                kept = Kept { table, whole: true };
            }
            Err(e) => return Ok(Prepared::FileError(e)),
        }
    }
    let rows = validated.rows;
    events.progress(Stage::Validate, rows, rows);
    events.progress(Stage::Plan, 0, rows);
    // The plan stage's progress: its first half resolves the records, its second plans them.
    let (first, second) = Share::halves(rows);
    let mut resolve = |validated: validate::Validated| {
        parallel::watch(
            validated.records.len() as u64,
            |tally| resolve::resolve_counting(validated, &snapshot, tally),
            &mut within(events, Stage::Plan, Some(first)),
        )
    };
    // The error report is the last use of the file's cells: the rows the validation kept, or
    // the file read again (`whole_table`). When the resolve can find no conflict (an empty
    // store), the validation's errors are all there are: the table goes before the records
    // are resolved (a large first import's peak). Otherwise it goes after.
    let (resolved, freed) = match resolve::may_conflict(&snapshot) {
        false => {
            let freed = report_and_free(kept, &validated.errors, cx, &mut reread_sha256)?;
            (resolve(validated), freed)
        }
        true => {
            let resolved = resolve(validated);
            let freed = report_and_free(kept, &resolved.errors, cx, &mut reread_sha256)?;
            (resolved, freed)
        }
    };
    let (error_report, warnings) = match freed {
        Freed::Report(error_report, warnings) => (error_report, warnings),
        Freed::FileError(e) => return Ok(Prepared::FileError(e)),
    };
    let errors = resolved.errors.clone();
    let planned = parallel::watch(
        resolved.records.len() as u64,
        |tally| {
            Planned::new(resolved, |r| {
                plan::plan_counting(r, &snapshot, &cx.options.mode, tally)
            })
        },
        &mut within(events, Stage::Plan, Some(second)),
    );
    events.progress(Stage::Plan, rows, rows);
    laps.lap(events, "plan");
    Ok(Prepared::Planned(Box::new(PlannedRun {
        planned,
        snapshot,
        errors,
        warnings,
        error_report,
        reread_sha256,
    })))
}

/// What [`report_and_free`] leaves of the file once its cells are gone.
enum Freed {
    /// The error report (see `free_table`) and the file's warnings.
    Report(Option<Vec<u8>>, Vec<String>),
    /// The file, read again for the report, is refused: [`prepare`] returns it as
    /// [`Prepared::FileError`], not as the run's error.
    FileError(FileError),
}

/// [`free_table`] of the table [`whole_table`] gives for `errors`.
fn report_and_free(
    kept: Kept,
    errors: &[RowError],
    cx: &Context,
    sha256: &mut Option<String>,
) -> Result<Freed> {
    let table = match whole_table(kept, Some(errors), cx, sha256) {
        Ok(table) => table,
        Err(e) => return Ok(Freed::FileError(e)),
    };
    let (error_report, warnings) = free_table(table, errors, cx.options)?;
    Ok(Freed::Report(error_report, warnings))
}

/// The table with every row that `errors` names (`None`: every row of the file): `kept`
/// itself when it has them, else the file read and parsed again, its SHA-256 left in `sha256`
/// for the caller to compare with the first reading's.
fn whole_table(
    kept: Kept,
    errors: Option<&[RowError]>,
    cx: &Context,
    sha256: &mut Option<String>,
) -> std::result::Result<Table, FileError> {
    let has_rows = |errors: &[RowError]| {
        let rows: HashSet<u32> = kept.table.rows.iter().map(|r| r.row).collect();
        errors
            .iter()
            .filter_map(|e| e.row)
            .all(|row| rows.contains(&row))
    };
    // Only the rows of a file that can be read again are dropped.
    let (false, Some(path)) = (kept.whole || errors.is_some_and(has_rows), cx.path) else {
        return Ok(kept.table);
    };
    drop(kept);
    let input = input::read(input::Source::Path(path.to_path_buf()), u64::MAX)?;
    *sha256 = Some(input::sha256_hex(&input.bytes));
    decode_and_parse(&input, cx, &parallel::Tally::default())
}

fn decode_and_parse(
    input: &Input,
    cx: &Context,
    tally: &parallel::Tally,
) -> std::result::Result<Table, FileError> {
    input::refuse_binary(input)?;
    let decoded = decode::decode(input, cx.options.encoding.as_deref())?;
    let options = cx.options.parse_options(cx.max_rows, cx.file_name);
    parse::parse_counting(&decoded, &options, cx.catalog, tally)
}

/// The rows `from..from + span` of a stage of `rows` rows, which one watched work covers.
#[derive(Clone, Copy)]
struct Share {
    rows: u64,
    from: u64,
    span: u64,
}

impl Share {
    fn all(rows: u64) -> Share {
        Share {
            rows,
            from: 0,
            span: rows,
        }
    }

    fn halves(rows: u64) -> (Share, Share) {
        let half = rows / 2;
        let second = Share {
            rows,
            from: half,
            span: rows - half,
        };
        (
            Share {
                span: half,
                ..Share::all(rows)
            },
            second,
        )
    }
}

/// Reports a watched work's count as progress within `stage`: scaled onto its `share` of the
/// stage's rows (at most every 5% of them), or (`None`) as counted, the total an estimate.
fn within(
    events: &mut dyn Events,
    stage: Stage,
    share: Option<Share>,
) -> impl FnMut(u64, u64) + '_ {
    let mut last = share.map_or(0, |s| s.from);
    move |done, total| match share {
        None => events.progress(stage, done, total),
        Some(s) => {
            let done = s.from + done * s.span / total.max(1);
            if done >= last + (s.rows / 20).max(1) {
                events.progress(stage, done, s.rows);
                last = done;
            }
        }
    }
}

/// The error report (if a row had an error, or `--errors-csv` asks for one anyway) and the
/// file's warnings; then the table goes, its 150 MB at 1M rows unmapped on another core.
fn free_table(
    mut table: Table,
    errors: &[RowError],
    options: &ImportOptions,
) -> Result<(Option<Vec<u8>>, Vec<String>)> {
    let report = match errors.is_empty() && !options.always_report_errors {
        true => None,
        false => {
            let mut buf = Vec::new();
            error_report::write(&table, errors, &mut buf)?;
            Some(buf)
        }
    };
    let warnings = std::mem::take(&mut table.warnings);
    parallel::drop_beside(table);
    Ok((report, warnings))
}

/// The refusals, in order: row errors (without `--skip-invalid`, or with it when no row is
/// valid: there is nothing to apply, and a full sync would deactivate everyone), a changed plan under
/// `--expect-plan` (refused on its own), then the safety rules. `plan_id` hashes the plan once,
/// when first needed.
pub(super) fn check(
    plan: &Plan,
    snapshot: &Snapshot,
    options: &ImportOptions,
    errors: &[RowError],
    plan_id: &dyn Fn() -> String,
) -> Result<Option<Refusal>> {
    if !errors.is_empty() && (!options.skip_invalid || valid_rows(plan) == 0) {
        return Ok(Some(Refusal::Rows {
            rows: errored_rows(errors),
            errors: errors.len(),
            valid: valid_rows(plan),
        }));
    }
    if let Some(expected) = &options.expect_plan
        && expected.trim() != plan_id()
    {
        return Ok(Some(Refusal::Rules(vec![Rule::PlanChanged])));
    }
    let policy = Policy {
        seat_limit: snapshot.settings.seat_limit,
        max_deactivations: match options.max_deactivations {
            Some(limit) => Some(limit),
            None => stored_limit(snapshot)?,
        },
        shrink: match (options.mode.full_sync, options.previous) {
            (true, Some(previous)) => max_shrink(options, snapshot)?.map(|p| (p, previous)),
            _ => None,
        },
    };
    Ok(policy::check(plan, snapshot, &policy)
        .err()
        .map(Refusal::Rules))
}

/// The store's `max-deactivations`; a value that is not one is refused, not ignored.
fn stored_limit(snapshot: &Snapshot) -> Result<Option<Limit>, StoreError> {
    let Some(value) = snapshot.settings.max_deactivations.as_deref() else {
        return Ok(None);
    };
    value
        .parse::<Limit>()
        .map(Some)
        .map_err(|_| StoreError::BadSetting {
            key: "max-deactivations",
            value: value.to_string(),
        })
}

/// `--max-shrink`, else the store's `max-shrink` (a value that is not one is refused).
fn max_shrink(options: &ImportOptions, snapshot: &Snapshot) -> Result<Option<u64>, StoreError> {
    if options.max_shrink.is_some() {
        return Ok(options.max_shrink);
    }
    let Some(value) = snapshot.settings.max_shrink.as_deref() else {
        return Ok(None);
    };
    parse_percent(value)
        .map(Some)
        .ok_or(StoreError::BadSetting {
            key: "max-shrink",
            value: value.to_string(),
        })
}

/// `P%` or `P`, from 0 to 100: the value of `max-shrink`.
pub fn parse_percent(value: &str) -> Option<u64> {
    let v = value.trim();
    let v = v.strip_suffix('%').unwrap_or(v).trim();
    v.parse::<u64>().ok().filter(|&p| p <= 100)
}

/// Rows with at least one error ("3 rows have errors" for 3 rows, however many errors each has).
fn errored_rows(errors: &[RowError]) -> usize {
    let rows: std::collections::HashSet<u32> = errors.iter().filter_map(|e| e.row).collect();
    rows.len() + errors.iter().filter(|e| e.row.is_none()).count()
}

/// Members the file would apply if the errored rows were skipped.
fn valid_rows(plan: &Plan) -> u64 {
    policy::members_named(plan)
}
