//! A command that fails under `--output json` still answers on stdout (issue 22): the refusal
//! document `{"format_version": "2", "errors": [<error object>, ...]}` (`schemas/refusal.json`),
//! each error with its stable `code`, so a script reads why from the same stream it reads
//! the answer from. Under `--output ndjson` (import, diff, imports revert) it is one `error`
//! event a line. The `error:` line on stderr and the exit code stay as they are.
//!
//! An import whose outcome was rendered (its document holds the errors) is not refused again
//! here: `cmd::import` writes this document only for what fails before an outcome exists.

use crate::error::{Code, Error, RowError};
use crate::report::OutputFormat;
use crate::report::json::FORMAT_VERSION;
use clap::ArgMatches;
use clap::error::ErrorKind;
use serde_json::json;

/// How a failed command answers on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusals {
    Json,
    Ndjson,
}

impl Refusals {
    /// The import family's `--output`.
    pub fn of(output: OutputFormat) -> Option<Refusals> {
        match output {
            OutputFormat::Json => Some(Refusals::Json),
            OutputFormat::Ndjson => Some(Refusals::Ndjson),
            OutputFormat::Table | OutputFormat::Html => None,
        }
    }
}

/// The commands that write their own refusal ([`write`] before an outcome, the document
/// after), and `export`, whose `--output` is a file.
const OWN_REFUSALS: &[&[&str]] = &[&["import"], &["diff"], &["imports", "revert"], &["export"]];

/// The refusal format of a parsed command line: `--output json` of any command but those of
/// [`OWN_REFUSALS`].
pub fn of_matches(matches: &ArgMatches) -> Option<Refusals> {
    let mut path = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        path.push(name);
        m = sub;
    }
    if OWN_REFUSALS.contains(&path.as_slice()) {
        return None;
    }
    let output = m.try_get_raw("output").ok().flatten()?.next()?;
    (output == "json").then_some(Refusals::Json)
}

/// The refusal format of a command line clap refused: `--output json` (or `ndjson`) among its
/// words, before any `--`.
pub fn of_words<I: IntoIterator<Item = std::ffi::OsString>>(words: I) -> Option<Refusals> {
    let words: Vec<String> = words
        .into_iter()
        .map(|w| w.to_string_lossy().into_owned())
        .take_while(|w| w != "--")
        .collect();
    let value = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| match w.as_str() {
            "--output" => words.get(i + 1).map(String::as_str),
            w => w.strip_prefix("--output="),
        })?;
    match value {
        "json" => Some(Refusals::Json),
        "ndjson" => Some(Refusals::Ndjson),
        _ => None,
    }
}

/// Writes `e` as the refusal document (or events) on stdout. A closed or full stdout is left
/// as it is: stderr has the error, and the exit code says it.
pub fn write(e: &Error, format: Refusals) {
    if matches!(e, Error::Io(_) | Error::Unreported { .. }) {
        // stdout itself failed: nothing more can be said there.
        return;
    }
    write_errors(&e.error_objects(), format);
}

/// A usage error clap found, as the refusal document: `unknown_flag`, `invalid_flag_value`,
/// `missing_argument`, else `usage_error`; the message is clap's first line without `error: `.
pub fn write_usage(e: &clap::Error, format: Refusals) {
    let code = match e.kind() {
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand => Code::UnknownFlag,
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => Code::InvalidFlagValue,
        ErrorKind::MissingRequiredArgument | ErrorKind::MissingSubcommand => Code::MissingArgument,
        _ => Code::UsageError,
    };
    let rendered = e.render().to_string();
    let line = rendered.lines().next().unwrap_or_default();
    let message = line.strip_prefix("error: ").unwrap_or(line).trim();
    write_errors(&[RowError::unplaced(code, message)], format);
}

fn write_errors(errors: &[RowError], format: Refusals) {
    let text = match format {
        Refusals::Json => {
            let doc = json!({"format_version": FORMAT_VERSION, "errors": errors});
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        Refusals::Ndjson => errors
            .iter()
            .map(|e| {
                let mut event = json!({"event": "error"});
                if let (Some(map), serde_json::Value::Object(fields)) =
                    (event.as_object_mut(), json!(e))
                {
                    map.extend(fields);
                }
                event.to_string() + "\n"
            })
            .collect(),
    };
    super::write_output(None, text.as_bytes()).ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<std::ffi::OsString> {
        line.split(' ').map(Into::into).collect()
    }

    #[test]
    fn the_output_flag_is_found_among_the_words() {
        assert_eq!(
            of_words(words("roster members list --bogus --output json")),
            Some(Refusals::Json)
        );
        assert_eq!(
            of_words(words("roster diff x.csv --output=ndjson --x")),
            Some(Refusals::Ndjson)
        );
        assert_eq!(of_words(words("roster members list --output table")), None);
        assert_eq!(
            of_words(words("roster members show -- --output json")),
            None
        );
    }
}
