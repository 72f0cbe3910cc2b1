//! The messages of `roster serve` and `roster keys` (SPEC §12), beside the others of `error`.

/// Messages of `roster serve` and `roster keys` (SPEC §12): the `detail` of problem+json
/// answers where the contract has no sentence of its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServeError {
    #[error("An API key is required: send the header Authorization: Bearer <key>.")]
    MissingKey,
    #[error("The API key is not valid.")]
    InvalidKey,
    #[error("The API key has been revoked.")]
    RevokedKey,
    #[error(
        "The key '{0}' has the read scope; this request changes the roster and needs a sync key."
    )]
    ReadOnlyKey(String),
    #[error(
        "Too many requests for this API key (at most {limit}). Retry after {retry_after} seconds."
    )]
    RateLimited { limit: String, retry_after: u64 },
    #[error("Too many failed authentications from this address. Retry after {0} seconds.")]
    TooManyFailures(u64),
    #[error("The body must be text/csv, application/json or application/x-ndjson.")]
    UnsupportedType,
    #[error("The request body arrived too slowly and was cut off; nothing was changed.")]
    SlowBody,
    #[error("No import with id {0}.")]
    NoImport(i64),
    #[error("No member with email, external_id or phone '{0}'.")]
    NoMember(String),
    #[error("No such endpoint: {0}.")]
    NoRoute(String),
    #[error("Method not allowed on this endpoint.")]
    MethodNotAllowed,
    #[error("Invalid query parameter {name}: {reason}.")]
    BadParameter { name: String, reason: String },
    #[error("Unknown query parameter: {0}.")]
    UnknownParameter(String),
    #[error("This Idempotency-Key was already used with a different request.")]
    IdempotencyMismatch,
    #[error("A key named '{0}' already exists. Revoke it first, or choose another name.")]
    KeyExists(String),
    #[error("No key named '{0}'.")]
    NoKey(String),
    #[error("A key name must not be empty nor hold control characters.")]
    BadKeyName,
    #[error(
        "Invalid rate limit '{0}': expected N/UNIT with UNIT one of s, min, h (for example 60/min)."
    )]
    BadRateLimit(String),
    #[error("The session has ended (signed out, expired, or its key revoked). Sign in again.")]
    SessionExpired,
    #[error(
        "Refused: a request from another site, or without this session's CSRF token. Reload the page and try again."
    )]
    CrossSite,
    #[error("Too many requests from this address; try again in {0} seconds.")]
    TooManyFromAddress(u64),
    #[error("The invitation could not be accepted just now; please try again in a minute.")]
    AcceptUnavailable,
    #[error("The API key has expired.")]
    ExpiredKey,
    #[error("No live key named '{0}' to replace.")]
    NothingToReplace(String),
    #[error(
        "Invalid expiry '{0}': expected a date (2027-01-31), a time (2027-01-31T18:00:00Z) or a duration (90d, 12h, 30m)."
    )]
    BadExpiry(String),
    #[error("The header {0} was given more than once.")]
    DuplicateHeader(&'static str),
    #[error("The query parameter {0} was given more than once.")]
    DuplicateParameter(String),
    #[error("All {0} import slots are busy; retry after {1} seconds.")]
    ImportsBusy(usize, u64),
    #[error("None of the types in Accept can be given here; this endpoint answers {0}.")]
    NotAcceptable(&'static str),
    #[error("The request body's Content-Encoding must be gzip, zstd or identity.")]
    UnsupportedEncoding,
    #[error("The request was not understood: {0}.")]
    BadRequest(String),
    #[error("The server has too many open connections; try again shortly.")]
    TooManyConnections,
    #[error("This preview's error report is no longer kept: preview the file again.")]
    PreviewGone,
}

impl ServeError {
    /// The HTTP status it is answered with: its code's (SPEC §12; docs/output.md's table).
    pub fn status(&self) -> u16 {
        self.code().status().unwrap_or(500)
    }

    pub fn code(&self) -> super::Code {
        use super::Code;
        match self {
            ServeError::MissingKey => Code::MissingKey,
            ServeError::InvalidKey => Code::InvalidKey,
            ServeError::RevokedKey => Code::RevokedKey,
            ServeError::ReadOnlyKey(_) => Code::ReadOnlyKey,
            ServeError::RateLimited { .. } => Code::RateLimited,
            ServeError::TooManyFailures(_) => Code::TooManyFailures,
            ServeError::UnsupportedType => Code::UnsupportedMediaType,
            ServeError::SlowBody => Code::BodyTooSlow,
            ServeError::NoImport(_) => Code::ImportNotFound,
            ServeError::NoMember(_) => Code::MemberNotFound,
            ServeError::NoRoute(_) => Code::NoRoute,
            ServeError::MethodNotAllowed => Code::MethodNotAllowed,
            ServeError::BadParameter { .. } => Code::InvalidParameter,
            ServeError::UnknownParameter(_) => Code::UnknownParameter,
            ServeError::IdempotencyMismatch => Code::IdempotencyMismatch,
            ServeError::KeyExists(_) => Code::KeyExists,
            ServeError::NoKey(_) => Code::KeyNotFound,
            ServeError::BadKeyName => Code::InvalidKeyName,
            ServeError::BadRateLimit(_) => Code::InvalidRateLimit,
            ServeError::SessionExpired => Code::SessionExpired,
            ServeError::CrossSite => Code::CrossSite,
            ServeError::TooManyFromAddress(_) => Code::TooManyFromAddress,
            ServeError::AcceptUnavailable => Code::AcceptUnavailable,
            ServeError::ExpiredKey => Code::ExpiredKey,
            ServeError::NothingToReplace(_) => Code::NothingToReplace,
            ServeError::BadExpiry(_) => Code::InvalidExpiry,
            ServeError::DuplicateHeader(_) => Code::DuplicateHeader,
            ServeError::DuplicateParameter(_) => Code::DuplicateParameter,
            ServeError::BadRequest(_) => Code::BadRequest,
            ServeError::ImportsBusy(..) => Code::ImportSlotsFull,
            ServeError::TooManyConnections => Code::TooManyConnections,
            ServeError::PreviewGone => Code::PreviewGone,
            ServeError::NotAcceptable(_) => Code::NotAcceptable,
            ServeError::UnsupportedEncoding => Code::UnsupportedEncoding,
        }
    }
}
