//! `roster import` and `roster diff`: the only place the pipeline stages are strung together.
//! input -> decode -> parse -> validate -> resolve -> plan -> policy -> apply -> report.

use super::{login_user, open_store};
use crate::cli::{GlobalArgs, ImportArgs};
use crate::columns::Catalog;
use crate::error::{Error, FileError, Result, RowError, Rule};
use crate::input::{self, Source};
use crate::parse::{self, ParseOptions, Table};
use crate::plan::{self, Mode, Plan};
use crate::policy::{self, Limit, Policy};
use crate::report::progress::Progress;
use crate::report::{self, FileInfo, Outcome, OutputFormat};
use crate::store::{ImportMeta, Settings, Snapshot, SqliteStore, Store};
use crate::term::Term;
use crate::{decode, resolve, validate};
use serde_json::json;

pub const DEFAULT_MAX_BYTES: u64 = 10_000_000;
pub use crate::parse::DEFAULT_MAX_ROWS;
/// Row errors listed on stderr in table mode; `--errors-csv` and JSON have them all.
const MAX_LISTED_ERRORS: usize = 100;

pub fn run(args: &ImportArgs, global: &GlobalArgs, term: &Term, is_diff: bool) -> Result<u8> {
    let mut store = open_store(global)?;
    let dry_run = is_diff || args.dry_run;
    let _lock = if dry_run {
        None
    } else {
        Some(store.lock_imports()?)
    };
    // The spinner is for people at a terminal: never under --output json or ndjson.
    let spinner = (args.output == OutputFormat::Table).then_some(*term);
    let progress = Progress::new(spinner, args.output == OutputFormat::Ndjson);
    let (catalog, settings) = store.definitions()?;
    let db = super::db_path(global);
    let mut run = Run {
        args,
        term,
        dry_run,
        operator: args.operator.clone().unwrap_or_else(login_user),
        import_id: None,
        file: FileInfo {
            name: Source::from_arg(&args.file).name(),
            ..FileInfo::default()
        },
        progress,
        laps: Laps::new(),
    };
    // The snapshot loads on its own connection while this thread reads and validates the file.
    std::thread::scope(|scope| {
        let loader = scope.spawn(|| SqliteStore::open(&db).and_then(|s| s.snapshot()));
        let snapshot = || match loader.join() {
            Ok(result) => result.map_err(Error::from),
            Err(_) => Err(Error::Io(std::io::Error::other(
                "the snapshot loader panicked",
            ))),
        };
        run.execute(&mut store, &catalog, &settings, snapshot)
    })
}

/// The import's history row (with the compressed original), written on a second thread while
/// the file is parsed, validated and planned. Dry runs write none.
enum History<'scope> {
    DryRun(&'scope mut SqliteStore),
    Writing(
        std::thread::ScopedJoinHandle<
            'scope,
            (
                &'scope mut SqliteStore,
                std::result::Result<i64, crate::error::StoreError>,
            ),
        >,
    ),
}

impl<'scope> History<'scope> {
    fn start<'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        store: &'scope mut SqliteStore,
        dry_run: bool,
        meta: &'scope ImportMeta,
        input: &std::sync::Arc<input::Input>,
    ) -> History<'scope> {
        if dry_run {
            return History::DryRun(store);
        }
        let input = std::sync::Arc::clone(input);
        History::Writing(scope.spawn(move || {
            let id = store.begin_import(meta, &input.bytes);
            (store, id)
        }))
    }

    /// Waits for the history row; the import's id is then known.
    fn finish(self, run: &mut Run) -> Result<&'scope mut SqliteStore> {
        match self {
            History::DryRun(store) => Ok(store),
            History::Writing(handle) => {
                let (store, id) = handle
                    .join()
                    .map_err(|_| Error::Io(std::io::Error::other("the history writer panicked")))?;
                run.import_id = Some(id?);
                Ok(store)
            }
        }
    }
}

/// Phase timings on stderr when `ROSTER_TIMINGS` is set (for the benchmark).
struct Laps {
    at: Option<std::time::Instant>,
}

impl Laps {
    fn new() -> Laps {
        Laps {
            at: std::env::var_os("ROSTER_TIMINGS").map(|_| std::time::Instant::now()),
        }
    }

    fn lap(&mut self, phase: &str) {
        if let Some(at) = &mut self.at {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let mb = |key: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
                    .map_or(0, |kb| kb / 1024)
            };
            eprintln!(
                "phase {phase:<9} {:>8.3} s  rss {:>5} MB  peak {:>5} MB",
                at.elapsed().as_secs_f64(),
                mb("VmRSS:"),
                mb("VmHWM:")
            );
            *at = std::time::Instant::now();
        }
    }
}

