//! `roster export`: the roster in the import format (SPEC §10), rendered by `report::export`.

use super::Output;
use crate::cli::{ExportArgs, GlobalArgs};
use crate::error::{Result, StoreError};
use crate::report::export;

pub fn run(args: &ExportArgs, global: &GlobalArgs) -> Result<u8> {
    let store = super::open_existing(global)?;
    let mut out = Output::create(args.output.as_deref())?;
    match export::write(&store, args.format, &args.status, &mut out) {
        Ok(()) => out.finish().map(|()| 0),
        Err(StoreError::Io(e)) => Err(out.error(e)),
        Err(e) => Err(e.into()),
    }
}
