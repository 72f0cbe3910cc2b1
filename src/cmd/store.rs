//! `roster store copy --to DEST`: the whole store into an empty store of either kind (SPEC
//! §14), so an SQLite user can move to PostgreSQL and back.

use crate::cli::{GlobalArgs, StoreCommand};
use crate::error::Result;
use crate::store::Location;

pub fn run(command: StoreCommand, global: &GlobalArgs) -> Result<u8> {
    match command {
        StoreCommand::Copy { to } => copy(global, &to),
    }
}

fn copy(global: &GlobalArgs, dest: &str) -> Result<u8> {
    let (source, dest) = (Location::parse(&global.db), Location::parse(dest));
    // A new SQLite file that a failed copy leaves behind is removed again.
    let new_file = match &dest {
        Location::Sqlite(path) if !path.exists() => Some(path.clone()),
        _ => None,
    };
    if let Err(e) = crate::store::copy(&source, &dest) {
        if let Some(file) = new_file {
            let _ = std::fs::remove_file(file);
        }
        return Err(e.into());
    }
    super::say(&format!(
        "copied {} to {}",
        source.display(),
        dest.display()
    ))?;
    Ok(0)
}
