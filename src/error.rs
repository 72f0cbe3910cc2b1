//! Every message of the contract (SPEC §4, §5, §8, §2) and the exit code that goes with it.

use serde::Serialize;

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
    #[error("--map '{mapping}' names a header the file does not have; the closest is '{closest}'.")]
    UnmatchedMapping {
        mapping: String,
        closest: String,
        column: String,
    },
    #[error("Could not read {path}: {reason}")]
    Unreadable { path: String, reason: String },
}

impl FileError {
    pub fn hint(&self) -> Option<String> {
        match self {
            FileError::TooLarge { .. } => {
                Some("raise the limit for one run with --max-bytes N, or for the store with `roster config set max-bytes N`.".into())
            }
            FileError::NotCsv { looks_like: Some(kind) } => Some(format!(
                "the file looks like {kind}; open it in its program and save it as CSV (UTF-8)."
            )),
            FileError::TooManyRows(_) => Some(
                "raise the limit for one run with --max-rows N, or for the store with `roster config set max-rows N`.".into(),
            ),
            FileError::BadEncoding { .. } => Some(
                "if the file was saved by Excel on Windows, re-run with --encoding windows-1252.".into(),
            ),
            FileError::UnmatchedMapping {
                closest, column, ..
            } => Some(format!(
                "if that is the header you meant, re-run with --map '{closest}={column}'."
            )),
            FileError::UnknownFormField(_) => {
                Some("define it first with `roster forms add TYPE.FIELD`.".into())
            }
            FileError::NoIdentifierColumn {
                lookalike: Some((header, column)),
            } => Some(format!(
                "the file's `{header}` looks like {column}: re-run with --map '{header}={column}'."
            )),
            FileError::NoIdentifierColumn { .. } | FileError::MissingColumn(_) => Some(
                "map a header of the file to a column with --map 'Header In File=column'.".into(),
            ),
            _ => None,
        }
    }
}

/// One row error (SPEC §5): data, collected, never propagated with `?`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: Option<u32>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub message: String,
}

impl RowError {
    pub fn new(row: u32, column: &str, value: &str, message: impl Into<String>) -> Self {
        RowError {
            row: Some(row),
            column: Some(column.to_string()),
            value: Some(value.to_string()),
            message: message.into(),
        }
    }
}

/// Row error messages (SPEC §5, §6).
pub mod msg {
    pub const INVALID_EMAIL: &str = "Invalid email format";
    pub const INVALID_PHONE: &str = "Invalid phone format";
    pub const INVALID_DATE: &str = "Invalid date: expected YYYY-MM-DD";
    /// A date in the `YYYY-MM-DD` shape that no calendar has (`1990-02-30`).
    pub const INVALID_BOOL: &str = "Invalid boolean: expected true, false, 1 or 0";
    pub const INVALID_TEAM_ROLE: &str = "Invalid team role: expected owner, admin or member";
    pub const INVALID_ORG_ROLE: &str = "Invalid organization role: expected owner, admin or member";
    pub const NO_IDENTIFIER: &str = "No identifier provided";
    pub const HTML_NEEDS_DRY_RUN: &str =
        "--output html shows a plan for review: use it with roster diff or import --dry-run";

    pub fn unknown_label(slug: &str) -> String {
        format!("Unknown label: {slug}")
    }
    /// A valid row whose member is not applied because another of its rows has errors.
    pub fn member_not_applied(errored_row: u32) -> String {
        format!("Not applied: row {errored_row} of the same member has errors")
    }
    /// The warning beside "ignoring unknown columns" for a header that resembles a column.
    pub fn map_suggestion(header: &str, column: &str) -> String {
        format!(
            "unknown column `{header}` looks like {column}; to import it, add --map '{header}={column}'"
        )
    }

    /// `hint:` lines for the row errors listed on stderr: how to fix what the contract's
    /// bare message does not say (the JSON `message` stays the contract's string).
    pub fn row_hints(errors: &[super::RowError]) -> Vec<String> {
        let mut hints = Vec::new();
        if errors.iter().any(|e| e.message == INVALID_PHONE) {
            hints.push("phone numbers are E.164: a + and the country code, then the number without spaces or punctuation, such as +15551234567.".to_string());
        }
        for e in errors.iter().filter(|e| e.message == INVALID_DATE) {
            let value = e.value.as_deref().unwrap_or_default();
            let why = match crate::columns::check_date(value) {
                crate::columns::DateCheck::NotReal => "is not a real date",
                crate::columns::DateCheck::Future => "is in the future",
                _ => continue,
            };
            let row = e.row.map(|r| format!("row {r}: ")).unwrap_or_default();
            hints.push(format!(
                "{row}{value} has the YYYY-MM-DD shape but {why}; a date of birth is a real, past date."
            ));
        }
        let mut labels: Vec<&str> = errors
            .iter()
            .filter_map(|e| e.message.strip_prefix("Unknown label: "))
            .collect();
        labels.sort_unstable();
        labels.dedup();
        if !labels.is_empty() {
            let commands: Vec<String> = labels
                .iter()
                .map(|slug| format!("`roster labels add {slug}`"))
                .collect();
            hints.push(format!(
                "define a label before a file uses it: {}.",
                commands.join(", ")
            ));
        }
        hints
    }

