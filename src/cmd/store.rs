//! `roster store copy --to DEST`: the whole store into an empty store of either kind (SPEC
//! §14), so an SQLite user can move to PostgreSQL and back.

use crate::cli::{GlobalArgs, StoreCommand};
use crate::error::Result;
use crate::store::postgres::{copy::copy_store, is_postgres_url, mask};

pub fn run(command: StoreCommand, global: &GlobalArgs) -> Result<u8> {
    match command {
        StoreCommand::Copy { to } => copy(global, &to),
    }
}

fn copy(global: &GlobalArgs, dest: &str) -> Result<u8> {
    let source = global.db.clone();
    // A new SQLite file that a failed copy leaves behind is removed again.
    let new_file = (!is_postgres_url(dest) && !std::path::Path::new(dest).exists())
        .then(|| std::path::PathBuf::from(dest));
    if let Err(e) = copy_store(&source, dest) {
        if let Some(file) = new_file {
            let _ = std::fs::remove_file(file);
        }
        return Err(e.into());
    }
    super::say(&format!("copied {} to {}", mask(&source), mask(dest)))?;
    Ok(0)
}
