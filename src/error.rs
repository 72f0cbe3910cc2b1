//! Every message of the contract (SPEC §4, §5, §8, §2) and the exit code that goes with it.

use serde::Serialize;

mod code;
mod file;
mod serve;
pub use code::Code;
mod rules;
pub use rules::{RevertRefusal, Rule};
pub use serve::ServeError;
mod scim;
pub use scim::ScimError;

/// A file-level error: the run stops before any row is read (SPEC §4), exit 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("The file exceeds {limit_mb} MB. Please reduce the file size and try again.")]
    TooLarge { limit_mb: String },
    #[error("The file is not a CSV. Save the file as .csv and try again.")]
    NotCsv { looks_like: Option<&'static str> },
    #[error("The file is empty.")]
    Empty,
    #[error("The file has no header row.")]
    NoHeader,
    #[error("The file has no data rows.")]
    NoDataRows,
    /// `lookalike`: an unknown header that resembles an identifier column, and that column.
    #[error("Required column is missing: one of email, external_id, phone.")]
    NoIdentifierColumn { lookalike: Option<(String, String)> },
    #[error("Required column is missing: {0}.")]
    MissingColumn(String),
    #[error("Duplicate column found: {0}.")]
    DuplicateColumn(String),
    #[error("The file has more than {0} data rows.")]
    TooManyRows(u64),
    #[error("Unknown form field: {0}.")]
    UnknownFormField(String),
    #[error("Line {line} is not valid {encoding}.")]
    BadEncoding { line: u64, encoding: String },
    #[error("Unknown encoding: {0}.")]
    UnknownEncoding(String),
    #[error("The file is not valid JSON: {0}.")]
    BadJson(String),
    /// Every `--map` that names no header of the file, one sentence a line; `headers`: the
    /// file's, listed when no close one can be suggested.
    #[error("{}", unmatched_text(.unmatched, .headers))]
    UnmatchedMapping {
        unmatched: Vec<UnmatchedMap>,
        headers: Vec<String>,
    },
    #[error("Could not read {path}: {reason}")]
    Unreadable { path: String, reason: String },
}

/// A `--map` that names no header of the file, and the file's header that is close to it
/// (within a few edits, and not already a column of its own), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedMap {
    pub mapping: String,
    pub column: String,
    pub closest: Option<String>,
}

