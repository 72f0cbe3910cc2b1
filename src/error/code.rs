//! Every error and refusal's stable code (SPEC §10): one snake_case name per kind, the same in
//! the JSON and NDJSON error objects, the error report CSV (`error_code`), problem+json bodies
//! and `--output json` refusals. This table is the one place they are defined; docs/output.md's
//! table of codes is checked against it (`tests/codes.rs`).

use super::{FileError, InvitationError, RowError, Rule, StoreError};
use serde::{Serialize, Serializer};

macro_rules! codes {
    ($($variant:ident = $name:literal, $exit:expr, $status:expr, $message:literal;)*) => {
        /// The kind of an error or refusal.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as every document spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The message, `<...>` standing for what is filled in.
            pub fn message(self) -> &'static str {
                match self {
                    $(Code::$variant => $message,)*
                }
            }

            /// The exit code of the command that fails with it (`None`: no command does).
            pub fn exit_code(self) -> Option<u8> {
                match self {
                    $(Code::$variant => $exit,)*
                }
            }

            /// The HTTP status `roster serve` answers with it (`None`: no endpoint does).
            pub fn status(self) -> Option<u16> {
                match self {
                    $(Code::$variant => $status,)*
                }
            }
        }
    };
}

const N: Option<u8> = None;
const NS: Option<u16> = None;

