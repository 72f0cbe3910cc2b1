//! What a file-level error adds to its message: the hint that says how to fix it (the
//! messages are `FileError`'s, in error.rs beside the others; the codes are in code.rs).

use super::FileError;

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
            FileError::UnmatchedMapping { unmatched, .. } => {
                let fixes: Vec<String> = unmatched
                    .iter()
                    .filter_map(|u| Some(format!("--map '{}={}'", u.closest.as_ref()?, u.column)))
                    .collect();
                match fixes.len() {
                    0 => Some("name a header exactly as the file's first line has it.".into()),
                    1 => Some(format!("if that is the header you meant, re-run with {}.", fixes[0])),
                    _ => Some(format!("if those are the headers you meant, re-run with {}.", fixes.join(" "))),
                }
            }
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
