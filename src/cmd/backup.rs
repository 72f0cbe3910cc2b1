//! `roster backup PATH`: a consistent copy of the store, taken while others read and import.
//! Written beside PATH first and renamed into place, so PATH is a whole copy or nothing.
//! On PostgreSQL, the copy is an SQLite file.

use crate::cli::GlobalArgs;
use crate::error::{Error, Result};
use crate::store::Store;
use std::io::{Error as IoError, ErrorKind};
use std::path::{Path, PathBuf};

pub fn run(path: &Path, global: &GlobalArgs) -> Result<u8> {
    if path.exists() {
        return Err(Error::Io(IoError::new(
            ErrorKind::AlreadyExists,
            format!(
                "{} already exists; roster backup writes a new file.",
                path.display()
            ),
        )));
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    let written = backup_to(&partial, global).and_then(|()| Ok(std::fs::rename(&partial, path)?));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(0)
}

/// SQLite: the online backup of the file. PostgreSQL: a whole-store copy into a new SQLite
/// file (SPEC §14), read in one consistent transaction.
fn backup_to(partial: &Path, global: &GlobalArgs) -> Result<()> {
    let db = super::db_path(global);
    let db = db.to_string_lossy();
    if crate::store::postgres::is_postgres_url(&db) {
        let dest = partial.to_string_lossy();
        return Ok(crate::store::postgres::copy::copy_store(&db, &dest)?);
    }
    Ok(super::open_store(global)?.backup(partial)?)
}