codes! {
    // File-level errors (SPEC §4).
    FileTooLarge = "file_too_large", Some(1), Some(413), "The file exceeds <N> MB. Please reduce the file size and try again.";
    NotCsv = "not_csv", Some(1), Some(400), "The file is not a CSV. Save the file as .csv and try again.";
    FileEmpty = "file_empty", Some(1), Some(400), "The file is empty.";
    NoHeaderRow = "no_header_row", Some(1), Some(400), "The file has no header row.";
    NoDataRows = "no_data_rows", Some(1), Some(400), "The file has no data rows.";
    MissingIdentifierColumn = "missing_identifier_column", Some(1), Some(400), "Required column is missing: one of email, external_id, phone.";
    MissingColumn = "missing_column", Some(1), Some(400), "Required column is missing: <column>.";
    DuplicateColumn = "duplicate_column", Some(1), Some(400), "Duplicate column found: <column>.";
    TooManyRows = "too_many_rows", Some(1), Some(400), "The file has more than <N> data rows.";
    UnknownFormField = "unknown_form_field", Some(1), Some(400), "Unknown form field: <column>.";
    InvalidEncoding = "invalid_encoding", Some(1), Some(400), "Line <n> is not valid <encoding>.";
    UnknownEncoding = "unknown_encoding", Some(1), Some(400), "Unknown encoding: <name>.";
    InvalidJson = "invalid_json", Some(1), Some(400), "The file is not valid JSON: <where>: <what>.";
    UnmatchedMapping = "unmatched_mapping", Some(1), Some(400), "--map '<mapping>' names a header the file does not have; the closest is '<header>'. (or: its headers are: '<a>', '<b>'.)";
    UnreadableFile = "unreadable_file", Some(1), NS, "Could not read <path>: <reason>";
    // Row errors (SPEC §5, §6).
    InvalidEmail = "invalid_email", Some(1), Some(400), "Invalid email format";
    InvalidPhone = "invalid_phone", Some(1), Some(400), "Invalid phone format";
    InvalidDate = "invalid_date", Some(1), Some(400), "Invalid date: expected YYYY-MM-DD";
    InvalidBoolean = "invalid_boolean", Some(1), Some(400), "Invalid boolean: expected true, false, 1 or 0";
    InvalidTeamRole = "invalid_team_role", Some(1), Some(400), "Invalid team role: expected owner, admin or member";
    InvalidOrganizationRole = "invalid_organization_role", Some(1), Some(400), "Invalid organization role: expected owner, admin or member";
    NoIdentifier = "no_identifier", Some(1), Some(400), "No identifier provided";
    UnknownLabel = "unknown_label", Some(1), Some(400), "Unknown label: <slug>";
    WrongColumnCount = "wrong_column_count", Some(1), Some(400), "Row <n> has the wrong number of columns.";
    CellTooLong = "cell_too_long", Some(1), Some(400), "Row <n>, column <column>: cell is too long.";
    DuplicateMember = "duplicate_member", Some(1), Some(400), "Duplicate member in file: also on row <n>";
    ConflictingValue = "conflicting_value", Some(1), Some(400), "Conflicting <column> for <identifier>: '<a>' on row <n>, '<b>' on row <m>";
    IdentityConflict = "identity_conflict", Some(1), Some(400), "Identity conflict: <id> matches <member> but <id2> belongs to <member2>";
    ExternalIdConflict = "external_id_conflict", Some(1), Some(400), "Identity conflict: <id> matches <member> but its stored external_id <stored> differs from the row's <given>";
    MemberNotApplied = "member_not_applied", Some(1), Some(400), "Not applied: row <n> of the same member has errors";
    RowsInvalid = "rows_invalid", Some(1), Some(400), "<r> rows have <e> errors; nothing was changed.";
    // Safety rules (SPEC §8).
    SeatLimit = "seat_limit", Some(4), Some(422), "Your plan allows <limit> seats, but this import would use <used>. Remove new-member rows from the file or raise the seat limit.";
    LastOwnerOrganization = "last_owner_organization", Some(4), Some(422), "This import would leave the organization with no owner. Promote another member to owner before re-uploading.";
    LastOwnerTeam = "last_owner_team", Some(4), Some(422), "This import would leave team <team> with no owner. Promote another member to team owner before re-uploading.";
    DeactivationLimit = "deactivation_limit", Some(4), Some(422), "This import would deactivate <k> of <n> members (<p>%), above the limit of <limit>. Review it with roster diff, then re-run with --max-deactivations <k> to allow it.";
    InviteSeatLimit = "invite_seat_limit", Some(4), NS, "Your plan allows <limit> seats, but these invitations would use <used>. <what to do>.";
    PlanChanged = "plan_changed", Some(4), Some(422), "The plan has changed since it was reviewed.";
    // Undo, shrinking files (SPEC §16).
    MaxShrink = "max_shrink", Some(4), Some(422), "This full sync's file holds <now> members, <p>% fewer than the <before> of import <id>, the last full sync from the same source, above the limit of <limit>%. Review it with roster diff, then re-run with --max-shrink <p>% to allow it.";
    RevertConflict = "revert_conflict", Some(1), Some(409), "<n> members were changed after import <id>; nothing was changed. Re-run with --skip-conflicts to leave them as they are now and revert the rest.";
    ChangedAfterImport = "changed_after_import", Some(1), Some(409), "<member>: <action> by import <id> (<operator>) at <time>";
    AlreadyReverted = "already_reverted", Some(1), Some(409), "Import <id> was already reverted by import <r>; an import is reverted at most once (revert import <r> to apply it again).";
    NotRevertible = "not_revertible", Some(1), Some(409), "Import <id> is <status>: only a COMPLETED import can be reverted.";
    // The store (SPEC §2).
    ImportBusy = "import_busy", Some(5), Some(409), "Another import is being applied. Please wait for it to finish before uploading again.";
    NoStore = "no_store", Some(1), NS, "No roster store at <path>. Run roster import to create one, or pass --db.";
    StoreOpen = "store_open", Some(1), Some(500), "could not open the roster store at <path>: <reason>";
    StoreTooNew = "store_too_new", Some(1), Some(500), "the roster store at <path> has schema version <found>, newer than this roster understands (<known>)";
    StoreChanged = "store_changed", Some(1), Some(500), "the store changed while the import was being planned; nothing was changed";
    InvalidStoredSetting = "invalid_stored_setting", Some(1), Some(500), "the store's setting <key> is '<value>', which is not valid; set it again with roster config set <key> VALUE";
    StoreNotEmpty = "store_not_empty", Some(1), NS, "the store at <path> is not empty; roster store copy writes only into an empty store";
    StoreError = "store_error", Some(1), Some(500), "store error: <reason>";
    // Invitations (SPEC §13).
    InvitationsNotConfigured = "invitations_not_configured", Some(1), NS, "invitations are not configured: <key> is not set (roster config set <key> VALUE)";
    InvalidInvitationSetting = "invalid_invitation_setting", Some(1), NS, "invalid <key>: <reason>";
    SmtpPasswordMissing = "smtp_password_missing", Some(1), NS, "smtp-url names a user, but ROSTER_SMTP_PASSWORD is not set";
    SenderBusy = "sender_busy", Some(5), NS, "Another sender is delivering invitations. Please wait for it to finish before sending again.";
    InvitationUnknown = "invitation_unknown", Some(1), Some(404), "This invitation link is not valid.";
    InvitationUsed = "invitation_used", Some(1), Some(410), "This invitation has already been accepted.";
    InvitationCancelled = "invitation_cancelled", Some(1), Some(410), "This invitation was cancelled.";
    NotInvited = "not_invited", Some(1), Some(409), "<member> is <status>; only an INVITED member can accept an invitation";
    ResendNotInvited = "resend_not_invited", Some(1), NS, "<member> is <status>; only an INVITED member can be invited again";
    // The command line.
    ImportCancelled = "import_cancelled", Some(1), NS, "Import cancelled: nothing was changed.";
    ReportUnwritten = "report_unwritten", Some(6), NS, "Import <id> was applied, but its report could not be written: <reason>";
    UsageError = "usage_error", Some(2), NS, "<what was wrong with the command line>";
    UnknownFlag = "unknown_flag", Some(2), NS, "unexpected argument '<flag>' found";
    InvalidFlagValue = "invalid_flag_value", Some(2), NS, "invalid value '<value>' for '<flag>': <reason>";
    MissingArgument = "missing_argument", Some(2), NS, "the following required arguments were not provided: <arguments>";
    UnknownCommand = "unknown_command", Some(2), NS, "`<parent>` has no command `<word>`; `<parent> --help` lists them";
    HtmlNeedsDryRun = "html_needs_dry_run", Some(2), NS, "--output html shows a plan for review: use it with roster diff or import --dry-run";
    HtmlNotForRevert = "html_not_for_revert", Some(2), NS, "--output html reviews a file's plan: use table, json or ndjson for a revert";
    BackupToStdout = "backup_to_stdout", Some(2), NS, "roster backup writes a file, not standard output: name the file, such as roster-backup.db";
    UnknownSetting = "unknown_setting", Some(2), NS, "unknown setting '<key>': expected one of <keys>";
    InvalidSettingValue = "invalid_setting_value", Some(2), NS, "invalid value '<value>' for <key>: expected <range>, or none";
    InvalidLabel = "invalid_label", Some(2), NS, "invalid label '<name>': use letters, digits, '-', '_', '.' or ':'";
    InvalidFormField = "invalid_form_field", Some(2), NS, "expected TYPE.FIELD, got '<name>'";
    LabelNotFound = "label_not_found", Some(1), NS, "no label '<slug>'";
    FormFieldNotFound = "form_field_not_found", Some(1), NS, "no form field '<key>'";
    NotBanned = "not_banned", Some(2), NS, "<member> is <status>, not BANNED";
    ActivateNotInvited = "activate_not_invited", Some(2), NS, "<member> is <status>; only an INVITED member can be activated";
    CannotListen = "cannot_listen", Some(2), NS, "could not listen on <address>: <reason>";
    MemberNotFound = "member_not_found", Some(1), Some(404), "no member with email, external_id or phone '<id>'";
    IoError = "io_error", Some(1), NS, "<what could not be read or written>";
    // roster serve (SPEC §12).
    MissingKey = "missing_key", N, Some(401), "An API key is required: send the header Authorization: Bearer <key>.";
    InvalidKey = "invalid_key", N, Some(401), "The API key is not valid.";
    RevokedKey = "revoked_key", N, Some(401), "The API key has been revoked.";
    ExpiredKey = "expired_key", N, Some(401), "The API key has expired.";
    ReadOnlyKey = "read_only_key", N, Some(403), "The key '<name>' has the read scope; this request changes the roster and needs a sync key.";
    RateLimited = "rate_limited", N, Some(429), "Too many requests for this API key (at most <limit>). Retry after <n> seconds.";
    TooManyFailures = "too_many_failures", N, Some(429), "Too many failed authentications from this address. Retry after <n> seconds.";
    UnsupportedMediaType = "unsupported_media_type", N, Some(415), "The body must be text/csv, application/json or application/x-ndjson.";
    BodyTooSlow = "body_too_slow", N, Some(408), "The request body arrived too slowly and was cut off; nothing was changed.";
    ImportNotFound = "import_not_found", Some(1), Some(404), "No import with id <id>.";
    ImportSlotsFull = "import_slots_full", N, Some(503), "All <n> import slots are busy; retry after <s> seconds.";
    TooManyConnections = "too_many_connections", N, Some(503), "The server has too many open connections; try again shortly.";
    PreviewGone = "preview_gone", N, Some(404), "This preview's error report is no longer kept: preview the file again.";
    NoRoute = "no_route", N, Some(404), "No such endpoint: <path>.";
    MethodNotAllowed = "method_not_allowed", N, Some(405), "Method not allowed on this endpoint.";
    InvalidParameter = "invalid_parameter", N, Some(400), "Invalid query parameter <name>: <reason>.";
    UnknownParameter = "unknown_parameter", N, Some(400), "Unknown query parameter: <name>.";
    IdempotencyMismatch = "idempotency_mismatch", N, Some(422), "This Idempotency-Key was already used with a different request.";
    KeyExists = "key_exists", Some(1), NS, "A key named '<name>' already exists. Revoke it first, or choose another name.";
    KeyNotFound = "key_not_found", Some(1), NS, "No key named '<name>'.";
    InvalidKeyName = "invalid_key_name", Some(2), NS, "A key name must not be empty nor hold control characters.";
    InvalidRateLimit = "invalid_rate_limit", Some(2), NS, "Invalid rate limit '<value>': expected N/UNIT with UNIT one of s, min, h (for example 60/min).";
    NothingToReplace = "nothing_to_replace", Some(2), NS, "No live key named '<name>' to replace.";
    InvalidExpiry = "invalid_expiry", Some(2), NS, "Invalid expiry '<value>': expected a date (2027-01-31), a time (2027-01-31T18:00:00Z) or a duration (90d, 12h, 30m).";
    DuplicateHeader = "duplicate_header", N, Some(400), "The header <name> was given more than once.";
    DuplicateParameter = "duplicate_parameter", N, Some(400), "The query parameter <name> was given more than once.";
    UnsupportedEncoding = "unsupported_encoding", N, Some(415), "The request body's Content-Encoding must be gzip, zstd or identity.";
    SessionExpired = "session_expired", N, Some(401), "The session has ended (signed out, expired, or its key revoked). Sign in again.";
    CrossSite = "cross_site", N, Some(403), "Refused: a request from another site, or without this session's CSRF token. Reload the page and try again.";
    TooManyFromAddress = "too_many_from_address", N, Some(429), "Too many requests from this address; try again in <n> seconds.";
    AcceptUnavailable = "accept_unavailable", N, Some(503), "The invitation could not be accepted just now; please try again in a minute.";
    NotAcceptable = "not_acceptable", N, Some(406), "<the media types this endpoint answers with>";
    BadRequest = "bad_request", N, Some(400), "<what the server could not read in the request>";
    InternalError = "internal_error", N, Some(500), "<what failed>";
    // SCIM 2.0 (SPEC §17); scimType in docs/scim.md.
    ScimInvalidFilter = "scim_invalid_filter", N, Some(400), "The filter is not supported: <why>.";
    ScimInvalidSyntax = "scim_invalid_syntax", N, Some(400), "The request body is not valid SCIM: <why>.";
    ScimInvalidValue = "scim_invalid_value", N, Some(400), "Invalid value: <why>.";
    ScimInvalidPath = "scim_invalid_path", N, Some(400), "The PATCH path '<path>' is not valid here.";
    ScimNoTarget = "scim_no_target", N, Some(400), "The PATCH path '<path>' matches nothing to remove.";
    ScimUniqueness = "scim_uniqueness", N, Some(409), "<attribute> '<value>' is already taken by another <User or Group>.";
    ScimBanned = "scim_banned", N, Some(400), "<member> is BANNED: roster never changes a banned member over SCIM.";
    ScimProtected = "scim_protected", N, Some(400), "<member> is protected: roster never changes a protected member over SCIM.";
    ScimNotFound = "scim_not_found", N, Some(404), "No <User or Group> with id <id>.";
    ScimDeactivationLimit = "scim_deactivation_limit", N, Some(429), "SCIM deactivated <k> members in the last hour, and the limit is <limit> (scim-max-deactivations). Retry after <n> seconds, or raise the limit.";
    ScimNotImplemented = "scim_not_implemented", N, Some(501), "<feature> is not supported (ServiceProviderConfig says so).";
    ScimBusy = "scim_busy", N, Some(503), "Another import is being applied. This SCIM change waited <n> seconds; nothing was changed. Retry after <n> seconds.";
    WrongScope = "wrong_scope", N, Some(403), "The key '<name>' has the <scope> scope; <what it may call>.";
}