/// `--map 'X=email' names a header the file does not have; the closest is 'Y'.` a line each;
/// without a close header, the file's headers are listed instead.
fn unmatched_text(unmatched: &[UnmatchedMap], headers: &[String]) -> String {
    let line = |u: &UnmatchedMap| match &u.closest {
        Some(closest) => format!(
            "--map '{}' names a header the file does not have; the closest is '{closest}'.",
            u.mapping
        ),
        None => format!(
            "--map '{}' names a header the file does not have; its headers are: {}.",
            u.mapping,
            headers
                .iter()
                .map(|h| format!("'{h}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    unmatched.iter().map(line).collect::<Vec<_>>().join("\n")
}

/// One row error (SPEC §5): data, collected, never propagated with `?`. Also the error
/// object of the JSON documents for errors without a row (a broken rule, a file error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: Option<u32>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub code: Code,
    pub message: String,
}

impl RowError {
    pub fn new(
        row: u32,
        column: &str,
        value: &str,
        code: Code,
        message: impl Into<String>,
    ) -> Self {
        RowError {
            row: Some(row),
            column: Some(column.to_string()),
            value: Some(value.to_string()),
            code,
            message: message.into(),
        }
    }

    /// An error of the whole file or plan: no row, column or value.
    pub fn unplaced(code: Code, message: impl Into<String>) -> Self {
        RowError {
            row: None,
            column: None,
            value: None,
            code,
            message: message.into(),
        }
    }
}

/// Row error messages (SPEC §5, §6).
pub mod msg;
/// `roster config set`: the values each setting accepts (issue 17).
pub mod setting;

/// Errors of the store (SPEC §2).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the roster store at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error(
        "the roster store at {path} has schema version {found}, newer than this roster understands ({known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error(
        "Another import is being applied. Please wait for it to finish before uploading again."
    )]
    Busy,
    /// Said in full in the message itself: JSON, the history and `--quiet` have no hint line.
    #[error(
        "the store changed while the import was being planned; nothing was changed. Run the import again: it plans from the store as it is now."
    )]
    Changed,
    #[error(
        "the store's setting {key} is '{value}', which is not valid; set it again with roster config set {key} VALUE"
    )]
    BadSetting { key: &'static str, value: String },
    #[error("the store at {0} is not empty; roster store copy writes only into an empty store")]
    NotEmpty(String),
    /// The backend's own error (SQLite's, PostgreSQL's).
    #[error("store error: {0}")]
    Database(Box<dyn std::error::Error + Send + Sync>),
    #[error("store error: {0}")]
    Io(#[from] std::io::Error),
}

/// Errors of invitations (SPEC §13).
#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error("invitations are not configured: {0} is not set (roster config set {0} VALUE)")]
    NotConfigured(&'static str),
    #[error("invalid {0}: {1}")]
    BadSetting(String, String),
    #[error("smtp-url names a user, but ROSTER_SMTP_PASSWORD is not set")]
    NoPassword,
    #[error(
        "Another sender is delivering invitations. Please wait for it to finish before sending again."
    )]
    SenderBusy,
    #[error("This invitation link is not valid.")]
    UnknownToken,
    #[error("This invitation has already been accepted.")]
    UsedToken,
    #[error("This invitation was cancelled.")]
    CancelledToken,
    #[error("{member} is {status}; only an INVITED member can accept an invitation")]
    NotInvited { member: String, status: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The top-level error: what `main` prints and maps to an exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    File(#[from] FileError),
    /// Row errors refused the import: `count` rows hold `errors` errors ("2 rows have 3
    /// errors").
    #[error(
        "{count} {} {errors} {}; nothing was changed.",
        if *count == 1 { "row has" } else { "rows have" },
        if *errors == 1 { "error" } else { "errors" }
    )]
    Rows {
        count: usize,
        errors: usize,
        /// The errors, one line each, as the face lists them under the message.
        details: Vec<String>,
        /// What to do about them, as the face words it.
        hints: Vec<String>,
    },
    #[error("{}", .0.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n"))]
    Refused(Vec<Rule>),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A revert refused (SPEC §16): exit 1.
    #[error(transparent)]
    Revert(RevertRefusal),
    #[error(transparent)]
    Invitation(#[from] InvitationError),
    /// A command that only reads, on a store that does not exist (SPEC §2).
    #[error("No roster store at {0}. Run roster import to create one, or pass --db.")]
    NoStore(String),
    /// An import was applied (committed), then its report could not be written (stdout on a
    /// full disk): exit 6, never 1, which says nothing changed.
    #[error("Import {id} was applied, but its report could not be written: {reason}")]
    Unreported { id: i64, reason: String },
    /// The operator did not answer yes to `Apply these changes? [y/N]` (SPEC §15).
    #[error("Import cancelled: nothing was changed.")]
    Cancelled,
    /// A command line clap accepted but roster cannot run, of no kind of its own: exit 2.
    #[error("{0}")]
    Usage(String),
    /// `imports show|errors|original ID`, `log --import ID`, `imports revert ID`.
    #[error("no import with id {0}")]
    ImportNotFound(i64),
    /// A command refused with a code of its own (a key name already taken, a member in the
    /// wrong status, an unknown setting): the code says the exit code.
    #[error("{1}")]
    Refusal(Code, String),
    #[error("no member with email, external_id or phone '{0}'")]
    MemberNotFound(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The exit code of SPEC §11.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Refused(_) => 4,
            Error::Store(StoreError::Busy) => 5,
            Error::Invitation(InvitationError::SenderBusy) => 5,
            Error::Invitation(InvitationError::Store(StoreError::Busy)) => 5,
            Error::Usage(_) => 2,
            Error::Refusal(code, _) => code.exit_code().unwrap_or(1),
            Error::Unreported { .. } => 6,
            _ => 1,
        }
    }

    /// Lines listed under the message (each row error of a refused import).
    pub fn details(&self) -> &[String] {
        match self {
            Error::Rows { details, .. } => details,
            _ => &[],
        }
    }

    /// What to do about it, one hint a line.
    pub fn hints(&self) -> Vec<String> {
        match self {
            Error::Rows { hints, .. } => hints.clone(),
            other => other.hint().into_iter().collect(),
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Error::File(e) => e.hint(),
            Error::Store(StoreError::Open { reason, .. }) if reason.contains("not a database") => {
                Some(msg::NOT_A_STORE.into())
            }
            Error::Store(StoreError::Open { path, .. }) if path.starts_with("postgres") => Some(
                "check --db or $ROSTER_DB: the URL, that the server is up, and its schema.".into(),
            ),
            Error::Store(StoreError::Open { .. }) => {
                Some("check --db or $ROSTER_DB, and that the folder exists and is writable.".into())
            }
            Error::Unreported { id, .. } => Some(format!(
                "do not run it again: `roster imports show {id}` shows the import and `roster log --import {id}` its changes."
            )),
            _ => None,
        }
    }

    /// The contract messages this error carries, one per line (JSON `errors`).
    pub fn messages(&self) -> Vec<String> {
        match self {
            Error::Refused(rules) => rules.iter().map(|r| r.to_string()).collect(),
            Error::File(e @ FileError::UnmatchedMapping { .. }) => {
                e.to_string().lines().map(str::to_string).collect()
            }
            other => vec![other.to_string()],
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
