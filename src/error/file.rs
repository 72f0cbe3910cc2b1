//! What a file-level error adds to its message: its stable code and the hint that says how to
//! fix it (the messages themselves are `FileError`'s, in error.rs beside the others).

use super::{Code, FileError};

impl FileError {
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