impl Code {
    /// The problem type URI of a problem+json body (relative: it names the code, resolved
    /// against the server's own address).
    pub fn problem_type(self) -> String {
        format!("/problems/{}", self.as_str())
    }

    /// The code of an HTTP status that the framework answers by itself (axum's rejections).
    pub fn of_status(status: u16) -> Code {
        match status {
            404 => Code::NoRoute,
            405 => Code::MethodNotAllowed,
            406 => Code::NotAcceptable,
            408 => Code::BodyTooSlow,
            413 => Code::FileTooLarge,
            415 => Code::UnsupportedMediaType,
            429 => Code::RateLimited,
            s if s >= 500 => Code::InternalError,
            _ => Code::BadRequest,
        }
    }

    /// Whether `message` is an instance of this code's message (each `<...>` matching any
    /// text): how tests tie the messages to this table.
    pub fn matches(self, message: &str) -> bool {
        let template = self.message();
        let mut pieces = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find('<') {
            let Some(end) = rest[start..].find('>') else {
                break;
            };
            pieces.push(&rest[..start]);
            rest = &rest[start + end + 1..];
        }
        pieces.push(rest);
        let mut at = 0;
        for (i, piece) in pieces.iter().enumerate() {
            let found = match i {
                0 => message.starts_with(piece).then_some(0),
                _ if i == pieces.len() - 1 => (message.len() >= at + piece.len()
                    && message.ends_with(piece))
                .then(|| message.len() - piece.len()),
                _ => message[at..].find(piece).map(|p| p + at),
            };
            match found {
                Some(p) => at = p + piece.len(),
                None => return false,
            }
        }
        pieces.len() > 1 || message == template
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = ();
    fn from_str(s: &str) -> Result<Code, ()> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or(())
    }
}

