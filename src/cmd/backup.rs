//! `roster backup PATH`: a consistent copy of the store, taken while others read and import.
//! Written beside PATH first and renamed into place, so PATH is a whole copy or nothing.
//! On PostgreSQL, the copy is an SQLite file (`roster store copy`'s).

use crate::cli::GlobalArgs;
use crate::error::{Code, Error, Result, msg};
use std::io::{Error as IoError, ErrorKind};
use std::path::{Path, PathBuf};

pub fn run(path: &Path, global: &GlobalArgs) -> Result<u8> {
    if path.as_os_str() == "-" {
        return Err(Error::Refusal(
            Code::BackupToStdout,
            msg::BACKUP_TO_STDOUT.to_string(),
        ));
    }
    if path.exists() {
        return Err(Error::Io(IoError::new(
            ErrorKind::AlreadyExists,
            format!(
                "{} already exists; roster backup writes a new file.",
                path.display()
            ),
        )));
    }
    let store = super::open_existing(global)?;
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    let written = store
        .backup(&partial)
        .map_err(Error::from)
        .and_then(|()| Ok(std::fs::rename(&partial, path)?));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        // The temporary file is roster's business: the message names the path given.
        let reason = e
            .to_string()
            .replace(&partial.display().to_string(), &path.display().to_string());
        return Err(Error::Io(IoError::other(msg::backup_failed(
            &path.display().to_string(),
            reason.trim_start_matches("store error: "),
        ))));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(0)
}
