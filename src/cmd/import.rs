//! `roster import` and `roster diff`: wiring. The flags become [`ImportOptions`], the library
//! runs the import ([`crate::import::run`]), and the outcome is rendered as a table, JSON or
//! NDJSON, with its exit code.

use super::{Output, open_existing, open_store};
use crate::cli::Show;
use crate::cli::{GlobalArgs, ImportArgs};
use crate::columns;
use crate::error::{Code, Error, Result, RowError, msg};
use crate::import::{self, ImportInput, ImportOptions, Outcome, Refusal, RunStatus};
use crate::plan::Mode;
use crate::report::plan_text::PlanView;
use crate::report::prerender::{Prerender, Rendered};
use crate::report::progress::Progress;
use crate::report::{self, OutputFormat};
use crate::term::Term;
use observer::Observer;

mod observer;
pub mod revert;

/// Row errors listed on stderr in table mode; `--errors-csv` and JSON have them all.
const MAX_LISTED_ERRORS: usize = 100;

pub fn run(args: &ImportArgs, global: &GlobalArgs, term: &Term, is_diff: bool) -> Result<u8> {
    let (outcome, observer, errors_csv) =
        refused_as(args.output, plan(args, global, term, is_diff))?;
    report(outcome, observer, errors_csv, args, global, term)
}

/// An error before the outcome exists (no store, the store busy, a usage error) has no import
/// document: under `--output json` or `ndjson` it is the refusal document
/// ([`super::refusal`]), so that stdout always answers.
fn refused_as<T>(output: OutputFormat, result: Result<T>) -> Result<T> {
    if let (Err(e), Some(format)) = (&result, super::refusal::Refusals::of(output)) {
        super::refusal::write(e, format);
    }
    result
}

/// The import run up to its outcome.
fn plan(
    args: &ImportArgs,
    global: &GlobalArgs,
    term: &Term,
    is_diff: bool,
) -> Result<(Outcome, Observer, Option<Output>)> {
    if args.output == OutputFormat::Html && !(is_diff || args.dry_run) {
        return Err(Error::Refusal(
            Code::HtmlNeedsDryRun,
            msg::HTML_NEEDS_DRY_RUN.to_string(),
        ));
    }
    let mut store = match is_diff || args.dry_run {
        true => open_existing(global)?,
        false => open_store(global)?,
    };
    let mut options = options(args, is_diff);
    let input = ImportInput::from_arg(&args.file);
    let source = import::shrink::file_source(&input.name());
    if args.full_sync {
        options.previous = import::shrink::previous_full_sync(&store, &source)?;
    }
    options.source = Some(source);
    // Opened before the run, so that a path it cannot write refuses the import up front.
    let errors_csv = args
        .errors_csv
        .as_deref()
        .map(|p| Output::create(Some(p)))
        .transpose()?;
    let mut observer = observer(args, term, is_diff);
    let outcome = import::run(&mut store, input, &options, &mut observer)?;
    Ok((outcome, observer, errors_csv))
}

/// What sees the run: progress, the question before applying, the changes rendered beside
/// the apply.
fn observer(args: &ImportArgs, term: &Term, is_diff: bool) -> Observer {
    // The spinner is for people at a terminal: never under --output json or ndjson.
    let spinner = (args.output == OutputFormat::Table).then_some(*term);
    Observer {
        progress: Progress::new(spinner, args.output == OutputFormat::Ndjson),
        timings: std::env::var_os("ROSTER_TIMINGS").is_some(),
        term: *term,
        wait: args.wait,
        ask: !is_diff && !args.dry_run && !args.yes && Observer::at_a_terminal(),
        asked: false,
        prerender: Prerender::new(args.output),
    }
}

/// The outcome's reports (stdout, `--errors-csv`) and its exit code.
fn report(
    outcome: Outcome,
    mut observer: Observer,
    errors_csv: Option<Output>,
    args: &ImportArgs,
    global: &GlobalArgs,
    term: &Term,
) -> Result<u8> {
    observer.progress.finish();
    // The outcome is decided: a report that cannot be written after the import was applied
    // must not exit 1, which says nothing changed (exit 6; a closed pipe stays exit 0).
    let changes = observer.prerender.as_ref().and_then(Prerender::take);
    let plan_shown = observer.asked;
    let written = write_reports(
        &outcome,
        changes.as_ref(),
        errors_csv,
        args,
        global,
        term,
        plan_shown,
    );
    let code = match written {
        Err(e) => match (outcome.status, outcome.import_id) {
            (RunStatus::Completed, Some(id)) if !is_broken_pipe(&e) => Err(Error::Unreported {
                id,
                reason: e.to_string(),
            }),
            _ => Err(e),
        },
        Ok(()) => match &outcome.refusal {
            Some(refusal) => Err(refusal.to_error(
                listed_errors(&outcome, args.output),
                row_hints(refusal, &outcome, args),
            )),
            None if args.detailed_exitcode && outcome.has_changes() => Ok(3),
            None => Ok(0),
        },
    };
    // The command's last use of the outcome: the process exits next.
    outcome.leave_unfreed();
    code
}

/// The error report CSV (`--errors-csv`), then the report on stdout.
fn write_reports(
    outcome: &Outcome,
    changes: Option<&Rendered>,
    errors_csv: Option<Output>,
    args: &ImportArgs,
    global: &GlobalArgs,
    term: &Term,
    plan_shown: bool,
) -> Result<()> {
    if let (Some(mut out), Some(report)) = (errors_csv, &outcome.error_report) {
        use std::io::Write;
        out.write_all(report).map_err(|e| out.error(e))?;
        out.finish()?;
    }
    render(outcome, changes, args, global, term, plan_shown)
}

fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The flags as the library's options.
fn options(args: &ImportArgs, is_diff: bool) -> ImportOptions {
    ImportOptions {
        dry_run: is_diff || args.dry_run,
        mode: Mode {
            full_sync: args.full_sync,
            invite: args.invite,
            clear_blanks: args.clear_blanks,
            default_role: args.default_role,
        },
        skip_invalid: args.skip_invalid,
        max_deactivations: args.max_deactivations,
        input_format: args.input_format,
        encoding: args.encoding.clone(),
        delimiter: args.delimiter,
        map: args.map.clone(),
        max_rows: args.max_rows,
        max_bytes: args.max_bytes,
        expect_plan: args.expect_plan.clone(),
        max_shrink: args.max_shrink,
        deactivate_after_missing: args.deactivate_after_missing,
        always_report_errors: args.errors_csv.is_some(),
        wait: args.wait,
        ..ImportOptions::new(super::operator(args.operator.as_deref()))
    }
}

/// stdout gets the data (table, JSON or NDJSON); stderr the warnings. `changes`: the list of
/// changes rendered beside the apply, if it was; `plan_shown`: the plan was shown with the
/// question, so the table leaves it out.
fn render(
    outcome: &Outcome,
    changes: Option<&Rendered>,
    args: &ImportArgs,
    global: &GlobalArgs,
    term: &Term,
    plan_shown: bool,
) -> Result<()> {
    use std::io::Write;
    // Buffered: serde writes a large document in many small pieces.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match args.output {
        OutputFormat::Json => {
            report::json::write_document(outcome, changes, &mut out)?;
            writeln!(out)?;
        }
        OutputFormat::Ndjson => report::ndjson::write(outcome, changes, &mut out)?,
        OutputFormat::Html => {
            print_warnings(&outcome.warnings, term);
            report::html::document(outcome, &mut out)?;
        }
        OutputFormat::Table => {
            print_warnings(&outcome.warnings, term);
            // A cancelled run's plan was just shown with the question.
            let cancelled = outcome.refusal == Some(Refusal::Cancelled);
            if !cancelled && (outcome.refusal.is_none() || outcome.plan().is_some()) {
                let view = PlanView::for_stdout(global.color, args.show == Show::All);
                match plan_shown {
                    true => report::table::write_summary(outcome, &view, &mut out)?,
                    false => report::table::write_with(outcome, &view, &mut out)?,
                }
            }
        }
    }
    out.flush()?;
    if outcome.refusal.is_none() && !outcome.errors.is_empty() {
        print_skipped(outcome, args.output, term);
    }
    Ok(())
}

/// The warnings on stderr (the `--map`s of a run are already one).
fn print_warnings(warnings: &[String], term: &Term) {
    warnings.iter().for_each(|w| term.warning(w));
}

/// The row errors listed under a refusal's message: in table mode, the first hundred.
fn listed_errors(outcome: &Outcome, output: OutputFormat) -> Vec<String> {
    if output != OutputFormat::Table || !matches!(outcome.refusal, Some(Refusal::Rows { .. })) {
        return Vec::new();
    }
    let mut lines: Vec<String> = outcome
        .errors
        .iter()
        .take(MAX_LISTED_ERRORS)
        .map(describe_error)
        .collect();
    if outcome.errors.len() > MAX_LISTED_ERRORS {
        lines.push(format!(
            "... and {} more",
            outcome.errors.len() - MAX_LISTED_ERRORS
        ));
    }
    lines
}

/// What to do about a row refusal: the errors' own hints (E.164, `roster labels add`), then
/// skipping them, then the error report.
fn row_hints(refusal: &Refusal, outcome: &Outcome, args: &ImportArgs) -> Vec<String> {
    let Refusal::Rows { valid, .. } = refusal else {
        return Vec::new();
    };
    let mut hints = msg::row_hints(&outcome.errors, columns::date_fault);
    if *valid == 0 && args.skip_invalid {
        hints.push(msg::NO_VALID_ROW.to_string());
    } else if *valid == 0 {
        // --skip-invalid is for runs that gave it: it would not help here.
        hints.push("no row is valid: fix the rows and run again.".to_string());
    } else {
        hints.push(format!(
        "fix these rows and run again, or re-run with --skip-invalid to apply the {valid} valid {}.",
        if *valid == 1 { "member" } else { "members" }
    ));
    }
    if args.errors_csv.is_none() {
        hints.push("--errors-csv errors.csv writes the rejected rows with error_row, error_column, error_message and error_code.".into());
    }
    hints
}

/// `--skip-invalid`: the rows left out, as warnings.
fn print_skipped(outcome: &Outcome, output: OutputFormat, term: &Term) {
    term.warning(&msg::skipped_rows(
        outcome.errored_rows(),
        outcome.errors.len(),
    ));
    if output == OutputFormat::Table && !term.quiet {
        for e in outcome.errors.iter().take(MAX_LISTED_ERRORS) {
            term.detail(&describe_error(e));
        }
        msg::row_hints(&outcome.errors, columns::date_fault)
            .iter()
            .for_each(|h| term.hint(h));
    }
}

/// "row 4, email 'jane.doe@': Invalid email format".
pub fn describe_error(e: &RowError) -> String {
    if e.message.starts_with("Row ") {
        return e.message.clone();
    }
    match (e.row, &e.column, &e.value) {
        (Some(r), Some(c), Some(v)) => format!("row {r}, {c} '{v}': {}", e.message),
        (Some(r), _, _) => format!("row {r}: {}", e.message),
        _ => e.message.clone(),
    }
}