/// The code of each error of the contract's kinds.
impl super::FileError {
    pub fn code(&self) -> Code {
        match self {
            FileError::TooLarge { .. } => Code::FileTooLarge,
            FileError::NotCsv { .. } => Code::NotCsv,
            FileError::Empty => Code::FileEmpty,
            FileError::NoHeader => Code::NoHeaderRow,
            FileError::NoDataRows => Code::NoDataRows,
            FileError::NoIdentifierColumn { .. } => Code::MissingIdentifierColumn,
            FileError::MissingColumn(_) => Code::MissingColumn,
            FileError::DuplicateColumn(_) => Code::DuplicateColumn,
            FileError::TooManyRows(_) => Code::TooManyRows,
            FileError::UnknownFormField(_) => Code::UnknownFormField,
            FileError::BadEncoding { .. } => Code::InvalidEncoding,
            FileError::UnknownEncoding(_) => Code::UnknownEncoding,
            FileError::BadJson(_) => Code::InvalidJson,
            FileError::UnmatchedMapping { .. } => Code::UnmatchedMapping,
            FileError::Unreadable { .. } => Code::UnreadableFile,
        }
    }
}

impl super::Rule {
    pub fn code(&self) -> Code {
        match self {
            Rule::Seats { .. } => Code::SeatLimit,
            Rule::LastOrgOwner => Code::LastOwnerOrganization,
            Rule::LastTeamOwner(_) => Code::LastOwnerTeam,
            Rule::Deactivations { .. } => Code::DeactivationLimit,
            Rule::InviteSeats { .. } => Code::InviteSeatLimit,
            Rule::PlanChanged => Code::PlanChanged,
            Rule::Shrink { .. } => Code::MaxShrink,
        }
    }

