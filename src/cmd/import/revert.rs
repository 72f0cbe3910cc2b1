//! `roster imports revert ID`: wiring. The flags become the options of an import, the library
//! reverts ([`crate::import::revert`]), and the outcome is reported as an import's is: the
//! plan, the summary, the plan id, the question before deactivations, the exit code.

use super::{observer, report};
use crate::cli::{GlobalArgs, ImportArgs, RevertArgs, Show};
use crate::error::{Code, Error, Result};
use crate::import::{self, ImportOptions};
use crate::report::OutputFormat;
use crate::term::Term;
use clap::{Args, FromArgMatches};

pub fn run(args: &RevertArgs, global: &GlobalArgs, term: &Term) -> Result<u8> {
    let (outcome, observer, as_import) = super::refused_as(args.output, plan(args, global, term))?;
    // The members left out of a refused revert, under its message.
    if args.output == OutputFormat::Table
        && matches!(outcome.refusal, Some(import::Refusal::Revert(_)))
    {
        outcome
            .errors
            .iter()
            .skip(1)
            .for_each(|e| term.detail(&e.message));
    }
    report(outcome, observer, None, &as_import, global, term)
}

/// The revert run up to its outcome (an error here has no document yet).
fn plan(
    args: &RevertArgs,
    global: &GlobalArgs,
    term: &Term,
) -> Result<(import::Outcome, super::observer::Observer, ImportArgs)> {
    if args.output == OutputFormat::Html {
        return Err(Error::Refusal(
            Code::HtmlNotForRevert,
            Code::HtmlNotForRevert.message().into(),
        ));
    }
    let mut store = match args.dry_run {
        true => super::open_existing(global)?,
        false => super::open_store(global)?,
    };
    let as_import = import_args(args)?;
    let options = ImportOptions {
        dry_run: args.dry_run,
        max_deactivations: args.max_deactivations,
        expect_plan: args.expect_plan.clone(),
        ..ImportOptions::new(crate::cmd::operator(args.operator.as_deref()))
    };
    let mut observer = observer(&as_import, term, false);
    let outcome = import::revert(
        &mut store,
        args.id,
        args.skip_conflicts,
        &options,
        &mut observer,
    )?;
    Ok((outcome, observer, as_import))
}

/// The revert's flags as the import flags the report reads (output, show, dry run, yes).
fn import_args(args: &RevertArgs) -> Result<ImportArgs> {
    let mut argv = vec![
        "revert".to_string(),
        format!("revert of import {}", args.id),
        "--output".into(),
        match args.output {
            OutputFormat::Json => "json",
            OutputFormat::Ndjson => "ndjson",
            _ => "table",
        }
        .into(),
    ];
    if args.show == Show::All {
        argv.extend(["--show".into(), "all".into()]);
    }
    if args.dry_run {
        argv.push("--dry-run".into());
    }
    if args.yes {
        argv.push("--yes".into());
    }
    let command = ImportArgs::augment_args(clap::Command::new("revert"));
    let matches = command
        .try_get_matches_from(argv)
        .map_err(|e| Error::Usage(e.to_string()))?;
    ImportArgs::from_arg_matches(&matches).map_err(|e| Error::Usage(e.to_string()))
}