struct Run<'a> {
    args: &'a ImportArgs,
    term: &'a Term,
    dry_run: bool,
    operator: String,
    import_id: Option<i64>,
    file: FileInfo,
    progress: Progress,
    laps: Laps,
}

impl Run<'_> {
    fn execute(
        &mut self,
        store: &mut SqliteStore,
        catalog: &Catalog,
        settings: &Settings,
        snapshot: impl FnOnce() -> Result<Snapshot>,
    ) -> Result<u8> {
        let args = self.args;
        let max_bytes = args
            .max_bytes
            .or(settings.max_bytes)
            .unwrap_or(DEFAULT_MAX_BYTES);
        let max_rows = args
            .max_rows
            .or(settings.max_rows)
            .unwrap_or(DEFAULT_MAX_ROWS);
        let input = match input::read(&Source::from_arg(&args.file), max_bytes) {
            Ok(input) => input,
            Err(e) => {
                if !self.dry_run {
                    self.import_id = Some(store.begin_import(&self.meta(), &[])?);
                }
                return self.file_error(store, e);
            }
        };
        self.file.sha256 = input.sha256.clone();
        self.file.bytes = input.bytes.len() as u64;
        self.file.encoding = decode::encoding_name(&input, args.encoding.as_deref());
        let meta = self.meta();
        let input = std::sync::Arc::new(input);
        std::thread::scope(|scope| {
            let history = History::start(scope, store, self.dry_run, &meta, &input);
            let parsed = self.decode_and_parse(&input, max_rows, catalog);
            // The history thread keeps its own handle on the bytes until its row is written.
            drop(input);
            let mut table = match parsed {
                Ok(t) => t,
                Err(e) => {
                    let store = history.finish(self)?;
                    return self.file_error(store, e);
                }
            };
            self.laps.lap("parse");
            let rows = table.rows.len() as u64;
            self.progress.parsed(rows);
            self.progress.stage("validate", 0, rows);
            let mut validated = validate::validate(&table, catalog);
            self.laps.lap("validate");
            let snapshot = &snapshot()?;
            self.laps.lap("snapshot");
            if snapshot.catalog != *catalog {
                // A definition changed while the file was read: validate against the snapshot's.
                validated = validate::validate(&table, &snapshot.catalog);
            }
            self.progress.stage("validate", rows, rows);
            self.progress.stage("plan", 0, rows);
            let resolved = resolve::resolve(validated, snapshot);
            let errors = resolved.errors.clone();
            // The error report, built once: for --errors-csv and for the history. It is the
            // last use of the file's cells: the table goes before the plan and the apply.
            let report = match (errors.is_empty(), &args.errors_csv) {
                (true, None) => None,
                _ => Some(errors_csv_bytes(&table, &errors)?),
            };
            if let (Some(path), Some(bytes)) = (&args.errors_csv, &report) {
                super::write_output(Some(path), bytes)?;
            }
            let report = report.filter(|_| !errors.is_empty());
            let warnings = std::mem::take(&mut table.warnings);
            drop(table);
            let plan = plan::plan(&resolved, snapshot, &self.mode());
            self.progress.stage("plan", rows, rows);
            // Hashed once, when first needed: an import that goes on to apply hashes its plan
            // beside the apply.
            let plan_id = std::sync::OnceLock::new();
            let id_of_plan = || plan_id.get_or_init(|| plan.id(snapshot.generation)).clone();
            let refused_for_rows = !errors.is_empty() && !args.skip_invalid;
            self.laps.lap("plan");
            let store = history.finish(self)?;
            let mut outcome = Outcome {
                import_id: self.import_id,
                plan_id: None,
                dry_run: self.dry_run,
                status: "FAILED",
                full_sync: args.full_sync,
                file: self.file.clone(),
                summary: plan.summary.clone(),
                plan: Some(&plan),
                errors,
                warnings,
            };
            if refused_for_rows {
                outcome.plan_id = Some(id_of_plan());
                let count = errored_rows(&outcome.errors);
                return self.refuse(
                    store,
                    &outcome,
                    report.as_deref(),
                    Error::Rows {
                        count,
                        errors: outcome.errors.len(),
                    },
                    valid_rows(&plan),
                );
            }
            let refusal = self.check_rules(&plan, id_of_plan, snapshot);
            if let Err(rules) = refusal {
                outcome.plan_id = Some(id_of_plan());
                return self.refuse(store, &outcome, report.as_deref(), Error::Refused(rules), 0);
            }
            let exit = if args.detailed_exitcode && plan.has_changes() {
                3
            } else {
                0
            };
            if self.dry_run {
                outcome.plan_id = Some(id_of_plan());
                outcome.status = "DRY_RUN";
                self.report(&outcome, None)?;
                return Ok(exit);
            }
            let import_id = self.import_id.unwrap_or_default();
            let summary = serde_json::to_value(&plan.summary).unwrap_or_default();
            self.laps.lap("check");
            let changes = plan.changes.len() as u64;
            self.progress.stage("apply", 0, changes);
            let (applied, hashed) = std::thread::scope(|scope| {
                let hashing = scope.spawn(id_of_plan);
                let applied = store.apply(import_id, &plan, snapshot, &summary, &self.operator);
                (applied, hashing.join())
            });
            if let Err(e) = applied {
                let message = e.to_string();
                store
                    .fail_import(import_id, &message, Some(&summary), None)
                    .ok();
                return Err(e.into());
            }
            outcome.plan_id = Some(
                hashed.map_err(|_| Error::Io(std::io::Error::other("the plan hasher panicked")))?,
            );
            self.progress.stage("apply", changes, changes);
            if let Some(report) = &report {
                store.set_import_errors(import_id, report)?;
            }
            self.laps.lap("apply");
            outcome.status = "COMPLETED";
            self.report(&outcome, None)?;
            Ok(exit)
        })
    }

    fn decode_and_parse(
        &self,
        input: &input::Input,
        max_rows: u64,
        catalog: &Catalog,
    ) -> std::result::Result<Table, FileError> {
        input::refuse_binary(input)?;
        let decoded = decode::decode(input, self.args.encoding.as_deref())?;
        let options = ParseOptions {
            format: self.args.input_format,
            delimiter: self.args.delimiter,
            mappings: self.args.map.clone(),
            max_rows,
            file_name: self.file.name.clone(),
        };
        parse::parse(&decoded, &options, catalog)
    }

    fn mode(&self) -> Mode {
        Mode {
            full_sync: self.args.full_sync,
            invite: self.args.invite,
            clear_blanks: self.args.clear_blanks,
            default_role: self.args.default_role,
        }
    }

    fn meta(&self) -> ImportMeta {
        let a = self.args;
        ImportMeta {
            operator: self.operator.clone(),
            file_name: self.file.name.clone(),
            sha256: self.file.sha256.clone(),
            bytes: self.file.bytes,
            encoding: self.file.encoding.clone(),
            mode: if a.full_sync { "full_sync" } else { "additive" }.to_string(),
            options: json!({
                "full_sync": a.full_sync,
                "invite": a.invite,
                "skip_invalid": a.skip_invalid,
                "clear_blanks": a.clear_blanks,
                "default_role": a.default_role.as_str(),
                "max_deactivations": a.max_deactivations.map(|l| l.to_string()),
                "input_format": format!("{:?}", a.input_format).to_lowercase(),
                "encoding": a.encoding,
                "delimiter": a.delimiter.map(|d| (d as char).to_string()),
                "map": a.map.iter().map(|m| format!("{}={}", m.header, m.column.name())).collect::<Vec<_>>(),
                "max_rows": a.max_rows,
                "max_bytes": a.max_bytes,
                "expect_plan": a.expect_plan,
            })
            .to_string(),
        }
    }

    /// `--expect-plan` first (a changed plan is refused on its own), then the safety rules.
    fn check_rules(
        &self,
        plan: &Plan,
        plan_id: impl Fn() -> String,
        snapshot: &Snapshot,
    ) -> Result<(), Vec<Rule>> {
        if let Some(expected) = &self.args.expect_plan
            && expected.trim() != plan_id()
        {
            return Err(vec![Rule::PlanChanged]);
        }
        let max_deactivations = self.args.max_deactivations.or_else(|| {
            snapshot
                .settings
                .max_deactivations
                .as_deref()
                .and_then(|s| s.parse::<Limit>().ok())
        });
        let policy = Policy {
            seat_limit: snapshot.settings.seat_limit,
            max_deactivations,
        };
        policy::check(plan, snapshot, &policy)
    }

    fn file_error(&mut self, store: &mut SqliteStore, e: FileError) -> Result<u8> {
        let error = Error::File(e);
        let outcome = Outcome {
            import_id: self.import_id,
            plan_id: None,
            dry_run: self.dry_run,
            status: "FAILED",
            full_sync: self.args.full_sync,
            file: self.file.clone(),
            summary: Default::default(),
            plan: None,
            errors: vec![RowError {
                row: None,
                column: None,
                value: None,
                message: error.to_string(),
            }],
            warnings: vec![],
        };
        if let Some(id) = self.import_id {
            store.fail_import(id, &error.to_string(), None, None)?;
        }
        self.report(&outcome, Some(&error))?;
        Err(Error::Reported(error.exit_code()))
    }

    /// Row errors (exit 1) or broken rules (exit 4): record, report, change nothing.
    fn refuse(
        &mut self,
        store: &mut SqliteStore,
        outcome: &Outcome,
        report: Option<&[u8]>,
        error: Error,
        valid_rows: u64,
    ) -> Result<u8> {
        let mut outcome = outcome.clone();
        if let Error::Refused(rules) = &error {
            outcome.errors.extend(rules.iter().map(|r| RowError {
                row: None,
                column: None,
                value: None,
                message: r.to_string(),
            }));
        }
        if let Some(id) = self.import_id {
            let summary = serde_json::to_value(&outcome.summary).unwrap_or_default();
            store.fail_import(id, &error.messages().join("\n"), Some(&summary), report)?;
        }
        self.report(&outcome, Some(&error))?;
        if matches!(error, Error::Rows { .. }) && !self.term.quiet {
            crate::error::msg::row_hints(&outcome.errors)
                .iter()
                .for_each(|h| self.term.hint(h));
            self.term.hint(&format!(
                "fix these rows and run again, or re-run with --skip-invalid to apply the {valid_rows} valid {}.",
                if valid_rows == 1 { "member" } else { "members" }
            ));
            if self.args.errors_csv.is_none() {
                self.term.hint("--errors-csv errors.csv writes the rejected rows with error_row, error_column and error_message.");
            }
        }
        Err(Error::Reported(error.exit_code()))
    }

    /// stdout gets the data (table, JSON or NDJSON); stderr the warnings and the failure.
    fn report(&self, outcome: &Outcome, failure: Option<&Error>) -> Result<()> {
        self.progress.finish();
        let mut out = std::io::stdout().lock();
        match self.args.output {
            OutputFormat::Json => {
                serde_json::to_writer_pretty(&mut out, &report::json::document(outcome))
                    .map_err(std::io::Error::from)?;
                use std::io::Write;
                writeln!(out)?;
            }
            OutputFormat::Ndjson => report::ndjson::write(outcome, &mut out)?,
            OutputFormat::Table => {
                for w in &outcome.warnings {
                    self.term.warning(w);
                }
                if failure.is_none() || outcome.plan.is_some() {
                    report::table::write(outcome, &mut out)?;
                }
            }
        }
        match failure {
            Some(error) => self.print_failure(outcome, error),
            None if !outcome.errors.is_empty() => self.print_skipped(outcome),
            None => {}
        }
        Ok(())
    }

    /// `--skip-invalid`: the rows left out, as warnings.
    fn print_skipped(&self, outcome: &Outcome) {
        let rows = errored_rows(&outcome.errors);
        let errors = outcome.errors.len();
        self.term
            .warning(&crate::error::msg::skipped_rows(rows, errors));
        if self.args.output == OutputFormat::Table && !self.term.quiet {
            for e in outcome.errors.iter().take(MAX_LISTED_ERRORS) {
                self.term.detail(&describe_error(e));
            }
            crate::error::msg::row_hints(&outcome.errors)
                .iter()
                .for_each(|h| self.term.hint(h));
        }
    }

    fn print_failure(&self, outcome: &Outcome, error: &Error) {
        match error {
            Error::Refused(rules) => rules.iter().for_each(|r| self.term.error(&r.to_string())),
            Error::Rows { .. } => {
                self.term.error(&error.to_string());
                let listed = if self.args.output == OutputFormat::Table {
                    MAX_LISTED_ERRORS
                } else {
                    0
                };
                for e in outcome.errors.iter().take(listed) {
                    self.term.detail(&describe_error(e));
                }
                if outcome.errors.len() > listed && listed > 0 {
                    self.term
                        .detail(&format!("... and {} more", outcome.errors.len() - listed));
                }
            }
            other => {
                self.term.error(&other.to_string());
                if let Some(h) = other.hint() {
                    self.term.hint(&h);
                }
            }
        }
    }
}

/// Rows with at least one error ("3 rows have errors" for 3 rows, however many errors each has).
fn errored_rows(errors: &[RowError]) -> usize {
    let rows: std::collections::HashSet<u32> = errors.iter().filter_map(|e| e.row).collect();
    rows.len() + errors.iter().filter(|e| e.row.is_none()).count()
}

/// Members the file would apply if the errored rows were skipped.
fn valid_rows(plan: &Plan) -> u64 {
    let s = &plan.summary;
    s.created + s.updated + s.reactivated + s.unchanged + s.banned_skipped + s.protected_skipped
}

fn errors_csv_bytes(table: &Table, errors: &[RowError]) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    report::errors_csv::write(table, errors, &mut buf)?;
    Ok(buf)
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
