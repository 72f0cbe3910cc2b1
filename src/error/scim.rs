//! The refusals of SCIM 2.0 (SPEC §17): each with its status, its RFC 7644 `scimType` and the
//! sentence a SCIM error document carries as `detail`.

use super::Code;

/// Why a SCIM request changed nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScimError {
    #[error("The filter is not supported: {0}.")]
    InvalidFilter(String),
    #[error("The request body is not valid SCIM: {0}.")]
    InvalidSyntax(String),
    #[error("Invalid value: {0}.")]
    InvalidValue(String),
    #[error("The PATCH path '{0}' is not valid here.")]
    InvalidPath(String),
    #[error("The PATCH path '{0}' matches nothing to remove.")]
    NoTarget(String),
    #[error("{attribute} '{value}' is already taken by another {resource}.")]
    Uniqueness {
        attribute: &'static str,
        value: String,
        resource: &'static str,
    },
    #[error("{0} is BANNED: roster never changes a banned member over SCIM.")]
    Banned(String),
    #[error("{0} is protected: roster never changes a protected member over SCIM.")]
    Protected(String),
    #[error("No {0} with id {1}.")]
    NotFound(&'static str, String),
    #[error(
        "SCIM deactivated {done} members in the last hour, and the limit is {limit} (scim-max-deactivations). Retry after {retry_after} seconds, or raise the limit."
    )]
    Deactivations {
        done: u64,
        limit: String,
        retry_after: u64,
    },
    #[error("{0} is not supported (ServiceProviderConfig says so).")]
    NotImplemented(&'static str),
    #[error(
        "Another import is being applied. This SCIM change waited {0} seconds; nothing was changed. Retry after {1} seconds."
    )]
    Busy(u64, u64),
    #[error("The key '{0}' has the {1} scope; {2}.")]
    WrongScope(String, &'static str, &'static str),
}

impl ScimError {
    pub fn code(&self) -> Code {
        match self {
            ScimError::InvalidFilter(_) => Code::ScimInvalidFilter,
            ScimError::InvalidSyntax(_) => Code::ScimInvalidSyntax,
            ScimError::InvalidValue(_) => Code::ScimInvalidValue,
            ScimError::InvalidPath(_) => Code::ScimInvalidPath,
            ScimError::NoTarget(_) => Code::ScimNoTarget,
            ScimError::Uniqueness { .. } => Code::ScimUniqueness,
            ScimError::Banned(_) => Code::ScimBanned,
            ScimError::Protected(_) => Code::ScimProtected,
            ScimError::NotFound(..) => Code::ScimNotFound,
            ScimError::Deactivations { .. } => Code::ScimDeactivationLimit,
            ScimError::NotImplemented(_) => Code::ScimNotImplemented,
            ScimError::Busy(..) => Code::ScimBusy,
            ScimError::WrongScope(..) => Code::WrongScope,
        }
    }

    /// The HTTP status (the code's).
    pub fn status(&self) -> u16 {
        self.code().status().unwrap_or(400)
    }

    /// RFC 7644 §3.12's `scimType`, where one applies.
    pub fn scim_type(&self) -> Option<&'static str> {
        match self {
            ScimError::InvalidFilter(_) => Some("invalidFilter"),
            ScimError::InvalidSyntax(_) => Some("invalidSyntax"),
            ScimError::InvalidValue(_) => Some("invalidValue"),
            ScimError::InvalidPath(_) => Some("invalidPath"),
            ScimError::NoTarget(_) => Some("noTarget"),
            ScimError::Uniqueness { .. } => Some("uniqueness"),
            ScimError::Banned(_) | ScimError::Protected(_) => Some("mutability"),
            _ => None,
        }
    }
}