    /// `--skip-invalid`: "skipped 2 rows with 3 errors (--skip-invalid)".
    pub fn skipped_rows(rows: usize, errors: usize) -> String {
        format!(
            "skipped {rows} {} with {errors} {} (--skip-invalid)",
            if rows == 1 { "row" } else { "rows" },
            if errors == 1 { "error" } else { "errors" }
        )
    }

    /// `roster man --out-dir DIR` could not write a page.
    pub fn man_pages_unwritable(dir: &str, e: &std::io::Error) -> String {
        format!("could not write the manual pages to {dir}: {e}")
    }

    /// `roster man WORD` for a command that does not exist.
    pub fn no_such_command(parent: &str, word: &str) -> String {
        format!("`{parent}` has no command `{word}`; `{parent} --help` lists them")
    }

    pub fn wrong_column_count(row: u32) -> String {
        format!("Row {row} has the wrong number of columns.")
    }
    pub fn cell_too_long(row: u32, column: &str) -> String {
        format!("Row {row}, column {column}: cell is too long.")
    }
    pub fn duplicate_member(other_row: u32) -> String {
        format!("Duplicate member in file: also on row {other_row}")
    }
    pub fn conflicting(column: &str, identifier: &str, a: &str, n: u32, b: &str, m: u32) -> String {
        format!("Conflicting {column} for {identifier}: '{a}' on row {n}, '{b}' on row {m}")
    }
    pub fn external_id_differs(id: &str, member: &str, stored: &str, given: &str) -> String {
        format!(
            "Identity conflict: {id} matches {member} but its stored external_id {stored} differs from the row's {given}"
        )
    }
    pub fn identity_conflict(id: &str, member: &str, id2: &str, member2: &str) -> String {
        format!("Identity conflict: {id} matches {member} but {id2} belongs to {member2}")
    }
}

/// `roster config set`: the values each setting accepts (issue 17).
pub mod setting {
    /// Each key with the values it accepts, as `roster config set --help` lists them.
    pub const RANGES: [(&str, &str); 4] = [
        ("seat-limit", "a whole number, 0 or more"),
        ("max-rows", "a whole number, 1 or more"),
        ("max-bytes", "a whole number of bytes, 1 or more"),
        (
            "max-deactivations",
            "a whole number N, or a percentage N% from 0% to 100%",
        ),
    ];

    pub fn invalid(key: &str, value: &str) -> String {
        let range = RANGES
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, r)| r);
        format!("invalid value '{value}' for {key}: expected {range}, or none")
    }

    pub fn seats_in_use(limit: u64, used: u64) -> String {
        format!(
            "the seat limit {limit} is below the {used} seats already in use (ACTIVE and INVITED members); imports that add seats will be refused"
        )
    }
}

/// A safety rule that refuses the whole plan (SPEC §8), exit 4.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rule {
    #[error(
        "Your plan allows {limit} seats, but this import would use {used}. Remove new-member rows from the file or raise the seat limit."
    )]
    Seats { limit: u64, used: u64 },
    #[error(
        "This import would leave the organization with no owner. Promote another member to owner before re-uploading."
    )]
    LastOrgOwner,
    #[error(
        "This import would leave team {0} with no owner. Promote another member to team owner before re-uploading."
    )]
    LastTeamOwner(String),
    #[error(
        "This import would deactivate {k} of {n} members ({p}%), above the limit of {limit}. Review it with roster diff, then re-run with --max-deactivations {k} to allow it."
    )]
    Deactivations { k: u64, n: u64, p: u64, limit: u64 },
    #[error("The plan has changed since it was reviewed.")]
    PlanChanged,
}

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
    #[error("the store changed while the import was being planned; nothing was changed")]
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
    #[error(transparent)]
    Invitation(#[from] InvitationError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    NotFound(String),
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
            Error::Store(StoreError::Open { .. }) => {
                Some("check --db or $ROSTER_DB, and that the folder exists and is writable.".into())
            }
            Error::Store(StoreError::Changed) => Some("run the import again.".into()),
            _ => None,
        }
    }

    /// The contract messages this error carries, one per line (JSON `errors`).
    pub fn messages(&self) -> Vec<String> {
        match self {
            Error::Refused(rules) => rules.iter().map(|r| r.to_string()).collect(),
            other => vec![other.to_string()],
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