    /// The rule as an error object of the JSON documents.
    pub fn to_error_object(&self) -> RowError {
        RowError::unplaced(self.code(), self.to_string())
    }
}

impl super::StoreError {
    pub fn code(&self) -> Code {
        match self {
            StoreError::Open { .. } => Code::StoreOpen,
            StoreError::TooNew { .. } => Code::StoreTooNew,
            StoreError::Busy => Code::ImportBusy,
            StoreError::Changed => Code::StoreChanged,
            StoreError::BadSetting { .. } => Code::InvalidStoredSetting,
            StoreError::NotEmpty(_) => Code::StoreNotEmpty,
            StoreError::Database(_) | StoreError::Io(_) => Code::StoreError,
        }
    }
}

impl super::InvitationError {
    pub fn code(&self) -> Code {
        match self {
            InvitationError::NotConfigured(_) => Code::InvitationsNotConfigured,
            InvitationError::BadSetting(..) => Code::InvalidInvitationSetting,
            InvitationError::NoPassword => Code::SmtpPasswordMissing,
            InvitationError::SenderBusy => Code::SenderBusy,
            InvitationError::UnknownToken => Code::InvitationUnknown,
            InvitationError::UsedToken => Code::InvitationUsed,
            InvitationError::CancelledToken => Code::InvitationCancelled,
            InvitationError::NotInvited { .. } => Code::NotInvited,
            InvitationError::Store(e) => e.code(),
        }
    }
}

