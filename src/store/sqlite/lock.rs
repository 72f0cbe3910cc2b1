//! One import at a time per store: an OS file lock beside the database. The kernel releases
//! it when the holder dies, so a killed import blocks nothing (SPEC §2).

use crate::error::StoreError;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

/// Held for the whole of an import; released on drop or process death.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// The lock of one job beside the database (`.lock`: imports; `.send.lock`: the
    /// invitation sender), or `StoreError::Busy`.
    pub fn try_acquire(db_path: &Path, suffix: &str) -> Result<FileLock, StoreError> {
        let mut name = db_path.as_os_str().to_owned();
        name.push(suffix);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&name)?;
        match file.try_lock() {
            Ok(()) => Ok(FileLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(StoreError::Busy),
            Err(TryLockError::Error(e)) => Err(StoreError::Io(e)),
        }
    }
}