impl super::Error {
    /// The stable code of SPEC §10 (for a refusal by several rules, the first rule's).
    pub fn code(&self) -> Code {
        match self {
            super::Error::File(e) => e.code(),
            super::Error::Rows { .. } => Code::RowsInvalid,
            super::Error::Refused(rules) => rules.first().map_or(Code::PlanChanged, Rule::code),
            super::Error::Store(e) => e.code(),
            super::Error::Revert(r) => r.code(),
            super::Error::Invitation(e) => e.code(),
            super::Error::NoStore(_) => Code::NoStore,
            super::Error::Unreported { .. } => Code::ReportUnwritten,
            super::Error::Cancelled => Code::ImportCancelled,
            super::Error::Usage(_) => Code::UsageError,
            super::Error::Refusal(code, _) => *code,
            super::Error::ImportNotFound(_) => Code::ImportNotFound,
            super::Error::MemberNotFound(_) => Code::MemberNotFound,
            super::Error::Io(_) => Code::IoError,
        }
    }

    /// The error objects of SPEC §10 this error stands for (one per broken rule).
    pub fn error_objects(&self) -> Vec<RowError> {
        match self {
            super::Error::Refused(rules) => rules.iter().map(Rule::to_error_object).collect(),
            // One object for each --map that names no header.
            other => other
                .messages()
                .into_iter()
                .map(|m| RowError::unplaced(other.code(), m))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
